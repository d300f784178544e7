package io.smsgw.platform.redis;

import io.smsgw.config.GatewayConfig;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;

/**
 * The one place that builds Redis clients (reservations, settlement's releases, the guard's probe, the workers' cache
 * invalidation, rate limits): a pooled client from conf {@code redis.*}, short connect timeout, bounded wait queue.
 */
public final class RedisClients {

  private RedisClients() {
  }

  public static Redis create(Vertx vertx, GatewayConfig config) {
    return create(vertx, config, config.redis().poolSize());
  }

  public static Redis create(Vertx vertx, GatewayConfig config, int poolSize) {
    RedisOptions options = new RedisOptions()
      .setConnectionString(config.redis().url())
      .setMaxPoolSize(poolSize)
      .setMaxPoolWaiting(config.redis().poolWaiting())
      .setMaxWaitingHandlers(config.redis().poolWaiting());
    options.getNetClientOptions().setConnectTimeout(config.redis().timeoutMs());
    return Redis.createClient(vertx, options);
  }

  /** The Lua scripts on {@code redis}, each call bounded by {@code redis.timeout_ms}. */
  public static LuaScripts scripts(Redis redis, GatewayConfig config) {
    return scripts(redis, config.redis().timeoutMs());
  }

  /** The Lua scripts on {@code redis}, each call bounded by {@code timeoutMs}. */
  public static LuaScripts scripts(Redis redis, long timeoutMs) {
    return new LuaScripts(redis, timeoutMs);
  }
}
