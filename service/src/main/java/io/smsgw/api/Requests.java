package io.smsgw.api;

import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.ValidatedRequest;

import java.util.UUID;

/** Reading the contract-validated request, and answering JSON. */
public final class Requests {

  /** Every hop stays in this pod: each gateway pod runs all the verticles the request needs. */
  public static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setSendTimeout(10_000);

  private Requests() {
  }

  public static JsonObject body(RoutingContext rc) {
    ValidatedRequest request = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    return request.getBody().getJsonObject();
  }

  /** The contract's pattern already held the id to the canonical form; {@link Uuids} parses exactly that form. */
  public static UUID pathUuid(RoutingContext rc, String name) {
    ValidatedRequest request = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    return Uuids.parse(request.getPathParameters().get(name).getString());
  }

  public static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.toBuffer());
  }
}
