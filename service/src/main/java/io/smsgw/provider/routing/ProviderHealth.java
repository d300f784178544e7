package io.smsgw.provider.routing;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smsgw.config.RoutingSettings;
import io.smsgw.provider.ProviderResult;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.backends.BackendRegistries;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * One provider's health in this pod, shared by every sender of the pod: its circuit breaker (resilience4j, count-based
 * window), what its sends came to, the messages in flight, a 10-second throughput, and the connections' own view
 * (each sender's SMPP binds); on /metrics as {@code smsgw_provider_sends{provider, outcome}},
 * {@code smsgw_provider_failovers{provider}}, {@code smsgw_provider_in_flight{provider}} and
 * {@code smsgw_provider_breaker_state{provider}} (0 closed, 1 half open, 2 open), and in {@code GET /admin/providers}.
 */
public final class ProviderHealth implements Shareable {

  /** The pod's registry: provider id → health. */
  public static final String MAP = "smsgw.provider.health";

  /** What one send came to, for the breaker and the counts. */
  enum Outcome {
    /** Taken; a permanent refusal of the number; a transient answer about the message, not the provider ("retry"). */
    ACCEPTED, PERMANENT, LATER,
    /** The provider or the way to it failed: definitely not taken (429, 503, refused, throttled), or perhaps taken. */
    NOT_TAKEN, MAYBE_TAKEN, IN_DOUBT;

    String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Outcome of(ProviderResult r) {
      if (r instanceof ProviderResult.Accepted) return ACCEPTED;
      if (r instanceof ProviderResult.Permanent) return PERMANENT;
      if (r instanceof ProviderResult.InDoubt) return IN_DOUBT;
      ProviderResult.Transient t = (ProviderResult.Transient) r;
      if (!t.providerFault()) return LATER;
      return t.mayHaveBeenTaken() ? MAYBE_TAKEN : NOT_TAKEN;
    }

    /** A provider that answers (even "no" to a number) is up; one that refuses service or does not answer is failing. */
    boolean failure() {
      return this == NOT_TAKEN || this == MAYBE_TAKEN || this == IN_DOUBT;
    }
  }

  /** The breaker's record of a failed send. */
  private static final class SendFailed extends RuntimeException {
    SendFailed(String reason) {
      super(reason, null, false, false);
    }
  }

  private static final int SECONDS = 10;

  private final String id;
  private final String kind;
  private final CircuitBreaker breaker;
  private final Map<Outcome, LongAdder> counts = new java.util.EnumMap<>(Outcome.class);
  private final Map<Outcome, Counter> meters = new java.util.EnumMap<>(Outcome.class);
  private final LongAdder failovers = new LongAdder();
  private final LongAdder skippedOpen = new LongAdder();
  private final Counter failoverMeter;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** Accepted sends per second of the last SECONDS seconds: [second % SECONDS] holds (second << 32 | count). */
  private final AtomicLongArray perSecond = new AtomicLongArray(SECONDS);
  private final List<Supplier<JsonObject>> connections = new CopyOnWriteArrayList<>();
  private volatile String lastFailure;
  private final long openMs;
  /** When the breaker last went open (it stays so openMs, then lets trial requests through). */
  private volatile long openedAtMs;

  private ProviderHealth(String id, String kind, RoutingSettings settings) {
    this.id = id;
    this.kind = kind;
    this.breaker = CircuitBreaker.of(id, CircuitBreakerConfig.custom()
      .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
      .slidingWindowSize(settings.breakerWindow())
      .minimumNumberOfCalls(Math.min(settings.breakerMinCalls(), settings.breakerWindow()))
      .failureRateThreshold(settings.breakerFailureRate())
      .waitDurationInOpenState(Duration.ofMillis(settings.breakerOpenMs()))
      .permittedNumberOfCallsInHalfOpenState(settings.breakerHalfOpenCalls())
      .build());
    this.openMs = settings.breakerOpenMs();
    breaker.getEventPublisher().onStateTransition(e -> {
      if (e.getStateTransition().getToState() == CircuitBreaker.State.OPEN) openedAtMs = System.currentTimeMillis();
    });
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) registry = new SimpleMeterRegistry();
    for (Outcome o : Outcome.values()) {
      counts.put(o, new LongAdder());
      meters.put(o, Counter.builder("smsgw_provider_sends").description("messages sent to a provider, by what it answered")
        .tag("provider", id).tag("outcome", o.wire()).register(registry));
    }
    failoverMeter = Counter.builder("smsgw_provider_failovers")
      .description("messages this provider definitely did not take (or skipped, its breaker open) that went on to the next provider")
      .tag("provider", id).register(registry);
    Gauge.builder("smsgw_provider_in_flight", inFlight, AtomicInteger::get).description("messages out at the provider now")
      .tag("provider", id).register(registry);
    Gauge.builder("smsgw_provider_breaker_state", breaker, b -> switch (b.getState()) {
        case CLOSED -> 0;
        case HALF_OPEN -> 1;
        default -> 2;
      }).description("the provider's circuit breaker: 0 closed, 1 half open, 2 open (or forced)")
      .tag("provider", id).register(registry);
  }

  /** The pod's health of provider {@code id} (made by the first sender that asks). */
  public static ProviderHealth of(Vertx vertx, String id, String kind, RoutingSettings settings) {
    return vertx.sharedData().<String, ProviderHealth>getLocalMap(MAP).computeIfAbsent(id, k -> new ProviderHealth(id, kind, settings));
  }

  /** Every provider's view in this pod (empty in a pod without senders). */
  public static JsonArray views(Vertx vertx) {
    LocalMap<String, ProviderHealth> map = vertx.sharedData().getLocalMap(MAP);
    Map<String, ProviderHealth> sorted = new TreeMap<>();
    map.keySet().forEach(k -> sorted.put(k, map.get(k)));
    JsonArray out = new JsonArray();
    sorted.values().forEach(h -> out.add(h.view()));
    return out;
  }

  public String id() {
    return id;
  }

  /**
   * Whether a request may go to this provider now (false: its breaker is open, or half open with its trial requests
   * out). Asked once per provider request, not per message: each true must be followed by {@link #requestEnded}.
   */
  boolean tryAcquire() {
    return breaker.tryAcquirePermission();
  }

  /** How long the breaker stays open from now (0: it is not open; half open, its trials may be out). */
  long openForMs() {
    if (breaker.getState() != CircuitBreaker.State.OPEN) return 0;
    return Math.max(0, openedAtMs + openMs - System.currentTimeMillis());
  }

  /** A message that skipped this provider because its breaker refused the request. */
  void skipped() {
    skippedOpen.increment();
  }

  void sending(int messages) {
    inFlight.addAndGet(messages);
  }

  /** One message's answer: the counts, the metrics and the last failure (the breaker hears of the whole request). */
  void record(ProviderResult result) {
    inFlight.decrementAndGet();
    Outcome o = Outcome.of(result);
    counts.get(o).increment();
    meters.get(o).increment();
    if (o.failure()) lastFailure = reason(result);
    if (o == Outcome.ACCEPTED) countAccepted();
  }

  /**
   * One provider request's end, {@code nanos} after it left: one call of the breaker's window, whatever the number of
   * messages in it. It failed when most of the messages it carried came back as the provider's fault (refused,
   * unanswered, in doubt). Counted per message, one timed-out batch of 50 filled a window of 20 with failures and
   * opened the breaker for every message of the route (the cluster bench: 205,523 sends given back unsent in a minute).
   * A request whose every answer was a per-message "retry later" says nothing about the provider.
   */
  void requestEnded(List<ProviderResult> results, long nanos) {
    int faults = 0;
    int answered = 0;
    String why = null;
    for (ProviderResult r : results) {
      Outcome o = Outcome.of(r);
      if (o.failure()) {
        faults++;
        if (why == null) why = reason(r);
      } else if (o != Outcome.LATER) {
        answered++;
      }
    }
    if (faults == 0 && answered == 0) {
      breaker.releasePermission();
    } else if (faults > answered) {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, new SendFailed(why));
    } else {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }
  }

  void failedOver() {
    failovers.increment();
    failoverMeter.increment();
  }

  /** A connection's view (an SMPP provider's binds) for {@link #view}; removed with the returned handle. */
  public Runnable addConnections(Supplier<JsonObject> view) {
    connections.add(view);
    return () -> connections.remove(view);
  }

  private void countAccepted() {
    long second = System.currentTimeMillis() / 1000;
    int slot = (int) (second % SECONDS);
    while (true) {
      long cell = perSecond.get(slot);
      long next = (cell >>> 32) == second ? cell + 1 : (second << 32) | 1;
      if (perSecond.compareAndSet(slot, cell, next)) return;
    }
  }

  /** Accepted per second over the last SECONDS whole seconds. */
  private double throughput() {
    long now = System.currentTimeMillis() / 1000;
    long total = 0;
    for (int i = 0; i < SECONDS; i++) {
      long cell = perSecond.get(i);
      long second = cell >>> 32;
      if (second < now && second >= now - SECONDS) total += cell & 0xffffffffL;
    }
    return total / (double) SECONDS;
  }

  public JsonObject view() {
    CircuitBreaker.Metrics m = breaker.getMetrics();
    JsonObject outcomes = new JsonObject();
    counts.forEach((o, n) -> outcomes.put(o.wire(), n.sum()));
    JsonArray conns = new JsonArray();
    connections.forEach(c -> conns.add(c.get()));
    return new JsonObject()
      .put("id", id)
      .put("kind", kind)
      .put("state", breaker.getState().name().toLowerCase(Locale.ROOT))
      .put("failure_rate", m.getFailureRate() < 0 ? null : m.getFailureRate())
      .put("recent_sends", m.getNumberOfBufferedCalls())
      .put("in_flight", inFlight.get())
      .put("accepted_per_second", throughput())
      .put("outcomes", outcomes)
      .put("failovers", failovers.sum())
      .put("skipped_breaker_open", skippedOpen.sum())
      .put("last_failure", lastFailure)
      .put("connections", conns);
  }

  private static String reason(ProviderResult r) {
    if (r instanceof ProviderResult.Transient t) return t.reason();
    if (r instanceof ProviderResult.InDoubt d) return d.reason();
    return r.toString();
  }
}
