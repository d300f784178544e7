package io.smsgw.api;

import io.smsgw.testing.Db;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.TestGateway;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("POST /send-sms/bulk and GET /bulk/{bulk_id}: all or nothing on money, per-item rejections, replays")
class BulkSendIT extends GatewayTest {

  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
    .connectTimeout(Duration.ofSeconds(30)).build();

  private static HttpResponse<String> post(JsonObject user, JsonObject body) {
    return post(user.getString("api_key"), body.encode());
  }

  private static HttpResponse<String> post(String apiKey, String body) {
    try {
      return HTTP.send(request(apiKey, body), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static HttpRequest request(String apiKey, String body) {
    return HttpRequest.newBuilder(gateway.uri("/send-sms/bulk")).header("Content-Type", "application/json")
      .header("X-API-Key", apiKey).POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static JsonObject bulk(JsonObject user, String text, int recipients) {
    JsonArray items = new JsonArray();
    for (int i = 0; i < recipients; i++) {
      items.add(new JsonObject().put("message_id", UUID.randomUUID().toString()).put("phone_number", "+98912" + (1000000 + i)));
    }
    JsonObject body = new JsonObject().put("bulk_id", UUID.randomUUID().toString()).put("user_id", user.getString("user_id"))
      .put("recipients", items);
    if (text != null) body.put("message", text);
    return body;
  }

  private static String errorCode(HttpResponse<String> r) {
    return new JsonObject(r.body()).getJsonObject("error").getString("code");
  }

  private static long count(String sql) {
    return Db.count(gateway.pgUrl(), sql);
  }

  private static void topUp(JsonObject user, long amount) {
    TestGateway.Response r = gateway.send(HttpRequest.newBuilder(gateway.uri("/admin/users/" + user.getString("user_id") + "/topup"))
      .header("Content-Type", "application/json").header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("amount", amount).encode())).build());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
  }

  /** Polls GET /bulk until no message of the bulk is pending or scheduled; returns the last answer. */
  private static JsonObject awaitFinal(JsonObject user, String bulkId, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject status;
    do {
      TestGateway.Response r = gateway.get("/bulk/" + bulkId, user.getString("api_key"));
      assertThat(r.status()).as(r.body()).isEqualTo(200);
      status = r.json();
      JsonObject statuses = status.getJsonObject("statuses");
      if (statuses.getLong("pending") + statuses.getLong("scheduled") == 0) return status;
      Thread.sleep(100);
    } while (System.nanoTime() < deadline);
    return status;
  }

  @Test
  @DisplayName("A bulk is accepted whole but for its bad recipients: each good one stored, charged once and sent; the balance and the ledger are exact; GET /bulk counts them")
  void acceptedBulk() throws Exception {
    JsonObject user = gateway.createUser(1_000_000);
    // A message_id used before, by POST /send-sms.
    JsonObject single = TestGateway.sms(user, "+989121234567", "before");
    assertThat(gateway.sendSms(user, single).status()).isEqualTo(200);
    long balance = 1_000_000 - 100;

    JsonObject body = bulk(user, "Our shop opens at 9 tomorrow", 40);
    JsonArray items = body.getJsonArray("recipients");
    items.getJsonObject(3).put("phone_number", "0912");                                   // invalid_phone_number
    items.getJsonObject(4).put("phone_number", "+989121234567\n");                        // invalid_phone_number
    items.getJsonObject(5).put("message", "");                                            // empty_message
    items.getJsonObject(6).put("message", "x".repeat(1531));                              // message_too_long
    items.getJsonObject(7).put("message", "bad\u0000text");                               // invalid_message_text
    items.getJsonObject(8).put("message_id", items.getJsonObject(2).getString("message_id")); // repeated in the bulk
    items.getJsonObject(9).put("message_id", single.getString("message_id"));             // used before
    items.getJsonObject(10).put("message", "y".repeat(200));                              // 2 segments
    items.getJsonObject(11).put("message", "سلام");                                      // UCS-2, 1 segment

    HttpResponse<String> r = post(user, body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(r.headers().firstValue("Idempotent-Replayed")).isEmpty();
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getString("bulk_id")).isEqualTo(body.getString("bulk_id"));
    assertThat(answer.getString("status")).isEqualTo("pending");
    assertThat(answer.getInteger("recipients")).isEqualTo(40);
    assertThat(answer.getInteger("accepted")).isEqualTo(33);
    assertThat(answer.getInteger("rejected")).isEqualTo(7);
    long cost = 34 * 100;  // 31 with the default text and the UCS-2 one at 1 segment each, the long one at 2
    assertThat(answer.getLong("cost")).isEqualTo(cost);
    JsonArray rejected = answer.getJsonArray("rejected_items");
    List<String> codes = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < rejected.size(); i++) {
      codes.add(rejected.getJsonObject(i).getString("code"));
      indexes.add(rejected.getJsonObject(i).getInteger("index"));
    }
    assertThat(indexes).containsExactly(3, 4, 5, 6, 7, 8, 9);
    assertThat(codes).containsExactly("invalid_phone_number", "invalid_phone_number", "empty_message", "message_too_long",
      "invalid_message_text", "duplicate_message_id", "duplicate_message_id");
    assertThat(rejected.getJsonObject(6).getString("message_id")).isEqualTo(single.getString("message_id"));

    balance -= cost;
    assertThat(gateway.balance(user)).isEqualTo(balance);
    String bulkId = body.getString("bulk_id");
    assertThat(count("SELECT count(*) FROM messages WHERE bulk_id = '" + bulkId + "'")).isEqualTo(33);
    assertThat(count("SELECT count(*) FROM ledger l JOIN messages m USING (message_id) WHERE m.bulk_id = '" + bulkId
      + "' AND l.kind = 'charge'")).isEqualTo(33);
    assertThat(count("SELECT sum(l.amount) FROM ledger l JOIN messages m USING (message_id) WHERE m.bulk_id = '" + bulkId
      + "' AND l.kind = 'charge'")).isEqualTo(cost);
    // The message used before is untouched: still the single send's, not the bulk's.
    assertThat(count("SELECT count(*) FROM messages WHERE message_id = '" + single.getString("message_id") + "' AND bulk_id IS NULL"))
      .isEqualTo(1);

    // Every message is sent (the worker's rate), each visible as any other message.
    JsonObject status = awaitFinal(user, bulkId, Duration.ofSeconds(30));
    assertThat(status.getInteger("recipients")).isEqualTo(40);
    assertThat(status.getInteger("accepted")).isEqualTo(33);
    assertThat(status.getInteger("rejected")).isEqualTo(7);
    assertThat(status.getLong("cost")).isEqualTo(cost);
    assertThat(status.getJsonObject("statuses").getLong("pending")).isZero();
    assertThat(status.getJsonObject("statuses").getLong("sent") + status.getJsonObject("statuses").getLong("delivered"))
      .isEqualTo(33);
    assertThat(status.getJsonObject("statuses").fieldNames())
      .containsExactlyInAnyOrder("scheduled", "pending", "sent", "delivered", "undelivered", "failed", "rejected", "canceled");
    String one = items.getJsonObject(10).getString("message_id");
    JsonObject message = gateway.get("/message-status/" + one, user.getString("api_key")).json();
    assertThat(message.getString("status")).isIn("sent", "delivered");
    assertThat(message.getInteger("segments")).isEqualTo(2);
    assertThat(message.getBoolean("queued")).isTrue();
    // One outbox mark for the whole bulk, once Kafka acknowledged every message (V13__bulk_outbox.sql).
    assertThat(count("SELECT count(*) FROM bulks WHERE published_at IS NOT NULL AND bulk_id = '" + bulkId + "'")).isEqualTo(1);

    // The same bulk_id again: the first answer, the same bytes, nothing charged.
    HttpResponse<String> again = post(user, body);
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(again.headers().firstValue("Idempotent-Replayed")).hasValue("true");
    assertThat(again.body()).isEqualTo(r.body());
    assertThat(gateway.balance(user)).isEqualTo(balance);
    assertThat(count("SELECT count(*) FROM messages WHERE bulk_id = '" + bulkId + "'")).isEqualTo(33);
    assertThat(gateway.metric("smsgw_bulk_recipients_total{outcome=\"accepted\"}")).isGreaterThanOrEqualTo(33);
    assertThat(gateway.metric("smsgw_bulks_total{outcome=\"replay\"}")).isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("A wallet that cannot pay for every recipient: 400 insufficient_balance with the cost and the balance, nothing stored; after a top-up the same bulk_id is accepted")
  void allOrNothing() {
    JsonObject user = gateway.createUser(950);
    JsonObject body = bulk(user, "ten of these cost 1000", 10);
    String bulkId = body.getString("bulk_id");

    HttpResponse<String> r = post(user, body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("insufficient_balance");
    JsonObject details = new JsonObject(r.body()).getJsonObject("error").getJsonObject("details");
    assertThat(details.getLong("cost")).isEqualTo(1_000);
    assertThat(details.getLong("balance")).isEqualTo(950);
    assertThat(gateway.balance(user)).isEqualTo(950);
    assertThat(count("SELECT count(*) FROM bulks WHERE bulk_id = '" + bulkId + "'")).isZero();
    assertThat(count("SELECT count(*) FROM messages WHERE user_id = '" + user.getString("user_id") + "'")).isZero();
    assertThat(count("SELECT count(*) FROM ledger WHERE kind = 'charge' AND user_id = '" + user.getString("user_id") + "'")).isZero();
    assertThat(gateway.get("/bulk/" + bulkId, user.getString("api_key")).status()).isEqualTo(404);

    topUp(user, 50);
    HttpResponse<String> after = post(user, body);
    assertThat(after.statusCode()).as(after.body()).isEqualTo(200);
    assertThat(after.headers().firstValue("Idempotent-Replayed")).isEmpty();
    assertThat(new JsonObject(after.body()).getInteger("accepted")).isEqualTo(10);
    assertThat(gateway.balance(user)).isZero();
  }

  @Test
  @DisplayName("No recipient that can be sent: 400 no_valid_recipients with the items, nothing stored or charged")
  void noValidRecipients() {
    JsonObject user = gateway.createUser(10_000);
    JsonObject body = bulk(user, null, 3);  // no default text and none of their own
    body.getJsonArray("recipients").getJsonObject(1).put("message", "hi").put("phone_number", "12345");

    HttpResponse<String> r = post(user, body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("no_valid_recipients");
    JsonArray items = new JsonObject(r.body()).getJsonObject("error").getJsonObject("details").getJsonArray("rejected_items");
    assertThat(items).hasSize(3);
    assertThat(items.getJsonObject(0).getString("code")).isEqualTo("empty_message");
    assertThat(items.getJsonObject(1).getString("code")).isEqualTo("invalid_phone_number");
    assertThat(count("SELECT count(*) FROM bulks WHERE bulk_id = '" + body.getString("bulk_id") + "'")).isZero();
    assertThat(gateway.balance(user)).isEqualTo(10_000);

    // Every recipient's message_id used before: found in the transaction, the same answer, nothing stored.
    JsonObject first = bulk(user, "first", 2);
    assertThat(post(user, first).statusCode()).isEqualTo(200);
    JsonObject second = bulk(user, "second", 0);
    second.put("recipients", first.getJsonArray("recipients"));
    HttpResponse<String> again = post(user, second);
    assertThat(again.statusCode()).as(again.body()).isEqualTo(400);
    assertThat(errorCode(again)).isEqualTo("no_valid_recipients");
    assertThat(count("SELECT count(*) FROM bulks WHERE bulk_id = '" + second.getString("bulk_id") + "'")).isZero();
    assertThat(gateway.balance(user)).isEqualTo(10_000 - 200);
  }

  @Test
  @DisplayName("Another user's bulk_id: 400 duplicate_bulk_id without details, and GET /bulk of it is 404")
  void anotherUsersBulkId() {
    JsonObject owner = gateway.createUser(10_000);
    JsonObject other = gateway.createUser(10_000);
    JsonObject body = bulk(owner, "mine", 2);
    assertThat(post(owner, body).statusCode()).isEqualTo(200);

    JsonObject theirs = bulk(other, "theirs", 2).put("bulk_id", body.getString("bulk_id"));
    HttpResponse<String> r = post(other, theirs);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
    assertThat(errorCode(r)).isEqualTo("duplicate_bulk_id");
    assertThat(new JsonObject(r.body()).getJsonObject("error").containsKey("details")).isFalse();
    assertThat(gateway.balance(other)).isEqualTo(10_000);
    assertThat(gateway.get("/bulk/" + body.getString("bulk_id"), other.getString("api_key")).status()).isEqualTo(404);
    assertThat(gateway.get("/bulk/" + UUID.randomUUID(), owner.getString("api_key")).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("Identical bulks sent at once: one charges, every other answer is its replay")
  void concurrentIdenticalBulks() {
    JsonObject user = gateway.createUser(100_000);
    JsonObject body = bulk(user, "once", 50);
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    // At most bulk.max_in_flight (4) bulks at once per pod: more would be shed with 503 overloaded.
    for (int i = 0; i < 4; i++) {
      answers.add(HTTP.sendAsync(request(user.getString("api_key"), body.encode()), HttpResponse.BodyHandlers.ofString()));
    }
    int fresh = 0;
    String first = null;
    for (CompletableFuture<HttpResponse<String>> a : answers) {
      HttpResponse<String> r = a.join();
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      if (r.headers().firstValue("Idempotent-Replayed").isEmpty()) fresh++;
      if (first == null) first = r.body();
      assertThat(r.body()).isEqualTo(first);
    }
    assertThat(fresh).isEqualTo(1);
    assertThat(gateway.balance(user)).isEqualTo(100_000 - 50 * 100);
  }

  @Test
  @DisplayName("Request-level errors are JSON with stable codes: 10,001 recipients, none, another user, bad JSON, a bad message_id, an async-only field")
  void requestErrors() {
    JsonObject user = gateway.createUser(10_000);
    JsonObject other = gateway.createUser(10_000);

    HttpResponse<String> tooMany = post(user, bulk(user, "hi", 10_001));
    assertThat(tooMany.statusCode()).isEqualTo(400);
    assertThat(errorCode(tooMany)).isEqualTo("too_many_recipients");

    HttpResponse<String> none = post(user, bulk(user, "hi", 0));
    assertThat(none.statusCode()).isEqualTo(400);
    assertThat(errorCode(none)).isEqualTo("invalid_request");

    HttpResponse<String> forbidden = post(other, bulk(user, "hi", 1));
    assertThat(forbidden.statusCode()).isEqualTo(403);
    assertThat(errorCode(forbidden)).isEqualTo("forbidden");

    HttpResponse<String> json = post(user.getString("api_key"), "{\"bulk_id\": ");
    assertThat(json.statusCode()).isEqualTo(400);
    assertThat(errorCode(json)).isEqualTo("invalid_json");

    JsonObject badId = bulk(user, "hi", 2);
    badId.getJsonArray("recipients").getJsonObject(1).put("message_id", "urn:uuid:" + UUID.randomUUID());
    HttpResponse<String> bad = post(user, badId);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(errorCode(bad)).isEqualTo("invalid_request");
    assertThat(new JsonObject(bad.body()).getJsonObject("error").getString("message")).contains("recipients[1]");

    HttpResponse<String> callback = post(user, bulk(user, "hi", 1).put("status_callback", "https://example.com/x"));
    assertThat(callback.statusCode()).isEqualTo(400);
    assertThat(errorCode(callback)).isEqualTo("invalid_request");

    HttpResponse<String> sendAt = post(user, bulk(user, "hi", 1).put("send_at", "tomorrow"));
    assertThat(sendAt.statusCode()).isEqualTo(400);
    assertThat(errorCode(sendAt)).isEqualTo("invalid_send_at");

    HttpResponse<String> noKey = post("sk_" + UUID.randomUUID(), bulk(user, "hi", 1).encode());
    assertThat(noKey.statusCode()).isEqualTo(401);

    assertThat(gateway.balance(user)).isEqualTo(10_000);
    assertThat(count("SELECT count(*) FROM messages WHERE user_id = '" + user.getString("user_id") + "'")).isZero();
  }

  @Test
  @DisplayName("The largest bulk, 10,000 recipients (about 700 KB), is accepted in one request and charged once")
  void largestBulk() {
    JsonObject user = gateway.createUser(10_000 * 100);
    JsonObject body = bulk(user, "ten thousand", 10_000);
    double transactionBefore = gateway.metric("smsgw_bulk_transaction_seconds_sum");
    double acceptBefore = gateway.metric("smsgw_bulk_accept_seconds_sum");
    long started = System.nanoTime();

    HttpResponse<String> r = post(user, body);

    long ms = (System.nanoTime() - started) / 1_000_000;
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    assertThat(new JsonObject(r.body()).getInteger("accepted")).isEqualTo(10_000);
    assertThat(new JsonObject(r.body()).getJsonArray("rejected_items")).isEmpty();
    assertThat(gateway.balance(user)).isZero();
    assertThat(count("SELECT count(*) FROM ledger WHERE kind = 'charge' AND user_id = '" + user.getString("user_id") + "'"))
      .isEqualTo(10_000);
    System.out.printf("BulkSendIT: a bulk of 10,000 answered in %d ms at the client, %.0f ms in the handler, %.0f ms of it in "
      + "accept_bulk%n", ms, (gateway.metric("smsgw_bulk_accept_seconds_sum") - acceptBefore) * 1000,
      (gateway.metric("smsgw_bulk_transaction_seconds_sum") - transactionBefore) * 1000);
  }

  @Test
  @DisplayName("check-invariants sees a bulk whose stored counts or cost differ from its messages'")
  void invariantCheckSeesABrokenBulk() throws Exception {
    JsonObject user = gateway.createUser(10_000);
    JsonObject body = bulk(user, "checked", 3);
    assertThat(post(user, body).statusCode()).isEqualTo(200);
    String bulkId = body.getString("bulk_id");
    Db.execute(gateway.pgUrl(), "UPDATE bulks SET cost = cost + 1 WHERE bulk_id = '" + bulkId + "'");
    try {
      assertThat(io.smsgw.operations.InvariantCheck.run(gateway.pgUrl()))
        .anySatisfy(v -> assertThat(v.invariant()).contains("bulk").isNotNull())
        .anySatisfy(v -> assertThat(v.examples().toString()).contains(bulkId));
    } finally {
      Db.execute(gateway.pgUrl(), "UPDATE bulks SET cost = cost - 1 WHERE bulk_id = '" + bulkId + "'");
    }
  }

  @Test
  @DisplayName("300 mangled bulk bodies (wrong types, nulls, nesting, odd strings, truncations): every answer a JSON 200 or 4xx with a catalogue code, never 5xx")
  void mangledBodies() {
    JsonObject user = gateway.createUser(1_000_000);
    java.util.Random random = new java.util.Random(1616);
    Object[] odd = {null, 0, -1, 1.5, 1e300, true, "", " ", "\u0000", "\ud800", "+989121234567\n", "x".repeat(5000),
      new JsonArray(), new JsonObject(), new JsonArray().add(1), new JsonObject().put("a", 1), UUID.randomUUID().toString()};
    String[] fields = {"bulk_id", "user_id", "message", "priority", "validity_period", "send_at", "recipients", "extra"};
    String[] itemFields = {"message_id", "phone_number", "message", "extra"};
    java.util.Set<String> codes = java.util.Arrays.stream(io.smsgw.api.errors.ApiError.values())
      .map(io.smsgw.api.errors.ApiError::code).collect(java.util.stream.Collectors.toSet());
    List<String> bad = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      JsonObject body = bulk(user, "fuzz", 1 + random.nextInt(4));
      int changes = 1 + random.nextInt(3);
      for (int c = 0; c < changes; c++) {
        Object value = odd[random.nextInt(odd.length)];
        if (random.nextBoolean()) {
          body.put(fields[random.nextInt(fields.length)], value);
        } else {
          if (!(body.getValue("recipients") instanceof JsonArray items) || items.isEmpty()
            || !(items.getValue(0) instanceof JsonObject item)) continue;
          item.put(itemFields[random.nextInt(itemFields.length)], value);
        }
      }
      String text = body.encode();
      if (random.nextInt(10) == 0) text = text.substring(0, random.nextInt(text.length()));
      HttpResponse<String> r = post(user.getString("api_key"), text);
      boolean ok = r.statusCode() == 200 || (r.statusCode() >= 400 && r.statusCode() < 500 && isCatalogueError(r.body(), codes));
      if (!ok) bad.add(r.statusCode() + " " + r.body() + " <- " + text.substring(0, Math.min(300, text.length())));
    }
    assertThat(bad).isEmpty();
  }

  private static boolean isCatalogueError(String body, java.util.Set<String> codes) {
    try {
      return codes.contains(new JsonObject(body).getJsonObject("error").getString("code"));
    } catch (RuntimeException notJson) {
      return false;
    }
  }

  @Test
  @DisplayName("The bulk route's own body limit: a Content-Length over bulk.body_limit_bytes (8 MiB) is 413 at once; send-sms keeps 64 KiB")
  void bodyLimits() throws Exception {
    for (String[] c : new String[][] {{"/send-sms/bulk", "8388609"}, {"/send-sms", "65537"}}) {
      try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.config.http().port())) {
        socket.setSoTimeout(10_000);
        socket.getOutputStream().write(("POST " + c[0] + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
          + "Content-Length: " + c[1] + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
        socket.getOutputStream().flush();
        io.smsgw.testing.RawHttp.Answer answer = io.smsgw.testing.RawHttp.read(socket.getInputStream());
        assertThat(answer.status()).as(c[0]).isEqualTo(413);
        assertThat(answer.isJsonError()).isTrue();
      }
    }
  }

  @Test
  @DisplayName("A scheduled bulk: every message scheduled, charged now, out of the outbox, then sent once due")
  void scheduledBulk() throws Exception {
    JsonObject user = gateway.createUser(10_000);
    JsonObject body = bulk(user, "later", 3).put("send_at", java.time.Instant.now().plusSeconds(2).toString())
      .put("priority", "vip").put("validity_period", 120);

    HttpResponse<String> r = post(user, body);

    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonObject answer = new JsonObject(r.body());
    assertThat(answer.getString("status")).isEqualTo("scheduled");
    assertThat(answer.getString("priority")).isEqualTo("vip");
    assertThat(answer.getLong("cost")).isEqualTo(3 * 150);
    assertThat(answer.containsKey("send_at")).isTrue();
    assertThat(gateway.balance(user)).isEqualTo(10_000 - 450);
    JsonObject status = gateway.get("/bulk/" + body.getString("bulk_id"), user.getString("api_key")).json();
    assertThat(status.getJsonObject("statuses").getLong("scheduled")).isEqualTo(3);
    JsonObject done = awaitFinal(user, body.getString("bulk_id"), Duration.ofSeconds(30));
    assertThat(done.getJsonObject("statuses").getLong("scheduled")).isZero();
    assertThat(done.getJsonObject("statuses").getLong("sent") + done.getJsonObject("statuses").getLong("delivered")).isEqualTo(3);
  }
}
