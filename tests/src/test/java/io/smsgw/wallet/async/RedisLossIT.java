package io.smsgw.wallet.async;

import io.smsgw.devkit.DevRole;
import io.smsgw.testing.TestRedis;
import io.smsgw.testing.Db;
import io.smsgw.testing.Eventually;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Async with reservation when Redis is flushed or stopped under load: no overspend, nothing lost")
class RedisLossIT {

  private static final int USERS = 20;
  private static final int PER_USER = 1000;           // 20,000 messages
  private static final long RICH = PER_USER * 100L;   // pays for all of its messages
  private static final long POOR = 400 * 100L;        // pays for 400 of its 1,000
  private static final int IN_FLIGHT = 48;

  TestRedis redis;
  TestGateway gateway;
  volatile boolean redisDown;

  @BeforeEach
  void start() throws Exception {
    redis = TestServices.privateRedis("redis-loss");
    // No workers: messages stay pending (paid, waiting to be sent), which keeps the machine for the load.
    gateway = TestGateway.start(TestServices.postgres().url(), Map.of(
      "SMSGW_BALANCE_MODE", "async", "SMSGW_RESERVATION", "on", "SMSGW_REDIS_URL", redis.url()),
      EnumSet.of(DevRole.GATEWAY));
  }

  @AfterEach
  void stop() throws Exception {
    gateway.close();
    redis.close();
  }

  @Test
  @DisplayName("FLUSHALL in the middle of 20,000 sends")
  void flushUnderLoad() throws Exception {
    Outcome outcome = load(1500, sent -> {
      if (sent == PER_USER * USERS / 2) {
        try {
          redis.flushAll();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
    outcome.check(gateway);
  }

  @Test
  @DisplayName("Redis stopped for 10 s in the middle of 20,000 sends: sync fallback, then a rebuilt cache")
  void stoppedForTenSeconds() throws Exception {
    CountDownLatch restarted = new CountDownLatch(1);
    Outcome outcome = load(1000, sent -> {
      if (sent == 3000) {
        new Thread(() -> {
          try {
            redis.stop();
            redisDown = true;
            Thread.sleep(10_000);
            redis.start();
            redisDown = false;
          } catch (Exception e) {
            throw new IllegalStateException(e);
          } finally {
            restarted.countDown();
          }
        }).start();
      }
    });
    restarted.await();
    outcome.check(gateway);
    assertThat(outcome.okDuringOutage.get()).as("sync fallback accepted while Redis was down").isPositive();
    Eventually.await("reservations active again after the restart", Duration.ofSeconds(30),
      () -> "active".equals(gateway.ops("/health/ready").json().getString("redis")));
  }

  /** Who sent what and what the gateway answered. */
  record Outcome(Map<String, Long> balances, Map<String, Set<String>> acceptedByUser, Map<Integer, Long> byStatus,
                 AtomicInteger okDuringOutage) {

    void check(TestGateway gateway) throws InterruptedException {
      System.out.println("answers: " + byStatus + " (-1: no answer)");
      String pg = gateway.pgUrl();
      long acceptedCount = acceptedByUser.values().stream().mapToLong(Set::size).sum();
      String users = acceptedByUser.keySet().stream().map(u -> "'" + u + "'").collect(Collectors.joining(","));
      Eventually.await("settlement of every accepted message", Duration.ofSeconds(60),
        () -> Db.count(pg, "SELECT count(*) FROM messages WHERE user_id IN (" + users + ")") >= acceptedCount);
      // Nothing lost: every 200 is stored, charged, pending a send, never rejected at settlement.
      Set<String> stored = Db.ids(pg, "SELECT message_id::text FROM messages WHERE user_id IN (" + users + ")"
        + " AND status = 'pending' AND NOT rejected_at_settlement");
      acceptedByUser.values().forEach(mine -> assertThat(stored).containsAll(mine));
      assertThat(Db.count(pg, "SELECT count(*) FROM messages WHERE user_id IN (" + users + ") AND rejected_at_settlement"))
        .as("with reservation, nothing is over-accepted").isZero();
      // No overspend: no wallet pays for more than it had, and no 200 beyond what it could pay.
      acceptedByUser.forEach((user, mine) -> {
        long paid = Db.count(pg, "SELECT coalesce(sum(amount), 0) FROM ledger WHERE kind = 'charge' AND user_id = '" + user + "'");
        assertThat(mine.size() * 100L).as("accepted for " + user).isLessThanOrEqualTo(balances.get(user)).isEqualTo(paid);
        assertThat(Db.count(pg, "SELECT balance FROM wallets WHERE user_id = '" + user + "'")).isEqualTo(balances.get(user) - paid);
      });
      assertThat(byStatus.get(200)).isPositive();
      Db.assertInvariantsHold(pg);
    }
  }

  /** 20,000 sends at about {@code rate}/s with at most IN_FLIGHT open; {@code progress} sees each send's index. */
  Outcome load(int rate, IntConsumer progress) throws Exception {
    Map<String, Long> balances = new HashMap<>();
    Map<String, JsonObject> users = new HashMap<>();
    for (int u = 0; u < USERS; u++) {
      long balance = u % 2 == 0 ? RICH : POOR;
      JsonObject user = gateway.createUser(balance);
      users.put(user.getString("user_id"), user);
      balances.put(user.getString("user_id"), balance);
    }
    List<JsonObject> messages = new ArrayList<>();
    users.values().forEach(user -> {
      for (int i = 0; i < PER_USER; i++) messages.add(TestGateway.sms(user, "+14155550100", "load " + i));
    });
    Collections.shuffle(messages, new Random(5));

    Map<String, Set<String>> acceptedByUser = new ConcurrentHashMap<>();
    Map<Integer, Long> byStatus = new ConcurrentHashMap<>();
    AtomicInteger okDuringOutage = new AtomicInteger();
    Semaphore open = new Semaphore(IN_FLIGHT);
    long start = System.nanoTime();
    for (int i = 0; i < messages.size(); i++) {
      long due = start + (long) (i * 1e9 / rate);
      long wait = due - System.nanoTime();
      if (wait > 0) Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
      progress.accept(i);
      open.acquire();
      JsonObject sms = messages.get(i);
      String user = sms.getString("user_id");
      gateway.sendSmsAsync(users.get(user), sms).whenComplete((r, e) -> {
        open.release();
        int status = e != null ? -1 : r.status();
        byStatus.merge(status, 1L, Long::sum);
        if (status == 200) {
          acceptedByUser.computeIfAbsent(user, k -> ConcurrentHashMap.newKeySet()).add(sms.getString("message_id"));
          if (redisDown) okDuringOutage.incrementAndGet();
        }
      });
    }
    open.acquire(IN_FLIGHT);
    open.release(IN_FLIGHT);
    System.out.printf("load: %d sends in %.1f s%n", messages.size(), (System.nanoTime() - start) / 1e9);
    balances.keySet().forEach(u -> acceptedByUser.putIfAbsent(u, Set.of()));
    return new Outcome(balances, acceptedByUser, byStatus, okDuringOutage);
  }
}
