package io.smsgw.api;

import io.smsgw.api.errors.ApiError;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * Routes a request whose path is spelled in a non-canonical way ({@code //balance/x}, {@code /./a}, {@code /%61dmin})
 * again with its normalized path (what the router matches), so that the contract's path-parameter extraction and
 * validation, which read the request's path, see the same path as the router. Security does not depend on this:
 * it belongs to the matched route.
 */
final class CanonicalPath implements PlatformHandler {

  @Override
  public void handle(RoutingContext rc) {
    String normalized;
    try {
      normalized = rc.normalizedPath();
    } catch (IllegalArgumentException badEscape) {
      // "%zz", a lone "%": Vert.x cannot normalize the path, so no route can match it.
      ApiError.INVALID_REQUEST.send(rc, "the request path is not valid: " + badEscape.getMessage());
      return;
    }
    if (normalized != null && !normalized.equals(rc.request().path())) {
      rc.reroute(normalized);
    } else {
      rc.next();
    }
  }
}
