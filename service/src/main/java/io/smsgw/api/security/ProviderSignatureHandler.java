package io.smsgw.api.security;

import io.smsgw.provider.ReportSignature;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.handler.HttpException;

import java.util.function.Function;

/**
 * The contract's {@code ProviderSignature} scheme ({@code type: apiKey, in: header, name: X-Provider-Signature}): the
 * provider's callback is signed over its raw body with {@code provider.dlr_secret} ({@link ReportSignature}), within
 * {@value #TOLERANCE_S} s of this pod's clock. Registered with {@code RouterBuilder.security("ProviderSignature")}; the
 * body is already read (the root BodyHandler runs first). An empty secret refuses every request.
 *
 * <p>The router's slot for an apiKey scheme takes an {@link APIKeyHandler}, whose own implementation passes the header
 * to an authentication provider without the body; this one needs the body, so it implements the interface itself and
 * the configuration methods are no-ops (the header name is the contract's, fixed here).
 */
public final class ProviderSignatureHandler implements APIKeyHandler {

  static final long TOLERANCE_S = 300;

  private final String secret;

  public ProviderSignatureHandler(String secret) {
    this.secret = secret;
  }

  @Override
  public void handle(RoutingContext rc) {
    byte[] body = rc.body() == null || rc.body().buffer() == null ? new byte[0] : rc.body().buffer().getBytes();
    if (ReportSignature.verify(secret, rc.request().getHeader(ReportSignature.HEADER), body, System.currentTimeMillis() / 1000, TOLERANCE_S)) {
      rc.next();
    } else {
      rc.fail(new HttpException(401, secret.isEmpty() ? "delivery reports are not accepted: provider.dlr_secret is not set"
        : "missing or invalid " + ReportSignature.HEADER));
    }
  }

  @Override
  public APIKeyHandler header(String name) {
    return this;
  }

  @Override
  public APIKeyHandler parameter(String name) {
    return this;
  }

  @Override
  public APIKeyHandler cookie(String name) {
    return this;
  }

  @Override
  public APIKeyHandler tokenExtractor(Function<String, Future<String>> extractor) {
    return this;
  }
}
