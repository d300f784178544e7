package io.smsgw.ratelimit;

import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The limit enforced in this pod alone, when Redis is not configured or does not answer: one GCRA cell per user in
 * memory, shared by the pod's event loops. With N pods and no Redis, each pod allows the limit on its own (N × the
 * limit in total) unless {@code rate_limit.local_pods} divides it.
 */
final class LocalBuckets {

  private static final class Cell {
    private long tat;
    private boolean dropped;
  }

  private final ConcurrentHashMap<UUID, Cell> cells = new ConcurrentHashMap<>();

  /** 0 if allowed, else the wait in nanoseconds. */
  long acquire(UUID user, UserLimit limit, long now) {
    while (true) {
      Cell cell = cells.computeIfAbsent(user, u -> {
        Cell c = new Cell();
        c.tat = now;
        return c;
      });
      synchronized (cell) {
        if (cell.dropped) continue;  // dropIdle removed it meanwhile: take the new one
        Gcra.Decision d = Gcra.admit(cell.tat, now, limit.intervalNanos(), limit.burst());
        if (d.allowed()) cell.tat = d.tat();
        return d.waitNanos();
      }
    }
  }

  /** Drops the cells that are full again (tat in the past): a missing cell is a full one, so nothing changes. */
  void dropIdle(long now) {
    cells.values().removeIf(cell -> {
      synchronized (cell) {
        cell.dropped = cell.tat <= now;
        return cell.dropped;
      }
    });
  }

  int size() {
    return cells.size();
  }
}
