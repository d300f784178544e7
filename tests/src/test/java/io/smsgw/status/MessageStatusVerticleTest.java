package io.smsgw.status;

import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Database;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The status verticle deployed alone on the test's Vert.x against the real PostgreSQL, asked over the event bus. */
@ExtendWith(VertxExtension.class)
@DisplayName("MessageStatusVerticle alone, over the event bus")
class MessageStatusVerticleTest {

  Pool pool;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    pool = Database.pool(vertx, TestDatabase.config(Map.of()));
    vertx.deployVerticle(new MessageStatusVerticle(), new DeploymentOptions().setConfig(TestDatabase.config(Map.of()).json()))
      .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("message.status answers the stored document with its owner, and follows the row as it moves to sent")
  void statusOfAMessage(Vertx vertx, VertxTestContext ctx) throws Exception {
    UUID user = TestDatabase.createUser(pool, 1_000);
    SmsMessage message = TestDatabase.accept(pool, user, "where am I");
    JsonObject ask = new JsonObject().put("message_id", message.messageId().toString());
    vertx.eventBus().<JsonObject>request(StatusAddresses.MESSAGE_STATUS, ask)
      .compose(pending -> {
        ctx.verify(() -> {
          assertThat(pending.body().getMap())
            .containsEntry("message_id", message.messageId().toString()).containsEntry("user_id", user.toString())
            .containsEntry("status", "pending").containsEntry("priority", "normal").containsEntry("phone_number", "+14155550100")
            .containsEntry("segments", 1).containsEntry("cost", 100L).containsEntry("attempts", 0).containsEntry("refunded", false);
          assertThat(pending.body().getString("accepted_at")).isNotBlank();
          assertThat(pending.body().getString("sent_at")).isNull();
        });
        // (blocking JDBC, so off the event loop)
        return vertx.executeBlocking(() -> {
          Db.execute(TestDatabase.url(), "UPDATE messages SET status = 'sent', sent_at = now(), provider_message_id = 'prov-1' "
            + "WHERE message_id = '" + message.messageId() + "'");
          return null;
        }).compose(v -> vertx.eventBus().<JsonObject>request(StatusAddresses.MESSAGE_STATUS, ask));
      })
      .onComplete(ctx.succeeding(sent -> ctx.verify(() -> {
        assertThat(sent.body().getString("status")).isEqualTo("sent");
        assertThat(sent.body().getString("provider_message_id")).isEqualTo("prov-1");
        assertThat(sent.body().getString("sent_at")).isNotBlank();
        ctx.completeNow();
      })));
  }

  @Test
  @DisplayName("an unknown message_id is a 404 failure")
  void unknownMessage(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().request(StatusAddresses.MESSAGE_STATUS, new JsonObject().put("message_id", UUID.randomUUID().toString()))
      .onComplete(ctx.failing(failure -> ctx.verify(() -> {
        assertThat(((ReplyException) failure).failureCode()).isEqualTo(404);
        ctx.completeNow();
      })));
  }
}
