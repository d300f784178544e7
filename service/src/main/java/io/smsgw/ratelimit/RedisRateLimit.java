package io.smsgw.ratelimit;

import io.smsgw.platform.redis.LuaScripts;

import io.vertx.core.Future;

import java.util.List;
import java.util.UUID;

/**
 * The limit shared by every pod: one GCRA cell per user in Redis ({@code <prefix>:rl:{<user>}}: the theoretical
 * arrival time in µs of Redis's own clock, so the pods' clocks do not matter), checked and moved by one Lua script
 * (EVALSHA, SCRIPT LOAD on NOSCRIPT, through {@link LuaScripts}). The key expires once the bucket is full.
 */
final class RedisRateLimit {

  /** KEYS: the user's cell. ARGV: interval µs, burst. Answers 0 (allowed) or the wait in µs. */
  static final LuaScripts.Script ADMIT = new LuaScripts.Script("""
    if redis.replicate_commands then redis.replicate_commands() end
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
    local interval = tonumber(ARGV[1])
    local burst = tonumber(ARGV[2])
    local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
    if tat < now then tat = now end
    local new_tat = tat + interval
    local allow_at = new_tat - burst * interval
    if allow_at > now then return math.ceil(allow_at - now) end
    redis.call('SET', KEYS[1], string.format("%.0f", new_tat), "PX", math.ceil((new_tat - now) / 1000) + 1)
    return 0
    """);

  private final LuaScripts scripts;
  private final String prefix;

  RedisRateLimit(LuaScripts scripts, String prefix) {
    this.scripts = scripts;
    this.prefix = prefix;
  }

  String key(UUID user) {
    return prefix + ":rl:{" + user + "}";
  }

  /** 0 if allowed, else the wait in nanoseconds; fails when Redis does not answer in time. */
  Future<Long> acquire(UUID user, UserLimit limit) {
    return scripts.run(ADMIT, List.of(key(user)), String.valueOf(limit.intervalNanos() / 1000.0), limit.burst())
      .map(answer -> answer.toLong() * 1000L);
  }
}
