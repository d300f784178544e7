package io.smsgw.wallet;

import io.smsgw.Addresses;
import io.smsgw.config.GatewayConfig;
import io.smsgw.sms.SmsMessage;
import io.smsgw.storage.Database;
import io.smsgw.storage.Replies;
import io.smsgw.storage.SqlQueries;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * The wallet (sync balance mode): PostgreSQL decides every charge. Owns the accept transaction
 * (message row + conditional debit + ledger), balances and top-ups.
 */
public class WalletVerticle extends VerticleBase {

  private Pool pool;
  private ChargeBatcher batcher;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    pool = Database.pool(vertx, config);
    batcher = new ChargeBatcher(pool, config.integer("charge", "max_batch"), config.integer("charge", "max_in_flight_batches"));
    var bus = vertx.eventBus();
    return Future.all(
      bus.<SmsMessage>localConsumer(Addresses.WALLET_CHARGE, this::charge).completion(),
      bus.<JsonObject>localConsumer(Addresses.WALLET_BALANCE, this::balance).completion(),
      bus.<JsonObject>localConsumer(Addresses.WALLET_TOPUP, this::topUp).completion());
  }

  private void charge(Message<SmsMessage> request) {
    batcher.charge(request.body()).onComplete(
      outcome -> request.reply(outcome.toJson()),
      failure -> Replies.unavailable(request, failure));
  }

  private void balance(Message<JsonObject> request) {
    UUID userId = UUID.fromString(request.body().getString("user_id"));
    pool.preparedQuery(SqlQueries.balance()).execute(Tuple.of(userId)).onComplete(rows -> {
      Row row = rows.size() == 0 ? null : rows.iterator().next();
      if (row == null) {
        request.fail(404, "no wallet for user " + userId);
      } else {
        request.reply(new JsonObject().put("user_id", userId.toString()).put("balance", row.getLong("balance")));
      }
    }, failure -> Replies.unavailable(request, failure));
  }

  private void topUp(Message<JsonObject> request) {
    UUID userId = UUID.fromString(request.body().getString("user_id"));
    long amount = request.body().getLong("amount");
    pool.preparedQuery(SqlQueries.topUp()).execute(Tuple.of(userId, amount)).onComplete(rows -> {
      if (rows.size() == 0) {
        request.fail(404, "no wallet for user " + userId);
      } else {
        // PostgreSQL first; then the async mode's cache of this wallet is dropped and re-seeded (no-op in sync mode).
        vertx.eventBus().send(Addresses.WALLET_CACHE_INVALIDATE, new JsonObject().put("user_id", userId.toString()));
        request.reply(new JsonObject().put("user_id", userId.toString()).put("balance", rows.iterator().next().getLong("balance")));
      }
    }, failure -> Replies.unavailable(request, failure));
  }
}
