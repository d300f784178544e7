package io.smsgw.status;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.pg.Database;
import io.smsgw.platform.pg.Replies;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.UUID;

/** Reads where a message is: {@code {"message_id"}} → the status document (with its owner), or 404. */
public class MessageStatusVerticle extends VerticleBase {

  private Pool pool;

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, new GatewayConfig(config()));
    return Bus.<JsonObject>serve(vertx, StatusAddresses.MESSAGE_STATUS, this::status).completion();
  }

  private void status(Message<JsonObject> request) {
    UUID messageId = UUID.fromString(request.body().getString("message_id"));
    pool.preparedQuery(StatusSql.messageStatus()).execute(Tuple.of(messageId)).onComplete(rows -> {
      if (rows.size() == 0) {
        request.fail(404, "no message " + messageId);
      } else {
        request.reply(toJson(rows.iterator().next()));
      }
    }, failure -> Replies.unavailable(request, failure));
  }

  private static JsonObject toJson(Row row) {
    JsonObject status = new JsonObject()
      .put("message_id", row.getUUID("message_id").toString())
      .put("user_id", row.getUUID("user_id").toString())
      .put("status", row.getString("status"))
      .put("priority", row.getString("priority"))
      .put("phone_number", row.getString("phone_number"))
      .put("segments", row.getInteger("segments"))
      .put("cost", row.getLong("cost"))
      .put("accepted_at", text(row.getOffsetDateTime("accepted_at")))
      .put("send_at", text(row.getOffsetDateTime("send_at")))
      .put("expires_at", text(row.getOffsetDateTime("expires_at")))
      .put("queued", row.getBoolean("queued"))
      .put("sent_at", text(row.getOffsetDateTime("sent_at")))
      .put("delivered_at", text(row.getOffsetDateTime("delivered_at")))
      .put("provider", row.getString("provider"))
      .put("provider_message_id", row.getString("provider_message_id"))
      .put("attempts", row.getInteger("attempts"))
      .put("last_error", row.getString("last_error"))
      .put("refunded", row.getBoolean("refunded"))
      .put("outcome_unknown", row.getBoolean("outcome_unknown"));
    String parts = row.getString("parts");
    if (parts != null) status.put("parts", normalizedTimes(new JsonArray(parts)));
    return status;
  }

  /** json_build_object writes timestamptz in PostgreSQL's text form; the API's times are ISO-8601 instants. */
  private static JsonArray normalizedTimes(JsonArray parts) {
    for (int i = 0; i < parts.size(); i++) {
      JsonObject part = parts.getJsonObject(i);
      String done = part.getString("done_at");
      if (done != null) part.put("done_at", OffsetDateTime.parse(done).toInstant().toString());
    }
    return parts;
  }

  private static String text(OffsetDateTime time) {
    return time == null ? null : time.toInstant().toString();
  }
}
