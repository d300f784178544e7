package io.smsgw.api.security;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.account.AccountAddresses;

import io.smsgw.api.Requests;

import io.smsgw.account.ApiKeys;
import io.smsgw.config.GatewayConfig;
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
 * Resolves an {@code X-API-Key} to its user, per HTTP verticle, with two caches so that the hot path does not
 * touch PostgreSQL:
 * <ul>
 *   <li>known keys, until revoked: the pod's {@code ApiKeyRevocationsVerticle} LISTENs for revocations and
 *   publishes each revoked hash here, which drops it. While that listener is not connected, nothing it would have
 *   said can be trusted: the cache is cleared and a key found meanwhile is kept for {@code auth.unlistened_key_ttl_ms}
 *   only, so a revocation takes effect within that time in every case;</li>
 *   <li>unknown keys, for {@code auth.unknown_key_ttl_ms} (bounded to {@code auth.unknown_key_cache_size}), so a
 *   client repeating a wrong key costs one query, not one per request.</li>
 * </ul>
 * A lookup during which a revocation arrived is not kept beyond the short time: its answer may predate the revocation.
 */
public final class ApiKeyAuthenticator implements AuthenticationProvider {

  /** The lookup could not reach storage: the answer is 503, not 401. */
  public static final class StorageUnavailable extends RuntimeException {
    StorageUnavailable() {
      super("storage unavailable", null, false, false);
    }
  }

  private record Known(UUID userId, long validUntilNanos) {
  }

  private static final int KNOWN_CACHE_SIZE = 100_000;

  private final Vertx vertx;
  /** In the pod when it runs the account verticle, else through the cluster (an edge pod). */
  private final io.vertx.core.eventbus.DeliveryOptions authenticate;
  private final long unknownTtlNanos;
  private final long unlistenedTtlNanos;
  private final Map<String, Known> known = lru(KNOWN_CACHE_SIZE);
  private final Map<String, Long> unknown;
  /** One database lookup per key at a time: a burst of a new key's requests costs one query, not one each. */
  private final Map<String, Future<UUID>> lookups = new java.util.HashMap<>();
  /** Whether revocations reach this cache now; false until the listener says it is subscribed. */
  private boolean listening;
  /** Counts revocations (and listener losses), so a lookup can tell whether one arrived while it was in flight. */
  private long generation;

  public ApiKeyAuthenticator(Vertx vertx, GatewayConfig config) {
    this.vertx = vertx;
    this.authenticate = Bus.to(vertx, AccountAddresses.ACCOUNT_AUTHENTICATE, Requests.LOCAL);
    this.unknownTtlNanos = config.auth().unknownKeyTtlMs() * 1_000_000L;
    this.unlistenedTtlNanos = config.auth().unlistenedKeyTtlMs() * 1_000_000L;
    this.unknown = lru(config.auth().unknownKeyCacheSize());
  }

  /** Follows the pod's revocation listener; call from the verticle's start (its event loop). */
  public Future<Void> follow() {
    var consumer = Bus.<JsonObject>hear(vertx, AccountAddresses.ACCOUNT_KEYS_CHANGED, m -> changed(m.body()));
    return consumer.completion()
      .compose(v -> vertx.eventBus().<JsonObject>request(AccountAddresses.ACCOUNT_KEYS_LISTENING, new JsonObject(), Requests.LOCAL)
        .map(reply -> {
          changed(reply.body());
          return (Void) null;
        })
        .otherwiseEmpty());  // no listener in this pod: stay on the short cache
  }

  private void changed(JsonObject change) {
    String revoked = change.getString("revoked");
    if (revoked != null) {
      known.remove(revoked);
      generation++;
    }
    Boolean now = change.getBoolean("listening");
    if (now != null) {
      if (!now) {
        known.clear();
        generation++;
      }
      listening = now;
    }
  }

  public static UUID userOf(io.vertx.ext.web.RoutingContext rc) {
    return UUID.fromString(rc.user().principal().getString("user_id"));
  }

  @Override
  public Future<User> authenticate(Credentials credentials) {
    String key = ((TokenCredentials) credentials).getToken();
    if (key == null || key.isEmpty()) return Future.failedFuture("missing API key");
    String hash = Base64.getEncoder().encodeToString(ApiKeys.hash(key));
    long now = System.nanoTime();
    Known cached = known.get(hash);
    if (cached != null) {
      if (now - cached.validUntilNanos() < 0) return Future.succeededFuture(user(cached.userId()));
      known.remove(hash);
    }
    Long unknownUntil = unknown.get(hash);
    if (unknownUntil != null) {
      if (now - unknownUntil < 0) return Future.failedFuture("unknown API key");
      unknown.remove(hash);
    }
    Future<UUID> lookup = lookups.get(hash);
    if (lookup == null) {
      lookup = lookup(hash);
      lookups.put(hash, lookup);
      lookup.onComplete(done -> lookups.remove(hash));
    }
    return lookup.map(ApiKeyAuthenticator::user);
  }

  /** The generation is the lookup's own: a revocation during it keeps its answer short-lived, whoever joined it. */
  private Future<UUID> lookup(String hash) {
    long generationAtStart = generation;
    Future<UUID> userId = vertx.eventBus().<JsonObject>request(AccountAddresses.ACCOUNT_AUTHENTICATE, new JsonObject().put("key_hash", hash), authenticate)
      .recover(failure -> {
        if (failure instanceof ReplyException reply && reply.failureCode() == 401) {
          unknown.put(hash, System.nanoTime() + unknownTtlNanos);
          return Future.failedFuture("unknown API key");
        }
        return Future.failedFuture(new StorageUnavailable());
      })
      .map(reply -> {
        UUID user = UUID.fromString(reply.body().getString("user_id"));
        boolean untilRevoked = listening && generation == generationAtStart;
        known.put(hash, new Known(user, untilRevoked ? System.nanoTime() + Long.MAX_VALUE / 2 : System.nanoTime() + unlistenedTtlNanos));
        return user;
      });
    return userId;
  }

  private static User user(UUID userId) {
    return User.create(new JsonObject().put("user_id", userId.toString()));
  }

  private static <V> Map<String, V> lru(int size) {
    return new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
        return size() > size;
      }
    };
  }
}
