package io.smsgw.api.security;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import io.vertx.ext.web.handler.JWTAuthHandler;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The contract's {@code AdminToken} scheme ({@code type: http, scheme: bearer}): {@code Authorization: Bearer <admin
 * token>}, compared in constant time. Registered with {@code RouterBuilder.security("AdminToken")}, so the router
 * puts it on exactly the operations whose security names AdminToken, on the route it matched (however the path was
 * spelled), before the contract's validation and the handlers.
 *
 * <p>The router's slot for a bearer scheme takes a {@link JWTAuthHandler} (vertx-web-openapi-router 5.0.7 checks
 * only that the scheme is http/bearer); that interface adds nothing but scopes to a plain authentication handler,
 * and this token has none, so the scope methods are no-ops. Nothing here parses a JWT.
 */
public final class AdminTokenHandler implements JWTAuthHandler {

  private final byte[] token;

  public AdminTokenHandler(String token) {
    this.token = token.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void handle(RoutingContext rc) {
    String header = rc.request().getHeader("Authorization");
    boolean ok = token.length > 0 && header != null && header.startsWith("Bearer ")
      && MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    if (ok) {
      rc.next();
    } else {
      rc.response().putHeader("WWW-Authenticate", "Bearer");
      rc.fail(new HttpException(401, "missing or invalid admin token"));
    }
  }

  @Override
  public JWTAuthHandler scopeDelimiter(String delimiter) {
    return this;
  }

  @Override
  public JWTAuthHandler withScope(String scope) {
    return this;
  }

  @Override
  public JWTAuthHandler withScopes(List<String> scopes) {
    return this;
  }
}
