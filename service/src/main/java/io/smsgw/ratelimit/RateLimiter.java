package io.smsgw.ratelimit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import io.vertx.micrometer.backends.BackendRegistries;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The per-user rate limits of one pod, shared by its HTTP event loops: each user's limit (an override from
 * PostgreSQL, else the default from conf), and the check {@link #acquire}. A user without a limit costs a map
 * lookup. A limited user costs one Redis script call ({@link RedisRateLimit}, shared by all pods); without Redis
 * (not configured, failing or timing out) the pod decides alone ({@link LocalBuckets}) and tries Redis again
 * after {@code rate_limit.redis_retry_ms}. The check never fails and never waits longer than the Redis timeout.
 */
public final class RateLimiter implements Shareable {

  private static final Logger LOG = LoggerFactory.getLogger(RateLimiter.class);
  static final String MAP = "smsgw.ratelimit";
  static final String KEY = "limiter";
  private static final Future<Long> ALLOWED = Future.succeededFuture(0L);
  /** For a pod without the rate-limit verticle: nobody is limited. */
  private static final RateLimiter UNLIMITED = new RateLimiter(UserLimit.NONE, null, 1, 0);

  /** A user's override as PostgreSQL last said it; {@code limit} null: removed (the default applies). */
  record Stored(UserLimit limit, OffsetDateTime updatedAt) {
  }

  private final ConcurrentHashMap<UUID, Stored> overrides = new ConcurrentHashMap<>();
  private final UserLimit defaultLimit;
  private final RedisRateLimit redis;
  private final int localPods;
  private final long redisRetryNanos;
  private final LocalBuckets local = new LocalBuckets();
  private volatile long redisDownUntil;
  private final Counter limited;
  private final Counter localDecisions;

  RateLimiter(UserLimit defaultLimit, RedisRateLimit redis, int localPods, long redisRetryMs) {
    this.defaultLimit = defaultLimit;
    this.redis = redis;
    this.localPods = Math.max(1, localPods);
    this.redisRetryNanos = redisRetryMs * 1_000_000L;
    this.redisDownUntil = System.nanoTime();
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry == null) registry = new SimpleMeterRegistry();
    limited = Counter.builder("smsgw.rate.limited").description("send-sms requests answered 429 rate_limited").register(registry);
    localDecisions = Counter.builder("smsgw.rate.limit.local")
      .description("rate-limit checks decided in this pod alone (no Redis configured, or it failed)").register(registry);
  }

  /** This pod's limiter (registered by {@link RateLimitVerticle}), or one that limits nobody. */
  public static RateLimiter of(Vertx vertx) {
    RateLimiter limiter = vertx.sharedData().<String, RateLimiter>getLocalMap(MAP).get(KEY);
    return limiter == null ? UNLIMITED : limiter;
  }

  public UserLimit limitOf(UUID user) {
    Stored o = overrides.get(user);
    return o == null || o.limit() == null ? defaultLimit : o.limit();
  }

  public UserLimit defaultLimit() {
    return defaultLimit;
  }

  /**
   * Takes one message from the user's allowance. Answers 0 when the message may go on, else the Retry-After in
   * seconds (≥ 1). Never a failed future; completes on the caller's thread.
   */
  public Future<Long> acquire(UUID user) {
    UserLimit limit = limitOf(user);
    if (limit.unlimited()) return ALLOWED;
    if (redis == null || System.nanoTime() - redisDownUntil < 0) return Future.succeededFuture(locally(user, limit));
    Thread caller = Thread.currentThread();
    Context context = Vertx.currentContext();
    Promise<Long> answer = Promise.promise();
    redis.acquire(user, limit).onComplete(ar -> {
      long retryAfter;
      if (ar.succeeded()) {
        retryAfter = decided(ar.result());
      } else {
        redisFailed(ar.cause());
        retryAfter = locally(user, limit);
      }
      if (Thread.currentThread() == caller || context == null) {
        answer.complete(retryAfter);
      } else {
        context.runOnContext(v -> answer.complete(retryAfter));
      }
    });
    return answer.future();
  }

  private long locally(UUID user, UserLimit limit) {
    localDecisions.increment();
    return decided(local.acquire(user, limit.perPod(localPods), System.nanoTime()));
  }

  private long decided(long waitNanos) {
    if (waitNanos <= 0) return 0;
    limited.increment();
    return Gcra.retryAfterSeconds(waitNanos);
  }

  private void redisFailed(Throwable cause) {
    long now = System.nanoTime();
    boolean wasUp = now - redisDownUntil >= 0;
    redisDownUntil = now + redisRetryNanos;
    if (wasUp) LOG.warn("rate limits: Redis did not answer ({}); each pod enforces the limits alone for {} ms", cause.toString(), redisRetryNanos / 1_000_000);
  }

  /** An override as read from PostgreSQL; an older state than the one known is ignored. */
  void apply(UUID user, UserLimit limit, OffsetDateTime updatedAt) {
    overrides.compute(user, (u, old) -> old != null && old.updatedAt().isAfter(updatedAt) ? old : new Stored(limit, updatedAt));
  }

  /** Housekeeping, every reload: forget the in-memory buckets that are full again. */
  void tidy() {
    local.dropIdle(System.nanoTime());
  }
}
