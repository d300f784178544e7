package io.smsgw.provider.smpp;

import io.smsgw.config.SmppSettings;
import io.smsgw.domain.SmsMessage;
import io.smsgw.provider.LookupResult;
import io.smsgw.provider.ProviderResult;
import io.smsgw.provider.SmsProvider;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An SMSC over SMPP 3.4 as the sender's provider (issue 15): {@code smpp.binds} transceiver binds ({@link SmppBind}),
 * a message cut into its charged parts ({@link SmppParts}), each part one submit_sm on the next bind.
 *
 * <p>No part is sent twice. SMPP has no idempotency key, so the gateway keeps the memory itself: every part the SMSC
 * answered is written to {@code provider_parts} (V8) with the SMSC's id, and every part written without an answer with
 * none (in doubt); a send first reads the message's rows and submits only the parts that have none. Hence a retry after
 * a throttled third part sends the third part alone, and a part whose submit_sm_resp never came is never resent: the
 * message is {@link ProviderResult.InDoubt} (given up as outcome unknown, never refunded on a guess). While the database
 * cannot take the rows they are kept here and written again every second, so a resend from this worker skips them too.
 *
 * <p>Receipts (deliver_sm) are stored before they are acknowledged ({@link SmppReceiptWriter}) and joined to their part
 * through {@code provider_parts}; one that comes before its part's row waits in {@code provider_receipts_unmatched}.
 * The message's provider_message_id is its first part's SMSC id.
 */
public final class SmppSmsProvider implements SmsProvider {

  private static final Logger LOG = LoggerFactory.getLogger(SmppSmsProvider.class);
  /** The value of a part written but never answered, in the maps below (its row's smsc_message_id is NULL). */
  private static final String IN_DOUBT = "";
  /** Parts whose row is not written yet, at most: beyond it the oldest are forgotten (logged). */
  static final int UNRECORDED_MAX = 100_000;
  static final long RECORD_AGAIN_MS = 1_000;

  record PartKey(UUID messageId, int part) {
  }

  /** A part the SMSC answered: its message's part count and the SMSC's id ({@link #IN_DOUBT}: no answer). */
  record Answer(int parts, String smscId) {
  }

  private final Pool pool;
  private final SmppSettings settings;
  private final Context context;
  private final List<SmppBind> binds = new ArrayList<>();
  private final AtomicInteger next = new AtomicInteger();
  private final Map<PartKey, Answer> unrecorded = Collections.synchronizedMap(new LinkedHashMap<>() {
    @Override
    protected boolean removeEldestEntry(Map.Entry<PartKey, Answer> eldest) {
      if (size() <= UNRECORDED_MAX) return false;
      LOG.error("SMPP part {} of {} not recorded and forgotten: a resend would send it again", eldest.getKey().part(), eldest.getKey().messageId());
      return true;
    }
  });
  private final Vertx vertx;
  private final long recordTimer;

  public SmppSmsProvider(Vertx vertx, Pool pool, SmppSettings settings) {
    this.vertx = vertx;
    this.pool = pool;
    this.settings = settings;
    this.context = vertx.getOrCreateContext();
    SmppReceiptWriter receipts = SmppReceiptWriter.of(vertx, context, pool, settings.providerId());
    for (int i = 1; i <= settings.binds(); i++) {
      SmppBind bind = new SmppBind(settings.providerId() + "-" + i, settings.bind(), receipts::store);
      bind.start();
      binds.add(bind);
    }
    recordTimer = vertx.setPeriodic(RECORD_AGAIN_MS, id -> recordUnrecorded());
  }

  /** The queue's deadline (one response timeout) plus one response timeout for the submit itself. */
  @Override
  public long maxSendMs() {
    return 2 * settings.responseTimeoutMs();
  }

  @Override
  public boolean offersLookup() {
    return false;  // query_sm needs the SMSC's id, which is what a lost submit_sm_resp did not give
  }

  @Override
  public Future<LookupResult> lookup(SmsMessage message) {
    return Future.succeededFuture(new LookupResult.Unsupported("SMPP has no lookup by the gateway's key"));
  }

  @Override
  public Future<List<ProviderResult>> send(List<SmsMessage> messages) {
    UUID[] ids = messages.stream().map(SmsMessage::messageId).toArray(UUID[]::new);
    return pool.preparedQuery(SmppSql.partsOf()).execute(Tuple.of(ids))
      .transform(read -> {
        if (read.failed()) {
          // Without the rows a resend could double a part: send nothing now (the parts are not taken by this attempt).
          return Future.succeededFuture(Collections.nCopies(messages.size(),
            (ProviderResult) new ProviderResult.Transient("the parts already sent cannot be read: " + read.cause().getMessage(), false, false)));
        }
        Map<PartKey, String> known = new HashMap<>();
        for (Row row : read.result()) {
          String id = row.getString("smsc_message_id");
          known.put(new PartKey(row.getUUID("message_id"), row.getInteger("part")), id == null ? IN_DOUBT : id);
        }
        return submit(messages, known);
      });
  }

  /** One message's parts: what is known of each before this send, and this send's submits. */
  private static final class Attempt {
    final List<SmppPart> parts;
    final String[] prior;
    final List<CompletableFuture<SubmitOutcome>> submits = new ArrayList<>();

    Attempt(List<SmppPart> parts) {
      this.parts = parts;
      this.prior = new String[parts.size()];
    }
  }

  private Future<List<ProviderResult>> submit(List<SmsMessage> messages, Map<PartKey, String> known) {
    long notAfter = System.nanoTime() + settings.responseTimeoutMs() * 1_000_000;
    List<Attempt> attempts = new ArrayList<>(messages.size());
    List<CompletableFuture<SubmitOutcome>> all = new ArrayList<>();
    for (SmsMessage m : messages) {
      Attempt a = new Attempt(SmppParts.of(m));
      for (int i = 0; i < a.parts.size(); i++) {
        PartKey key = new PartKey(m.messageId(), i + 1);
        String before = known.get(key);
        if (before == null) {
          Answer kept = unrecorded.get(key);
          if (kept != null) before = kept.smscId();
        }
        a.prior[i] = before;
        CompletableFuture<SubmitOutcome> f = before != null ? CompletableFuture.completedFuture(null)
          : binds.get(Math.floorMod(next.getAndIncrement(), binds.size())).submit(a.parts.get(i), notAfter);
        a.submits.add(f);
        all.add(f);
      }
      attempts.add(a);
    }
    return Future.fromCompletionStage(CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)), context)
      .compose(v -> {
        Map<PartKey, Answer> answered = new LinkedHashMap<>();
        for (int j = 0; j < messages.size(); j++) {
          Attempt a = attempts.get(j);
          for (int i = 0; i < a.parts.size(); i++) {
            SubmitOutcome o = a.submits.get(i).join();
            PartKey key = new PartKey(messages.get(j).messageId(), i + 1);
            if (o instanceof SubmitOutcome.Accepted acc) answered.put(key, new Answer(a.parts.size(), acc.smscMessageId()));
            else if (o instanceof SubmitOutcome.Unknown) answered.put(key, new Answer(a.parts.size(), IN_DOUBT));
          }
        }
        unrecorded.putAll(answered);  // until the rows are written
        List<ProviderResult> results = new ArrayList<>(messages.size());
        for (Attempt a : attempts) results.add(verdict(a));
        return record(answered).map(results);
      });
  }

  /** Writes parts' rows (and feeds the receipts that waited for them); they stay in {@code unrecorded} if it fails. */
  private Future<Void> record(Map<PartKey, Answer> parts) {
    if (parts.isEmpty()) return Future.succeededFuture();
    int n = parts.size();
    UUID[] ids = new UUID[n];
    Integer[] part = new Integer[n];
    Integer[] count = new Integer[n];
    String[] smsc = new String[n];
    int i = 0;
    for (Map.Entry<PartKey, Answer> e : parts.entrySet()) {
      ids[i] = e.getKey().messageId();
      part[i] = e.getKey().part();
      count[i] = e.getValue().parts();
      smsc[i] = e.getValue().smscId().isEmpty() ? null : e.getValue().smscId();
      i++;
    }
    return pool.preparedQuery(SmppSql.recordParts()).execute(Tuple.of(settings.providerId(), ids, part, count).addValue(smsc))
      .onSuccess(done -> parts.keySet().forEach(unrecorded::remove))
      .onFailure(failure -> LOG.warn("{} SMPP part(s) not recorded yet (written again in {} ms): {}", n, RECORD_AGAIN_MS, failure.toString()))
      .<Void>mapEmpty()
      .otherwise((Void) null);  // the send's verdict stands: the rows follow
  }

  private void recordUnrecorded() {
    Map<PartKey, Answer> copy;
    synchronized (unrecorded) {
      if (unrecorded.isEmpty()) return;
      copy = new LinkedHashMap<>(unrecorded);
    }
    record(copy);
  }

  /** The message's result from each part's state: prior row, or this send's outcome. */
  static ProviderResult verdict(Attempt a) {
    String firstId = null;
    boolean allTaken = true;
    boolean anyTaken = false;
    String doubt = null;
    SubmitOutcome.Refused refusal = null;
    int refusedPart = 0;
    String later = null;
    for (int i = 0; i < a.parts.size(); i++) {
      String id = a.prior[i];
      SubmitOutcome o = a.submits.get(i).join();
      if (id == null && o instanceof SubmitOutcome.Accepted acc) id = acc.smscMessageId();
      if (id != null && !id.isEmpty()) {
        anyTaken = true;
        if (i == 0) firstId = id;
        continue;
      }
      allTaken = false;
      if (IN_DOUBT.equals(id)) {
        anyTaken = true;
        if (doubt == null) doubt = "part " + (i + 1) + " of " + a.parts.size() + " was written earlier and never answered";
      } else if (o instanceof SubmitOutcome.Unknown u) {
        anyTaken = true;
        if (doubt == null) doubt = "part " + (i + 1) + " of " + a.parts.size() + ": " + u.reason();
      } else if (o instanceof SubmitOutcome.Refused r) {
        if (refusal == null) {
          refusal = r;
          refusedPart = i + 1;
        }
      } else if (later == null) {
        later = o instanceof SubmitOutcome.Later l ? "smpp " + CommandStatuses.hex(l.commandStatus())
          : ((SubmitOutcome.NotSent) o).reason();
      }
    }
    if (allTaken) return new ProviderResult.Accepted(firstId);
    if (doubt != null) return new ProviderResult.InDoubt(doubt + " (SMPP has no idempotency key: not sent again)");
    if (refusal != null) {
      String code = CommandStatuses.code(refusal.commandStatus());
      return anyTaken
        ? new ProviderResult.InDoubt("part " + refusedPart + " refused (" + code + ") after other parts were taken")
        : new ProviderResult.Permanent(refusal.status(), code);
    }
    // Throttled, queue full, not bound: not taken. The parts already taken are not sent again on the retry.
    return new ProviderResult.Transient(later, anyTaken);
  }

  /** For the tests: each bind. */
  public List<SmppBind> binds() {
    return Collections.unmodifiableList(binds);
  }

  /** This sender's binds as GET /admin/providers shows them: bound or not, window use, binds made, the last error. */
  public JsonObject view() {
    JsonArray out = new JsonArray();
    int used = 0;
    for (SmppBind b : binds) {
      used += b.inFlight();
      out.add(new JsonObject().put("name", b.name()).put("bound", b.bound()).put("in_flight", b.inFlight())
        .put("window", settings.window()).put("binds_made", b.binds()).put("last_error", b.lastError()));
    }
    return new JsonObject().put("host", settings.host() + ":" + settings.port())
      .put("window_use", binds.isEmpty() ? 0.0 : used / (double) (binds.size() * settings.window())).put("binds", out);
  }

  @Override
  public Future<Void> close() {
    vertx.cancelTimer(recordTimer);
    return vertx.executeBlocking(() -> {
      for (SmppBind bind : binds) bind.close();
      return null;
    });
  }
}
