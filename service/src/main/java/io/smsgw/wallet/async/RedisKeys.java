package io.smsgw.wallet.async;

import io.smsgw.config.GatewayConfig;

import java.util.UUID;

/**
 * The Redis key layout (prefix from conf {@code redis.key_prefix}, default {@code smsgw}). Wallet keys carry the
 * epoch in their name, so a rebuild starts from empty keys without deleting anything; old ones expire.
 * <pre>
 *   smsgw:epoch                     current epoch id, or "draining:&lt;id&gt;" while a pod rebuilds (no TTL / 60 s)
 *   smsgw:{user}:avail:&lt;epoch&gt;      available amount = PostgreSQL balance - unsettled (TTL redis.cache_ttl_s)
 *   smsgw:{user}:w:&lt;epoch&gt;          hash: unsettled (reserved, not yet released), seq (reservations made)
 *   smsgw:m:&lt;message_id&gt;             "R &lt;user&gt;" reserved, "S &lt;user&gt;" released (TTL redis.marker_ttl_s)
 * </pre>
 */
public record RedisKeys(String prefix) {

  public static RedisKeys of(GatewayConfig config) {
    return new RedisKeys(config.redis().keyPrefix());
  }

  public String epoch() {
    return prefix + ":epoch";
  }

  public String available(UUID user, String epoch) {
    return prefix + ":{" + user + "}:avail:" + epoch;
  }

  public String wallet(UUID user, String epoch) {
    return prefix + ":{" + user + "}:w:" + epoch;
  }

  public String marker(UUID messageId) {
    return prefix + ":m:" + messageId;
  }
}
