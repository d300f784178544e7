package io.smsgw.http;

import io.vertx.ext.web.handler.AuthenticationHandler;
import io.vertx.ext.web.RoutingContext;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * {@code Authorization: Bearer <admin token>} on every path under {@code /admin/}, compared in constant time.
 * A root handler, so it runs before the contract's body validation (as the API-key check does).
 */
final class AdminTokenHandler implements AuthenticationHandler {

  private final byte[] token;

  AdminTokenHandler(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext rc) {
    if (!rc.request().path().startsWith("/admin/")) {
      rc.next();
      return;
    }
    String header = rc.request().getHeader("Authorization");
    boolean ok = token.length > 0 && header != null && header.startsWith("Bearer ")
      && MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    if (ok) {
      rc.next();
    } else {
      ApiError.UNAUTHORIZED.send(rc, "missing or invalid admin token");
    }
  }
}
