package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.delivery.DeliveryAddresses;
import io.smsgw.platform.eventbus.Bus;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;

/**
 * {@code POST /provider/delivery-reports}: the provider's signed reports (the signature was checked by the contract's
 * {@code ProviderSignature} scheme, the shape by the contract), handed to a delivery-report verticle; 200 once stored.
 */
final class DeliveryReportsHandler implements Handler<RoutingContext> {

  private final Vertx vertx;
  private final DeliveryOptions options;

  DeliveryReportsHandler(Vertx vertx) {
    this.vertx = vertx;
    this.options = Bus.to(vertx, DeliveryAddresses.STORE_REPORTS, Requests.LOCAL);
  }

  @Override
  public void handle(RoutingContext rc) {
    JsonObject body = rc.get(ContractBodyValidator.BODY);
    JsonArray reports = body.getJsonArray("reports");
    for (int i = 0; i < reports.size(); i++) {
      JsonObject r = reports.getJsonObject(i);
      if (r.getInteger("part") > r.getInteger("parts")) {
        ApiError.INVALID_REQUEST.send(rc, "reports[" + i + "]: part " + r.getInteger("part") + " of " + r.getInteger("parts"));
        return;
      }
      String done = r.getString("done_at");
      try {
        if (done != null) OffsetDateTime.parse(done);
      } catch (DateTimeParseException e) {
        ApiError.INVALID_REQUEST.send(rc, "reports[" + i + "].done_at is not an RFC 3339 date-time with an offset");
        return;
      }
    }
    vertx.eventBus().<JsonObject>request(DeliveryAddresses.STORE_REPORTS, new JsonObject().put("reports", reports), options)
      .onComplete(reply -> Requests.json(rc, 200, reply.body()),
        failure -> ApiError.UNAVAILABLE.retryAfter(rc, 1).send(rc, "the reports were not stored; send the batch again"));
  }
}
