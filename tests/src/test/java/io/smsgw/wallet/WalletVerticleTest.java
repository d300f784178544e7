package io.smsgw.wallet;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.eventbus.SmsMessageCodec;
import io.smsgw.platform.pg.Database;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestDatabase;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The wallet verticle deployed alone on the test's Vert.x against the real PostgreSQL, driven over the event bus as
 * the HTTP verticles drive it: charges, balances and top-ups.
 */
@ExtendWith(VertxExtension.class)
@DisplayName("WalletVerticle alone, over the event bus")
class WalletVerticleTest {

  Pool pool;
  EventBus bus;

  @BeforeEach
  void deploy(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().registerDefaultCodec(SmsMessage.class, new SmsMessageCodec());
    vertx.eventBus().registerDefaultCodec(ChargeOutcome.class, new ChargeOutcomeCodec());
    bus = vertx.eventBus();
    JsonObject config = TestDatabase.config(Map.of()).json();
    pool = Database.pool(vertx, TestDatabase.config(Map.of()));
    vertx.deployVerticle(new WalletVerticle(), new DeploymentOptions().setConfig(config)).onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void close() throws Exception {
    pool.close().await(10, TimeUnit.SECONDS);
  }

  private static SmsMessage sms(UUID user, long cost) {
    return new SmsMessage(UUID.randomUUID(), user, "+14155550100", "hello", Priority.NORMAL, Encoding.GSM7, 1, cost,
      System.currentTimeMillis());
  }

  @Test
  @DisplayName("wallet.charge: accepted, then the same message_id is a duplicate (with its status), and a poor wallet is refused")
  void charge(VertxTestContext ctx) throws Exception {
    UUID user = TestDatabase.createUser(pool, 150);
    SmsMessage first = sms(user, 100);
    bus.<ChargeOutcome>request(WalletAddresses.WALLET_CHARGE, first)
      .compose(accepted -> {
        ctx.verify(() -> assertThat(accepted.body().kind()).isEqualTo(ChargeOutcome.Kind.ACCEPTED));
        return bus.<ChargeOutcome>request(WalletAddresses.WALLET_CHARGE, first);
      })
      .compose(duplicate -> {
        ctx.verify(() -> {
          assertThat(duplicate.body().kind()).isEqualTo(ChargeOutcome.Kind.DUPLICATE);
          assertThat(duplicate.body().existingStatus()).isEqualTo("pending");
          assertThat(duplicate.body().existingOwner()).isEqualTo(user);
        });
        return bus.<ChargeOutcome>request(WalletAddresses.WALLET_CHARGE, sms(user, 100));
      })
      .onComplete(ctx.succeeding(poor -> ctx.verify(() -> {
        assertThat(poor.body().kind()).isEqualTo(ChargeOutcome.Kind.INSUFFICIENT_BALANCE);
        assertThat(TestDatabase.balance(user)).isEqualTo(50);
        ctx.completeNow();
      })));
  }

  @Test
  @DisplayName("credit for 5 messages and 50 concurrent charges: exactly 5 accepted, the wallet at 0")
  void neverBelowZero(VertxTestContext ctx) throws Exception {
    UUID user = TestDatabase.createUser(pool, 500);
    Checkpoint answered = ctx.checkpoint(50);
    ConcurrentLinkedQueue<ChargeOutcome.Kind> kinds = new ConcurrentLinkedQueue<>();
    for (int i = 0; i < 50; i++) {
      bus.<ChargeOutcome>request(WalletAddresses.WALLET_CHARGE, sms(user, 100)).onComplete(ctx.succeeding(reply -> {
        kinds.add(reply.body().kind());
        answered.flag();
      }));
    }
    assertThat(ctx.awaitCompletion(30, TimeUnit.SECONDS)).isTrue();
    assertThat(kinds.stream().filter(k -> k == ChargeOutcome.Kind.ACCEPTED).count()).isEqualTo(5);
    assertThat(kinds.stream().filter(k -> k == ChargeOutcome.Kind.INSUFFICIENT_BALANCE).count()).isEqualTo(45);
    assertThat(TestDatabase.balance(user)).isZero();
    Db.assertInvariantsHold(TestDatabase.url());
  }

  @Test
  @DisplayName("wallet.balance and wallet.topup: a top-up credits once per topup_id; an unknown user is 404")
  void balanceAndTopUp(VertxTestContext ctx) throws Exception {
    UUID user = TestDatabase.createUser(pool, 1_000);
    UUID topUpId = UUID.randomUUID();
    JsonObject topUp = new JsonObject().put("user_id", user.toString()).put("amount", 250).put("topup_id", topUpId.toString());
    bus.<JsonObject>request(WalletAddresses.WALLET_BALANCE, new JsonObject().put("user_id", user.toString()))
      .compose(balance -> {
        ctx.verify(() -> assertThat(balance.body().getLong("balance")).isEqualTo(1_000));
        return bus.<JsonObject>request(WalletAddresses.WALLET_TOPUP, topUp);
      })
      .compose(credited -> {
        ctx.verify(() -> assertThat(credited.body().getLong("balance")).isEqualTo(1_250));
        return bus.<JsonObject>request(WalletAddresses.WALLET_TOPUP, topUp);
      })
      .compose(again -> {
        ctx.verify(() -> assertThat(again.body().getJsonObject("duplicate").getMap())
          .containsEntry("topup_id", topUpId.toString()).containsEntry("user_id", user.toString()).containsEntry("amount", 250L));
        return bus.<JsonObject>request(WalletAddresses.WALLET_BALANCE, new JsonObject().put("user_id", UUID.randomUUID().toString()),
          new DeliveryOptions().setSendTimeout(5_000));
      })
      .onComplete(ctx.failing(unknown -> ctx.verify(() -> {
        assertThat(unknown).isInstanceOf(ReplyException.class);
        assertThat(((ReplyException) unknown).failureCode()).isEqualTo(404);
        assertThat(TestDatabase.balance(user)).isEqualTo(1_250);
        ctx.completeNow();
      })));
  }
}
