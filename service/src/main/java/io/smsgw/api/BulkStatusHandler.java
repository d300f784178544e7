package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.bulk.BulkAddresses;
import io.smsgw.platform.eventbus.Bus;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;

/** {@code GET /bulk/{bulk_id}}: the bulk's counts, to its owner only; another user's bulk is 404, as if it did not exist. */
final class BulkStatusHandler implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final DeliveryOptions options;

  BulkStatusHandler(Vertx vertx) {
    this.vertx = vertx;
    this.options = Bus.to(vertx, BulkAddresses.BULK_STATUS, Requests.LOCAL);
  }

  @Override
  public void handle(RoutingContext rc) {
    UUID bulkId = Requests.pathUuid(rc, "bulk_id");
    JsonObject query = new JsonObject().put("bulk_id", bulkId.toString()).put("user_id", ApiKeyAuthenticator.userOf(rc).toString());
    vertx.eventBus().<JsonObject>request(BulkAddresses.BULK_STATUS, query, options).onComplete(
      reply -> Requests.json(rc, 200, reply.body()),
      failure -> {
        if (failure instanceof io.vertx.core.eventbus.ReplyException reply && reply.failureCode() == 404) {
          ApiError.NOT_FOUND.send(rc, "no bulk " + bulkId);
        } else {
          ApiError.UNAVAILABLE.send(rc, "the service cannot reach its storage right now; retry");
        }
      });
  }
}
