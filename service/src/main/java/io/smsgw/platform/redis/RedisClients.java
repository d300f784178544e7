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
    return create(vertx, config, config.integer("redis", "pool_size"));
  }

  public static Redis create(Vertx vertx, GatewayConfig config, int poolSize) {
    RedisOptions options = new RedisOptions()
      .setConnectionString(config.string("redis", "url"))
      .setMaxPoolSize(poolSize)
      .setMaxPoolWaiting(config.integer("redis", "pool_waiting"))
      .setMaxWaitingHandlers(config.integer("redis", "pool_waiting"));
    options.getNetClientOptions().setConnectTimeout(config.integer("redis", "timeout_ms"));
    return Redis.createClient(vertx, options);
  }

  /** The Lua scripts on {@code redis}, each call bounded by {@code redis.timeout_ms}. */
  public static LuaScripts scripts(Redis redis, GatewayConfig config) {
    return scripts(redis, config.number("redis", "timeout_ms"));
  }

  /** The Lua scripts on {@code redis}, each call bounded by {@code timeoutMs}. */
  public static LuaScripts scripts(Redis redis, long timeoutMs) {
    return new LuaScripts(redis, timeoutMs);
  }
}
