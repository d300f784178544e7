package io.smsgw.wallet.async;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Lua scripts of the reservation, each one atomic in Redis. Sent with EVALSHA (the hash is computed here,
 * so nothing has to be loaded first); a NOSCRIPT answer (a restarted Redis) loads the script and tries again.
 * Every call has a short timeout, so a request never hangs on an unreachable Redis.
 */
public final class ReservationScripts {

  /**
   * KEYS: epoch, marker, avail, wallet. ARGV: epoch, cost, user, marker ttl s, wallet ttl s.
   * Answers OK | DUPLICATE owner-marker | LOW available | MISS (no cache: seed it) | EPOCH current (Redis was
   * flushed or rebuilt: this pod's epoch is stale).
   */
  static final Script RESERVE = new Script("""
    local current = redis.call('GET', KEYS[1])
    if current ~= ARGV[1] then return {'EPOCH', current or ''} end
    local marker = redis.call('GET', KEYS[2])
    if marker then return {'DUPLICATE', marker} end
    local avail = redis.call('GET', KEYS[3])
    if not avail then return {'MISS'} end
    local cost = tonumber(ARGV[2])
    if tonumber(avail) < cost then return {'LOW', avail} end
    redis.call('DECRBY', KEYS[3], ARGV[2])
    redis.call('HINCRBY', KEYS[4], 'unsettled', ARGV[2])
    redis.call('HINCRBY', KEYS[4], 'seq', 1)
    redis.call('EXPIRE', KEYS[4], ARGV[5])
    redis.call('SET', KEYS[2], 'R ' .. ARGV[3], 'EX', ARGV[4])
    return {'OK'}
    """);

  /** KEYS: epoch, wallet. ARGV: epoch. Answers {OK, unsettled, seq} or {EPOCH}. */
  static final Script READ_WALLET = new Script("""
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'EPOCH'} end
    local v = redis.call('HMGET', KEYS[2], 'unsettled', 'seq')
    return {'OK', v[1] or '0', v[2] or '0'}
    """);

  /**
   * KEYS: epoch, avail, wallet. ARGV: epoch, available (PostgreSQL balance - unsettled read before it; computed
   * in Java, as Lua numbers are doubles), seq read with unsettled, cache ttl s. First seeder wins; a reservation
   * since the read (seq moved) makes the read stale: RACE.
   */
  static final Script SEED = new Script("""
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'EPOCH' end
    if redis.call('EXISTS', KEYS[2]) == 1 then return 'EXISTS' end
    local seq = redis.call('HGET', KEYS[3], 'seq') or '0'
    if seq ~= ARGV[3] then return 'RACE' end
    redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[4])
    return 'OK'
    """);

  /**
   * KEYS: marker, wallet, avail. ARGV: cost, drop cache (1/0). Idempotent per message: only a marker still
   * "R" releases (unsettled -= cost), once. Dropping the cache makes the next request re-seed from PostgreSQL.
   */
  static final Script RELEASE = new Script("""
    local m = redis.call('GET', KEYS[1])
    if ARGV[2] == '1' then redis.call('DEL', KEYS[3]) end
    if not m or string.sub(m, 1, 1) ~= 'R' then return 0 end
    redis.call('SET', KEYS[1], 'S' .. string.sub(m, 2), 'KEEPTTL')
    if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HINCRBY', KEYS[2], 'unsettled', '-' .. ARGV[1]) end
    return 1
    """);

  /** KEYS: epoch. ARGV: the value expected ('' = missing), draining value, its ttl ms. Answers {OK} or {MOVED, current}. */
  static final Script CLAIM_REBUILD = new Script("""
    local current = redis.call('GET', KEYS[1]) or ''
    if current ~= ARGV[1] then return {'MOVED', current} end
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return {'OK'}
    """);

  /** KEYS: epoch. ARGV: our draining value, the new epoch. 1 if it is now active. */
  static final Script ACTIVATE = new Script("""
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
    redis.call('SET', KEYS[1], ARGV[2])
    return 1
    """);

  /** KEYS: epoch. ARGV: prefix, user. Drops the user's cache of the current epoch (after a top-up). */
  static final Script INVALIDATE = new Script("""
    local e = redis.call('GET', KEYS[1])
    if e and string.sub(e, 1, 9) ~= 'draining:' then redis.call('DEL', ARGV[1] .. ':{' .. ARGV[2] .. '}:avail:' .. e) end
    return 1
    """);

  /** One Lua script and its SHA-1 (public: io.smsgw.ratelimit runs its script through this class too). */
  public record Script(String source, String sha) {
    public Script(String source) {
      this(source, sha1(source));
    }
  }

  private final Redis redis;
  private final long timeoutMs;

  public ReservationScripts(Redis redis, long timeoutMs) {
    this.redis = redis;
    this.timeoutMs = timeoutMs;
  }

  public Future<Response> run(Script script, List<String> keys, Object... args) {
    return send(evalSha(script, keys, args)).recover(failure -> {
      if (failure.getMessage() == null || !failure.getMessage().startsWith("NOSCRIPT")) return Future.failedFuture(failure);
      return send(Request.cmd(Command.SCRIPT).arg("LOAD").arg(script.source()))
        .compose(loaded -> send(evalSha(script, keys, args)));
    });
  }

  Future<Response> send(Request request) {
    return redis.send(request).timeout(timeoutMs, TimeUnit.MILLISECONDS);
  }

  private static Request evalSha(Script script, List<String> keys, Object... args) {
    Request request = Request.cmd(Command.EVALSHA).arg(script.sha()).arg(keys.size());
    keys.forEach(request::arg);
    for (Object a : args) request.arg(String.valueOf(a));
    return request;
  }

  private static String sha1(String source) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
