package io.smsgw.wallet.async;

import io.smsgw.platform.redis.LuaScripts;

import io.smsgw.platform.redis.RedisClients;

import io.smsgw.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Decides whether this pod may reserve in Redis, and in which epoch. The one rule: a wallet cache is only
 * (re)built from PostgreSQL once every reservation made before is in PostgreSQL, and those made before a Redis
 * loss exist only as records on {@code sms.accepted}. So after a loss the pod drains: it waits until no
 * reservation of its own is still being produced (and a grace period for other pods' in-flight produces), takes
 * the end offsets of the topic, and waits until settlement has committed past them.
 * <pre>
 *   ACTIVE      reserve in Redis under {@link #epoch()}
 *   DRAINING    Redis failed; answer 503 until drained, then SYNC
 *   SYNC        Redis unreachable, drained: charge in PostgreSQL (sync path); probe Redis
 *   REBUILDING  epoch missing (flush/restart) or stale: claim "draining:x", drain, activate a new epoch; 503
 * </pre>
 * Confined to its verticle's event loop.
 */
final class RedisGuard {

  enum State { ACTIVE, DRAINING, SYNC, REBUILDING }

  private static final Logger LOG = LoggerFactory.getLogger(RedisGuard.class);
  private static final String DRAINING_PREFIX = "draining:";
  private static final long CLAIM_TTL_MS = 120_000;
  private static final long SETTLEMENT_WAIT_MS = 110_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Vertx vertx;
  private final LuaScripts scripts;
  private final RedisKeys keys;
  private final SettlementProgress progress;
  private final IntSupplier inFlightProduces;
  private final long graceMs;
  private final long probeMs;

  private State state = State.REBUILDING;
  private String epoch;
  /** Charges were made in PostgreSQL without the cache knowing: the current epoch's cache is stale. */
  private boolean stale;
  private boolean closed;
  private boolean confirming;
  private final Redis probe;
  private final long probeTimeoutMs;
  private long generation;  // bumps on every transition, so a stale async step can tell it lost the race

  RedisGuard(Vertx vertx, GatewayConfig config, LuaScripts scripts, RedisKeys keys, IntSupplier inFlightProduces) {
    this.vertx = vertx;
    this.scripts = scripts;
    this.keys = keys;
    this.progress = new SettlementProgress(vertx, config);
    this.inFlightProduces = inFlightProduces;
    this.graceMs = config.redis().drainGraceMs();
    this.probeMs = config.redis().probeIntervalMs();
    this.probeTimeoutMs = Math.max(1000, config.redis().timeoutMs());
    this.probe = RedisClients.create(vertx, config, 1);
  }

  State state() {
    return state;
  }

  String epoch() {
    return epoch;
  }

  void start() {
    recover();
  }

  /** A charge went to PostgreSQL directly while the cache could not follow. */
  void markStale() {
    stale = true;
  }

  /**
   * A Redis command failed or timed out on the request path. A burst can queue commands past their timeout
   * while Redis is fine, so a PING on a connection of its own decides: no answer, and the pod stops reserving,
   * drains, then falls back to sync.
   */
  void onRedisFailure(Throwable failure) {
    if (state != State.ACTIVE || confirming) return;
    confirming = true;
    confirm(failure, generation, CONFIRMING_PINGS);
  }

  /**
   * Up to {@code pingsLeft} PINGs, one after the other: the first answer keeps the reservations. Several, not
   * one: on a machine starved of CPU a single PING sometimes timed out while Redis was fine, and each such false
   * alarm cost seconds of 503s (drain, fallback, rebuild). A Redis that is really gone refuses the connection,
   * so the PINGs fail at once; only a silent network costs {@code pingsLeft} timeouts.
   */
  private void confirm(Throwable failure, long gen, int pingsLeft) {
    probe.send(Request.cmd(Command.PING)).timeout(probeTimeoutMs, TimeUnit.MILLISECONDS).onComplete(pong -> {
      confirming = false;
      LOG.debug("a Redis command failed ({}) but Redis answers: staying on reservations", failure.toString());
    }, down -> {
      if (gen != generation || state != State.ACTIVE) {
        confirming = false;
      } else if (pingsLeft > 1) {
        confirm(failure, gen, pingsLeft - 1);
      } else {
        confirming = false;
        fallBack(failure);
      }
    });
  }

  private static final int CONFIRMING_PINGS = 3;

  private void fallBack(Throwable failure) {
    LOG.warn("Redis failed ({}): no more reservations; draining settlement, then charging in PostgreSQL (sync)", failure.toString());
    enter(State.DRAINING);
    long gen = generation;
    drain(gen).onComplete(done -> {
      if (gen != generation || closed) return;
      enter(State.SYNC);
      stale = true;
      LOG.warn("Redis unreachable: sync fallback (PostgreSQL decides every charge) until it answers again");
      probe(generation);
    });
  }

  /** The script saw another epoch (Redis flushed or restarted, or another pod rebuilt it). */
  void onEpochMoved() {
    if (state != State.ACTIVE) return;
    LOG.warn("Redis epoch {} is gone (flush, restart or rebuild): answering 503 until the cache is rebuilt", epoch);
    enter(State.REBUILDING);
    recover();
  }

  private void enter(State next) {
    state = next;
    generation++;
  }

  private void probe(long gen) {
    if (closed || gen != generation) return;
    probe.send(Request.cmd(Command.PING)).timeout(probeTimeoutMs, TimeUnit.MILLISECONDS).onComplete(pong -> {
      if (closed || gen != generation) return;
      LOG.info("Redis answers again: rebuilding the wallet cache (503 for async charges meanwhile)");
      enter(State.REBUILDING);
      recover();
    }, failure -> vertx.setTimer(probeMs, t -> probe(gen)));
  }

  /** Adopt the current epoch, wait for another pod's rebuild, or rebuild ourselves. */
  private void recover() {
    if (closed) return;
    long gen = generation;
    scripts.send(Request.cmd(Command.GET).arg(keys.epoch())).onComplete(value -> {
      if (gen != generation || closed) return;
      String current = value == null ? "" : value.toString();
      if (current.startsWith(DRAINING_PREFIX)) {
        vertx.setTimer(200, t -> { if (gen == generation) recover(); });
      } else if (!current.isEmpty() && !stale) {
        epoch = current;
        enter(State.ACTIVE);
        LOG.info("Redis reservations active, epoch {}", epoch);
      } else {
        claim(gen, current);
      }
    }, failure -> {
      if (gen != generation || closed) return;
      // Unreachable while rebuilding: what was reserved must still be drained before PostgreSQL decides alone.
      fallBack(failure);
    });
  }

  private void claim(long gen, String expected) {
    String draining = DRAINING_PREFIX + randomId();
    scripts.run(ReservationScripts.CLAIM_REBUILD, List.of(keys.epoch()), expected, draining, CLAIM_TTL_MS).onComplete(answer -> {
      if (gen != generation || closed) return;
      if (!"OK".equals(answer.get(0).toString())) {
        vertx.setTimer(100, t -> { if (gen == generation) recover(); });
        return;
      }
      LOG.info("rebuilding the Redis wallet cache: draining settlement first ({})", expected.isEmpty() ? "epoch missing" : "stale epoch " + expected);
      drain(gen).compose(v -> activate(draining)).onComplete(activated -> {
        if (closed || (activated.succeeded() && activated.result())) return;  // activate() moved the generation on
        if (gen == generation) recover();
      });
    }, failure -> {
      if (gen != generation || closed) return;
      fallBack(failure);
    });
  }

  private Future<Boolean> activate(String draining) {
    String next = randomId();
    return scripts.run(ReservationScripts.ACTIVATE, List.of(keys.epoch()), draining, next).map(Response::toInteger).map(ok -> {
      if (ok != 1) return false;
      epoch = next;
      stale = false;
      enter(State.ACTIVE);
      LOG.info("Redis reservations active, new epoch {}", epoch);
      return true;
    });
  }

  /**
   * Completes once every reservation made before now is settled in PostgreSQL. Retries while Kafka is
   * unreachable: until then the pod answers 503 for what it cannot guard.
   */
  private Future<Void> drain(long gen) {
    long started = System.currentTimeMillis();
    Promise<Void> done = Promise.promise();
    waitForProduces(gen, started, done);
    return done.future().compose(v -> vertx.executeBlocking(progress::endOffsets, false))
      .compose(ends -> awaitSettled(gen, ends, System.currentTimeMillis()))
      .recover(failure -> {
        if (gen != generation || closed) return Future.failedFuture(failure);
        LOG.warn("cannot confirm settlement progress ({}); trying again in 1 s", failure.toString());
        Promise<Void> pause = Promise.promise();
        vertx.setTimer(1000, t -> pause.complete());
        return pause.future().compose(v -> drain(gen));
      });
  }

  private void waitForProduces(long gen, long started, Promise<Void> done) {
    if (gen != generation || closed) {
      done.tryFail("superseded");
    } else if (System.currentTimeMillis() - started >= graceMs && inFlightProduces.getAsInt() == 0) {
      done.complete();
    } else {
      vertx.setTimer(50, t -> waitForProduces(gen, started, done));
    }
  }

  private Future<Void> awaitSettled(long gen, Map<TopicPartition, Long> ends, long since) {
    if (gen != generation || closed) return Future.failedFuture("superseded");
    return vertx.executeBlocking(() -> progress.settledUpTo(ends), false).compose(settled -> {
      if (settled) return Future.succeededFuture();
      if (System.currentTimeMillis() - since > SETTLEMENT_WAIT_MS) {
        return Future.failedFuture("settlement did not reach " + ends + " (is a settlement consumer running?)");
      }
      Promise<Void> pause = Promise.promise();
      vertx.setTimer(100, t -> pause.complete());
      return pause.future().compose(v -> awaitSettled(gen, ends, since));
    });
  }

  void close() {
    closed = true;
    probe.close();
    progress.close();
  }

  private static String randomId() {
    byte[] bytes = new byte[8];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }
}
