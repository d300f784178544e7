package io.smsgw.account;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.pg.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnection;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One per gateway pod: {@code LISTEN smsgw_api_key_revoked} on its own PostgreSQL connection (the api_keys trigger notifies
 * when a revocation commits) and publishes each revoked key hash to the pod's HTTP verticles, which drop it from
 * their caches. It also tells them whether it is subscribed: while it is not (PostgreSQL restarted, connection lost),
 * they clear their caches and keep keys for a few seconds only. No query per request, no extra infrastructure.
 */
public class ApiKeyRevocationsVerticle extends VerticleBase {

  static final String CHANNEL = "smsgw_api_key_revoked";
  private static final Logger LOG = LoggerFactory.getLogger(ApiKeyRevocationsVerticle.class);

  private static final long HEARTBEAT_MS = 1000;
  private static final long HEARTBEAT_TIMEOUT_MS = 2000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);

  private PgSubscriber subscriber;
  private boolean listening;
  private boolean connectFailed;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    subscriber = PgSubscriber.subscriber(vertx, Database.connectOptions(config.pg().url()))
      .reconnectPolicy(retries -> 500L);  // forever, every 500 ms
    subscriber.channel(CHANNEL)
      .subscribeHandler(v -> state(true))
      .handler(hash -> vertx.eventBus().publish(AccountAddresses.ACCOUNT_KEYS_CHANGED, new JsonObject().put("revoked", hash.trim())));  // every pod, edge pods too
    var listeningConsumer = vertx.eventBus().<JsonObject>localConsumer(AccountAddresses.ACCOUNT_KEYS_LISTENING,
      m -> m.reply(new JsonObject().put("listening", listening)));
    // Not subscribed at start is fine: the HTTP verticles keep keys briefly until the listener is subscribed.
    connect();
    // The subscriber reconnects by itself but says nothing while it does, and a half-open connection says nothing at
    // all: a heartbeat on the listening connection (one tiny query a second per pod) notices both.
    vertx.setPeriodic(HEARTBEAT_MS, id -> heartbeat());
    return listeningConsumer.completion();
  }

  private void connect() {
    subscriber.connect().onFailure(e -> {
      if (!connectFailed) LOG.warn("API key revocation listener cannot connect yet: {}", e.getMessage());
      connectFailed = true;
    }).onSuccess(v -> connectFailed = false);
  }

  private void heartbeat() {
    PgConnection connection = subscriber.actualConnection();
    if (connection == null) {
      state(false);
      if (connectFailed) connect();
      return;
    }
    long timer = vertx.setTimer(HEARTBEAT_TIMEOUT_MS, t -> {
      state(false);
      connection.close();  // the subscriber reconnects and LISTENs again
    });
    connection.query("SELECT 1").execute().onComplete(done -> {
      vertx.cancelTimer(timer);
      if (done.failed()) {
        state(false);
        connection.close();
      }
    });
  }

  private void state(boolean now) {
    if (now == listening) return;
    listening = now;
    if (!now) LOG.warn("API key revocation listener disconnected: gateways keep keys for a few seconds only until it is back");
    vertx.eventBus().publish(AccountAddresses.ACCOUNT_KEYS_CHANGED, new JsonObject().put("listening", now), LOCAL);
  }

  @Override
  public Future<?> stop() {
    return subscriber == null ? Future.succeededFuture() : subscriber.close();
  }
}
