package io.smsgw.ratelimit;

import io.smsgw.devkit.DevRole;
import io.smsgw.devkit.FreePorts;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Per-user rate limits: 429 rate_limited with Retry-After, nothing charged, shared by the pods, local without Redis")
class RateLimitIT {

  private static final long BALANCE = 1_000_000;
  private static final long PRICE = 100;  // one normal GSM-7 segment
  private static final HttpClient HTTP = HttpClient.newBuilder()
    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();

  /** Two gateway pods on the same PostgreSQL and Redis. */
  private static TestGateway a;
  private static TestGateway b;

  @BeforeAll
  static void start() throws Exception {
    a = TestGateway.start(TestServices.postgres().url(), Map.of(), EnumSet.of(DevRole.GATEWAY));
    b = TestGateway.start(TestServices.postgres().url(), Map.of(), EnumSet.of(DevRole.GATEWAY));
  }

  @AfterAll
  static void stop() {
    if (a != null) a.close();
    if (b != null) b.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  @Test
  @DisplayName("A burst of 50 from a user limited to 5/s: some 429 with Retry-After, at most 15 accepted, charged and stored exactly those")
  void burstOnOnePod() throws Exception {
    JsonObject user = a.createUser(BALANCE);
    HttpResponse<String> put = putLimits(a, user.getString("user_id"), new JsonObject().put("messages_per_second", 5));
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    assertThat(new JsonObject(put.body())).isEqualTo(new JsonObject().put("user_id", user.getString("user_id"))
      .put("messages_per_second", 5).put("burst", 5).put("source", "override"));

    Burst burst = burst(user, List.of(a), 50);

    burst.assertLimited(user, 15);
  }

  @Test
  @DisplayName("Two pods on one Redis share the limit: a burst split across both still accepts at most 15")
  void sharedAcrossPods() throws Exception {
    JsonObject user = a.createUser(BALANCE);
    assertThat(putLimits(a, user.getString("user_id"), new JsonObject().put("messages_per_second", 5).put("burst", 5)).statusCode())
      .isEqualTo(200);
    Thread.sleep(2_500);  // pod b learns it at its next reload (1 s)

    Burst burst = burst(user, List.of(a, b), 50);

    burst.assertLimited(user, 15);
    assertThat(burst.acceptedBy.get(a) + burst.acceptedBy.get(b)).isEqualTo(burst.accepted);
  }

  @Test
  @DisplayName("A limit set with PUT on one pod holds on another within the reload bound; DELETE lifts it the same way")
  void propagation() throws Exception {
    JsonObject user = a.createUser(BALANCE);
    String id = user.getString("user_id");
    assertThat(burst(user, List.of(b), 20).accepted).as("no limit yet").isEqualTo(20);

    long t0 = System.nanoTime();
    assertThat(putLimits(a, id, new JsonObject().put("messages_per_second", 1).put("burst", 1)).statusCode()).isEqualTo(200);
    assertThat(firstTime(() -> burst(user, List.of(b), 3).limited > 0)).as("seconds until pod b limits").isLessThan(t0 + 3_000_000_000L);

    HttpResponse<String> delete = admin(a, "DELETE", "/admin/users/" + id + "/limits", null);
    assertThat(delete.statusCode()).as(delete.body()).isEqualTo(200);
    assertThat(new JsonObject(delete.body()).getString("source")).isEqualTo("default");
    assertThat(new JsonObject(delete.body()).getInteger("messages_per_second")).isZero();
    long t1 = System.nanoTime();
    assertThat(firstTime(() -> burst(user, List.of(b), 10).accepted == 10)).isLessThan(t1 + 3_000_000_000L);
  }

  @Test
  @DisplayName("PUT /limits: 404 for an unknown user, 400 out of bounds, 401 without the admin token")
  void adminApi() throws Exception {
    JsonObject user = a.createUser(BALANCE);
    String id = user.getString("user_id");
    assertThat(putLimits(a, java.util.UUID.randomUUID().toString(), new JsonObject().put("messages_per_second", 5)).statusCode()).isEqualTo(404);
    for (JsonObject bad : List.of(new JsonObject().put("messages_per_second", 0), new JsonObject().put("messages_per_second", 100_001),
      new JsonObject().put("messages_per_second", 5).put("burst", 0), new JsonObject(), new JsonObject().put("messages_per_second", "5"))) {
      HttpResponse<String> r = putLimits(a, id, bad);
      assertThat(r.statusCode()).as(bad + " → " + r.body()).isEqualTo(400);
      assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("invalid_request");
    }
    HttpResponse<String> noToken = HTTP.send(HttpRequest.newBuilder(a.uri("/admin/users/" + id + "/limits"))
      .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString("{\"messages_per_second\": 5}")).build(),
      HttpResponse.BodyHandlers.ofString());
    assertThat(noToken.statusCode()).isEqualTo(401);
    HttpResponse<String> ok = putLimits(a, id, new JsonObject().put("messages_per_second", 100_000).put("burst", 1_000_000));
    assertThat(new JsonObject(ok.body()).getInteger("burst")).isEqualTo(1_000_000);
  }

  @Test
  @DisplayName("Redis unreachable (sync mode): the default limit from conf still holds in the pod, and nothing is 5xx")
  void withoutRedis() throws Exception {
    try (TestGateway alone = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_REDIS_URL", "redis://127.0.0.1:" + FreePorts.next(),
      "SMSGW_BALANCE_MODE", "sync",
      "SMSGW_RATE_LIMIT_DEFAULT_MESSAGES_PER_SECOND", "5"), EnumSet.of(DevRole.GATEWAY))) {
      JsonObject user = alone.createUser(BALANCE);

      Burst burst = burst(user, List.of(alone), 50);

      burst.assertLimited(user, 15);
    }
  }

  private interface Check {
    boolean holds() throws Exception;
  }

  /** System.nanoTime() when the check first holds (tried every 100 ms, for up to 10 s). */
  private static long firstTime(Check check) throws Exception {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!check.holds()) {
      if (System.nanoTime() > deadline) return Long.MAX_VALUE;
      Thread.sleep(100);
    }
    return System.nanoTime();
  }

  /** What a burst got: 200s, 429s, anything else is a failure of the test. */
  private static final class Burst {
    int accepted;
    int limited;
    double seconds;
    final Map<TestGateway, Integer> acceptedBy = new java.util.HashMap<>();
    final List<String> acceptedIds = new ArrayList<>();

    /** At most {@code most}, and at most burst + rate × the burst's duration (5/s, burst 5): one allowance, not one per pod. */
    void assertLimited(JsonObject user, int most) {
      assertThat(limited).as("429s").isPositive();
      assertThat(accepted).as("accepted").isBetween(1, most);
      assertThat((double) accepted).as("accepted in %.2f s", seconds).isLessThanOrEqualTo(5 + 5 * seconds);
      TestGateway any = a;
      assertThat(any.balance(user)).as("charged exactly for the accepted").isEqualTo(BALANCE - accepted * PRICE);
      String id = user.getString("user_id");
      assertThat(Db.ids(a.pgUrl(), "SELECT message_id FROM messages WHERE user_id = '" + id + "'"))
        .as("stored exactly the accepted").containsExactlyInAnyOrderElementsOf(acceptedIds);
    }
  }

  /** {@code n} concurrent sends for the user, spread round-robin over the pods; every answer is 200 or 429. */
  private static Burst burst(JsonObject user, List<TestGateway> pods, int n) {
    List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
    List<JsonObject> bodies = new ArrayList<>();
    List<TestGateway> via = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < n; i++) {
      TestGateway pod = pods.get(i % pods.size());
      JsonObject sms = TestGateway.sms(user, "+14155550100", "burst " + i);
      bodies.add(sms);
      via.add(pod);
      answers.add(HTTP.sendAsync(pod.sendSmsRequest(user.getString("api_key"), sms.encode()), HttpResponse.BodyHandlers.ofString()));
    }
    Burst burst = new Burst();
    pods.forEach(p -> burst.acceptedBy.put(p, 0));
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).join();
    burst.seconds = (System.nanoTime() - start) / 1e9;
    for (int i = 0; i < n; i++) {
      HttpResponse<String> r = answers.get(i).join();
      if (r.statusCode() == 200) {
        burst.accepted++;
        burst.acceptedBy.merge(via.get(i), 1, Integer::sum);
        burst.acceptedIds.add(bodies.get(i).getString("message_id"));
      } else {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(429);
        assertThat(new JsonObject(r.body()).getJsonObject("error").getString("code")).isEqualTo("rate_limited");
        assertThat(r.headers().firstValue("Retry-After")).as("Retry-After").isPresent();
        assertThat(Long.parseLong(r.headers().firstValue("Retry-After").get())).isGreaterThanOrEqualTo(1);
        burst.limited++;
      }
    }
    return burst;
  }

  private static HttpResponse<String> putLimits(TestGateway pod, String userId, JsonObject body) throws Exception {
    return admin(pod, "PUT", "/admin/users/" + userId + "/limits", body);
  }

  private static HttpResponse<String> admin(TestGateway pod, String method, String path, JsonObject body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(pod.uri(path))
      .header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)
      .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) request.header("Content-Type", "application/json");
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
