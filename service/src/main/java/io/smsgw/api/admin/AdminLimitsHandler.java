package io.smsgw.api.admin;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.api.Requests;
import io.smsgw.api.errors.ApiError;

import io.smsgw.ratelimit.RateLimitVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code PUT /admin/users/{user_id}/limits} sets a user's rate limit, {@code DELETE} removes it (the default of
 * conf {@code rate_limit.*} applies again); both answer the limit now in force. The admin token is checked before.
 */
public final class AdminLimitsHandler {

  private final Vertx vertx;

  public AdminLimitsHandler(Vertx vertx) {
    this.vertx = vertx;
  }

  public void set(RoutingContext rc) {
    JsonObject body = Requests.body(rc);
    JsonObject request = new JsonObject().put("user_id", Requests.pathUuid(rc, "user_id").toString())
      .put("messages_per_second", body.getInteger("messages_per_second"));
    if (body.getInteger("burst") != null) request.put("burst", body.getInteger("burst"));
    send(rc, request);
  }

  public void remove(RoutingContext rc) {
    send(rc, new JsonObject().put("user_id", Requests.pathUuid(rc, "user_id").toString()));
  }

  private void send(RoutingContext rc, JsonObject request) {
    vertx.eventBus().<JsonObject>request(RateLimitVerticle.SET, request, Bus.to(vertx, RateLimitVerticle.SET, Requests.LOCAL))
      .onComplete(reply -> Requests.json(rc, 200, reply.body()), failure -> ApiError.sendFailure(rc, failure));
  }
}
