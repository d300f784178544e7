package io.smsgw.sending;

import io.smsgw.Role;
import io.smsgw.storage.Database;
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
 * in: before, the whole batch of outcomes failed and was retried forever, and the lane stalled behind it.
 */
@DisplayName("Outcome writes: a provider answer with bytes PostgreSQL refuses does not stall the lane")
class StatusWriterTest {

  @Test
  @DisplayName("outcomes carrying U+0000 and a lone surrogate are written with the others, made storable; the refund is made")
  void oddProviderAnswersAreWritten() throws Exception {
    String pgUrl = TestServices.postgres().url();
    // A gateway without workers: the messages stay pending for this test's own writer.
    try (TestGateway gateway = TestGateway.start(pgUrl, Map.of(), EnumSet.of(Role.GATEWAY))) {
      JsonObject user = gateway.createUser(10_000);
      UUID userId = UUID.fromString(user.getString("user_id"));
      List<UUID> ids = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        JsonObject sms = TestGateway.sms(user, "+14155550100", "m" + i);
        assertThat(gateway.sendSms(user, sms).status()).isEqualTo(200);
        ids.add(UUID.fromString(sms.getString("message_id")));
      }
      long now = System.currentTimeMillis();
      List<Outcome> outcomes = List.of(
        Outcome.sent(ids.get(0), userId, "prov-\u0000-1", now),
        Outcome.finalFailure(ids.get(1), userId, "failed", "provider said \ud800 no", now),
        Outcome.sent(ids.get(2), userId, "prov-3", now),
        Outcome.sent(ids.get(3), userId, "prov-4", now),
        Outcome.sent(ids.get(4), userId, "prov-5", now));

      Vertx vertx = Vertx.vertx();
      Pool pool = Database.pool(vertx, gateway.config);
      try {
        CompletableFuture<List<Future<Void>>> written = new CompletableFuture<>();
        vertx.runOnContext(v -> {
          StatusWriter writer = new StatusWriter(vertx, pool, 10);
          written.complete(outcomes.stream().map(writer::write).toList());
        });
        List<Future<Void>> done = written.get(10, TimeUnit.SECONDS);
        Future.join(new ArrayList<>(done)).await(20, TimeUnit.SECONDS);
        assertThat(done).allMatch(Future::succeeded);
      } finally {
        pool.close().await();
        vertx.close().await();
      }

      assertThat(Db.count(pgUrl, "SELECT count(*) FROM messages WHERE user_id = '" + userId + "' AND status = 'sent'")).isEqualTo(4);
      assertThat(Db.ids(pgUrl, "SELECT provider_message_id FROM messages WHERE message_id = '" + ids.get(0) + "'"))
        .containsExactly("prov-\uFFFD-1");
      assertThat(Db.ids(pgUrl, "SELECT last_error FROM messages WHERE message_id = '" + ids.get(1) + "' AND status = 'failed'"))
        .containsExactly("provider said \uFFFD no");
      assertThat(gateway.balance(user)).isEqualTo(10_000 - 4 * 100);
    }
    Db.assertInvariantsHold(pgUrl);
  }
}
