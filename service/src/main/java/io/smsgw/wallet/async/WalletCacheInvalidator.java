package io.smsgw.wallet.async;

import io.smsgw.platform.redis.LuaScripts;

import io.smsgw.wallet.BalanceModes;
import io.smsgw.platform.redis.RedisClients;

import io.smsgw.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.UUID;

/**
 * Drops a wallet's cached available balance in Redis after PostgreSQL credited it (a top-up on a gateway, a
 * refund on a worker), so the next request re-seeds it from PostgreSQL instead of answering insufficient_balance from a balance
 * that is too low until the cache expires. Always safe: a missing entry is re-seeded (minus what is unsettled).
 * Best effort: if Redis does not answer, the cache stays low (never too high) until {@code redis.cache_ttl_s}.
 */
public final class WalletCacheInvalidator {

  private static final Logger LOG = LoggerFactory.getLogger(WalletCacheInvalidator.class);

  private final LuaScripts scripts;
  private final RedisKeys keys;
  private final Redis ownRedis;

  WalletCacheInvalidator(LuaScripts scripts, RedisKeys keys) {
    this.scripts = scripts;
    this.keys = keys;
    this.ownRedis = null;
  }

  private WalletCacheInvalidator(Redis redis, GatewayConfig config) {
    this.scripts = RedisClients.scripts(redis, config);
    this.keys = RedisKeys.of(config);
    this.ownRedis = redis;
  }

  /**
   * For a pod without the reservation verticle (a worker): its own small Redis client, or none when the balance
   * modes do not use Redis or no Redis is configured.
   */
  public static WalletCacheInvalidator forWorker(Vertx vertx, GatewayConfig config) {
    BalanceModes modes = BalanceModes.from(config);
    if (!modes.usesRedis()) return null;
    if (config.redis().url().isEmpty()) {
      LOG.warn("balance mode {} uses Redis but redis.url is not set: refunds will not refresh the cached wallets "
        + "(they stay low until redis.cache_ttl_s)", modes);
      return null;
    }
    return new WalletCacheInvalidator(RedisClients.create(vertx, config, 2), config);
  }

  public Future<Void> drop(UUID user, String why) {
    return scripts.run(ReservationScripts.INVALIDATE, List.of(keys.epoch()), keys.prefix(), user).<Void>mapEmpty()
      .onFailure(e -> LOG.debug("cache of {} not dropped after {}: {}", user, why, e.toString()));
  }

  public Future<Void> close() {
    return ownRedis == null ? Future.succeededFuture() : ownRedis.close();
  }
}
