package io.smsgw.bulk;

import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.vertx.core.json.JsonArray;

import java.util.List;
import java.util.UUID;

/**
 * What the bulk verticle charges: the bulk's recipients that passed the gateway's checks, as the messages they become
 * ({@code messages}, in request order, each at {@code indexes[i]} of the request's recipients), and the gateway's
 * per-item rejections ({@code rejected}: {@code [{index, message_id, code, message}]}, in index order). Immutable once
 * built; it crosses the event bus within the pod without a copy.
 */
public record BulkCharge(UUID bulkId, UUID userId, Priority priority, int recipients, List<SmsMessage> messages,
                         int[] indexes, JsonArray rejected, long expiresAtMs, long sendAtMs) {

  public boolean scheduled() {
    return sendAtMs > 0;
  }
}
