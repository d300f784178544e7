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

  BalanceHandler(Vertx vertx) {
    this.vertx = vertx;
  }

  @Override
  public void handle(RoutingContext rc) {
    UUID userId = Requests.pathUuid(rc, "user_id");
    if (!userId.equals(ApiKeyAuthenticator.userOf(rc))) {
      ApiError.FORBIDDEN.send(rc, "this API key may not read that wallet");
      return;
    }
    vertx.eventBus().<JsonObject>request(WalletAddresses.WALLET_BALANCE, new JsonObject().put("user_id", userId.toString()), Bus.to(vertx, WalletAddresses.WALLET_BALANCE, Requests.LOCAL))
      .onComplete(reply -> Requests.json(rc, 200, reply.body()), failure -> ApiError.sendFailure(rc, failure));
  }
}
