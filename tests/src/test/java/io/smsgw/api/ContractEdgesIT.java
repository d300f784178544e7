package io.smsgw.api;

import io.smsgw.testing.Db;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Input the contract's schema lets through must be handled, and input the code cannot handle must be refused by
 * the contract: ids only in the canonical form, patterns anchored at the real end of input, texts without
 * characters storage cannot hold, numbers that fit. Every refusal a 4xx JSON error with a catalogue code.
 */
@DisplayName("The contract and the code agree")
class ContractEdgesIT extends GatewayTest {

  static JsonObject user;

  @BeforeAll
  static void users() {
    user = gateway.createUser(100_000);
  }

  static String key() {
    return user.getString("api_key");
  }

  static String uid() {
    return user.getString("user_id");
  }

  static HttpRequest get(String path) {
    return HttpRequest.newBuilder(gateway.uri(path)).header("X-API-Key", key()).GET().build();
  }

  static HttpRequest admin(String path, byte[] body) {
    return HttpRequest.newBuilder(gateway.uri(path)).header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
      .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  static HttpRequest admin(String path, String body) {
    return admin(path, body.getBytes(StandardCharsets.UTF_8));
  }

  static HttpRequest sendSmsBytes(byte[] head, byte[] tail) {
    byte[] body = java.util.Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, body, head.length, tail.length);
    return HttpRequest.newBuilder(gateway.uri("/send-sms")).header("Content-Type", "application/json").header("X-API-Key", key())
      .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
  }

  static Arguments refused(String name, String code, Supplier<HttpRequest> request) {
    return Arguments.of(name, code, request);
  }

  static Stream<Arguments> refusedCases() {
    String topUp = "/admin/users/" + "%s" + "/topup";
    return Stream.of(
      refused("GET /balance/urn:uuid:<id>", "invalid_request", () -> get("/balance/urn:uuid:" + uid())),
      refused("GET /balance/<id>%0A", "invalid_request", () -> get("/balance/" + uid() + "%0A")),
      refused("GET /balance/1-2-3-4-5", "invalid_request", () -> get("/balance/1-2-3-4-5")),
      refused("GET /message-status/urn:uuid:<id>", "invalid_request", () -> get("/message-status/urn:uuid:" + UUID.randomUUID())),
      refused("GET /message-status/<id>%0A", "invalid_request", () -> get("/message-status/" + UUID.randomUUID() + "%0A")),
      refused("GET /message-status/{<id>}", "invalid_request", () -> get("/message-status/%7B" + UUID.randomUUID() + "%7D")),
      refused("top-up of /admin/users/urn:uuid:<id>", "invalid_request",
        () -> admin(String.format(Locale.ROOT, topUp, "urn:uuid:" + uid()), "{\"amount\": 1}")),
      refused("top-up with topup_id urn:uuid:<id>", "invalid_request",
        () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": 1, \"topup_id\": \"urn:uuid:" + UUID.randomUUID() + "\"}")),
      refused("top-up with topup_id 1-2-3-4-5", "invalid_request",
        () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": 1, \"topup_id\": \"1-2-3-4-5\"}")),
      refused("top-up with topup_id and a newline", "invalid_request",
        () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": 1, \"topup_id\": \"" + UUID.randomUUID() + "\\n\"}")),
      refused("top-up amount 1.5", "invalid_request", () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": 1.5}")),
      refused("top-up amount 1e400", "invalid_request", () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": 1e400}")),
      refused("top-up amount past bigint", "invalid_request",
        () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": 99999999999999999999999}")),
      refused("top-up amount null", "invalid_request", () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": null}")),
      refused("top-up amount \"1\"", "invalid_request", () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": \"1\"}")),
      refused("top-up amount of 2,000 digits", "invalid_json",
        () -> admin(String.format(Locale.ROOT, topUp, uid()), "{\"amount\": " + "9".repeat(2000) + "}")),
      refused("create user named U+0000", "invalid_request", () -> admin("/admin/users", "{\"name\": \"\\u0000\"}")),
      refused("create user with U+0000 inside the name", "invalid_request", () -> admin("/admin/users", "{\"name\": \"Ac\\u0000me\"}")),
      refused("create user named with a newline", "invalid_request", () -> admin("/admin/users", "{\"name\": \"Acme\\n\"}")),
      refused("create user named with DEL", "invalid_request", () -> admin("/admin/users", "{\"name\": \"Acme\\u007f\"}")),
      refused("create user named with a lone surrogate", "invalid_request", () -> admin("/admin/users", "{\"name\": \"Acme\\ud800\"}")),
      refused("create user with balance 1e400", "invalid_request", () -> admin("/admin/users", "{\"name\": \"a\", \"balance\": 1e400}")),
      refused("create user with balance 1.5", "invalid_request", () -> admin("/admin/users", "{\"name\": \"a\", \"balance\": 1.5}")),
      refused("create user with balance past bigint", "invalid_request",
        () -> admin("/admin/users", "{\"name\": \"a\", \"balance\": 9223372036854775808}")),
      refused("create user with balance null", "invalid_request", () -> admin("/admin/users", "{\"name\": \"a\", \"balance\": null}")),
      refused("create user with invalid UTF-8", "invalid_json",
        () -> admin("/admin/users", new byte[] {'{', '"', 'n', 'a', 'm', 'e', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})),
      refused("create user with nesting 5,000 deep", "invalid_json",
        () -> admin("/admin/users", "{\"name\": " + "[".repeat(5000) + "]".repeat(5000) + "}")),
      refused("send-sms with invalid UTF-8 in the message", "invalid_json", () -> sendSmsBytes(
        ("{\"message_id\":\"" + UUID.randomUUID() + "\",\"user_id\":\"" + uid() + "\",\"phone_number\":\"+989121234567\",\"message\":\"a")
          .getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC3, (byte) 0x28, '"', '}'})));
  }

  @ParameterizedTest(name = "{0} → 400 {1}")
  @MethodSource("refusedCases")
  @DisplayName("refused with a 400 JSON error, never a 5xx")
  void refusedWith400(String name, String code, Supplier<HttpRequest> request) {
    long users = Db.count(gateway.pgUrl(), "SELECT count(*) FROM users");
    long ledger = Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger");

    TestGateway.Response r = gateway.send(request.get());

    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.contentType()).startsWith("application/json");
    assertThat(r.errorCode()).as(r.body()).isEqualTo(code);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM users")).isEqualTo(users);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger")).isEqualTo(ledger);
  }

  @Test
  @DisplayName("Upper-case hex ids are the same ids (RFC 9562: case-insensitive on input); answers use lower case")
  void upperCaseIds() {
    String messageId = UUID.randomUUID().toString();
    JsonObject sms = TestGateway.sms(user, "+989121234567", "upper").put("message_id", messageId.toUpperCase(Locale.ROOT))
      .put("user_id", uid().toUpperCase(Locale.ROOT));
    TestGateway.Response sent = gateway.sendSms(user, sms);
    assertThat(sent.status()).as(sent.body()).isEqualTo(200);
    assertThat(sent.json().getString("message_id")).isEqualTo(messageId);

    TestGateway.Response again = gateway.sendSms(user, sms.copy().put("message_id", messageId));
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.errorCode()).isEqualTo("duplicate_message_id");

    TestGateway.Response status = gateway.send(get("/message-status/" + messageId.toUpperCase(Locale.ROOT)));
    assertThat(status.status()).as(status.body()).isEqualTo(200);
    assertThat(status.json().getString("message_id")).isEqualTo(messageId);
    assertThat(gateway.send(get("/balance/" + uid().toUpperCase(Locale.ROOT))).status()).isEqualTo(200);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"line one\nline two", "a\r\nb", "page\fbreak", "\u200fسلام\u200e", "e\u0301", "😀 ok", "\u2028", "\ufeffbom"})
  @DisplayName("Texts an SMS alphabet carries are accepted (LF, CR, FF, RTL marks, combining marks, emoji)")
  void acceptedTexts(String text) {
    TestGateway.Response r = gateway.sendSms(user, TestGateway.sms(user, "+989121234567", text));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  @Test
  @DisplayName("An amount written 1.0 is the integer 1 (JSON Schema's reading), and credits 1")
  void integralFloat() {
    long before = gateway.balance(user);
    TestGateway.Response r = gateway.send(admin("/admin/users/" + uid() + "/topup", "{\"amount\": 1.0}"));
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    assertThat(gateway.balance(user)).isEqualTo(before + 1);
  }
}
