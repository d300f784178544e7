package io.smsgw.bulk;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bulks a pod works on at once ({@code bulk.max_in_flight}), shared by its HTTP event loops: a bulk takes a slot
 * before its body is checked and gives it back once answered; with none free it is refused at once ({@code 503
 * overloaded}, nothing charged), so a flood of bulks is shed instead of queued.
 */
public final class BulkSlots implements Shareable {

  private static final String MAP = "smsgw.bulk";
  private static final String KEY = "slots";

  private final int max;
  private final AtomicInteger taken = new AtomicInteger();

  private BulkSlots(int max) {
    this.max = max;
  }

  /** This pod's slots (the first caller decides the bound: every HTTP verticle reads the same configuration). */
  public static BulkSlots of(Vertx vertx, int max) {
    return vertx.sharedData().<String, BulkSlots>getLocalMap(MAP).computeIfAbsent(KEY, k -> new BulkSlots(max));
  }

  public boolean tryTake() {
    while (true) {
      int now = taken.get();
      if (now >= max) return false;
      if (taken.compareAndSet(now, now + 1)) return true;
    }
  }

  public void release() {
    taken.decrementAndGet();
  }

  public int inFlight() {
    return taken.get();
  }
}
