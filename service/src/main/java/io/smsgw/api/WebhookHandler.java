package io.smsgw.api;

import io.smsgw.api.errors.ApiError;
import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.platform.eventbus.Bus;
import io.smsgw.webhook.CallbackUrls;
import io.smsgw.webhook.WebhookAddresses;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.validation.RequestParameter;
import io.vertx.openapi.validation.ValidatedRequest;

/**
 * {@code PUT/GET/DELETE /webhook} and {@code GET /webhook/events}: the key's own user's webhook. A PUT checks the URL
 * ({@link CallbackUrls}, the name resolved off the event loop) and answers the new secret, once.
 */
final class WebhookHandler {

  private final Vertx vertx;
  private final CallbackUrls urls;
  private final DeliveryOptions options;

  WebhookHandler(Vertx vertx, CallbackUrls urls) {
    this.vertx = vertx;
    this.urls = urls;
    this.options = Bus.to(vertx, WebhookAddresses.PUT, Requests.LOCAL);
  }

  private static JsonObject user(RoutingContext rc) {
    return new JsonObject().put("user_id", ApiKeyAuthenticator.userOf(rc).toString());
  }

  void put(RoutingContext rc) {
    String url = Requests.body(rc).getString("url");
    urls.check(url).onComplete(
      target -> vertx.eventBus().<JsonObject>request(WebhookAddresses.PUT, user(rc).put("url", url), options)
        .onComplete(reply -> {
          JsonObject body = reply.body();
          Requests.json(rc, 200, new JsonObject().put("url", body.getString("url")).put("secret", body.getString("secret"))
            .put("created_at", body.getString("created_at")).put("updated_at", body.getString("updated_at")));
        }, failure -> ApiError.sendFailure(rc, failure)),
      failure -> refuse(rc, failure));
  }

  void get(RoutingContext rc) {
    vertx.eventBus().<JsonObject>request(WebhookAddresses.GET, user(rc), options)
      .onComplete(reply -> Requests.json(rc, 200, reply.body()), failure -> ApiError.sendFailure(rc, failure));
  }

  void delete(RoutingContext rc) {
    vertx.eventBus().<JsonObject>request(WebhookAddresses.DELETE, user(rc), options)
      .onComplete(reply -> rc.response().setStatusCode(204).end(), failure -> ApiError.sendFailure(rc, failure));
  }

  void events(RoutingContext rc) {
    ValidatedRequest request = rc.get(RouterBuilder.KEY_META_DATA_VALIDATED_REQUEST);
    RequestParameter status = request.getQuery().get("status");
    RequestParameter limit = request.getQuery().get("limit");
    JsonObject ask = user(rc)
      .put("status", status == null || status.isNull() ? null : status.getString())
      .put("limit", limit == null || limit.isNull() ? 100 : limit.getInteger());
    vertx.eventBus().<JsonObject>request(WebhookAddresses.EVENTS, ask, options)
      .onComplete(reply -> Requests.json(rc, 200, reply.body()), failure -> ApiError.sendFailure(rc, failure));
  }

  /** A URL refused by the rules (400 with its code), or a lookup that failed for another reason. */
  static void refuse(RoutingContext rc, Throwable failure) {
    if (failure instanceof CallbackUrls.Refused refused) {
      (refused.code.equals(CallbackUrls.NOT_ALLOWED) ? ApiError.CALLBACK_URL_NOT_ALLOWED : ApiError.INVALID_CALLBACK_URL)
        .send(rc, refused.getMessage());
    } else {
      ApiError.INVALID_CALLBACK_URL.send(rc, "the callback URL could not be checked: " + failure.getMessage());
    }
  }
}
