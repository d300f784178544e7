package io.smsgw.platform;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * A round of work every {@code intervalMs}, one round at a time: a tick that comes while the last round is still
 * running is skipped, never overlapped. A round answers whether more work is waiting (it took a full batch): then the
 * next round starts at once instead of one interval later. A round that fails just waits for the next tick (the
 * round logs its own failure). Confined to the event loop of the verticle that started it; {@link #close()} stops it.
 */
public final class PeriodicTask {

  private static final Logger LOG = LoggerFactory.getLogger(PeriodicTask.class);

  private final Vertx vertx;
  private final Supplier<Future<Boolean>> round;
  private final long timerId;
  private boolean running;
  private boolean closed;

  private PeriodicTask(Vertx vertx, long intervalMs, Supplier<Future<Boolean>> round) {
    this.vertx = vertx;
    this.round = round;
    this.timerId = vertx.setPeriodic(intervalMs, id -> tick());
  }

  /** The first round runs one interval from now. {@code round}: its future's value is true when more is waiting. */
  public static PeriodicTask every(Vertx vertx, long intervalMs, Supplier<Future<Boolean>> round) {
    return new PeriodicTask(vertx, intervalMs, round);
  }

  private void tick() {
    if (running || closed) return;
    running = true;
    Future<Boolean> done;
    try {
      done = round.get();
    } catch (RuntimeException bug) {
      done = Future.failedFuture(bug);
      LOG.warn("periodic round failed: {}", bug.toString());
    }
    done.onComplete(result -> {
      running = false;
      if (result.succeeded() && Boolean.TRUE.equals(result.result())) vertx.runOnContext(v -> tick());
    });
  }

  /** No round starts after this; one that is running finishes on its own. */
  public void close() {
    closed = true;
    vertx.cancelTimer(timerId);
  }
}
