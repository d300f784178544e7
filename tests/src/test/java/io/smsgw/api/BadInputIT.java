package io.smsgw.api;

import io.smsgw.testing.Db;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.http.HttpRequest;
import java.util.UUID;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every bad input: a 4xx JSON error with a stable code; nothing charged, nothing stored. */
@DisplayName("Bad input on POST /send-sms")
class BadInputIT extends GatewayTest {

  static JsonObject user;
  static JsonObject otherUser;
  long messagesBefore;
  long ledgerBefore;

  @BeforeAll
  static void users() {
    user = gateway.createUser(1_000);
    otherUser = gateway.createUser(1_000);
  }

  @BeforeEach
  void countBefore() {
    messagesBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages");
    ledgerBefore = Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger");
  }

  @AfterEach
  void nothingChargedNothingStored() {
    assertThat(gateway.balance(user)).isEqualTo(1_000);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM messages")).isEqualTo(messagesBefore);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger")).isEqualTo(ledgerBefore);
  }

  static JsonObject valid() {
    return TestGateway.sms(user, "+989121234567", "hello");
  }

  /** A case: how to build the request, from the gateway and a valid body. */
  static Arguments bad(String name, int status, String code, BiFunction<TestGateway, JsonObject, HttpRequest> request) {
    return Arguments.of(name, status, code, request);
  }

  static Arguments badBody(String name, int status, String code, String body) {
    return bad(name, status, code, (g, v) -> g.sendSmsRequest(user.getString("api_key"), body));
  }

  static Arguments badField(String name, int status, String code, java.util.function.UnaryOperator<JsonObject> change) {
    return bad(name, status, code, (g, v) -> g.sendSmsRequest(user.getString("api_key"), change.apply(v).encode()));
  }

  static Stream<Arguments> cases() {
    return Stream.of(
      badBody("malformed JSON", 400, "invalid_json", "{\"message_id\": "),
      badBody("a JSON array", 400, "invalid_request", "[1,2]"),
      badBody("an empty body", 400, "invalid_request", ""),
      bad("wrong content type", 415, "unsupported_media_type", (g, v) -> HttpRequest.newBuilder(g.uri("/send-sms"))
        .header("Content-Type", "text/plain").header("X-API-Key", user.getString("api_key"))
        .POST(HttpRequest.BodyPublishers.ofString(v.encode())).build()),
      bad("no content type", 415, "unsupported_media_type", (g, v) -> HttpRequest.newBuilder(g.uri("/send-sms"))
        .header("X-API-Key", user.getString("api_key"))
        .POST(HttpRequest.BodyPublishers.ofString(v.encode())).build()),
      badField("missing message_id", 400, "invalid_request", v -> { v.remove("message_id"); return v; }),
      badField("missing user_id", 400, "invalid_request", v -> { v.remove("user_id"); return v; }),
      badField("missing phone_number", 400, "invalid_request", v -> { v.remove("phone_number"); return v; }),
      badField("missing message", 400, "invalid_request", v -> { v.remove("message"); return v; }),
      badField("message_id not a UUID", 400, "invalid_request", v -> v.put("message_id", "42")),
      badField("user_id not a UUID", 400, "invalid_request", v -> v.put("user_id", "bob")),
      badField("message a number", 400, "invalid_request", v -> v.put("message", 12345)),
      badField("phone_number a number", 400, "invalid_phone_number", v -> v.put("phone_number", 989121234567L)),
      badField("unknown priority", 400, "invalid_request", v -> v.put("priority", "urgent")),
      badField("unknown field", 400, "invalid_request", v -> v.put("callback", "http://x")),
      badField("phone without +", 400, "invalid_phone_number", v -> v.put("phone_number", "989121234567")),
      badField("phone too short", 400, "invalid_phone_number", v -> v.put("phone_number", "+98912")),
      badField("phone too long", 400, "invalid_phone_number", v -> v.put("phone_number", "+9891212345678901")),
      badField("phone with letters", 400, "invalid_phone_number", v -> v.put("phone_number", "+98912ABC4567")),
      badField("phone starting with 0", 400, "invalid_phone_number", v -> v.put("phone_number", "+0989121234567")),
      badField("empty message", 400, "empty_message", v -> v.put("message", "")),
      badField("GSM-7 message over 10 segments", 400, "message_too_long", v -> v.put("message", "a".repeat(1531))),
      badField("Persian message over 10 segments", 400, "message_too_long", v -> v.put("message", "س".repeat(671))),
      badBody("body over 64 KiB", 413, "payload_too_large", "{\"message\": \"" + "a".repeat(70_000) + "\"}"),
      bad("missing API key", 401, "unauthorized", (g, v) -> HttpRequest.newBuilder(g.uri("/send-sms"))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(v.encode())).build()),
      bad("wrong API key", 401, "unauthorized", (g, v) -> g.sendSmsRequest("sk_wrong", v.encode())),
      bad("another user's API key", 403, "forbidden", (g, v) -> g.sendSmsRequest(otherUser.getString("api_key"), v.encode())),
      badField("an unknown user", 403, "forbidden", v -> v.put("user_id", UUID.randomUUID().toString())),
      badField("more than the balance", 400, "insufficient_balance",
        v -> v.put("message", "x".repeat(1530)).put("priority", "vip")),
      // The contract's `format: uuid` alone lets these through; UUID.fromString then failed with a 500.
      badField("message_id as urn:uuid", 400, "invalid_request", v -> v.put("message_id", "urn:uuid:" + UUID.randomUUID())),
      badField("user_id as urn:uuid", 400, "invalid_request", v -> v.put("user_id", "urn:uuid:" + v.getString("user_id"))),
      badField("message_id with a trailing newline", 400, "invalid_request", v -> v.put("message_id", UUID.randomUUID() + "\n")),
      badField("message_id in braces", 400, "invalid_request", v -> v.put("message_id", "{" + UUID.randomUUID() + "}")),
      badField("message_id in the short form 1-2-3-4-5", 400, "invalid_request", v -> v.put("message_id", "1-2-3-4-5")),
      // A regex `$` matches before a final line terminator: these were stored and sent.
      badField("phone with a trailing newline", 400, "invalid_phone_number", v -> v.put("phone_number", "+989121234567\n")),
      badField("phone with a trailing CR LF", 400, "invalid_phone_number", v -> v.put("phone_number", "+989121234567\r\n")),
      badField("phone with a trailing U+2028", 400, "invalid_phone_number", v -> v.put("phone_number", "+989121234567\u2028")),
      badField("phone with a trailing U+0085", 400, "invalid_phone_number", v -> v.put("phone_number", "+989121234567\u0085")),
      // Characters no SMS alphabet carries (U+0000 failed a whole charge batch with 503).
      badField("message with U+0000", 400, "invalid_message_text", v -> v.put("message", "code\u0000 1234")),
      badField("message with U+0001", 400, "invalid_message_text", v -> v.put("message", "\u0001")),
      badField("message with a TAB", 400, "invalid_message_text", v -> v.put("message", "a\tb")),
      badField("message with ESC", 400, "invalid_message_text", v -> v.put("message", "a\u001bb")),
      badField("message with DEL", 400, "invalid_message_text", v -> v.put("message", "a\u007f")),
      badField("message with a C1 control", 400, "invalid_message_text", v -> v.put("message", "a\u0085b")),
      loneSurrogate("message with a lone high surrogate", "a\\ud800b"),
      loneSurrogate("message ending in a high surrogate", "abc\\ud83d"),
      loneSurrogate("message with a lone low surrogate", "\\udc00"),
      loneSurrogate("message with surrogates in the wrong order", "\\ude00\\ud83d"));
  }

  /** The JSON escape itself goes on the wire: a Java string with a lone surrogate would be sent as '?'. */
  static Arguments loneSurrogate(String name, String jsonEscapedText) {
    return bad(name, 400, "invalid_message_text", (g, v) -> g.sendSmsRequest(user.getString("api_key"),
      v.put("message", "TEXT").encode().replace("\"TEXT\"", "\"" + jsonEscapedText + "\"")));
  }

  @ParameterizedTest(name = "{0} → {1} {2}")
  @MethodSource("cases")
  @DisplayName("answers a JSON error with a stable code")
  void rejected(String name, int status, String code, BiFunction<TestGateway, JsonObject, HttpRequest> request) {
    TestGateway.Response r = gateway.send(request.apply(gateway, valid()));

    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.contentType()).startsWith("application/json");
    JsonObject error = r.json().getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).isNotBlank();
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ");
  }
}
