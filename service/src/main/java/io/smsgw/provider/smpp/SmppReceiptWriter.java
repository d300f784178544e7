package io.smsgw.provider.smpp;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.Shareable;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Stores the receipts of an SMSC before they are acknowledged. jsmpp hands each deliver_sm to one of its threads and
 * answers deliver_sm_resp when the listener returns, so {@link #store} blocks that thread (never an event loop) until
 * the receipt is committed, and throws when it was not: the listener then answers an error and the SMSC sends the
 * receipt again later, instead of it being lost. Receipts arriving together share one statement (a flush
 * {@value #GATHER_MS} ms after the first of a batch, or at once at {@value #MAX_BATCH}). One writer per SMSC and Vert.x
 * ({@link #of}): the sender instances' binds all feed it, so batches are as large as the receipts in flight allow
 * (a batch's statement costs about the same for 30 receipts as for 100).
 */
final class SmppReceiptWriter implements Shareable {

  static final int MAX_BATCH = 200;
  static final long GATHER_MS = 20;
  /** Longer than any sane commit, shorter than an SMSC's deliver_sm timeout (the dev kit's is 5 s). */
  static final long STORE_TIMEOUT_MS = 4_000;

  private record Waiting(SmppReceipt receipt, CompletableFuture<Void> stored) {
  }

  private final Vertx vertx;
  private final Context context;
  private final Pool pool;
  private final String provider;
  private List<Waiting> batch = new ArrayList<>();

  /** The writer of {@code provider}'s receipts in this Vert.x, made on first use with the caller's context and pool. */
  static SmppReceiptWriter of(Vertx vertx, Context context, Pool pool, String provider) {
    return vertx.sharedData().<String, SmppReceiptWriter>getLocalMap(SmppReceiptWriter.class.getName())
      .computeIfAbsent(provider, id -> new SmppReceiptWriter(vertx, context, pool, id));
  }

  /** {@code context}: where the flushes run (the sender verticle's). */
  SmppReceiptWriter(Vertx vertx, Context context, Pool pool, String provider) {
    this.vertx = vertx;
    this.context = context;
    this.pool = pool;
    this.provider = provider;
  }

  /** Blocks until the receipt is committed; throws if it was not. */
  void store(SmppReceipt receipt) {
    CompletableFuture<Void> stored = new CompletableFuture<>();
    boolean first;
    boolean full;
    synchronized (this) {
      first = batch.isEmpty();
      batch.add(new Waiting(receipt, stored));
      full = batch.size() >= MAX_BATCH;
    }
    if (full) {
      context.runOnContext(v -> flush());
    } else if (first) {
      context.runOnContext(v -> vertx.setTimer(GATHER_MS, id -> flush()));
    }
    try {
      stored.get(STORE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted");
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException(e instanceof ExecutionException ? e.getCause().toString() : "not stored within " + STORE_TIMEOUT_MS + " ms");
    }
  }

  private void flush() {
    List<Waiting> taken;
    synchronized (this) {
      if (batch.isEmpty()) return;
      taken = batch;
      batch = new ArrayList<>();
    }
    int n = taken.size();
    String[] ids = new String[n];
    String[] statuses = new String[n];
    String[] errors = new String[n];
    OffsetDateTime[] doneAt = new OffsetDateTime[n];
    for (int i = 0; i < n; i++) {
      SmppReceipt r = taken.get(i).receipt();
      ids[i] = r.smscMessageId();
      statuses[i] = r.status();
      errors[i] = r.errorCode();
      doneAt[i] = r.doneAt().atOffset(ZoneOffset.UTC);
    }
    pool.preparedQuery(SmppSql.storeReceipts())
      .execute(Tuple.of(provider, ids, statuses, errors).addValue(doneAt))
      .onComplete(done -> {
        for (Waiting w : taken) {
          if (done.succeeded()) w.stored().complete(null);
          else w.stored().completeExceptionally(done.cause());
        }
      });
  }
}
