package io.smsgw.api;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.status.StatusAddresses;

import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.api.errors.ApiError;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/** {@code GET /message-status/{message_id}}: another user's message is answered 404, as if it did not exist. */
final class MessageStatusHandler implements Handler<RoutingContext> {

  private final Vertx vertx;
  /** Decided once: the pod's verticles are deployed before its HTTP verticle builds this handler. */
  private final io.vertx.core.eventbus.DeliveryOptions options;

  MessageStatusHandler(Vertx vertx) {
    this.vertx = vertx;
    this.options = Bus.to(vertx, StatusAddresses.MESSAGE_STATUS, Requests.LOCAL);
  }

  @Override
  public void handle(RoutingContext rc) {
    UUID messageId = Requests.pathUuid(rc, "message_id");
    UUID caller = ApiKeyAuthenticator.userOf(rc);
    vertx.eventBus().<JsonObject>request(StatusAddresses.MESSAGE_STATUS, new JsonObject().put("message_id", messageId.toString()), options)
      .onComplete(reply -> {
        JsonObject status = reply.body();
        if (!caller.toString().equals(status.remove("user_id"))) {
          ApiError.NOT_FOUND.send(rc, "no message " + messageId);
        } else {
          Requests.json(rc, 200, status);
        }
      }, failure -> ApiError.sendFailure(rc, failure));
  }
}
