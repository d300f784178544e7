package io.smsgw.provider.simulator;

import io.smsgw.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.concurrent.ThreadLocalRandom;

/**
 * A simulated SMS provider behind a real HTTP endpoint: latency with jitter, a throughput cap (429 above it),
 * random transient failures (503), slow answers that arrive after the client gave up (the message was
 * accepted anyway: the case idempotency keys exist for), and magic numbers in the style of well-known
 * providers' test credentials:
 * <ul>
 *   <li>{@code +15005550001} invalid number: 400, permanent → {@code failed}</li>
 *   <li>{@code +15005550004} blocked by the operator: 403, permanent → {@code rejected}</li>
 *   <li>{@code +15005550006} accepted and delivered, but every answer comes after the client gave up</li>
 *   <li>{@code +15005550008} fails transiently (503) twice, then succeeds</li>
 *   <li>{@code +15005550009} always a transient failure (503)</li>
 * </ul>
 * {@code GET /v1/messages/{key}} says whether a message was delivered under that idempotency key.
 * {@code GET /v1/stats} reports what it received, delivered, and how many requests repeated a delivered key.
 */
public class ProviderSimulatorVerticle extends VerticleBase {

  public static final String INVALID_NUMBER = "+15005550001";
  public static final String BLOCKED_NUMBER = "+15005550004";
  public static final String LOST_ANSWER_NUMBER = "+15005550006";
  public static final String FLAKY_NUMBER = "+15005550008";
  public static final String ALWAYS_TRANSIENT_NUMBER = "+15005550009";

  private final ProviderSimulatorState state;
  private HttpServer server;
  private long latencyMs;
  private long jitterMs;
  private long maxPerSecond;
  private double transientRate;
  private double slowRate;
  private long windowSecond;
  private long windowCount;

  public ProviderSimulatorVerticle(ProviderSimulatorState state) {
    this.state = state;
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    latencyMs = config.number("provider_sim", "latency_ms");
    jitterMs = config.number("provider_sim", "jitter_ms");
    maxPerSecond = config.number("provider_sim", "max_per_second");
    transientRate = config.decimal("provider_sim", "transient_failure_rate");
    slowRate = config.decimal("provider_sim", "slow_answer_rate");
    Router router = Router.router(vertx);
    router.post("/v1/messages").handler(BodyHandler.create(false).setBodyLimit(16_384)).handler(this::message);
    router.get("/v1/stats").handler(rc -> rc.json(state.stats()));
    router.get("/v1/messages/:key").handler(this::lookup);
    return vertx.createHttpServer().requestHandler(router).listen(config.integer("provider_sim", "port"))
      .onSuccess(s -> server = s);
  }

  private void message(RoutingContext rc) {
    state.received.incrementAndGet();
    String key = rc.request().getHeader("Idempotency-Key");
    JsonObject body;
    try {
      body = rc.body().asJsonObject();
    } catch (RuntimeException e) {
      body = null;
    }
    if (key == null || key.isBlank() || body == null || body.getString("to") == null) {
      answer(rc, 400, new JsonObject().put("code", "bad_request"));
      return;
    }
    if (overCap()) {
      state.throttled.incrementAndGet();
      rc.response().putHeader("Retry-After", "1");
      answer(rc, 429, new JsonObject().put("code", "throttled"));
      return;
    }
    String to = body.getString("to");
    long delay = Math.max(1, latencyMs + (jitterMs == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitterMs, jitterMs + 1)));
    vertx.setTimer(delay, t -> respond(rc, key, to));
  }

  private void lookup(RoutingContext rc) {
    String id = state.providerIdOf(rc.pathParam("key"));
    if (id == null) answer(rc, 404, new JsonObject().put("code", "not_found"));
    else answer(rc, 200, new JsonObject().put("message_id", id).put("status", "delivered"));
  }

  private void respond(RoutingContext rc, String key, String to) {
    switch (to) {
      case INVALID_NUMBER -> refuse(rc, 400, "invalid_number");
      case BLOCKED_NUMBER -> refuse(rc, 403, "blocked");
      case ALWAYS_TRANSIENT_NUMBER -> failTransiently(rc, key);
      case LOST_ANSWER_NUMBER -> deliver(rc, key, true);
      case FLAKY_NUMBER -> {
        if (state.transientFailures(key) < 2 && !state.alreadyDelivered(key)) failTransiently(rc, key);
        else deliver(rc, key, false);
      }
      default -> {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextDouble() < transientRate) failTransiently(rc, key);
        else deliver(rc, key, random.nextDouble() < slowRate);
      }
    }
  }

  private void deliver(RoutingContext rc, String key, boolean slow) {
    ProviderSimulatorState.Delivery delivery = state.deliver(key);
    JsonObject answer = new JsonObject().put("message_id", delivery.providerMessageId()).put("status", "queued");
    // A slow answer: the message is accepted, but the client has timed out by the time the answer comes.
    if (slow) vertx.setTimer(10_000, t -> answer(rc, 202, answer));
    else answer(rc, 202, answer);
  }

  private void failTransiently(RoutingContext rc, String key) {
    state.countTransientFailure(key);
    answer(rc, 503, new JsonObject().put("code", "temporarily_unavailable"));
  }

  private void refuse(RoutingContext rc, int status, String code) {
    state.refusedPermanently.incrementAndGet();
    answer(rc, status, new JsonObject().put("code", code));
  }

  private boolean overCap() {
    long second = System.currentTimeMillis() / 1000;
    if (second != windowSecond) {
      windowSecond = second;
      windowCount = 0;
    }
    return ++windowCount > maxPerSecond;
  }

  private static void answer(RoutingContext rc, int status, JsonObject body) {
    if (rc.response().closed() || rc.response().ended()) return;
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
