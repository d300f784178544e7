package io.smsgw.platform.redis;

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
 * Runs Lua scripts on Redis, each one atomic there. Sent with EVALSHA (the hash is computed here, so nothing has to
 * be loaded first); a NOSCRIPT answer (a restarted Redis) loads the script and tries again. Every call has a short
 * timeout, so a request never hangs on an unreachable Redis. Used by the reservation and the shared rate limit.
 */
public final class LuaScripts {

  /** One Lua script and its SHA-1. */
  public record Script(String source, String sha) {
    public Script(String source) {
      this(source, sha1(source));
    }
  }

  private final Redis redis;
  private final long timeoutMs;

  public LuaScripts(Redis redis, long timeoutMs) {
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

  /** One command, bounded by the timeout. */
  public Future<Response> send(Request request) {
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
