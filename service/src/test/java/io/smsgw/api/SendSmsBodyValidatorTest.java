package io.smsgw.api;

import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hand-checked fast path of the send-sms body must never accept what the contract's schema refuses, and
 * must take the everyday body (else the speed-up is gone).
 */
class SendSmsBodyValidatorTest {

  private static ContractRequestSchema contract;
  private static Validator schema;

  @BeforeAll
  static void contract() {
    contract = new ContractRequestSchema("sendSms");
    schema = contract.validator;
  }

  @AfterAll
  static void close() {
    contract.close();
  }

  @Test
  void everydayBodiesTakeTheFastPath() {
    for (JsonObject body : List.of(valid(), valid().put("priority", "vip"), valid().put("priority", "normal"),
      valid().put("message_id", UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT)),
      valid().put("message", "کد تایید شما ۱۲۳۴۵ است"), valid().put("phone_number", "+12025550100"))) {
      assertThat(SendSmsBodyValidator.plainlyValid(body)).as(body.encode()).isTrue();
      assertThat(schema.validate(body).getValid()).as(body.encode()).isTrue();
    }
  }

  @Test
  void theFastPathIsNeverLooserThanTheContract() {
    List<JsonObject> bodies = new ArrayList<>();
    for (Object id : new Object[] {UUID.randomUUID().toString(), UUID.randomUUID().toString().toUpperCase(java.util.Locale.ROOT), "not-a-uuid",
      "123e4567-e89b-12d3-a456-42661417400", "123e4567-e89b-12d3-a456-4266141740000", "123e4567e89b12d3a456426614174000",
      "g23e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-4266141740٣٣", 5, null,
      "urn:uuid:" + UUID.randomUUID(), UUID.randomUUID() + "\n", "{" + UUID.randomUUID() + "}", "1-2-3-4-5"}) {
      bodies.add(valid().put("message_id", id));
      bodies.add(valid().put("user_id", id));
    }
    for (Object phone : new Object[] {"+9891212345", "+1234567", "+12345678", "+123456789012345", "+1234567890123456",
      "+09121234567", "989121234567", "+98 9121234567", "+98912123456a", "+٩٨٩١٢١٢٣٤٥٦٧", "", 989121234567L, null,
      "+989121234567\n", "+989121234567\r\n", "+989121234567\u2028"}) {
      bodies.add(valid().put("phone_number", phone));
    }
    for (Object text : new Object[] {"", "a", "a".repeat(1530), "a".repeat(1531), "😀".repeat(765), "😀".repeat(766),
      "😀".repeat(1530), "ب".repeat(1530), 42, null}) {
      bodies.add(valid().put("message", text));
    }
    for (Object priority : new Object[] {"vip", "normal", "VIP", "", "high", 1, null}) {
      bodies.add(valid().put("priority", priority));
    }
    bodies.add(valid().put("extra", "x"));
    bodies.add(valid().put("priority", "vip").put("extra", "x"));
    for (String field : List.of("message_id", "user_id", "phone_number", "message")) {
      JsonObject missing = valid();
      missing.remove(field);
      bodies.add(missing);
      bodies.add(missing.copy().put("priority", "vip"));
    }
    for (JsonObject body : bodies) {
      if (SendSmsBodyValidator.plainlyValid(body)) {
        assertThat(schema.validate(body).getValid()).as("fast path accepted what the contract refuses: " + body.encode()).isTrue();
      }
    }
  }

  @Test
  void theContractRefusesWhatTheCodeCannotHandle() {
    for (JsonObject body : List.of(valid().put("message_id", "urn:uuid:" + UUID.randomUUID()), valid().put("user_id", UUID.randomUUID() + "\n"),
      valid().put("phone_number", "+989121234567\n"), valid().put("phone_number", "+989121234567\u2028"))) {
      assertThat(schema.validate(body).getValid()).as(body.encode()).isFalse();
    }
  }

  private static JsonObject valid() {
    return new JsonObject()
      .put("message_id", UUID.randomUUID().toString())
      .put("user_id", UUID.randomUUID().toString())
      .put("phone_number", "+989121234567")
      .put("message", "Your code is 123456");
  }
}
