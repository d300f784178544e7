package io.smsgw.api;

import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.PlatformHandler;

/**
 * The body limit: {@code bulk.body_limit_bytes} for {@code POST /send-sms/bulk} (10,000 recipients do not fit in
 * 64 KiB), {@code http.body_limit_bytes} for every other request. Decided on the normalized path (what the router
 * matches); a spelling of the bulk path that this does not recognize only gets the smaller limit (413), never a larger
 * one elsewhere. Checked against Content-Length before reading, and while a chunked body streams.
 */
final class BulkBodyLimit implements PlatformHandler {

  static final String BULK_PATH = "/send-sms/bulk";

  private final BodyHandler normal;
  private final BodyHandler bulk;

  BulkBodyLimit(int normalLimit, int bulkLimit) {
    this.normal = BodyHandler.create(false).setBodyLimit(normalLimit);
    this.bulk = BodyHandler.create(false).setBodyLimit(Math.max(normalLimit, bulkLimit));
  }

  @Override
  public void handle(RoutingContext rc) {
    String path = rc.normalizedPath();
    if (path != null && path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
    boolean isBulk = rc.request().method() == io.vertx.core.http.HttpMethod.POST && BULK_PATH.equals(path);
    (isBulk ? bulk : normal).handle(rc);
  }
}
