package io.smsgw.api;

import io.smsgw.testing.Db;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.TestGateway;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Admin, balance, status, health, metrics and docs endpoints")
class OtherEndpointsIT extends GatewayTest {



  HttpRequest admin(String path, JsonObject body, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(gateway.uri(path)).header("Content-Type", "application/json")
      .POST(HttpRequest.BodyPublishers.ofString(body.encode()));
    if (token != null) b.header("Authorization", "Bearer " + token);
    return b.build();
  }

  @Test
  @DisplayName("POST /admin/users creates a user whose key works; only the key's hash is stored")
  void createUser() {
    TestGateway.Response r = gateway.send(admin("/admin/users", new JsonObject().put("name", "Acme").put("balance", 5000), TestGateway.ADMIN_TOKEN));

    assertThat(r.status()).isEqualTo(201);
    JsonObject user = r.json();
    assertThat(user.getString("api_key")).startsWith("sk_");
    assertThat(user.getLong("balance")).isEqualTo(5000);
    assertThat(gateway.balance(user)).isEqualTo(5000);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM api_keys WHERE key_hash::text LIKE '%"
      + user.getString("api_key").substring(3, 12) + "%'")).isZero();
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE kind = 'topup' AND user_id = '"
      + user.getString("user_id") + "'")).isEqualTo(1);
  }

  @Test
  @DisplayName("POST /admin/users without balance starts at 0; bad bodies are 400")
  void createUserValidation() {
    TestGateway.Response r = gateway.send(admin("/admin/users", new JsonObject().put("name", "Zero"), TestGateway.ADMIN_TOKEN));
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().getLong("balance")).isZero();

    assertThat(gateway.send(admin("/admin/users", new JsonObject().put("balance", 5), TestGateway.ADMIN_TOKEN)).errorCode())
      .isEqualTo("invalid_request");
    assertThat(gateway.send(admin("/admin/users", new JsonObject().put("name", "x").put("balance", -1), TestGateway.ADMIN_TOKEN)).status())
      .isEqualTo(400);
  }

  @Test
  @DisplayName("Admin endpoints need the bearer token")
  void adminNeedsToken() {
    JsonObject body = new JsonObject().put("name", "Acme");
    assertThat(gateway.send(admin("/admin/users", body, null)).errorCode()).isEqualTo("unauthorized");
    assertThat(gateway.send(admin("/admin/users", body, "wrong")).status()).isEqualTo(401);
    assertThat(gateway.send(admin("/admin/users/" + UUID.randomUUID() + "/topup", new JsonObject().put("amount", 5), "wrong")).status())
      .isEqualTo(401);
  }

  @Test
  @DisplayName("POST /admin/users/{id}/topup adds to the balance and the ledger; unknown user 404; bad amount 400")
  void topUp() {
    JsonObject user = gateway.createUser(100);
    TestGateway.Response r = gateway.send(admin("/admin/users/" + user.getString("user_id") + "/topup",
      new JsonObject().put("amount", 250), TestGateway.ADMIN_TOKEN));
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().getLong("balance")).isEqualTo(350);
    assertThat(gateway.balance(user)).isEqualTo(350);

    assertThat(gateway.send(admin("/admin/users/" + UUID.randomUUID() + "/topup", new JsonObject().put("amount", 5),
      TestGateway.ADMIN_TOKEN)).errorCode()).isEqualTo("not_found");
    assertThat(gateway.send(admin("/admin/users/" + user.getString("user_id") + "/topup", new JsonObject().put("amount", 0),
      TestGateway.ADMIN_TOKEN)).errorCode()).isEqualTo("invalid_request");
    assertThat(gateway.send(admin("/admin/users/" + user.getString("user_id") + "/topup", new JsonObject().put("amount", "ten"),
      TestGateway.ADMIN_TOKEN)).errorCode()).isEqualTo("invalid_request");
    assertThat(gateway.balance(user)).isEqualTo(350);
  }

  @Test
  @DisplayName("POST /admin/users/{id}/topup with a topup_id: 20 concurrent retries credit once; the rest 409 duplicate_topup_id")
  void topUpIsIdempotentByTopUpId() {
    JsonObject user = gateway.createUser(100);
    String topUpId = UUID.randomUUID().toString();
    HttpRequest request = admin("/admin/users/" + user.getString("user_id") + "/topup",
      new JsonObject().put("amount", 250).put("topup_id", topUpId), TestGateway.ADMIN_TOKEN);
    var pool = java.util.concurrent.Executors.newFixedThreadPool(20);
    try {
      var answers = java.util.stream.IntStream.range(0, 20)
        .mapToObj(i -> java.util.concurrent.CompletableFuture.supplyAsync(() -> gateway.send(request), pool)).toList()
        .stream().map(java.util.concurrent.CompletableFuture::join).toList();
      assertThat(answers).filteredOn(r -> r.status() == 200).hasSize(1);
      assertThat(answers).filteredOn(r -> r.status() == 409).hasSize(19)
        .allSatisfy(r -> assertThat(r.errorCode()).isEqualTo("duplicate_topup_id"));
    } finally {
      pool.shutdown();
    }
    assertThat(gateway.balance(user)).isEqualTo(350);
    assertThat(Db.count(gateway.pgUrl(), "SELECT count(*) FROM ledger WHERE topup_id = '" + topUpId + "'")).isEqualTo(1);

    // The same id for another wallet is the same mistake: nothing credited, and the answer names the first use.
    JsonObject other = gateway.createUser(5);
    TestGateway.Response reused = gateway.send(admin("/admin/users/" + other.getString("user_id") + "/topup",
      new JsonObject().put("amount", 999).put("topup_id", topUpId), TestGateway.ADMIN_TOKEN));
    assertThat(reused.status()).isEqualTo(409);
    assertThat(reused.json().getJsonObject("error").getJsonObject("details").getString("user_id")).isEqualTo(user.getString("user_id"));
    assertThat(reused.json().getJsonObject("error").getJsonObject("details").getLong("amount")).isEqualTo(250);
    assertThat(gateway.balance(other)).isEqualTo(5);
    assertThat(gateway.send(admin("/admin/users/" + user.getString("user_id") + "/topup",
      new JsonObject().put("amount", 5).put("topup_id", "not-a-uuid"), TestGateway.ADMIN_TOKEN)).errorCode()).isEqualTo("invalid_request");
  }

  @Test
  @DisplayName("GET /balance: own wallet 200, another user's 403, no key 401, not a UUID 400")
  void balance() {
    JsonObject user = gateway.createUser(700);
    JsonObject other = gateway.createUser(1);
    assertThat(gateway.get("/balance/" + user.getString("user_id"), user.getString("api_key")).json().getLong("balance")).isEqualTo(700);
    assertThat(gateway.get("/balance/" + other.getString("user_id"), user.getString("api_key")).errorCode()).isEqualTo("forbidden");
    assertThat(gateway.get("/balance/" + user.getString("user_id"), null).errorCode()).isEqualTo("unauthorized");
    assertThat(gateway.get("/balance/nope", user.getString("api_key")).errorCode()).isEqualTo("invalid_request");
  }

  @Test
  @DisplayName("GET /message-status: another user's message and an unknown one are both 404")
  void messageStatusOfOthers() {
    JsonObject owner = gateway.createUser(1_000);
    JsonObject stranger = gateway.createUser(1_000);
    JsonObject sms = TestGateway.sms(owner, "+14155550100", "mine");
    assertThat(gateway.sendSms(owner, sms).status()).isEqualTo(200);

    assertThat(gateway.get("/message-status/" + sms.getString("message_id"), owner.getString("api_key")).status()).isEqualTo(200);
    assertThat(gateway.get("/message-status/" + sms.getString("message_id"), stranger.getString("api_key")).errorCode()).isEqualTo("not_found");
    assertThat(gateway.get("/message-status/" + UUID.randomUUID(), owner.getString("api_key")).errorCode()).isEqualTo("not_found");
    assertThat(gateway.get("/message-status/xyz", owner.getString("api_key")).errorCode()).isEqualTo("invalid_request");
  }

  @Test
  @DisplayName("Health, readiness, metrics, the contract and Swagger UI")
  void operations() {
    assertThat(gateway.get("/health/live", null).json().getString("status")).isEqualTo("live");
    // The API port: the status only, for load balancers; /metrics behind the admin token.
    assertThat(gateway.get("/health/ready", null).json()).isEqualTo(new JsonObject().put("status", "ready"));
    assertThat(gateway.get("/metrics", null).errorCode()).isEqualTo("unauthorized");
    TestGateway.Response metrics = gateway.send(HttpRequest.newBuilder(gateway.uri("/metrics"))
      .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN).build());
    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.body()).contains("vertx_http_server_requests");

    // The operations port: the details, and /metrics without a token.
    JsonObject ready = gateway.ops("/health/ready").json();
    assertThat(ready.getString("status")).isEqualTo("ready");
    assertThat(ready.getString("postgres")).isEqualTo("up");
    assertThat(ready.getString("kafka")).isEqualTo("up");
    assertThat(ready.getLong("outbox_backlog")).isNotNull();
    assertThat(gateway.ops("/metrics").body()).contains("vertx_http_server_requests");

    TestGateway.Response contract = gateway.get("/openapi.yaml", null);
    assertThat(contract.body()).contains("operationId: sendSms").contains("/message-status/{message_id}");
    TestGateway.Response ui = gateway.get("/swagger/index.html", null);
    assertThat(ui.status()).isEqualTo(200);
    assertThat(ui.body()).contains("swagger-ui");
    assertThat(gateway.get("/swagger/swagger-initializer.js", null).body()).contains("/openapi.yaml");
  }

  @Test
  @DisplayName("Unknown routes and methods answer JSON 404 / 405, not HTML")
  void unknownRoutes() {
    assertThat(gateway.get("/nope", null).errorCode()).isEqualTo("not_found");
    TestGateway.Response r = gateway.send(HttpRequest.newBuilder(gateway.uri("/send-sms")).DELETE().build());
    assertThat(r.status()).isEqualTo(405);
    assertThat(r.errorCode()).isEqualTo("method_not_allowed");
  }
}
