package io.smsgw.bench;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * The realistic mix of the benchmark: 80% GSM-7 and 20% Persian (UCS-2) text, 5% VIP, spread over the given
 * users, a unique message id per request.
 */
final class TrafficMix {

  private static final String[] GSM = {
    "Your code is %d. It expires in 2 minutes.",
    "Dear customer, your order %d has shipped and will arrive tomorrow between 9:00 and 12:00.",
    "Payment of 1,250,000 IRR received. Ref %d. Thank you for your purchase!"};
  private static final String[] PERSIAN = {
    "کد تایید شما %d است",
    "مشتری گرامی، سفارش %d شما ارسال شد و فردا تحویل داده می‌شود. با تشکر از خرید شما"};

  private final List<JsonObject> users;

  TrafficMix(List<JsonObject> users) {
    this.users = users;
  }

  OpenLoopLoad.Request request(int i) {
    JsonObject user = users.get(i % users.size());
    boolean persian = i % 5 == 4;
    String text = String.format(persian ? PERSIAN[i % PERSIAN.length] : GSM[i % GSM.length], 100_000 + i % 900_000);
    String priority = i % 20 == 3 ? "vip" : "normal";
    return OpenLoopLoad.Request.of(user.getString("api_key"),
      BenchEnvironment.sms(user, "+98912" + String.format("%07d", i % 10_000_000), text, priority));
  }
}
