package io.smsgw.devkit.simulator;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.ProviderSimSettings;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
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
 *   <li>{@code +15005550003} accepted (never a transient failure), then every part reported {@code undelivered}</li>
 *   <li>{@code +15005550004} blocked by the operator: 403, permanent → {@code rejected}</li>
 *   <li>{@code +15005550006} accepted and delivered, but every answer comes after the client gave up</li>
 *   <li>{@code +15005550008} fails transiently (503) twice, then succeeds</li>
 *   <li>{@code +15005550009} always a transient failure (503)</li>
 *   <li>{@code +15005550010} decides late: the request is held for {@code provider_sim.late_decision_ms} (longer than
 *   the client waits) and only then delivered; until that moment a lookup answers "not found". A request for a key
 *   already delivered is answered at once with its id. This is the provider that makes "not found right after a
 *   timeout" different from "never sent".</li>
 * </ul>
 * {@code provider_sim.late_decision_rate} makes that share of ordinary messages decide late too, and
 * {@code provider_sim.lookup = off} plays a provider without a lookup endpoint (501 on every lookup).
 * {@code POST /v1/messages/batch} takes many messages in one request (one result each).
 * {@code GET /v1/messages/{key}} says whether a message was delivered under that idempotency key.
 * {@code GET /v1/stats} reports what it received, delivered, and how many requests repeated a delivered key.
 * With {@code provider_sim.dlr_url} set, every message delivered (once per idempotency key, from either endpoint) gets
 * one signed delivery report per part ({@code segments}, 1 if absent), sent by this verticle's
 * {@link DeliveryReportSender}.
 *
 * <p>The same provider over SMPP 3.4, with the same settings and magic numbers as command statuses, is
 * {@link io.smsgw.devkit.simulator.smpp.SmscSimulator}.
 */
public class ProviderSimulatorVerticle extends VerticleBase {

  public static final String INVALID_NUMBER = "+15005550001";
  public static final String UNDELIVERED_NUMBER = "+15005550003";
  public static final String BLOCKED_NUMBER = "+15005550004";
  public static final String LOST_ANSWER_NUMBER = "+15005550006";
  public static final String FLAKY_NUMBER = "+15005550008";
  public static final String ALWAYS_TRANSIENT_NUMBER = "+15005550009";
  public static final String LATE_DECISION_NUMBER = "+15005550010";

  /** Largest batch the bulk endpoint takes. */
  public static final int MAX_BATCH = 1000;

  private final ProviderSimulatorState state;
  private HttpServer server;
  private long latencyMs;
  private long jitterMs;
  private long maxPerSecond;
  private double transientRate;
  private double slowRate;
  private long lateDecisionMs;
  private double lateDecisionRate;
  private boolean lookupOffered;
  private long windowSecond;
  private long windowCount;
  /** Null when provider_sim.dlr_url is empty: no reports. */
  private DeliveryReportSender reports;

  public ProviderSimulatorVerticle(ProviderSimulatorState state) {
    this.state = state;
  }

  @Override
  public Future<?> start() {
    ProviderSimSettings sim = new GatewayConfig(config()).providerSim();
    latencyMs = sim.latencyMs();
    jitterMs = sim.jitterMs();
    maxPerSecond = sim.maxPerSecond();
    transientRate = sim.transientFailureRate();
    slowRate = sim.slowAnswerRate();
    lateDecisionMs = sim.lateDecisionMs();
    lateDecisionRate = sim.lateDecisionRate();
    lookupOffered = sim.lookup();
    if (sim.sendsReports()) reports = new DeliveryReportSender(vertx, sim, state);
    Router router = Router.router(vertx);
    router.post("/v1/messages/batch").handler(BodyHandler.create(false).setBodyLimit(4 * 1024 * 1024)).handler(this::batch);
    router.post("/v1/messages").handler(BodyHandler.create(false).setBodyLimit(16_384)).handler(this::message);
    router.get("/v1/stats").handler(rc -> rc.json(state.stats()));
    router.get("/v1/messages/:key").handler(this::lookup);
    return vertx.createHttpServer().requestHandler(router).listen(sim.port())
      .onSuccess(s -> server = s);
  }

  /** What the provider does with one message. */
  private record Verdict(int httpStatus, String status, String providerMessageId, String code, boolean answerLost) {
  }

  private void message(RoutingContext rc) {
    state.received.incrementAndGet();
    String key = rc.request().getHeader("Idempotency-Key");
    JsonObject body = jsonBody(rc);
    if (key == null || key.isBlank() || body == null || body.getString("to") == null) {
      answer(rc, 400, new JsonObject().put("code", "bad_request"));
      return;
    }
    if (overCap(1)) {
      throttle(rc);
      return;
    }
    String to = body.getString("to");
    int parts = parts(body);
    vertx.setTimer(delay() + holdMs(key, to), t -> {
      Verdict v = decide(key, to, parts);
      JsonObject answer = v.providerMessageId() != null
        ? new JsonObject().put("message_id", v.providerMessageId()).put("status", "queued")
        : new JsonObject().put("code", v.code());
      answerMaybeLate(rc, v.answerLost() || randomSlow(), v.httpStatus(), answer);
    });
  }

  /**
   * {@code POST /v1/messages/batch}: many messages in one request, in the style of the bulk endpoints of the
   * large SMS APIs: one latency and one throughput check for the request, one result per message in order
   * ({@code queued}, {@code failed}, {@code rejected}, or {@code retry} for a transient failure). A lost answer
   * loses the whole response, as a dropped connection would.
   */
  private void batch(RoutingContext rc) {
    JsonObject body = jsonBody(rc);
    JsonArray messages = body == null ? null : body.getJsonArray("messages");
    if (messages == null || messages.isEmpty() || messages.size() > MAX_BATCH) {
      answer(rc, 400, new JsonObject().put("code", "bad_request"));
      return;
    }
    state.received.addAndGet(messages.size());
    if (overCap(messages.size())) {
      throttle(rc);
      return;
    }
    long hold = 0;
    for (int i = 0; i < messages.size(); i++) {
      JsonObject m = messages.getJsonObject(i);
      if (m != null && m.getString("idempotency_key") != null && m.getString("to") != null) {
        hold = Math.max(hold, holdMs(m.getString("idempotency_key"), m.getString("to")));
      }
    }
    // A bulk endpoint answers once: one late-deciding message holds the whole answer, and every message in it is
    // decided at the end of the hold (before it, none of them is found by a lookup).
    vertx.setTimer(delay() + hold, t -> {
      JsonArray results = new JsonArray();
      boolean lost = false;
      for (int i = 0; i < messages.size(); i++) {
        JsonObject m = messages.getJsonObject(i);
        String key = m.getString("idempotency_key");
        JsonObject result = new JsonObject().put("idempotency_key", key);
        if (key == null || key.isBlank() || m.getString("to") == null) {
          results.add(result.put("status", "failed").put("code", "bad_request"));
          continue;
        }
        Verdict v = decide(key, m.getString("to"), parts(m));
        lost |= v.answerLost();
        results.add(v.providerMessageId() != null
          ? result.put("status", "queued").put("message_id", v.providerMessageId())
          : result.put("status", v.status()).put("code", v.code()));
      }
      answerMaybeLate(rc, lost || randomSlow(), 200, new JsonObject().put("results", results));
    });
  }

  private void lookup(RoutingContext rc) {
    if (!lookupOffered) {
      answer(rc, 501, new JsonObject().put("code", "not_implemented"));
      return;
    }
    String id = state.providerIdOf(rc.pathParam("key"));
    if (id == null) answer(rc, 404, new JsonObject().put("code", "not_found"));
    else answer(rc, 200, new JsonObject().put("message_id", id).put("status", "delivered"));
  }

  private Verdict decide(String key, String to, int parts) {
    switch (to) {
      case INVALID_NUMBER -> {
        state.refusedPermanently.incrementAndGet();
        return new Verdict(400, "failed", null, "invalid_number", false);
      }
      case BLOCKED_NUMBER -> {
        state.refusedPermanently.incrementAndGet();
        return new Verdict(403, "rejected", null, "blocked", false);
      }
      case ALWAYS_TRANSIENT_NUMBER -> {
        return failTransiently(key);
      }
      case LOST_ANSWER_NUMBER -> {
        return deliver(key, to, parts, true);
      }
      case FLAKY_NUMBER -> {
        return state.transientFailures(key) < 2 && !state.alreadyDelivered(key) ? failTransiently(key) : deliver(key, to, parts, false);
      }
      case UNDELIVERED_NUMBER -> {
        return deliver(key, to, parts, false);
      }
      default -> {
        return ThreadLocalRandom.current().nextDouble() < transientRate ? failTransiently(key) : deliver(key, to, parts, false);
      }
    }
  }

  /**
   * How long the provider works on this request before it decides: {@code late_decision_ms} for a late-deciding
   * message not delivered yet (a repeated request for a delivered key is answered from the provider's records at
   * once), otherwise nothing beyond the usual latency.
   */
  private long holdMs(String key, String to) {
    if (state.alreadyDelivered(key)) return 0;
    boolean late = LATE_DECISION_NUMBER.equals(to)
      || lateDecisionRate > 0 && ThreadLocalRandom.current().nextDouble() < lateDecisionRate;
    if (late) state.lateDecisions.incrementAndGet();
    return late ? lateDecisionMs : 0;
  }

  /**
   * Delivers under this key; the first delivery of a key schedules its reports (a repeated request has them
   * scheduled already).
   */
  private Verdict deliver(String key, String to, int parts, boolean answerLost) {
    ProviderSimulatorState.Delivery delivery = state.deliver(key);
    if (reports != null && !delivery.repeated()) reports.delivered(delivery.providerMessageId(), key, to, parts);
    return new Verdict(202, "queued", delivery.providerMessageId(), null, answerLost);
  }

  /** The message's {@code segments}: 1 if absent or not a positive whole number, at most 255 (what a UDH can count). */
  private static int parts(JsonObject message) {
    Object segments = message.getValue("segments");
    if (segments instanceof Integer || segments instanceof Long) {
      long n = ((Number) segments).longValue();
      if (n >= 1) return (int) Math.min(n, DeliveryReportSender.MAX_PARTS);
    }
    return 1;
  }

  private Verdict failTransiently(String key) {
    state.countTransientFailure(key);
    return new Verdict(503, "retry", null, "temporarily_unavailable", false);
  }

  private long delay() {
    return Math.max(1, latencyMs + (jitterMs == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitterMs, jitterMs + 1)));
  }

  private boolean randomSlow() {
    return slowRate > 0 && ThreadLocalRandom.current().nextDouble() < slowRate;
  }

  /** A late answer: the provider did the work, but the client has timed out by the time the answer comes. */
  private void answerMaybeLate(RoutingContext rc, boolean late, int status, JsonObject body) {
    if (late) vertx.setTimer(10_000, t -> answer(rc, status, body));
    else answer(rc, status, body);
  }

  private void throttle(RoutingContext rc) {
    state.throttled.incrementAndGet();
    rc.response().putHeader("Retry-After", "1");
    answer(rc, 429, new JsonObject().put("code", "throttled"));
  }

  private static JsonObject jsonBody(RoutingContext rc) {
    try {
      return rc.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The throughput cap counts messages, not requests: a batch of 100 uses 100 of the second's allowance. */
  private boolean overCap(int messages) {
    long second = System.currentTimeMillis() / 1000;
    if (second != windowSecond) {
      windowSecond = second;
      windowCount = 0;
    }
    if (windowCount + messages > maxPerSecond) return true;
    windowCount += messages;
    return false;
  }

  private static void answer(RoutingContext rc, int status, JsonObject body) {
    if (rc.response().closed() || rc.response().ended()) return;
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }

  @Override
  public Future<?> stop() {
    if (reports != null) reports.close();
    return server == null ? Future.succeededFuture() : server.close();
  }
}
