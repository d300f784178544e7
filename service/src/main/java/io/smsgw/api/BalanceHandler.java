package io.smsgw.api;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.wallet.WalletAddresses;

import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.api.errors.ApiError;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/** {@code GET /balance/{user_id}}: a key reads only its own wallet. */
final class BalanceHandler implements Handler<RoutingContext> {

  private final Vertx vertx;
  /** Decided once: the pod's verticles are deployed before its HTTP verticle builds this handler. */
  private final io.vertx.core.eventbus.DeliveryOptions options;

  BalanceHandler(Vertx vertx) {
    this.vertx = vertx;
    this.options = Bus.to(vertx, WalletAddresses.WALLET_BALANCE, Requests.LOCAL);
  }

  @Override
  public void handle(RoutingContext rc) {
    UUID userId = Requests.pathUuid(rc, "user_id");
    if (!userId.equals(ApiKeyAuthenticator.userOf(rc))) {
      ApiError.FORBIDDEN.send(rc, "this API key may not read that wallet");
      return;
    }
    vertx.eventBus().<JsonObject>request(WalletAddresses.WALLET_BALANCE, new JsonObject().put("user_id", userId.toString()), options)
      .onComplete(reply -> Requests.json(rc, 200, reply.body()), failure -> ApiError.sendFailure(rc, failure));
  }
}
