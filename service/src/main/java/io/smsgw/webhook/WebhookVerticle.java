package io.smsgw.webhook;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.eventbus.Bus;
import io.smsgw.platform.pg.Database;
import io.smsgw.platform.pg.Replies;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.security.SecureRandom;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.UUID;

/**
 * The users' webhooks (gateway pods, {@code instances.webhooks}): register (a new secret each time), read, delete, and
 * list a user's events. The URL rules are checked by the HTTP side before it asks ({@link CallbackUrls}).
 */
public class WebhookVerticle extends VerticleBase {

  private static final SecureRandom RANDOM = new SecureRandom();
  private Pool pool;

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, new GatewayConfig(config()));
    return Future.all(
      Bus.<JsonObject>serve(vertx, WebhookAddresses.PUT, this::put).completion(),
      Bus.<JsonObject>serve(vertx, WebhookAddresses.GET, this::get).completion(),
      Bus.<JsonObject>serve(vertx, WebhookAddresses.DELETE, this::delete).completion(),
      Bus.<JsonObject>serve(vertx, WebhookAddresses.EVENTS, this::events).completion());
  }

  /** {@code whsec_} and 32 random bytes in hex: the HMAC-SHA256 key of the user's events. */
  static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return "whsec_" + HexFormat.of().formatHex(key);
  }

  private static UUID user(Message<JsonObject> request) {
    return UUID.fromString(request.body().getString("user_id"));
  }

  private void put(Message<JsonObject> request) {
    String secret = newSecret();
    pool.preparedQuery(WebhookSql.put()).execute(Tuple.of(user(request), request.body().getString("url"), secret))
      .onComplete(rows -> request.reply(describe(rows.iterator().next()).put("secret", secret)),
        failure -> Replies.unavailable(request, failure));
  }

  private void get(Message<JsonObject> request) {
    pool.preparedQuery(WebhookSql.get()).execute(Tuple.of(user(request))).onComplete(rows -> {
      if (rows.size() == 0) request.fail(404, "no webhook is registered for this user");
      else request.reply(describe(rows.iterator().next()));
    }, failure -> Replies.unavailable(request, failure));
  }

  private void delete(Message<JsonObject> request) {
    pool.preparedQuery(WebhookSql.delete()).execute(Tuple.of(user(request))).onComplete(rows -> {
      if (rows.rowCount() == 0) request.fail(404, "no webhook is registered for this user");
      else request.reply(new JsonObject());
    }, failure -> Replies.unavailable(request, failure));
  }

  private void events(Message<JsonObject> request) {
    JsonObject body = request.body();
    pool.preparedQuery(WebhookSql.events())
      .execute(Tuple.of(user(request), body.getString("status"), body.getInteger("limit")))
      .onComplete(rows -> request.reply(new JsonObject().put("events", events(rows))),
        failure -> Replies.unavailable(request, failure));
  }

  private static JsonArray events(RowSet<Row> rows) {
    JsonArray events = new JsonArray();
    for (Row row : rows) {
      events.add(new JsonObject()
        .put("event_id", row.getUUID("event_id").toString())
        .put("message_id", row.getUUID("message_id").toString())
        .put("url", row.getString("url"))
        .put("status", row.getString("status"))
        .put("attempts", row.getInteger("attempts"))
        .put("last_error", row.getString("last_error"))
        .put("created_at", text(row.getOffsetDateTime("created_at")))
        .put("last_attempt_at", text(row.getOffsetDateTime("last_attempt_at")))
        .put("delivered_at", text(row.getOffsetDateTime("delivered_at")))
        .put("event", new JsonObject(row.getString("payload"))));
    }
    return events;
  }

  private static JsonObject describe(Row row) {
    return new JsonObject().put("url", row.getString("url"))
      .put("created_at", text(row.getOffsetDateTime("created_at")))
      .put("updated_at", text(row.getOffsetDateTime("updated_at")));
  }

  private static String text(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
