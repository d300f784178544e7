package io.smsgw.wallet;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Database;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The accept batcher alone (no pod) against the real PostgreSQL: one bad item fails alone, a full queue refuses at once, a wallet
 * held by someone else stalls only its own requests and they are never charged after their answer.
 */
@DisplayName("Accept batches: isolation, bounds, deadlines")
class ChargeBatcherTest {

  Vertx vertx;
  Pool pool;
  Pool setup;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    pool = Database.acceptPool(vertx, TestDatabase.config(java.util.Map.of()), 2000);
    setup = Database.pool(vertx, TestDatabase.config(java.util.Map.of()));
  }

  @AfterEach
  void close() {
    pool.close().await();
    setup.close().await();
    vertx.close().await();
  }

  /** A user with a wallet, as the admin API makes it: {@code {"user_id"}}. */
  private JsonObject createUser(long balance) throws Exception {
    return new JsonObject().put("user_id", TestDatabase.createUser(setup, balance).toString());
  }

  private static long balance(JsonObject user) {
    return TestDatabase.balance(UUID.fromString(user.getString("user_id")));
  }

  static SmsMessage sms(JsonObject user, String text) {
    return new SmsMessage(UUID.randomUUID(), UUID.fromString(user.getString("user_id")), "+14155550100", text,
      Priority.NORMAL, Encoding.GSM7, 1, 100, System.currentTimeMillis());
  }

  /** Runs the calls on the batcher's event loop (it is not thread-safe) and waits for every answer. */
  static List<Future<ChargeOutcome>> onLoop(Vertx vertx, ChargeBatcher batcher, List<SmsMessage> messages) throws Exception {
    List<Future<ChargeOutcome>> answers = new ArrayList<>();
    CountDownLatch queued = new CountDownLatch(1);
    vertx.runOnContext(v -> {
      for (SmsMessage m : messages) answers.add(batcher.charge(m));
      queued.countDown();
    });
    assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
    Future.join(new ArrayList<>(answers)).otherwiseEmpty().await(30, TimeUnit.SECONDS);
    return answers;
  }

  static ChargeFailure failureOf(Future<ChargeOutcome> answer) {
    assertThat(answer.failed()).as("failed: " + answer).isTrue();
    return ChargeFailure.of(answer.cause());
  }

  @Test
  @DisplayName("a message PostgreSQL refuses (U+0000) fails alone; the 20 others in its batch are charged")
  void poisonFailsAlone() throws Exception {
    JsonObject user = createUser(10_000);
    ChargeBatcher batcher = new ChargeBatcher(vertx, pool, new ChargeBatcher.Limits(256, 1, 4096, 5000, 2000));
    List<SmsMessage> messages = new ArrayList<>();
    // The first goes alone at once; the rest queue behind it and travel as one batch, the poison in the middle.
    for (int i = 0; i < 21; i++) messages.add(sms(user, "ok " + i));
    SmsMessage poison = sms(user, "bad \u0000 text");
    messages.add(11, poison);

    List<Future<ChargeOutcome>> answers = onLoop(vertx, batcher, messages);

    for (int i = 0; i < messages.size(); i++) {
      if (messages.get(i) == poison) {
        assertThat(failureOf(answers.get(i))).isEqualTo(ChargeFailure.REFUSED);
      } else {
        assertThat(answers.get(i).succeeded()).as("answer " + i + ": " + answers.get(i).cause()).isTrue();
        assertThat(answers.get(i).result().kind()).isEqualTo(ChargeOutcome.Kind.ACCEPTED);
      }
    }
    assertThat(balance(user)).isEqualTo(10_000 - 21 * 100);
    assertThat(Db.count(TestDatabase.url(), "SELECT count(*) FROM messages WHERE user_id = '" + user.getString("user_id") + "'")).isEqualTo(21);
    batcher.close();
  }

  @Test
  @DisplayName("a full accept queue refuses at once with OVERLOADED; what was queued is charged")
  void fullQueueRefusesAtOnce() throws Exception {
    JsonObject user = createUser(10_000);
    ChargeBatcher batcher = new ChargeBatcher(vertx, pool, new ChargeBatcher.Limits(256, 1, 5, 5000, 2000));
    List<SmsMessage> messages = new ArrayList<>();
    for (int i = 0; i < 10; i++) messages.add(sms(user, "m" + i));

    long started = System.nanoTime();
    List<Future<ChargeOutcome>> answers = new ArrayList<>();
    CountDownLatch queued = new CountDownLatch(1);
    List<Boolean> refusedAtOnce = new ArrayList<>();
    vertx.runOnContext(v -> {
      for (SmsMessage m : messages) {
        Future<ChargeOutcome> answer = batcher.charge(m);
        refusedAtOnce.add(answer.failed());
        answers.add(answer);
      }
      queued.countDown();
    });
    assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
    Future.join(new ArrayList<>(answers)).otherwiseEmpty().await(30, TimeUnit.SECONDS);

    // One in flight and four queued fill the bound of five; the other five are refused before anything was sent.
    assertThat(refusedAtOnce).containsExactly(false, false, false, false, false, true, true, true, true, true);
    for (int i = 5; i < 10; i++) assertThat(failureOf(answers.get(i))).isEqualTo(ChargeFailure.OVERLOADED);
    for (int i = 0; i < 5; i++) assertThat(answers.get(i).result().kind()).isEqualTo(ChargeOutcome.Kind.ACCEPTED);
    assertThat(balance(user)).isEqualTo(10_000 - 5 * 100);
    assertThat(System.nanoTime() - started).isLessThan(TimeUnit.SECONDS.toNanos(10));
    batcher.close();
  }

  @Test
  @DisplayName("a wallet row held elsewhere: its messages are not charged at their deadline (and never after); another wallet's go through meanwhile")
  void heldWalletStallsOnlyItself() throws Exception {
    JsonObject held = createUser(10_000);
    JsonObject other = createUser(10_000);
    ChargeBatcher batcher = new ChargeBatcher(vertx, pool, new ChargeBatcher.Limits(256, 1, 4096, 1500, 2000));
    try (Connection lock = DriverManager.getConnection(Database.jdbcUrl(TestDatabase.url())); Statement s = lock.createStatement()) {
      lock.setAutoCommit(false);
      s.execute("SELECT 1 FROM wallets WHERE user_id = '" + held.getString("user_id") + "' FOR UPDATE");

      List<SmsMessage> messages = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        messages.add(sms(held, "held " + i));
        messages.add(sms(other, "other " + i));
      }
      long started = System.nanoTime();
      List<Future<ChargeOutcome>> answers = onLoop(vertx, batcher, messages);
      long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

      for (int i = 0; i < messages.size(); i++) {
        if (messages.get(i).userId().toString().equals(held.getString("user_id"))) {
          assertThat(failureOf(answers.get(i))).isEqualTo(ChargeFailure.NOT_CHARGED);
        } else {
          assertThat(answers.get(i).result().kind()).isEqualTo(ChargeOutcome.Kind.ACCEPTED);
        }
      }
      assertThat(tookMs).as("answered at the deadline").isLessThan(4000);
      lock.commit();
    }
    Thread.sleep(1000);  // anything still on its way would have been charged by now
    assertThat(balance(held)).isEqualTo(10_000);
    assertThat(balance(other)).isEqualTo(10_000 - 10 * 100);
    assertThat(Db.count(TestDatabase.url(), "SELECT count(*) FROM messages WHERE user_id = '" + held.getString("user_id") + "'")).isZero();
    batcher.close();
  }
}
