package io.smsgw.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The realistic mix of the benchmark: 80% GSM-7 and 20% Persian (UCS-2) text, 5% VIP, spread over the given
 * users, a unique message id per request.
 *
 * <p>Requests are built by concatenation, not {@code String.format}, a JSON library or {@code UUID.randomUUID()}
 * (SecureRandom): the generator shares the two cores with what it measures, and those three took ~4% of the JVM's
 * CPU at 4,000 requests/s (async-profiler). The texts hold no character that JSON would need to escape.
 */
final class TrafficMix {

  // Each text is {before, after} the number; the number makes every text a little different.
  private static final String[][] GSM = {
    {"Your code is ", ". It expires in 2 minutes."},
    {"Dear customer, your order ", " has shipped and will arrive tomorrow between 9:00 and 12:00."},
    {"Payment of 1,250,000 IRR received. Ref ", ". Thank you for your purchase!"}};
  private static final String[][] PERSIAN = {
    {"کد تایید شما ", " است"},
    {"مشتری گرامی، سفارش ", " شما ارسال شد و فردا تحویل داده می‌شود. با تشکر از خرید شما"}};

  private final List<JsonObject> users;

  TrafficMix(List<JsonObject> users) {
    this.users = users;
  }

  OpenLoopLoad.Request request(int i) {
    return request(i, randomUuid(), null);
  }

  /** Request i of the mix with a message id the caller chose and, if not null, another phone number (E.164). */
  OpenLoopLoad.Request request(int i, UUID messageId, String phoneNumber) {
    JsonObject user = users.get(i % users.size());
    String[] text = i % 5 == 4 ? PERSIAN[i % PERSIAN.length] : GSM[i % GSM.length];
    String phone = phoneNumber != null ? phoneNumber : "+98912" + String.valueOf(10_000_000 + i % 10_000_000).substring(1);  // 7 digits, zero-padded
    String body = "{\"message_id\":\"" + messageId
      + "\",\"user_id\":\"" + user.getString("user_id")
      + "\",\"phone_number\":\"" + phone
      + "\",\"message\":\"" + text[0] + (100_000 + i % 900_000) + text[1]
      + "\",\"priority\":\"" + (i % 20 == 3 ? "vip" : "normal") + "\"}";
    return new OpenLoopLoad.Request(user.getString("api_key"), Buffer.buffer(body));
  }

  /** A version-4 UUID from a fast generator: unique enough for message ids, not for secrets. */
  static UUID randomUuid() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFF_FFFF_FFFF_FFFFL) | 0x8000_0000_0000_0000L;
    return new UUID(msb, lsb);
  }
}
