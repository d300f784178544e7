package io.smsgw.http;

import io.smsgw.Addresses;
import io.smsgw.account.ApiKeys;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.AuthenticationProvider;
import io.vertx.ext.auth.authentication.Credentials;
import io.vertx.ext.auth.authentication.TokenCredentials;

import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Resolves an {@code X-API-Key} to its user. Known keys are cached per HTTP verticle (keys are never
 * reassigned), so the hot path does not touch PostgreSQL for authentication.
 */
final class ApiKeyAuthenticator implements AuthenticationProvider {

  /** The lookup could not reach storage: the answer is 503, not 401. */
  static final class StorageUnavailable extends RuntimeException {
    StorageUnavailable() {
      super("storage unavailable", null, false, false);
    }
  }

  private static final int CACHE_SIZE = 100_000;

  private final Vertx vertx;
  private final Map<String, UUID> cache = new LinkedHashMap<>(1024, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, UUID> eldest) {
      return size() > CACHE_SIZE;
    }
  };

  ApiKeyAuthenticator(Vertx vertx) {
    this.vertx = vertx;
  }

  static UUID userOf(io.vertx.ext.web.RoutingContext rc) {
    return UUID.fromString(rc.user().principal().getString("user_id"));
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    String key = ((TokenCredentials) credentials).getToken();
    if (key == null || key.isEmpty()) return Future.failedFuture("missing API key");
    String hash = Base64.getEncoder().encodeToString(ApiKeys.hash(key));
    UUID cached = cache.get(hash);
    if (cached != null) return Future.succeededFuture(user(cached));
    return vertx.eventBus().<JsonObject>request(Addresses.ACCOUNT_AUTHENTICATE, new JsonObject().put("key_hash", hash), Requests.LOCAL)
      .recover(failure -> failure instanceof ReplyException reply && reply.failureCode() == 401
        ? Future.failedFuture("unknown API key")
        : Future.failedFuture(new StorageUnavailable()))
      .map(reply -> {
        UUID userId = UUID.fromString(reply.body().getString("user_id"));
        cache.put(hash, userId);
        return user(userId);
      });
  }

  private static User user(UUID userId) {
    return User.create(new JsonObject().put("user_id", userId.toString()));
  }
}
