package io.smsgw.api;

import io.smsgw.platform.kafka.Topics;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.smsgw.testing.TopicReader;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("POST /send-sms, GET /balance and GET /message-status on the happy path")
class SendSmsIT extends GatewayTest {



  @Test
  @DisplayName("A 200 charges segments × price and leaves the record in sms.normal, keyed by user_id")
  void normalMessage() {
    JsonObject user = gateway.createUser(10_000);
    JsonObject sms = TestGateway.sms(user, "+989121234567", "Your code is 123456");

    TestGateway.Response r = gateway.sendSms(user, sms);

    assertThat(r.status()).isEqualTo(200);
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.json().getString("status")).isEqualTo("pending");
    assertThat(r.json().getString("message_id")).isEqualTo(sms.getString("message_id"));
    assertThat(r.json().getInteger("segments")).isEqualTo(1);
    assertThat(r.json().getLong("cost")).isEqualTo(100);
    assertThat(gateway.balance(user)).isEqualTo(9_900);

    String id = sms.getString("message_id");
    Map<String, TopicReader.Record> records = TopicReader.await(
      TestServices.kafka().bootstrapServers(), Topics.NORMAL, Set.of(id), Duration.ofSeconds(30));
    assertThat(records).containsKey(id);
    assertThat(records.get(id).key()).isEqualTo(user.getString("user_id"));
    JsonObject value = new JsonObject(records.get(id).value());
    assertThat(value.getString("phone_number")).isEqualTo("+989121234567");
    assertThat(value.getString("message")).isEqualTo("Your code is 123456");
    assertThat(value.getLong("cost")).isEqualTo(100);
  }

  @Test
  @DisplayName("A VIP message goes to sms.vip at the VIP price; Persian text is UCS-2")
  void vipPersianMessage() {
    JsonObject user = gateway.createUser(10_000);
    String text = "کد ورود شما ۱۲۳۴۵۶ است. این کد را به کسی ندهید. با تشکر از شما، بانک نمونه ایران";  // > 70 chars
    JsonObject sms = TestGateway.sms(user, "+989121234567", text).put("priority", "vip");

    TestGateway.Response r = gateway.sendSms(user, sms);

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(r.json().getString("encoding")).isEqualTo("UCS2");
    assertThat(r.json().getInteger("segments")).isEqualTo(2);
    assertThat(r.json().getLong("cost")).isEqualTo(2 * 150);
    assertThat(gateway.balance(user)).isEqualTo(10_000 - 300);

    String id = sms.getString("message_id");
    var records = TopicReader.await(TestServices.kafka().bootstrapServers(), Topics.VIP, Set.of(id), Duration.ofSeconds(30));
    assertThat(records).containsKey(id);
    assertThat(records.get(id).key()).isEqualTo(user.getString("user_id"));
  }

  @Test
  @DisplayName("GET /message-status shows the accepted message, queued once Kafka has it")
  void messageStatus() throws InterruptedException {
    JsonObject user = gateway.createUser(1_000);
    JsonObject sms = TestGateway.sms(user, "+14155550100", "hello");
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);

    String path = "/message-status/" + sms.getString("message_id");
    JsonObject status = null;
    for (int i = 0; i < 100; i++) {
      TestGateway.Response r = gateway.get(path, user.getString("api_key"));
      assertThat(r.status()).isEqualTo(200);
      status = r.json();
      if (status.getBoolean("queued")) break;
      Thread.sleep(100);
    }
    assertThat(status.getString("status")).isIn("pending", "sent");  // a worker may have sent it already
    assertThat(status.getString("message_id")).isEqualTo(sms.getString("message_id"));
    assertThat(status.getBoolean("queued")).isTrue();
    assertThat(status.getInteger("segments")).isEqualTo(1);
    assertThat(status.containsKey("user_id")).isFalse();
  }

  @Test
  @DisplayName("A duplicate message_id answers 400 duplicate_message_id with the existing message's status and charges nothing")
  void duplicate() {
    JsonObject user = gateway.createUser(1_000);
    JsonObject sms = TestGateway.sms(user, "+14155550100", "once");
    assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);

    TestGateway.Response again = gateway.sendSms(user, sms.copy().put("message", "twice"));

    assertThat(again.status()).isEqualTo(400);
    assertThat(again.errorCode()).isEqualTo("duplicate_message_id");
    assertThat(again.json().getJsonObject("error").getJsonObject("details").getString("status")).isEqualTo("pending");
    assertThat(gateway.balance(user)).isEqualTo(900);
  }
}
