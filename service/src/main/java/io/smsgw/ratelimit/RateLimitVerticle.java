package io.smsgw.ratelimit;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.PeriodicTask;
import io.smsgw.platform.redis.RedisClients;
import io.smsgw.platform.pg.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One per gateway pod: builds the pod's {@link RateLimiter} (default from conf {@code rate_limit.*}, one Redis
 * client when {@code redis.url} is set), loads the users' overrides from PostgreSQL before the HTTP port opens,
 * then reloads what changed every {@code rate_limit.reload_interval_ms} (one query per interval, never one per
 * request). Serves {@link #SET}: the admin API's writes, applied to this pod at once; the other pods learn them at
 * their next reload.
 */
public class RateLimitVerticle extends VerticleBase {

  /** {@code {"user_id", "messages_per_second"?, "burst"?}} (no rate: remove the override) → the limit in force; 404. */
  public static final String SET = "ratelimit.set";
  /**
   * Published to every pod when an override is stored ({@code {"user_id", "messages_per_second"?, "burst"?,
   * "updated_at"}}): each pod's limiter applies it at once instead of at its next reload.
   */
  public static final String CHANGED = "ratelimit.changed";

  private static final Logger LOG = LoggerFactory.getLogger(RateLimitVerticle.class);
  private static final int REDIS_CONNECTIONS = 16;

  private Pool pool;
  private Redis redis;
  private RateLimiter limiter;
  private OffsetDateTime lastSeen;
  private PeriodicTask reloads;
  private long tidyTimer = -1;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    pool = Database.pool(vertx, config);
    RedisRateLimit shared = null;
    if (!config.redis().url().isEmpty()) {
      // Redis is single-threaded: a few connections carry the checks; fewer to open at once after a start.
      redis = RedisClients.create(vertx, config, REDIS_CONNECTIONS);
      shared = new RedisRateLimit(RedisClients.scripts(redis, config.rateLimit().redisTimeoutMs()),
        config.redis().keyPrefix());
    } else {
      LOG.info("rate limits: no redis.url, so each gateway pod enforces them alone");
    }
    limiter = new RateLimiter(
      UserLimit.of(config.rateLimit().defaultMessagesPerSecond(), config.rateLimit().defaultBurst()),
      shared, config.rateLimit().localPods(), config.rateLimit().redisRetryMs());
    long interval = config.rateLimit().reloadIntervalMs();
    return Future.all(warmUp(config), pool.query(RateLimitQueries.all()).execute().onSuccess(this::apply)).onSuccess(rows -> {
      vertx.sharedData().<String, RateLimiter>getLocalMap(RateLimiter.MAP).put(RateLimiter.KEY, limiter);
      // Idle buckets are dropped every interval, even while a reload is still waiting for PostgreSQL.
      tidyTimer = vertx.setPeriodic(interval, id -> limiter.tidy());
      reloads = PeriodicTask.every(vertx, interval, this::reload);
    }).compose(rows -> Future.all(Bus.<JsonObject>serve(vertx, SET, this::set).completion(),
      Bus.<JsonObject>hear(vertx, CHANGED, m -> changed(m.body())).completion()));
  }

  /** Best effort: one connection open and the script loaded before the first request (a cold burst timed out). */
  private Future<Void> warmUp(GatewayConfig config) {
    if (redis == null) return Future.succeededFuture();
    return redis.send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(RedisRateLimit.ADMIT.source()))
      .timeout(config.redis().timeoutMs(), TimeUnit.MILLISECONDS)
      .<Void>mapEmpty()
      .recover(e -> {
        LOG.warn("rate limits: Redis does not answer at start ({}); the pod decides alone until it does", e.toString());
        return Future.succeededFuture();
      });
  }

  /** One query; the next one interval later, whatever this one found. */
  private Future<Boolean> reload() {
    Future<RowSet<Row>> rows = lastSeen == null
      ? pool.query(RateLimitQueries.all()).execute()
      : pool.preparedQuery(RateLimitQueries.changedSince()).execute(Tuple.of(lastSeen));
    return rows.onComplete(this::apply, e -> LOG.debug("rate limits not reloaded (next try in one interval): {}", e.toString()))
      .transform(done -> Future.succeededFuture(false));
  }

  /** Rows are the current state of each user's override, so applying them in any order is right. */
  private void apply(RowSet<Row> rows) {
    for (Row row : rows) {
      OffsetDateTime updatedAt = row.getOffsetDateTime("updated_at");
      limiter.apply(row.getUUID("user_id"), limitOf(row), updatedAt);
      if (lastSeen == null || updatedAt.isAfter(lastSeen)) lastSeen = updatedAt;
    }
  }

  private static UserLimit limitOf(Row row) {
    Integer perSecond = row.getInteger("messages_per_second");
    return perSecond == null ? null : new UserLimit(perSecond, row.getInteger("burst"));
  }

  private void set(Message<JsonObject> request) {
    JsonObject body = request.body();
    UUID user = UUID.fromString(body.getString("user_id"));
    Integer perSecond = body.getInteger("messages_per_second");
    Integer burst = perSecond == null ? null : new UserLimit(perSecond, body.getInteger("burst", 0)).burst();
    pool.preparedQuery(RateLimitQueries.upsert()).execute(Tuple.of(user, perSecond, burst)).onComplete(rows -> {
      if (rows.size() == 0) {
        request.fail(404, "no such user");
        return;
      }
      Row row = rows.iterator().next();
      limiter.apply(user, limitOf(row), row.getOffsetDateTime("updated_at"));
      vertx.eventBus().publish(CHANGED, new JsonObject().put("user_id", user.toString())
        .put("messages_per_second", row.getInteger("messages_per_second")).put("burst", row.getInteger("burst"))
        .put("updated_at", row.getOffsetDateTime("updated_at").toString()));
      request.reply(inForce(user));
    }, failure -> {
      LOG.warn("rate limit of {} not stored: {}", user, failure.toString());
      request.fail(503, "storage unavailable");
    });
  }

  /** Another pod (or this one) stored an override: the same state its next reload would read. */
  private void changed(JsonObject change) {
    Integer perSecond = change.getInteger("messages_per_second");
    UserLimit limit = perSecond == null ? null : new UserLimit(perSecond, change.getInteger("burst"));
    limiter.apply(UUID.fromString(change.getString("user_id")), limit, OffsetDateTime.parse(change.getString("updated_at")));
  }

  private JsonObject inForce(UUID user) {
    UserLimit limit = limiter.limitOf(user);
    return new JsonObject()
      .put("user_id", user.toString())
      .put("messages_per_second", limit.perSecond())
      .put("burst", limit.burst())
      .put("source", limit == limiter.defaultLimit() ? "default" : "override");
  }

  @Override
  public Future<?> stop() {
    if (reloads != null) reloads.close();
    if (tidyTimer >= 0) vertx.cancelTimer(tidyTimer);
    vertx.sharedData().<String, RateLimiter>getLocalMap(RateLimiter.MAP).remove(RateLimiter.KEY);
    return redis == null ? Future.succeededFuture() : redis.close();
  }
}
