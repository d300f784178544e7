package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Validator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The bulk body is checked by hand (the route's schema validation is off): it must accept exactly the bodies the
 * contract's {@code SendSmsBulkRequest} accepts, and refuse the others with a catalogue code.
 */
@DisplayName("POST /send-sms/bulk's body: the hand check and the contract's schema agree")
class SendSmsBulkBodyTest {

  private static ContractRequestSchema contract;
  private static Validator schema;

  @BeforeAll
  static void contract() {
    contract = new ContractRequestSchema("sendSmsBulk");
    schema = contract.validator;
  }

  @AfterAll
  static void close() {
    contract.close();
  }

  private static JsonObject valid(int recipients) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < recipients; i++) {
      items.add(new JsonObject().put("message_id", UUID.randomUUID().toString()).put("phone_number", "+98912000" + (1000 + i)));
    }
    return new JsonObject().put("bulk_id", UUID.randomUUID().toString()).put("user_id", UUID.randomUUID().toString())
      .put("message", "hello").put("recipients", items);
  }

  private static SendSmsBulkBody.Parsed parse(JsonObject body) throws SendSmsBulkBody.Invalid {
    return SendSmsBulkBody.parse(body.toBuffer());
  }

  @Test
  @DisplayName("Bodies the contract accepts are accepted (per-item contents are not the request's business)")
  void accepted() throws Exception {
    List<UnaryOperator<JsonObject>> variants = List.of(b -> b, b -> b.put("priority", "vip"), b -> b.put("priority", "normal"),
      b -> b.put("validity_period", 60), b -> b.put("validity_period", 259_200), b -> b.put("validity_period", 60.0),
      b -> b.put("send_at", "2030-01-01T00:00:00Z"), b -> { b.remove("message"); return b; },
      b -> { b.getJsonArray("recipients").getJsonObject(0).put("message", "own").put("phone_number", "not a number"); return b; },
      b -> { b.getJsonArray("recipients").getJsonObject(1).put("message", ""); return b; },
      b -> b.put("bulk_id", b.getString("bulk_id").toUpperCase(java.util.Locale.ROOT)));
    for (UnaryOperator<JsonObject> variant : variants) {
      JsonObject body = variant.apply(valid(3));
      assertThat(schema.validate(body).getValid()).as(body.encode()).isTrue();
      SendSmsBulkBody.Parsed parsed = parse(body);
      assertThat(parsed.recipients()).hasSize(3);
      assertThat(parsed.recipients().get(2).index()).isEqualTo(2);
    }
    assertThat(parse(valid(10_000)).recipients()).hasSize(10_000);
  }

  @Test
  @DisplayName("Bodies the contract refuses are refused with a catalogue code, naming the recipient where one is at fault")
  void refused() {
    record Case(UnaryOperator<JsonObject> change, ApiError code, String says) {
    }
    List<Case> cases = List.of(
      new Case(b -> b.put("extra", 1), ApiError.INVALID_REQUEST, "extra"),
      new Case(b -> b.put("status_callback", "https://example.com"), ApiError.INVALID_REQUEST, "status_callback"),
      new Case(b -> { b.remove("bulk_id"); return b; }, ApiError.INVALID_REQUEST, "bulk_id"),
      new Case(b -> b.put("bulk_id", "urn:uuid:" + UUID.randomUUID()), ApiError.INVALID_REQUEST, "bulk_id"),
      new Case(b -> b.put("user_id", UUID.randomUUID() + "\n"), ApiError.INVALID_REQUEST, "user_id"),
      new Case(b -> b.put("message", 5), ApiError.INVALID_REQUEST, "message"),
      new Case(b -> b.put("priority", "VIP"), ApiError.INVALID_REQUEST, "priority"),
      new Case(b -> b.put("validity_period", 0), ApiError.INVALID_REQUEST, "validity_period"),
      new Case(b -> b.put("validity_period", 259_201), ApiError.INVALID_REQUEST, "validity_period"),
      new Case(b -> b.put("validity_period", 1.5), ApiError.INVALID_REQUEST, "validity_period"),
      new Case(b -> b.put("validity_period", "60"), ApiError.INVALID_REQUEST, "validity_period"),
      new Case(b -> b.put("send_at", 5), ApiError.INVALID_SEND_AT, "send_at"),
      new Case(b -> b.put("recipients", new JsonArray()), ApiError.INVALID_REQUEST, "recipients"),
      new Case(b -> b.put("recipients", new JsonObject()), ApiError.INVALID_REQUEST, "recipients"),
      new Case(b -> { b.remove("recipients"); return b; }, ApiError.INVALID_REQUEST, "recipients"),
      new Case(b -> { b.getJsonArray("recipients").add("x"); return b; }, ApiError.INVALID_REQUEST, "recipients[3]"),
      new Case(b -> { b.getJsonArray("recipients").getJsonObject(1).remove("message_id"); return b; }, ApiError.INVALID_REQUEST, "recipients[1]"),
      new Case(b -> { b.getJsonArray("recipients").getJsonObject(1).put("message_id", "{" + UUID.randomUUID() + "}"); return b; },
        ApiError.INVALID_REQUEST, "recipients[1].message_id"),
      new Case(b -> { b.getJsonArray("recipients").getJsonObject(2).remove("phone_number"); return b; }, ApiError.INVALID_REQUEST, "recipients[2]"),
      new Case(b -> { b.getJsonArray("recipients").getJsonObject(2).put("phone_number", 989121234567L); return b; }, ApiError.INVALID_REQUEST, "recipients[2]"),
      new Case(b -> { b.getJsonArray("recipients").getJsonObject(0).put("message", (String) null); return b; }, ApiError.INVALID_REQUEST, "recipients[0]"),
      new Case(b -> { b.getJsonArray("recipients").getJsonObject(0).put("priority", "vip"); return b; }, ApiError.INVALID_REQUEST, "recipients[0]"),
      new Case(b -> valid(10_001).put("user_id", b.getString("user_id")), ApiError.TOO_MANY_RECIPIENTS, "at most 10000"));
    for (Case c : cases) {
      JsonObject body = c.change().apply(valid(3));
      if (c.code() != ApiError.INVALID_SEND_AT) assertThat(schema.validate(body).getValid()).as(body.encode()).isFalse();
      assertThatThrownBy(() -> parse(body)).as(body.encode()).isInstanceOfSatisfying(SendSmsBulkBody.Invalid.class, e -> {
        assertThat(e.error).isEqualTo(c.code());
        assertThat(e.getMessage()).contains(c.says());
      });
    }
  }

  @Test
  @DisplayName("Not JSON is invalid_json, JSON that is not an object invalid_request, an empty body invalid_request")
  void notAnObject() {
    assertThatThrownBy(() -> SendSmsBulkBody.parse(Buffer.buffer("{\"bulk_id\":")))
      .isInstanceOfSatisfying(SendSmsBulkBody.Invalid.class, e -> assertThat(e.error).isEqualTo(ApiError.INVALID_JSON));
    assertThatThrownBy(() -> SendSmsBulkBody.parse(Buffer.buffer("[1]")))
      .isInstanceOfSatisfying(SendSmsBulkBody.Invalid.class, e -> assertThat(e.error).isEqualTo(ApiError.INVALID_REQUEST));
    assertThatThrownBy(() -> SendSmsBulkBody.parse(Buffer.buffer()))
      .isInstanceOfSatisfying(SendSmsBulkBody.Invalid.class, e -> assertThat(e.error).isEqualTo(ApiError.INVALID_REQUEST));
  }
}
