package io.smsgw.wallet.async;

import io.smsgw.platform.redis.LuaScripts.Script;



/** The Lua scripts of the reservation, each one atomic in Redis; run through {@link io.smsgw.platform.redis.LuaScripts}. */
public final class ReservationScripts {

  private ReservationScripts() {
  }

  /**
   * KEYS: epoch, marker, avail, wallet. ARGV: epoch, cost, user, marker ttl s, wallet ttl s.
   * Answers OK | DUPLICATE owner-marker | LOW available | MISS (no cache: seed it) | EPOCH current (Redis was
   * flushed or rebuilt: this pod's epoch is stale).
   */
  public static final Script RESERVE = new Script("""
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
  public static final Script READ_WALLET = new Script("""
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'EPOCH'} end
    local v = redis.call('HMGET', KEYS[2], 'unsettled', 'seq')
    return {'OK', v[1] or '0', v[2] or '0'}
    """);

  /**
   * KEYS: epoch, avail, wallet. ARGV: epoch, available (PostgreSQL balance - unsettled read before it; computed
   * in Java, as Lua numbers are doubles), seq read with unsettled, cache ttl s. First seeder wins; a reservation
   * since the read (seq moved) makes the read stale: RACE.
   */
  public static final Script SEED = new Script("""
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
  public static final Script RELEASE = new Script("""
    local m = redis.call('GET', KEYS[1])
    if ARGV[2] == '1' then redis.call('DEL', KEYS[3]) end
    if not m or string.sub(m, 1, 1) ~= 'R' then return 0 end
    redis.call('SET', KEYS[1], 'S' .. string.sub(m, 2), 'KEEPTTL')
    if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('HINCRBY', KEYS[2], 'unsettled', '-' .. ARGV[1]) end
    return 1
    """);

  /** KEYS: epoch. ARGV: the value expected ('' = missing), draining value, its ttl ms. Answers {OK} or {MOVED, current}. */
  public static final Script CLAIM_REBUILD = new Script("""
    local current = redis.call('GET', KEYS[1]) or ''
    if current ~= ARGV[1] then return {'MOVED', current} end
    redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
    return {'OK'}
    """);

  /** KEYS: epoch. ARGV: our draining value, the new epoch. 1 if it is now active. */
  public static final Script ACTIVATE = new Script("""
    if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
    redis.call('SET', KEYS[1], ARGV[2])
    return 1
    """);

  /** KEYS: epoch. ARGV: prefix, user. Drops the user's cache of the current epoch (after a top-up). */
  public static final Script INVALIDATE = new Script("""
    local e = redis.call('GET', KEYS[1])
    if e and string.sub(e, 1, 9) ~= 'draining:' then redis.call('DEL', ARGV[1] .. ':{' .. ARGV[2] .. '}:avail:' .. e) end
    return 1
    """);
}
