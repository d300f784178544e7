package io.smsgw.webhook;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.smsgw.config.GatewayConfig;
import io.smsgw.config.WebhookSettings;
import io.smsgw.platform.PeriodicTask;
import io.smsgw.platform.pg.Database;
import io.smsgw.provider.ReportSignature;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.micrometer.backends.BackendRegistries;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Sends the status events of the outbox table {@code webhook_events} (worker pods, {@code instances.webhook_dispatcher}).
 *
 * <p>Claims: due events with a lease ({@code claim_webhook_events}, V5: {@code FOR UPDATE SKIP LOCKED}, so two
 * dispatchers never hold one event; a dead one's lease runs out and the event is due again). A claim takes per receiver
 * host only what that host has room for: {@code webhooks.max_per_host} POSTs in flight plus a claim's
 * {@code webhooks.batch} waiting here, and {@code webhooks.max_in_flight} (twice that held) in all. So a slow or dead receiver holds only its own slots, no POST
 * waits for another host's, and a busy receiver's next POST starts the moment one ends, from the local queue, without a
 * database round trip. Claims run every {@code webhooks.poll_interval_ms}, at once again while they find full batches,
 * and {@value #CHAIN_GAP_MS} ms after a POST ends that leaves its host half its room free, while the last claim found
 * events (the stream is flowing).
 *
 * <p>Each event: the URL's host is resolved again and checked ({@link CallbackUrls}: a name that now points somewhere
 * refused is not called), then one POST to the checked address with the body as stored, {@code Content-Type:
 * application/json}, {@code X-Smsgw-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>} with the user's
 * current secret, {@code X-Smsgw-Event-Id}, and at most {@code webhooks.timeout_ms}. A 2xx marks it delivered; anything
 * else (another status, a timeout, a refused connection, a redirect) is retried after {@link WebhookBackoff}'s delay, until
 * the event is {@code webhooks.retry_for_s} old: then it is dead (listed by {@code GET /webhook/events?status=dead}).
 * At least once: the mark is written only after the 2xx, so a crash between them sends the event again.
 *
 * <p>Retention: every {@code webhooks.purge_interval_ms} delivered events older than {@code webhooks.keep_delivered_s}
 * and dead ones older than {@code webhooks.keep_dead_s} are deleted, {@value #PURGE_BATCH} at a time.
 */
public class WebhookDispatcher extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
  public static final String SIGNATURE_HEADER = "X-Smsgw-Signature";
  public static final String EVENT_ID_HEADER = "X-Smsgw-Event-Id";
  private static final int FLUSH_MS = 20;
  /** The least time between two claims that POSTs ending asked for: bounds the claim rate under a steady stream. */
  static final int CHAIN_GAP_MS = 5;
  /** How long a receiver host's checked addresses are used without a new lookup. */
  private static final long LOOKUP_REMEMBER_MS = 5_000;
  /** Settled events deleted per purge statement: short transactions, a round again at once while there are more. */
  static final int PURGE_BATCH = 5_000;

  private WebhookSettings settings;
  private WebhookBackoff backoff;
  private CallbackUrls urls;
  private Pool pool;
  private HttpClient client;
  private long pollTimer;
  private PeriodicTask purge;
  private boolean stopped;
  private boolean claiming;
  private boolean claimAgain;
  private boolean chainTimerSet;
  private boolean lastClaimFound;
  private boolean pumping;
  private boolean pumpAgain;
  private int inFlight;
  private int waiting;
  /** Per receiver host: POSTs in flight and claimed events waiting for a slot. Hosts with neither are removed. */
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private final List<Result> results = new ArrayList<>();
  private boolean flushScheduled;
  private Counter delivered;
  private Counter retried;
  private Counter dead;

  private static final class Host {
    int inFlight;
    final ArrayDeque<Claim> waiting = new ArrayDeque<>();
  }

  /** One claimed event, until its POST starts. */
  private record Claim(UUID eventId, int seq, int attempts, String url, String host, String payload, String secret,
                       long claimedAtMs) {
  }

  /** The end of one claim, written in a batch with the others ({@code record_webhook_results}). */
  private record Result(UUID eventId, int claimSeq, String kind, String error, long delayMs) {
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    settings = config.webhooks();
    backoff = WebhookBackoff.of(settings);
    urls = CallbackUrls.remembering(vertx, settings, LOOKUP_REMEMBER_MS);
    pool = Database.pool(vertx, config);
    int timeout = (int) settings.timeoutMs();
    client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(timeout).setKeepAlive(true)
        .setIdleTimeout(60).setIdleTimeoutUnit(TimeUnit.SECONDS).setForceSni(true),
      new PoolOptions().setHttp1MaxSize(settings.maxPerHost()).setMaxWaitQueueSize(settings.maxInFlight()));
    MeterRegistry registry = BackendRegistries.getDefaultNow();
    if (registry != null) {
      delivered = Counter.builder("smsgw_webhook_events_total").tag("outcome", "delivered").description("webhook deliveries").register(registry);
      retried = Counter.builder("smsgw_webhook_events_total").tag("outcome", "retry").register(registry);
      dead = Counter.builder("smsgw_webhook_events_total").tag("outcome", "dead").register(registry);
    }
    pollTimer = vertx.setPeriodic(settings.pollIntervalMs(), id -> claim());
    purge = PeriodicTask.every(vertx, settings.purgeIntervalMs(), this::purgeOnce);
    return Future.succeededFuture();
  }

  /**
   * Deletes settled events past their keeping time (V7 purge_webhook_events: one purger at a time in the cluster, the
   * others' calls return 0); true when it deleted a full batch, so the next round follows at once.
   */
  private Future<Boolean> purgeOnce() {
    return pool.preparedQuery(WebhookSql.purge())
      .execute(Tuple.of(settings.keepDeliveredS(), settings.keepDeadS(), PURGE_BATCH))
      .map(rows -> rows.iterator().next().getInteger("deleted") == PURGE_BATCH)
      .onFailure(failure -> LOG.warn("purging old webhook events failed (tried again next round): {}", failure.toString()));
  }

  /** One claim at a time: one asked for while another runs follows it. */
  private void claim() {
    if (stopped) return;
    if (claiming) {
      claimAgain = true;
      return;
    }
    claiming = true;
    claimOnce().onComplete(full -> {
      claiming = false;
      boolean again = claimAgain || (full.succeeded() && full.result());
      claimAgain = false;
      if (again) vertx.runOnContext(v -> claim());
    });
  }

  /** As many due events as there is room for; true when it took a full batch (more may be due). */
  private Future<Boolean> claimOnce() {
    int room = 2 * settings.maxInFlight() - inFlight - waiting;
    if (room <= 0) return Future.succeededFuture(false);
    int limit = Math.min(room, settings.batch());
    List<String> full = new ArrayList<>();
    List<String> named = new ArrayList<>();
    List<Integer> rooms = new ArrayList<>();
    hosts.forEach((name, host) -> {
      int free = free(host);
      if (free <= 0) {
        full.add(name);
      } else {
        named.add(name);
        rooms.add(free);
      }
    });
    Tuple args = Tuple.of(limit, settings.leaseMs(), full.toArray(String[]::new), named.toArray(String[]::new),
      rooms.toArray(Integer[]::new), hostCapacity());
    return pool.preparedQuery(WebhookSql.claim()).execute(args)
      .map(rows -> {
        long now = System.currentTimeMillis();
        for (Row row : rows) {
          admit(new Claim(row.getUUID("event_id"), row.getInteger("claim_seq"), row.getInteger("attempts"),
            row.getString("url"), row.getString("host") == null ? "" : row.getString("host"), row.getString("payload"),
            row.getString("secret"), now));
        }
        lastClaimFound = rows.size() > 0;
        pump();
        return rows.size() == limit;
      })
      .onFailure(failure -> LOG.warn("claiming webhook events failed: {}", failure.toString()));
  }

  /** What one host may hold here: its slots in flight, and a claim's batch waiting for them. */
  private int hostCapacity() {
    return settings.maxPerHost() + settings.batch();
  }

  /** How many more events this host may hold here. */
  private int free(Host host) {
    return hostCapacity() - host.inFlight - host.waiting.size();
  }

  private void admit(Claim claim) {
    if (claim.secret() == null) {  // the user deleted the webhook: nothing to sign with, and nobody to tell
      record(new Result(claim.eventId(), claim.seq(), "dead", "webhook_not_configured: the user has no webhook secret to sign with", 0));
      return;
    }
    Host host = hosts.computeIfAbsent(claim.host(), h -> new Host());
    if (free(host) <= 0) {  // more than the claim was asked for: not attempted
      record(new Result(claim.eventId(), claim.seq(), "release", null, 0));
      return;
    }
    host.waiting.add(claim);
    waiting++;
  }

  /** Starts waiting events while there are slots: one per host in turn, so no host waits behind another's queue. */
  private void pump() {
    if (pumping) {  // a POST that ended at once (a refused URL) while this loop runs: the loop goes on
      pumpAgain = true;
      return;
    }
    pumping = true;
    do {
      pumpAgain = false;
      startWaiting();
    } while (pumpAgain);
    pumping = false;
    hosts.values().removeIf(host -> host.inFlight == 0 && host.waiting.isEmpty());
  }

  private void startWaiting() {
    boolean started = true;
    while (started && inFlight < settings.maxInFlight()) {
      started = false;
      for (Host host : hosts.values()) {
        if (inFlight >= settings.maxInFlight()) break;
        if (host.inFlight < settings.maxPerHost() && !host.waiting.isEmpty()) {
          waiting--;
          start(host, host.waiting.poll());
          started = true;
        }
      }
    }
  }

  private void start(Host host, Claim claim) {
    if (System.currentTimeMillis() - claim.claimedAtMs() > settings.leaseMs() - settings.timeoutMs()) {
      record(new Result(claim.eventId(), claim.seq(), "release", null, 0));  // its lease would end mid-POST: due again
      return;
    }
    inFlight++;
    host.inFlight++;
    Buffer body = Buffer.buffer(claim.payload().getBytes(StandardCharsets.UTF_8));
    urls.check(claim.url())
      .compose(target -> post(target, claim.eventId(), claim.secret(), body))
      .onComplete(status -> {
        inFlight--;
        host.inFlight--;
        if (status.succeeded() && status.result() / 100 == 2) {
          count(delivered);
          record(new Result(claim.eventId(), claim.seq(), "delivered", null, 0));
        } else {
          String error = status.succeeded() ? "http_" + status.result() : describe(status.cause());
          count(retried);
          record(new Result(claim.eventId(), claim.seq(), "retry", error, backoff.delayMs(claim.attempts())));
        }
        pump();
        // While the stream flows, claim again once this host has half its room free: claims of a few events each (one
        // per POST ended) cost PostgreSQL a statement per handful of events; the half still queued here keeps the
        // slots busy while the claim runs.
        if (lastClaimFound && free(host) >= hostCapacity() / 2) claimSoon();
      });
  }

  /** A claim {@value #CHAIN_GAP_MS} ms from now (one timer for all the POSTs that end meanwhile). */
  private void claimSoon() {
    if (chainTimerSet || stopped) return;
    chainTimerSet = true;
    vertx.setTimer(CHAIN_GAP_MS, t -> {
      chainTimerSet = false;
      claim();
    });
  }

  /** One POST to the address that was checked; the status code, or a failure (timeout, connection). */
  private Future<Integer> post(CallbackUrls.Target target, UUID eventId, String secret, Buffer body) {
    String path = target.uri().getRawPath() == null || target.uri().getRawPath().isEmpty() ? "/" : target.uri().getRawPath();
    if (target.uri().getRawQuery() != null) path += "?" + target.uri().getRawQuery();
    long now = System.currentTimeMillis() / 1000;
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST)
      .setServer(SocketAddress.inetSocketAddress(target.port(), target.address().getHostAddress()))
      .setHost(target.host()).setPort(target.port()).setSsl(target.ssl()).setURI(path)
      .setConnectTimeout(settings.timeoutMs()).setIdleTimeout(settings.timeoutMs()).setFollowRedirects(false)
      .putHeader("Content-Type", "application/json")
      .putHeader("User-Agent", "smsgw-webhooks/1")
      .putHeader(EVENT_ID_HEADER, eventId.toString())
      .putHeader(SIGNATURE_HEADER, ReportSignature.header(secret, now, body.getBytes()));
    HttpClientRequest[] sent = new HttpClientRequest[1];
    return client.request(options)
      .compose(request -> {
        sent[0] = request;
        return request.send(body);
      })
      .compose(response -> {
        response.handler(chunk -> { });  // the answer's body is not read: only its status counts
        return response.end().map(v -> response.statusCode());
      })
      .timeout(settings.timeoutMs(), TimeUnit.MILLISECONDS)
      .onFailure(failure -> {
        if (sent[0] != null) sent[0].reset();  // a receiver that does not answer in time loses its connection
      });
  }

  private static String describe(Throwable failure) {
    String text;
    if (failure instanceof CallbackUrls.Refused refused) text = refused.code + ": " + refused.getMessage();
    else if (failure instanceof java.util.concurrent.TimeoutException || String.valueOf(failure.getMessage()).contains("timeout")) text = "timeout";
    else text = failure.getClass().getSimpleName() + ": " + failure.getMessage();
    return text.length() > 300 ? text.substring(0, 300) : text;
  }

  private void record(Result result) {
    results.add(result);
    if (!flushScheduled) {
      flushScheduled = true;
      vertx.setTimer(FLUSH_MS, t -> flush());
    }
  }

  /** Writes the ends of claims gathered since the last flush, in one statement. A failed write leaves them leased:
   * they are due again when the lease runs out (sent again: at least once). */
  private Future<Void> flush() {
    flushScheduled = false;
    if (results.isEmpty()) return Future.succeededFuture();
    List<Result> batch = new ArrayList<>(results);
    results.clear();
    int n = batch.size();
    UUID[] ids = new UUID[n];
    Integer[] seqs = new Integer[n];
    String[] kinds = new String[n];
    String[] errors = new String[n];
    Long[] delays = new Long[n];
    for (int i = 0; i < n; i++) {
      Result r = batch.get(i);
      ids[i] = r.eventId();
      seqs[i] = r.claimSeq();
      kinds[i] = r.kind();
      errors[i] = r.error();
      delays[i] = r.delayMs();
    }
    return pool.preparedQuery(WebhookSql.record()).execute(Tuple.of(ids, seqs, kinds, errors, delays, settings.retryForS()))
      .onSuccess(rows -> {
        for (Result r : batch) if (r.kind().equals("dead")) count(dead);
      })
      .onFailure(failure -> LOG.warn("recording {} webhook results failed (their leases run out, they are sent again): {}",
        n, failure.toString()))
      .mapEmpty();
  }

  private static void count(Counter counter) {
    if (counter != null) counter.increment();
  }

  @Override
  public Future<?> stop() {
    stopped = true;
    vertx.cancelTimer(pollTimer);
    purge.close();
    for (Host host : hosts.values()) {  // claimed, never started: due again at once for whoever claims next
      for (Claim claim : host.waiting) record(new Result(claim.eventId(), claim.seq(), "release", null, 0));
      host.waiting.clear();
    }
    return flush().recover(f -> Future.succeededFuture()).compose(v -> client.close());
  }
}
