package io.smsgw.wallet.async;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.kafka.Topics;
import io.smsgw.platform.redis.LuaScripts;
import io.smsgw.platform.redis.RedisClients;
import io.smsgw.testing.TestRedis;
import io.smsgw.testing.TestServices;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The Redis guard of the async balance mode against a real Redis (stopped and started again here) and the real Kafka
 * (the drain reads sms.accepted's end offsets and the settlement group's progress). Its states: REBUILDING at start
 * (adopt, wait for another pod's rebuild, or rebuild), ACTIVE (reservations), DRAINING after a confirmed loss (503s
 * until every reservation made before is settled), SYNC while Redis stays away (PostgreSQL charges), and a rebuilt
 * cache under a new epoch once Redis answers again.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("RedisGuard: active, draining, sync and rebuilding as Redis goes away and comes back")
class RedisGuardTest {

  private static final Duration WAIT = Duration.ofSeconds(30);
  private static TestRedis redis;

  private Vertx vertx;
  private Context loop;
  private GatewayConfig config;
  private RedisKeys keys;
  private Redis client;
  private RedisGuard guard;
  private final AtomicInteger inFlightProduces = new AtomicInteger();

  @BeforeAll
  static void startRedis() throws Exception {
    redis = TestServices.privateRedis("redis-guard");
  }

  @AfterAll
  static void stopRedis() throws Exception {
    redis.close();
  }

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    redis.start();  // (again, after a test that stopped it)
    this.vertx = vertx;
    this.loop = vertx.getOrCreateContext();
    config = config(redis.url());
    Topics.ensureCreated(config);  // the drain reads sms.accepted's end offsets
    keys = RedisKeys.of(config);
    client = RedisClients.create(vertx, config);
  }

  @AfterEach
  void tearDown() throws Exception {
    if (guard != null) onLoop(() -> { guard.close(); return null; });
    client.close();
  }

  /** A key prefix and a settlement group of the test's own, short grace and probe intervals. */
  private static GatewayConfig config(String redisUrl) {
    String id = UUID.randomUUID().toString().substring(0, 8);
    return GatewayConfig.load(GatewayConfig.DEFAULT_PATH, Map.of(
      "SMSGW_REDIS_URL", redisUrl,
      "SMSGW_KAFKA_BOOTSTRAP", TestServices.kafka().bootstrapServers(),
      "SMSGW_REDIS_KEY_PREFIX", "guard-" + id,
      "SMSGW_SETTLEMENT_GROUP_ID", "guard-settlement-" + id,
      "SMSGW_REDIS_DRAIN_GRACE_MS", "200",
      "SMSGW_REDIS_PROBE_INTERVAL_MS", "100",
      "SMSGW_REDIS_TIMEOUT_MS", "500"));
  }

  /** Runs on the guard's event loop (it is confined to it) and waits for the result. */
  private <T> T onLoop(java.util.concurrent.Callable<T> call) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    loop.runOnContext(v -> {
      try {
        result.complete(call.call());
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    });
    return result.get(10, TimeUnit.SECONDS);
  }

  private void startGuard(GatewayConfig config) throws Exception {
    LuaScripts scripts = RedisClients.scripts(RedisClients.create(vertx, config), config);
    guard = onLoop(() -> {
      RedisGuard g = new RedisGuard(vertx, config, scripts, RedisKeys.of(config), inFlightProduces::get);
      g.start();
      return g;
    });
  }

  private RedisGuard.State state() throws Exception {
    return onLoop(guard::state);
  }

  private String epoch() throws Exception {
    return onLoop(guard::epoch);
  }

  private void awaitState(RedisGuard.State wanted) throws Exception {
    long deadline = System.nanoTime() + WAIT.toNanos();
    RedisGuard.State now;
    while ((now = state()) != wanted) {
      if (System.nanoTime() > deadline) throw new AssertionError("guard still " + now + ", expected " + wanted + " within " + WAIT);
      Thread.sleep(20);
    }
  }

  /** The state stays {@code expected} for the whole {@code time}. */
  private void assertStays(RedisGuard.State expected, Duration time) throws Exception {
    long until = System.nanoTime() + time.toNanos();
    while (System.nanoTime() < until) {
      assertThat(state()).isEqualTo(expected);
      Thread.sleep(50);
    }
  }

  private String redisEpoch() throws Exception {
    Response value = client.send(Request.cmd(Command.GET).arg(keys.epoch())).await(5, TimeUnit.SECONDS);
    return value == null ? null : value.toString();
  }

  private void setRedisEpoch(String value) throws Exception {
    client.send(Request.cmd(Command.SET).arg(keys.epoch()).arg(value)).await(5, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("no epoch in Redis: rebuilding at start, then active under a new epoch that Redis holds")
  void rebuildsAtStart() throws Exception {
    startGuard(config);
    assertThat(state()).isIn(RedisGuard.State.REBUILDING, RedisGuard.State.ACTIVE);
    awaitState(RedisGuard.State.ACTIVE);
    assertThat(epoch()).matches("[0-9a-f]{16}");
    assertThat(redisEpoch()).isEqualTo(epoch());
  }

  @Test
  @DisplayName("an epoch another pod activated is adopted as it is")
  void adoptsTheCurrentEpoch() throws Exception {
    setRedisEpoch("0123456789abcdef");
    startGuard(config);
    awaitState(RedisGuard.State.ACTIVE);
    assertThat(epoch()).isEqualTo("0123456789abcdef");
  }

  @Test
  @DisplayName("while another pod rebuilds (draining:x) it waits, rebuilding, and adopts that pod's epoch")
  void waitsForAnotherPodsRebuild() throws Exception {
    setRedisEpoch("draining:other-pod");
    startGuard(config);
    assertStays(RedisGuard.State.REBUILDING, Duration.ofSeconds(1));
    setRedisEpoch("fedcba9876543210");
    awaitState(RedisGuard.State.ACTIVE);
    assertThat(epoch()).isEqualTo("fedcba9876543210");
  }

  @Test
  @DisplayName("a failed command while Redis answers PING is a false alarm: still active, same epoch")
  void falseAlarm() throws Exception {
    startGuard(config);
    awaitState(RedisGuard.State.ACTIVE);
    String before = epoch();
    onLoop(() -> { guard.onRedisFailure(new TimeoutException("a burst queued commands past their timeout")); return null; });
    assertStays(RedisGuard.State.ACTIVE, Duration.ofMillis(800));
    assertThat(epoch()).isEqualTo(before);
  }

  @Test
  @DisplayName("Redis killed: draining (while its own produces are in flight), then sync while it is away, then a rebuilt cache under a new epoch")
  void redisGoesAwayAndComesBack() throws Exception {
    startGuard(config);
    awaitState(RedisGuard.State.ACTIVE);
    String before = epoch();

    inFlightProduces.set(1);  // a reservation of this pod is still being produced to sms.accepted
    redis.stop();
    onLoop(() -> { guard.onRedisFailure(new java.net.ConnectException("Connection refused")); return null; });
    awaitState(RedisGuard.State.DRAINING);
    assertStays(RedisGuard.State.DRAINING, Duration.ofSeconds(1));  // the grace is 200 ms: it waits for the produce

    inFlightProduces.set(0);
    awaitState(RedisGuard.State.SYNC);
    assertStays(RedisGuard.State.SYNC, Duration.ofSeconds(1));  // probing every 100 ms, Redis still away

    redis.start();
    awaitState(RedisGuard.State.ACTIVE);
    assertThat(epoch()).as("charges went to PostgreSQL meanwhile: the old cache is never trusted again").isNotEqualTo(before);
    assertThat(redisEpoch()).isEqualTo(epoch());
  }

  @Test
  @DisplayName("Redis flushed (the script saw another epoch): rebuilding, then active under a new epoch")
  void flushed() throws Exception {
    startGuard(config);
    awaitState(RedisGuard.State.ACTIVE);
    String before = epoch();
    redis.flushAll();
    onLoop(() -> { guard.onEpochMoved(); return null; });
    awaitState(RedisGuard.State.ACTIVE);
    assertThat(epoch()).isNotEqualTo(before);
    assertThat(redisEpoch()).isEqualTo(epoch());
  }

  @Test
  @DisplayName("a stale cache (charges made in PostgreSQL alone) is rebuilt even though its epoch is still in Redis")
  void staleEpochIsRebuilt() throws Exception {
    startGuard(config);
    awaitState(RedisGuard.State.ACTIVE);
    String before = epoch();
    onLoop(() -> { guard.markStale(); guard.onEpochMoved(); return null; });
    awaitState(RedisGuard.State.ACTIVE);
    assertThat(epoch()).isNotEqualTo(before);
  }

  @Test
  @DisplayName("Redis unreachable from the start (a dead port): draining, then sync; it never claims to be active")
  void deadFromTheStart() throws Exception {
    int deadPort;
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    startGuard(config("redis://127.0.0.1:" + deadPort));
    awaitState(RedisGuard.State.SYNC);
    assertStays(RedisGuard.State.SYNC, Duration.ofSeconds(1));
    assertThat(epoch()).isNull();
  }
}
