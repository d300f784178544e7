package io.smsgw.sending;

import io.smsgw.devkit.DevRole;
import io.smsgw.platform.pg.Database;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provider answer that PostgreSQL cannot hold as it is (U+0000, a lone surrogate) must not fail the flush it is
 * in: before, the whole batch of outcomes failed and was retried forever, and the lane stalled behind it. And an
 * outcome whose claim token is not the message's current one changes nothing (fencing).
 */
@DisplayName("Outcome writes: a provider answer with bytes PostgreSQL refuses does not stall the lane")
class StatusWriterIT {

  @Test
  @DisplayName("outcomes carrying U+0000 and a lone surrogate are written with the others, made storable; the refund is made")
  void oddProviderAnswersAreWritten() throws Exception {
    String pgUrl = TestServices.postgres().url();
    // A gateway without workers: the messages stay pending for this test's own writer.
    try (TestGateway gateway = TestGateway.start(pgUrl, Map.of(), EnumSet.of(DevRole.GATEWAY))) {
      JsonObject user = gateway.createUser(10_000);
      UUID userId = UUID.fromString(user.getString("user_id"));
      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        JsonObject sms = TestGateway.sms(user, "+14155550100", "m" + i);
        assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
        ids.add(UUID.fromString(sms.getString("message_id")));
      }
      long now = System.currentTimeMillis();
      // Token 0: these messages were never claimed, so this writer's outcomes are current. The sixth is written
      // with a token of a claim that is not the message's: fenced out, it changes nothing.
      List<Outcome> outcomes = List.of(
        sent(ids.get(0), userId, 0, "prov-\u0000-1", now),
        new Outcome(ids.get(1), userId, 0, Outcome.Kind.FAILED, null, "provider said \ud800 no", now, 0, false),
        sent(ids.get(2), userId, 0, "prov-3", now),
        sent(ids.get(3), userId, 0, "prov-4", now),
        sent(ids.get(4), userId, 0, "prov-5", now),
        sent(ids.get(5), userId, 3, "prov-stale", now));

      Vertx vertx = Vertx.vertx();
      Pool pool = Database.pool(vertx, gateway.config);
      try {
        CompletableFuture<List<Future<Boolean>>> written = new CompletableFuture<>();
        vertx.runOnContext(v -> {
          StatusWriter writer = new StatusWriter(vertx, pool, 10);
          written.complete(outcomes.stream().map(writer::write).toList());
        });
        List<Future<Boolean>> done = written.get(10, TimeUnit.SECONDS);
        Future.join(new ArrayList<>(done)).await(20, TimeUnit.SECONDS);
        assertThat(done).allMatch(Future::succeeded);
        assertThat(done.stream().map(Future::result).toList()).as("applied").containsExactly(true, true, true, true, true, false);
        assertThat(Db.ids(pgUrl, "SELECT status FROM messages WHERE message_id = '" + ids.get(5) + "'")).containsExactly("pending");
        // The current token is applied: nothing is left pending for the tests after this one.
        CompletableFuture<Future<Boolean>> last = new CompletableFuture<>();
        vertx.runOnContext(v -> last.complete(new StatusWriter(vertx, pool, 10).write(sent(ids.get(5), userId, 0, "prov-6", now))));
        assertThat(last.get(10, TimeUnit.SECONDS).await(20, TimeUnit.SECONDS)).isTrue();
      } finally {
        pool.close().await();
        vertx.close().await();
      }

      assertThat(Db.count(pgUrl, "SELECT count(*) FROM messages WHERE user_id = '" + userId + "' AND status = 'sent'")).isEqualTo(5);
      assertThat(Db.ids(pgUrl, "SELECT provider_message_id FROM messages WHERE message_id = '" + ids.get(0) + "'"))
        .containsExactly("prov-\uFFFD-1");
      assertThat(Db.ids(pgUrl, "SELECT last_error FROM messages WHERE message_id = '" + ids.get(1) + "' AND status = 'failed'"))
        .containsExactly("provider said \uFFFD no");
      assertThat(gateway.balance(user)).isEqualTo(10_000 - 5 * 100);
    }
    Db.assertInvariantsHold(pgUrl);
  }

  private static Outcome sent(UUID id, UUID user, int claimSeq, String providerId, long at) {
    return new Outcome(id, user, claimSeq, Outcome.Kind.SENT, providerId, null, at, 0, false);
  }
}
