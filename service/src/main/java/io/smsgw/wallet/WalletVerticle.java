package io.smsgw.wallet;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Database;
import io.smsgw.platform.pg.Replies;
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
  private ChargeLanes batcher;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    pool = Database.pool(vertx, config);
    ChargeBatcher.Limits limits = limits(config);
    batcher = new ChargeLanes(vertx, Database.acceptPool(vertx, config, limits.statementTimeoutMs()), limits);
    var bus = vertx.eventBus();
    return Future.all(
      Bus.<SmsMessage>serve(vertx, WalletAddresses.WALLET_CHARGE, this::charge).completion(),
      Bus.<JsonObject>serve(vertx, WalletAddresses.WALLET_BALANCE, this::balance).completion(),
      Bus.<JsonObject>serve(vertx, WalletAddresses.WALLET_TOPUP, this::topUp).completion(),
      Bus.<JsonObject>serve(vertx, WalletAddresses.WALLET_CANCEL, this::cancel).completion());
  }

  /** {@code charge.*} from conf/; the HTTP side waits a little longer than the longest answer (see {@link #replyTimeoutMs}). */
  static ChargeBatcher.Limits limits(GatewayConfig config) {
    return new ChargeBatcher.Limits(config.charge().maxBatch(), config.charge().maxInFlightBatches(),
      config.charge().maxQueue(), config.charge().queueDeadlineMs(), config.charge().statementTimeoutMs());
  }

  /**
   * How long a caller of {@code wallet.charge} waits: longer than the wallet can take to answer, so the caller hears
   * the wallet's own answer (which says whether it charged) rather than a timeout of its own.
   */
  public static long replyTimeoutMs(GatewayConfig config) {
    return limits(config).longestAnswerMs() + 2000;
  }

  private void charge(Message<SmsMessage> request) {
    batcher.charge(request.body()).onComplete(
      outcome -> request.reply(outcome),
      failure -> ChargeFailure.reply(request, failure));
  }

  private void balance(Message<JsonObject> request) {
    UUID userId = UUID.fromString(request.body().getString("user_id"));
    pool.preparedQuery(WalletSql.balance()).execute(Tuple.of(userId)).onComplete(rows -> {
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
    String topUpIdText = request.body().getString("topup_id");
    UUID topUpId = topUpIdText == null ? null : UUID.fromString(topUpIdText);
    pool.preparedQuery(WalletSql.topUp()).execute(Tuple.of(userId, amount, topUpId)).onComplete(rows -> {
      Row row = rows.iterator().next();
      if (!row.getBoolean("wallet_exists")) {
        request.fail(404, "no wallet for user " + userId);
      } else if (row.getLong("balance") == null) {
        replyDuplicate(request, topUpId);
      } else {
        // PostgreSQL first; then the async mode's cache of this wallet is dropped and re-seeded (no-op in sync mode).
        vertx.eventBus().publish(WalletAddresses.WALLET_CACHE_INVALIDATE, new JsonObject().put("user_id", userId.toString()));  // every pod: its reservation verticles
        request.reply(new JsonObject().put("user_id", userId.toString()).put("balance", row.getLong("balance")));
      }
    }, failure -> Replies.unavailable(request, failure));
  }

  private void cancel(Message<JsonObject> request) {
    UUID messageId = UUID.fromString(request.body().getString("message_id"));
    UUID userId = UUID.fromString(request.body().getString("user_id"));
    pool.preparedQuery(WalletSql.cancelMessage()).execute(Tuple.of(messageId, userId)).onComplete(rows -> {
      Row row = rows.iterator().next();
      String outcome = row.getString("o_outcome");
      // The refund is in PostgreSQL: the async mode's cache of this wallet is dropped and re-seeded (as after a top-up).
      if ("canceled".equals(outcome)) {
        vertx.eventBus().publish(WalletAddresses.WALLET_CACHE_INVALIDATE, new JsonObject().put("user_id", userId.toString()));
      }
      request.reply(new JsonObject().put("outcome", outcome).put("status", row.getString("o_status"))
        .put("refunded", row.getLong("o_refunded")));
    }, failure -> Replies.unavailable(request, failure));
  }

  /** The topup_id was used before: nothing was credited now; the answer says what the first use credited. */
  private void replyDuplicate(Message<JsonObject> request, UUID topUpId) {
    pool.preparedQuery(WalletSql.topUpById()).execute(Tuple.of(topUpId)).onComplete(rows -> {
      JsonObject first = new JsonObject().put("topup_id", topUpId.toString());
      for (Row row : rows) first.put("user_id", row.getUUID("user_id").toString()).put("amount", row.getLong("amount"));
      request.reply(new JsonObject().put("duplicate", first));
    }, failure -> Replies.unavailable(request, failure));
  }

  @Override
  public Future<?> stop() {
    batcher.close();
    return Future.succeededFuture();
  }
}
