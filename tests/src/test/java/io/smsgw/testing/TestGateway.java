package io.smsgw.testing;

import io.smsgw.devkit.DevPod;
import io.smsgw.devkit.DevRole;
import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.DevEnvironment;
import io.smsgw.devkit.FreePorts;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/** A gateway pod started in the test JVM against the real test services, and a small HTTP client for it. */
public final class TestGateway implements AutoCloseable {

  public static final String ADMIN_TOKEN = "test-admin-token";

  public final GatewayConfig config;
  private final DevPod pod;
  // 1,000 connections opened at once on a CPU-starved machine (shared CI) can take more than a few seconds.
  private final HttpClient http = HttpClient.newBuilder()
    .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();

  private TestGateway(GatewayConfig config, DevPod pod) {
    this.config = config;
    this.pod = pod;
  }

  public static TestGateway start() throws Exception {
    return start(TestServices.postgres().url(), Map.of());
  }

  /** {@code overrides}: environment-style keys, as a user would set them (SMSGW_OUTBOX_RELAY_MIN_AGE_MS=...). */
  public static TestGateway start(String pgUrl, Map<String, String> overrides) throws Exception {
    return start(pgUrl, overrides, EnumSet.allOf(DevRole.class));
  }

  /**
   * A pod whose provider simulator sends its delivery reports to the pod's gateway, signed with a secret both share, as
   * in {@code ./smsgw dev} (other test pods get none: see DevEnvironment.withLocalSimulator).
   */
  public static TestGateway startWithDeliveryReports() throws Exception {
    return start(TestServices.postgres().url(), Map.of(), EnumSet.allOf(DevRole.class), true);
  }

  public static TestGateway start(String pgUrl, Map<String, String> overrides, java.util.Set<DevRole> roles) throws Exception {
    return start(pgUrl, overrides, roles, false);
  }

  /**
   * A port checked free can still be taken before the pod binds it (by another process on a shared machine, or by an
   * outgoing connection where the machine's ephemeral range leaves no room for FreePorts): AsyncKafkaOutageIT failed in
   * CI with "Address already in use" so. The pod is then closed and started again on fresh ports, at most three times.
   */
  private static TestGateway start(String pgUrl, Map<String, String> overrides, java.util.Set<DevRole> roles, boolean reports)
    throws Exception {
    for (int attempt = 1; ; attempt++) {
      try {
        return startOnce(pgUrl, overrides, roles, reports);
      } catch (Exception e) {
        if (attempt == 3 || !lostBindRace(e)) throw e;
        System.err.println("test gateway: a port was taken before the pod bound it (" + e + "); again on fresh ports");
      }
    }
  }

  private static boolean lostBindRace(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.net.BindException) return true;
    }
    return false;
  }

  private static TestGateway startOnce(String pgUrl, Map<String, String> overrides, java.util.Set<DevRole> roles,
    boolean reports) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(Map.of(
      // short backoffs, so retry tests take seconds, not minutes
      "SMSGW_SENDER_NORMAL_BACKOFF_BASE_MS", "50",
      "SMSGW_SENDER_NORMAL_BACKOFF_MAX_MS", "400",
      "SMSGW_SENDER_NORMAL_MAX_ATTEMPTS", "4",
      "SMSGW_SENDER_VIP_BACKOFF_BASE_MS", "50",
      "SMSGW_SENDER_RETRY_SCAN_INTERVAL_MS", "50",
      "SMSGW_PROVIDER_TIMEOUT_MS", "1000",
      "SMSGW_PG_URL", pgUrl,
      "SMSGW_KAFKA_BOOTSTRAP", TestServices.kafka().bootstrapServers(),
      "SMSGW_HTTP_PORT", String.valueOf(FreePorts.next()),
      "SMSGW_ADMIN_TOKEN", ADMIN_TOKEN));
    if (!overrides.containsKey("SMSGW_REDIS_URL")) env.put("SMSGW_REDIS_URL", TestServices.redis().url());
    env.put("SMSGW_WORKER_HTTP_PORT", String.valueOf(FreePorts.next()));  // the operations port, one per pod
    // Pods on one database share settlement offsets and Redis keys; pods on another database never see them.
    String perDatabase = Integer.toHexString(pgUrl.hashCode());
    env.put("SMSGW_SETTLEMENT_GROUP_ID", "settlement-" + perDatabase);
    env.put("SMSGW_REDIS_KEY_PREFIX", "smsgw-" + perDatabase);
    env.putAll(overrides);
    GatewayConfig config = DevEnvironment.withLocalSimulator(GatewayConfig.load(GatewayConfig.DEFAULT_PATH, env));
    if (reports) config = DevEnvironment.withDeliveryReports(config);
    TestGateway gateway = new TestGateway(config, DevPod.start(config, roles));
    if (roles.contains(DevRole.GATEWAY)) gateway.awaitReady(Duration.ofSeconds(60));
    return gateway;
  }

  /** A value from /metrics (Prometheus text), by its full name with labels; 0 when absent. */
  public double metric(String nameWithLabels) {
    for (String line : ops("/metrics").body().split("\n")) {
      if (line.startsWith(nameWithLabels + " ")) return Double.parseDouble(line.substring(nameWithLabels.length() + 1).trim());
    }
    return 0;
  }

  /** Until /health/ready answers 200 (in async mode: the Redis wallet cache is active or in sync fallback). */
  public void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (get("/health/ready", null).status() != 200) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("gateway not ready: " + get("/health/ready", null).body());
      Thread.sleep(100);
    }
  }

  /** The provider simulator's counters: received, delivered, repeated_requests, ... */
  public JsonObject providerStats() {
    return send(HttpRequest.newBuilder(URI.create(config.provider().url() + "/v1/stats")).GET().build()).json();
  }

  /** Polls the message's status until it is {@code wanted} (or the timeout passes); returns the last status document. */
  public JsonObject awaitStatus(JsonObject user, String messageId, String wanted, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonObject status;
    do {
      status = get("/message-status/" + messageId, user.getString("api_key")).json();
      if (wanted.equals(status.getString("status"))) return status;
      Thread.sleep(50);
    } while (System.nanoTime() < deadline);
    return status;
  }

  /** GET on the pod's operations port (worker.http_port): detailed readiness, /metrics without a token. */
  public Response ops(String path) {
    return send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + config.worker().httpPort() + path)).GET().build());
  }

  public String pgUrl() {
    return config.pg().url();
  }

  public URI uri(String path) {
    return URI.create("http://127.0.0.1:" + config.http().port() + path);
  }

  /** A new user with its own wallet, through the admin API: {@code {"user_id", "api_key", "balance"}}. */
  public JsonObject createUser(long balance) {
    Response r = send(HttpRequest.newBuilder(uri("/admin/users"))
      .header("Content-Type", "application/json")
      .header("Authorization", "Bearer " + ADMIN_TOKEN)
      .POST(HttpRequest.BodyPublishers.ofString(new JsonObject().put("name", "test").put("balance", balance).encode()))
      .build());
    if (r.status() != 201) throw new IllegalStateException("create user: " + r);
    return r.json();
  }

  public static JsonObject sms(JsonObject user, String phone, String text) {
    return new JsonObject()
      .put("message_id", UUID.randomUUID().toString())
      .put("user_id", user.getString("user_id"))
      .put("phone_number", phone)
      .put("message", text);
  }

  public HttpRequest sendSmsRequest(String apiKey, String body) {
    return HttpRequest.newBuilder(uri("/send-sms"))
      .header("Content-Type", "application/json")
      .header("X-API-Key", apiKey)
      .POST(HttpRequest.BodyPublishers.ofString(body))
      .build();
  }

  public Response sendSms(JsonObject user, JsonObject body) {
    return send(sendSmsRequest(user.getString("api_key"), body.encode()));
  }

  public CompletableFuture<Response> sendSmsAsync(JsonObject user, JsonObject body) {
    return http.sendAsync(sendSmsRequest(user.getString("api_key"), body.encode()), HttpResponse.BodyHandlers.ofString())
      .thenApply(Response::of);
  }

  public Response get(String path, String apiKey) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).GET();
    if (apiKey != null) request.header("X-API-Key", apiKey);
    return send(request.build());
  }

  public long balance(JsonObject user) {
    Response r = get("/balance/" + user.getString("user_id"), user.getString("api_key"));
    if (r.status() != 200) throw new IllegalStateException("balance: " + r);
    return r.json().getLong("balance");
  }

  public Response send(HttpRequest request) {
    try {
      return Response.of(http.send(request, HttpResponse.BodyHandlers.ofString()));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    pod.stop();
  }

  /** An HTTP answer. */
  public record Response(int status, String contentType, String body) {
    static Response of(HttpResponse<String> response) {
      return new Response(response.statusCode(), response.headers().firstValue("Content-Type").orElse(""), response.body());
    }

    public JsonObject json() {
      return new JsonObject(body);
    }

    public String errorCode() {
      return json().getJsonObject("error").getString("code");
    }
  }
}
