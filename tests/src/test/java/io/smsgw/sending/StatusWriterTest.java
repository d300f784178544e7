package io.smsgw.sending;

import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Database;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestDatabase;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The outcome writer against the real PostgreSQL: many outcomes in one transaction, fencing by the claim's token
 * (claim_seq: a stale outcome changes nothing and its future says so), the refund on a give-up (once), and a provider
 * answer that PostgreSQL cannot hold as it is (U+0000, a lone surrogate) that must not fail the flush it is in: before,
 * the whole batch of outcomes failed and was retried forever, and the lane stalled behind it.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("StatusWriter: batched, fenced outcome writes with refunds")
class StatusWriterTest {

  Pool pool;
  Context loop;
  String pgUrl;

  @BeforeEach
  void open(Vertx vertx) {
    pgUrl = TestDatabase.url();
    pool = Database.pool(vertx, TestDatabase.config(Map.of()));
    loop = vertx.getOrCreateContext();
  }

  @AfterEach
  void close() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
  }

  /** Makes a writer and queues the outcomes on one event loop (the writer is confined to it); waits for every answer. */
  private List<Future<Boolean>> write(Vertx vertx, long flushMs, List<Outcome> outcomes) throws Exception {
    return onLoop(writer -> outcomes.stream().map(writer::write).toList(), vertx, flushMs);
  }

  private List<Future<Boolean>> onLoop(Function<StatusWriter, List<Future<Boolean>>> calls, Vertx vertx, long flushMs) throws Exception {
    CompletableFuture<List<Future<Boolean>>> queued = new CompletableFuture<>();
    CompletableFuture<StatusWriter> made = new CompletableFuture<>();
    loop.runOnContext(v -> {
      StatusWriter writer = new StatusWriter(vertx, pool, flushMs);
      made.complete(writer);
      queued.complete(calls.apply(writer));
    });
    List<Future<Boolean>> done = queued.get(10, TimeUnit.SECONDS);
    Future.join(new ArrayList<>(done)).await(30, TimeUnit.SECONDS);
    assertThat(done).allMatch(Future::succeeded);
    StatusWriter writer = made.get();
    CompletableFuture<Void> closed = new CompletableFuture<>();
    loop.runOnContext(v -> writer.close(5_000).onComplete(c -> closed.complete(null)));
    closed.get(10, TimeUnit.SECONDS);
    return done;
  }

  private static List<Boolean> applied(List<Future<Boolean>> done) {
    return done.stream().map(Future::result).toList();
  }

  private static Outcome sent(SmsMessage m, int claimSeq, String providerId) {
    return new Outcome(m.messageId(), m.userId(), claimSeq, Outcome.Kind.SENT, providerId, null, System.currentTimeMillis(), 0, false, "http");
  }

  private static Outcome ended(SmsMessage m, int claimSeq, Outcome.Kind kind, String error) {
    return new Outcome(m.messageId(), m.userId(), claimSeq, kind, null, error, System.currentTimeMillis(), 0, kind == Outcome.Kind.UNKNOWN, "http");
  }

  private String status(SmsMessage m) {
    return Db.ids(pgUrl, "SELECT status FROM messages WHERE message_id = '" + m.messageId() + "'").iterator().next();
  }

  private long refunds(SmsMessage m) {
    return Db.count(pgUrl, "SELECT count(*) FROM ledger WHERE kind = 'refund' AND message_id = '" + m.messageId() + "'");
  }

  @Test
  @DisplayName("outcomes queued between two flushes are written in one transaction")
  void batching(Vertx vertx) throws Exception {
    UUID user = TestDatabase.createUser(pool, 100_000);
    List<SmsMessage> messages = new ArrayList<>();
    for (int i = 0; i < 60; i++) messages.add(TestDatabase.accept(pool, user, "batch " + i));

    // A long flush interval: all 60 are queued before the first flush.
    List<Future<Boolean>> done = write(vertx, 300, messages.stream().map(m -> sent(m, 0, "prov-" + m.messageId())).toList());

    assertThat(applied(done)).hasSize(60).containsOnly(true);
    assertThat(Db.count(pgUrl, "SELECT count(*) FROM messages WHERE user_id = '" + user + "' AND status = 'sent'")).isEqualTo(60);
    // now() is the transaction's start: one transaction, one timestamp on every row it wrote
    assertThat(Db.count(pgUrl, "SELECT count(DISTINCT updated_at) FROM messages WHERE user_id = '" + user + "'"))
      .as("transactions that wrote the 60 outcomes").isEqualTo(1);
    assertThat(TestDatabase.balance(user)).isEqualTo(100_000 - 60 * 100);
  }

  @Test
  @DisplayName("fencing: an outcome under a claim that is no longer current changes nothing and is reported false")
  void fencing(Vertx vertx) throws Exception {
    UUID user = TestDatabase.createUser(pool, 10_000);
    SmsMessage a = TestDatabase.accept(pool, user, "fenced a");
    SmsMessage b = TestDatabase.accept(pool, user, "fenced b");
    // Another worker took both over: claim 2 is current, the stalled holder of claim 1 writes late.
    Db.execute(pgUrl, "UPDATE messages SET claim_seq = 2 WHERE message_id IN ('" + a.messageId() + "', '" + b.messageId() + "')");

    List<Future<Boolean>> stale = write(vertx, 10, List.of(sent(a, 1, "prov-stale"), ended(b, 1, Outcome.Kind.FAILED, "stale give-up")));
    assertThat(applied(stale)).containsExactly(false, false);
    assertThat(status(a)).isEqualTo("pending");
    assertThat(status(b)).isEqualTo("pending");
    assertThat(refunds(b)).as("no refund from a stale claim").isZero();
    assertThat(TestDatabase.balance(user)).isEqualTo(10_000 - 200);

    List<Future<Boolean>> current = write(vertx, 10, List.of(sent(a, 2, "prov-a"), sent(b, 2, "prov-b")));
    assertThat(applied(current)).containsExactly(true, true);
    assertThat(status(a)).isEqualTo("sent");

    // A late write of the same claim after it ended: status moves forward only.
    List<Future<Boolean>> late = write(vertx, 10, List.of(ended(a, 2, Outcome.Kind.RETRY, "late retry"), ended(b, 2, Outcome.Kind.FAILED, "late fail")));
    assertThat(applied(late)).containsExactly(false, false);
    assertThat(status(a)).isEqualTo("sent");
    assertThat(status(b)).isEqualTo("sent");
    assertThat(refunds(b)).isZero();
    Db.assertInvariantsHold(pgUrl);
  }

  @Test
  @DisplayName("a give-up (failed, rejected) refunds once; an unknown outcome is final without a refund")
  void refundOnGiveUp(Vertx vertx) throws Exception {
    UUID user = TestDatabase.createUser(pool, 1_000);
    SmsMessage failed = TestDatabase.accept(pool, user, "will fail");
    SmsMessage rejected = TestDatabase.accept(pool, user, "will be rejected");
    SmsMessage unknown = TestDatabase.accept(pool, user, "outcome unknown");
    SmsMessage retried = TestDatabase.accept(pool, user, "retried later");
    assertThat(TestDatabase.balance(user)).isEqualTo(600);

    List<Future<Boolean>> done = write(vertx, 10, List.of(
      ended(failed, 0, Outcome.Kind.FAILED, "bad number"),
      ended(rejected, 0, Outcome.Kind.REJECTED, "blocked"),
      ended(unknown, 0, Outcome.Kind.UNKNOWN, "outcome_unknown: no lookup"),
      new Outcome(retried.messageId(), user, 0, Outcome.Kind.RETRY, null, "429", System.currentTimeMillis(), 60_000, false, null)));
    assertThat(applied(done)).containsExactly(true, true, true, true);

    assertThat(status(failed)).isEqualTo("failed");
    assertThat(status(rejected)).isEqualTo("rejected");
    assertThat(status(unknown)).isEqualTo("failed");
    assertThat(status(retried)).isEqualTo("pending");
    assertThat(refunds(failed)).isEqualTo(1);
    assertThat(refunds(rejected)).isEqualTo(1);
    assertThat(refunds(unknown)).as("the provider may have delivered it").isZero();
    assertThat(refunds(retried)).isZero();
    assertThat(TestDatabase.balance(user)).isEqualTo(600 + 200);

    // The same give-up again (a redelivery, a second worker): no second refund.
    List<Future<Boolean>> again = write(vertx, 10, List.of(ended(failed, 0, Outcome.Kind.FAILED, "again")));
    assertThat(applied(again)).containsExactly(false);
    assertThat(refunds(failed)).isEqualTo(1);
    assertThat(TestDatabase.balance(user)).isEqualTo(800);

    // leave nothing pending for later tests
    assertThat(applied(write(vertx, 10, List.of(sent(retried, 0, "prov-r"))))).containsExactly(true);
    Db.assertInvariantsHold(pgUrl);
  }

  @Test
  @DisplayName("outcomes carrying U+0000 and a lone surrogate are written with the others, made storable; the refund is made")
  void oddProviderAnswersAreWritten(Vertx vertx) throws Exception {
    UUID user = TestDatabase.createUser(pool, 10_000);
    List<SmsMessage> m = new ArrayList<>();
    for (int i = 0; i < 6; i++) m.add(TestDatabase.accept(pool, user, "m" + i));
    // Token 0: these messages were never claimed, so this writer's outcomes are current. The sixth is written
    // with a token of a claim that is not the message's: fenced out, it changes nothing.
    List<Outcome> outcomes = List.of(
      sent(m.get(0), 0, "prov-\u0000-1"),
      ended(m.get(1), 0, Outcome.Kind.FAILED, "provider said \ud800 no"),
      sent(m.get(2), 0, "prov-3"),
      sent(m.get(3), 0, "prov-4"),
      sent(m.get(4), 0, "prov-5"),
      sent(m.get(5), 3, "prov-stale"));

    List<Future<Boolean>> done = write(vertx, 10, outcomes);
    assertThat(applied(done)).as("applied").containsExactly(true, true, true, true, true, false);
    assertThat(status(m.get(5))).isEqualTo("pending");
    // The current token is applied: nothing is left pending for the tests after this one.
    assertThat(applied(write(vertx, 10, List.of(sent(m.get(5), 0, "prov-6"))))).containsExactly(true);

    assertThat(Db.count(pgUrl, "SELECT count(*) FROM messages WHERE user_id = '" + user + "' AND status = 'sent'")).isEqualTo(5);
    assertThat(Db.ids(pgUrl, "SELECT provider_message_id FROM messages WHERE message_id = '" + m.get(0).messageId() + "'"))
      .containsExactly("prov-\uFFFD-1");
    assertThat(Db.ids(pgUrl, "SELECT last_error FROM messages WHERE message_id = '" + m.get(1).messageId() + "' AND status = 'failed'"))
      .containsExactly("provider said \uFFFD no");
    assertThat(TestDatabase.balance(user)).isEqualTo(10_000 - 5 * 100);
    Db.assertInvariantsHold(pgUrl);
  }
}
