package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.platform.eventbus.Bus;
import io.smsgw.wallet.WalletAddresses;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/**
 * {@code POST /messages/{message_id}/cancel}: the caller's message, if no worker has it yet (scheduled, or pending and
 * never claimed), becomes {@code canceled} and is refunded once; a repeated cancel answers the same 200 and refunds
 * nothing more. A message already on its way (claimed, sent, final) is a 409 with its status; another user's is a 404.
 */
final class CancelMessageHandler implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final DeliveryOptions options;

  CancelMessageHandler(Vertx vertx) {
    this.vertx = vertx;
    this.options = Bus.to(vertx, WalletAddresses.WALLET_CANCEL, Requests.LOCAL);
  }

  @Override
  public void handle(RoutingContext rc) {
    UUID messageId = Requests.pathUuid(rc, "message_id");
    UUID caller = ApiKeyAuthenticator.userOf(rc);
    JsonObject request = new JsonObject().put("message_id", messageId.toString()).put("user_id", caller.toString());
    vertx.eventBus().<JsonObject>request(WalletAddresses.WALLET_CANCEL, request, options).onComplete(reply -> {
      JsonObject body = reply.body();
      switch (body.getString("outcome")) {
        case "canceled", "already_canceled" -> Requests.json(rc, 200, new JsonObject()
          .put("message_id", messageId.toString()).put("status", "canceled").put("refunded", body.getLong("refunded")));
        case "not_cancelable" -> ApiError.NOT_CANCELABLE.send(rc, "the message is already on its way (" + body.getString("status")
          + "); nothing was changed", new JsonObject().put("message_id", messageId.toString()).put("status", body.getString("status")));
        default -> ApiError.NOT_FOUND.send(rc, "no message " + messageId);
      }
    }, failure -> ApiError.sendFailure(rc, failure));
  }
}
