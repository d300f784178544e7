package io.smsgw.api;

import io.smsgw.api.errors.ApiError;

import io.vertx.ext.web.handler.PlatformHandler;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;

/**
 * A request body must be JSON: anything else is 415 (the OpenAPI validator would say 400, vertx-web#2933).
 * A platform handler, so it runs before the body is read.
 */
final class JsonContentType implements PlatformHandler {

  @Override
  public void handle(RoutingContext rc) {
    HttpMethod method = rc.request().method();
    if ((method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH) && hasBody(rc)) {
      String type = rc.request().getHeader("Content-Type");
      String mime = type == null ? "" : type.split(";", 2)[0].trim().toLowerCase(java.util.Locale.ROOT);
      if (!mime.equals("application/json")) {
        ApiError.UNSUPPORTED_MEDIA_TYPE.send(rc, "send the body as application/json");
        return;
      }
    }
    rc.next();
  }

  /** A POST without a body (issuing an API key) has no media type to check. */
  private static boolean hasBody(RoutingContext rc) {
    String length = rc.request().getHeader("Content-Length");
    return rc.request().getHeader("Transfer-Encoding") != null || (length != null && !length.trim().equals("0"));
  }
}
