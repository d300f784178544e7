package io.smsgw.wallet;

import io.smsgw.domain.SmsMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/**
 * The accept path's batches in parallel without competing for wallets: {@code charge.max_in_flight_batches} lanes,
 * each a {@link ChargeBatcher} with one batch in flight, and each user's messages always in the same lane (by the
 * user id's hash). Two batches in flight at once never hold the same wallet, so neither finds the other's wallets
 * busy (SKIP LOCKED) and waits out a retry; with a single batcher and two batches in flight they did, which made two
 * in flight slower than one on two cores (bench/results/passes.md). {@code charge.max_queue} bounds the lanes together,
 * so one busy wallet may still fill the whole queue, as it could with one batcher.
 * Not thread-safe: used from its verticle's event loop only.
 */
final class ChargeLanes {

  private final ChargeBatcher[] lanes;
  private final int maxQueue;

  ChargeLanes(Vertx vertx, Pool pool, ChargeBatcher.Limits limits) {
    int count = limits.maxInFlight();
    this.maxQueue = limits.maxQueue();
    ChargeBatcher.Limits perLane = new ChargeBatcher.Limits(limits.maxBatch(), 1, limits.maxQueue(),
      limits.queueDeadlineMs(), limits.statementTimeoutMs());
    lanes = new ChargeBatcher[count];
    for (int i = 0; i < count; i++) lanes[i] = new ChargeBatcher(vertx, pool, perLane);
  }

  Future<ChargeOutcome> charge(SmsMessage message) {
    int waiting = 0;
    for (ChargeBatcher lane : lanes) waiting += lane.waiting();
    if (waiting >= maxQueue) {
      return Future.failedFuture(ChargeFailure.OVERLOADED.exception("the accept queue is full; nothing was charged"));
    }
    return lanes[Math.floorMod(message.userId().hashCode(), lanes.length)].charge(message);
  }

  void close() {
    for (ChargeBatcher lane : lanes) lane.close();
  }
}
