package io.smsgw.wallet.async;

import io.smsgw.wallet.WalletSql;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Async without reservation: the only check on the request path is a PostgreSQL balance read at most
 * {@code balance.unreserved_cache_ms} ago, less what this verticle accepted since. It does not see what is
 * accepted but not yet settled from before the read, nor other pods: that is the window in which more can be
 * accepted than the wallet holds. Settlement rejects the excess (PostgreSQL's guard) and counts it.
 */
final class UnreservedBalances {

  private record View(long balance, long takenSince, long readAtMs) {
  }

  private final Pool pool;
  private final long maxAgeMs;
  private final Map<UUID, View> views = new HashMap<>();
  private final Map<UUID, Future<View>> reading = new HashMap<>();

  UnreservedBalances(Pool pool, long maxAgeMs) {
    this.pool = pool;
    this.maxAgeMs = maxAgeMs;
  }

  Future<Boolean> take(UUID user, long cost) {
    View view = views.get(user);
    if (view != null && System.currentTimeMillis() - view.readAtMs() <= maxAgeMs) return Future.succeededFuture(tryTake(user, view, cost));
    return read(user).map(fresh -> tryTake(user, views.getOrDefault(user, fresh), cost));
  }

  private boolean tryTake(UUID user, View view, long cost) {
    if (view.balance() - view.takenSince() < cost) return false;
    views.put(user, new View(view.balance(), view.takenSince() + cost, view.readAtMs()));
    return true;
  }

  private Future<View> read(UUID user) {
    Future<View> running = reading.get(user);
    if (running != null) return running;
    Future<View> read = pool.preparedQuery(WalletSql.balance()).execute(Tuple.of(user)).map(rows -> {
      long balance = rows.size() == 0 ? 0 : rows.iterator().next().getLong("balance");
      View view = new View(balance, 0, System.currentTimeMillis());
      views.put(user, view);
      return view;
    });
    reading.put(user, read);
    read.onComplete(done -> reading.remove(user));
    return read;
  }

  void forget(UUID user) {
    views.remove(user);
  }
}
