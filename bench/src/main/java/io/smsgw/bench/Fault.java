package io.smsgw.bench;

import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Locale;

/** One kind of failure the chaos run injects, and what it did to the cluster. */
enum Fault {
  /** SIGKILL one gateway, start it again after a few seconds: answers in flight on it are lost to the client. */
  GATEWAY_KILL,
  /** SIGKILL one worker, start it again: its claims and uncommitted offsets are left as they were. */
  WORKER_KILL,
  /** SIGSTOP one worker for longer than the claim, then SIGCONT: it wakes up holding leases that ran out. */
  WORKER_PAUSE,
  /** Stop the broker (orderly) and start it again on the same ports and log directory. */
  KAFKA_RESTART,
  /** Stop PostgreSQL (fast shutdown: open transactions are rolled back) and start it again on the same data. */
  POSTGRES_RESTART,
  /** Async mode: FLUSHALL, the reservations and wallet cache are gone. */
  REDIS_FLUSH,
  /** Async mode: kill redis-server and start it again, empty. */
  REDIS_RESTART;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The faults a run must inject in this balance mode: the Redis ones only where Redis holds money state. */
  static List<Fault> forMode(boolean async) {
    return async ? List.of(values()) : List.of(GATEWAY_KILL, WORKER_KILL, WORKER_PAUSE, KAFKA_RESTART, POSTGRES_RESTART);
  }

  /** What happened: when (seconds into the load), to whom, and how long the disruption lasted. */
  record Injected(Fault kind, String target, double atSeconds, double durationSeconds, String error) {
    JsonObject json() {
      return new JsonObject().put("kind", kind.label()).put("target", target)
        .put("at_s", Math.round(atSeconds * 10) / 10.0).put("duration_s", Math.round(durationSeconds * 10) / 10.0)
        .put("error", error);
    }
  }
}
