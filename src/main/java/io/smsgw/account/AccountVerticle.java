package io.smsgw.account;

import io.smsgw.Addresses;
import io.smsgw.config.GatewayConfig;
import io.smsgw.storage.Database;
import io.smsgw.storage.Replies;
import io.smsgw.storage.SqlQueries;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Base64;
import java.util.UUID;

/** Users and their API keys: creation (with the opening balance) and key lookup. */
public class AccountVerticle extends VerticleBase {

  private Pool pool;

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, new GatewayConfig(config()));
    var bus = vertx.eventBus();
    return Future.all(
      bus.<JsonObject>localConsumer(Addresses.ACCOUNT_CREATE, this::create).completion(),
      bus.<JsonObject>localConsumer(Addresses.ACCOUNT_AUTHENTICATE, this::authenticate).completion());
  }

  /**
   * {@code {"name", "balance"}} → {@code {"user_id", "api_key", "balance"}}. The dev environment may pass
   * its own {@code user_id} and {@code api_key} so the README's examples work as written; a user that
   * already exists then answers 409.
   */
  private void create(Message<JsonObject> request) {
    JsonObject body = request.body();
    UUID userId = body.containsKey("user_id") ? UUID.fromString(body.getString("user_id")) : UUID.randomUUID();
    String apiKey = body.getString("api_key", ApiKeys.generate());
    long balance = body.getLong("balance", 0L);
    String name = body.getString("name");
    pool.preparedQuery(SqlQueries.createUser())
      .execute(Tuple.of(userId, name, Buffer.buffer(ApiKeys.hash(apiKey)), balance))
      .onComplete(rows -> {
        if (rows.size() == 0) {
          request.fail(409, "user exists");
        } else {
          request.reply(new JsonObject()
            .put("user_id", userId.toString()).put("name", name).put("api_key", apiKey).put("balance", balance));
        }
      }, failure -> Replies.unavailable(request, failure));
  }

  /** {@code {"key_hash": base64}} → {@code {"user_id"}}, or failure 401. */
  private void authenticate(Message<JsonObject> request) {
    byte[] hash = Base64.getDecoder().decode(request.body().getString("key_hash"));
    pool.preparedQuery(SqlQueries.userByApiKeyHash()).execute(Tuple.of(Buffer.buffer(hash))).onComplete(rows -> {
      if (rows.size() == 0) {
        request.fail(401, "unknown API key");
      } else {
        request.reply(new JsonObject().put("user_id", rows.iterator().next().getUUID("user_id").toString()));
      }
    }, failure -> Replies.unavailable(request, failure));
  }
}
