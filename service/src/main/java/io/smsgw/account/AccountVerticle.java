package io.smsgw.account;

import io.smsgw.platform.eventbus.Bus;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.pg.Database;
import io.smsgw.platform.pg.Replies;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.Base64;
import java.util.UUID;

/** Users and their API keys: creation (with the opening balance) and key lookup. */
public class AccountVerticle extends VerticleBase {

  private Pool pool;
  /** Key lookups that reached PostgreSQL (the HTTP verticles' caches answer the rest). */
  private Counter lookups;

  @Override
  public Future<?> start() {
    pool = Database.pool(vertx, new GatewayConfig(config()));
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    lookups = Counter.builder("smsgw.api_key.lookups").description("API key lookups that reached PostgreSQL")
      .register(registry == null ? new SimpleMeterRegistry() : registry);
    var bus = vertx.eventBus();
    return Future.all(
      Bus.<JsonObject>serve(vertx, AccountAddresses.ACCOUNT_CREATE, this::create).completion(),
      Bus.<JsonObject>serve(vertx, AccountAddresses.ACCOUNT_AUTHENTICATE, this::authenticate).completion(),
      Bus.<JsonObject>serve(vertx, AccountAddresses.ACCOUNT_KEY_CREATE, this::createKey).completion(),
      Bus.<JsonObject>serve(vertx, AccountAddresses.ACCOUNT_KEY_REVOKE, this::revokeKey).completion());
  }

  /**
   * {@code {"name", "balance"}} → {@code {"user_id", "key_id", "api_key", "balance"}}. The dev environment may pass
   * its own {@code user_id} and {@code api_key} so the README's examples work as written; a user that
   * already exists then answers 409.
   */
  private void create(Message<JsonObject> request) {
    JsonObject body = request.body();
    UUID userId = body.containsKey("user_id") ? UUID.fromString(body.getString("user_id")) : UUID.randomUUID();
    String apiKey = body.getString("api_key", ApiKeys.generate());
    long balance = body.getLong("balance", 0L);
    String name = body.getString("name");
    UUID keyId = UUID.randomUUID();
    pool.preparedQuery(AccountSql.createUser())
      .execute(Tuple.of(userId, name, Buffer.buffer(ApiKeys.hash(apiKey)), balance, keyId))
      .onComplete(rows -> {
        if (rows.size() == 0) {
          request.fail(409, "user exists");
        } else {
          request.reply(new JsonObject()
            .put("user_id", userId.toString()).put("name", name).put("key_id", keyId.toString()).put("api_key", apiKey).put("balance", balance));
        }
      }, failure -> Replies.unavailable(request, failure));
  }

  /** {@code {"key_hash": base64}} → {@code {"user_id"}}, or failure 401. */
  private void authenticate(Message<JsonObject> request) {
    byte[] hash = Base64.getDecoder().decode(request.body().getString("key_hash"));
    lookups.increment();
    pool.preparedQuery(AccountSql.userByApiKeyHash()).execute(Tuple.of(Buffer.buffer(hash))).onComplete(rows -> {
      if (rows.size() == 0) {
        request.fail(401, "unknown API key");
      } else {
        request.reply(new JsonObject().put("user_id", rows.iterator().next().getUUID("user_id").toString()));
      }
    }, failure -> Replies.unavailable(request, failure));
  }

  /** {@code {"user_id"}} → {@code {"key_id", "api_key", "created_at"}} (the key is shown once), or failure 404. */
  private void createKey(Message<JsonObject> request) {
    UUID userId = UUID.fromString(request.body().getString("user_id"));
    UUID keyId = UUID.randomUUID();
    String apiKey = ApiKeys.generate();
    pool.preparedQuery(AccountSql.createApiKey()).execute(Tuple.of(keyId, userId, Buffer.buffer(ApiKeys.hash(apiKey))))
      .onComplete(rows -> {
        if (rows.size() == 0) {
          request.fail(404, "no such user");
        } else {
          request.reply(new JsonObject().put("key_id", keyId.toString()).put("api_key", apiKey)
            .put("created_at", rows.iterator().next().getOffsetDateTime("created_at").toString()));
        }
      }, failure -> Replies.unavailable(request, failure));
  }

  /** {@code {"user_id", "key_id"}} → {@code {}}, or failure 404; revoking twice is fine (the first time stays). */
  private void revokeKey(Message<JsonObject> request) {
    UUID userId = UUID.fromString(request.body().getString("user_id"));
    UUID keyId = UUID.fromString(request.body().getString("key_id"));
    pool.preparedQuery(AccountSql.revokeApiKey()).execute(Tuple.of(userId, keyId)).onComplete(rows -> {
      if (rows.size() == 0) {
        request.fail(404, "that user has no such key");
      } else {
        request.reply(new JsonObject());
      }
    }, failure -> Replies.unavailable(request, failure));
  }
}
