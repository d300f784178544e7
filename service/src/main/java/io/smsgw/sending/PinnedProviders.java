package io.smsgw.sending;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The provider each claimed message in doubt is pinned to (messages.provider): its retries and its lookup may go
 * there only. Read only for claims in doubt (rare), so a first send costs no query.
 */
final class PinnedProviders {

  private final Pool pool;

  PinnedProviders(Pool pool) {
    this.pool = pool;
  }

  /** Message id → provider, for the claims in doubt; fails if PostgreSQL cannot say (then nothing is sent). */
  Future<Map<UUID, String>> of(List<MessageSender.Claim> claims) {
    UUID[] ids = claims.stream().filter(c -> c.inDoubt() || c.confirming()).map(c -> c.message().messageId()).toArray(UUID[]::new);
    if (ids.length == 0) return Future.succeededFuture(Map.of());
    return pool.preparedQuery(SendingSql.messageProviders()).execute(Tuple.of(ids)).map(rows -> {
      Map<UUID, String> pins = new HashMap<>();
      for (Row row : rows) pins.put(row.getUUID("message_id"), row.getString("provider"));
      return pins;
    });
  }
}
