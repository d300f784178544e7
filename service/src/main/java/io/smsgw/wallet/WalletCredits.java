package io.smsgw.wallet;

import io.smsgw.config.GatewayConfig;
import io.smsgw.wallet.async.WalletCacheInvalidator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.UUID;

/**
 * What a pod that credits wallets in PostgreSQL outside the wallet verticles (a worker's refund) tells the wallet, so
 * that a cached balance (async mode's Redis) does not stay too low. The worker knows only this, not the async mode.
 */
public interface WalletCredits {

  /** Nothing to tell: no balance mode in this configuration caches balances. */
  WalletCredits NONE = new WalletCredits() {
    @Override
    public void credited(UUID user, String why) {
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  };

  /** PostgreSQL credited {@code user} (best effort; never fails the caller). */
  void credited(UUID user, String why);

  Future<Void> close();

  /** For a worker pod: drops the cached balance in Redis when the balance modes use one, else {@link #NONE}. */
  static WalletCredits forWorker(Vertx vertx, GatewayConfig config) {
    WalletCacheInvalidator invalidator = WalletCacheInvalidator.forWorker(vertx, config);
    if (invalidator == null) return NONE;
    return new WalletCredits() {
      @Override
      public void credited(UUID user, String why) {
        invalidator.drop(user, why);
      }

      @Override
      public Future<Void> close() {
        return invalidator.close();
      }
    };
  }
}
