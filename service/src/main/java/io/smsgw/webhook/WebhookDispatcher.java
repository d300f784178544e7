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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Sends the status events of the outbox table {@code webhook_events} (worker pods, {@code instances.webhook_dispatcher}).
 *
 * <p>Every {@code webhooks.poll_interval_ms} (at once again while it finds full batches) it claims due events with a
 * lease ({@code claim_webhook_events}: {@code FOR UPDATE SKIP LOCKED}, so two dispatchers never hold one event; a dead
 * one's lease runs out and the event is due again), as many as it has free slots: {@code webhooks.max_in_flight} in all
 * and {@code webhooks.max_per_host} per receiver host. Hosts whose slots are all in use are left out of the claim, so a
 * slow or dead receiver holds only its own slots, and no POST waits for another: the round ends once the claim is in.
 *
 * <p>Each event: the URL's host is resolved again and checked ({@link CallbackUrls}: a name that now points somewhere
 * refused is not called), then one POST to the checked address with the body as stored, {@code Content-Type:
 * application/json}, {@code X-Smsgw-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>} with the user's
 * current secret, {@code X-Smsgw-Event-Id}, and at most {@code webhooks.timeout_ms}. A 2xx marks it delivered; anything
 * else (another status, a timeout, a refused connection, a redirect) is retried after {@link WebhookBackoff}'s delay, until
 * the event is {@code webhooks.retry_for_s} old: then it is dead (listed by {@code GET /webhook/events?status=dead}).
 * At least once: the mark is written only after the 2xx, so a crash between them sends the event again.
 */
public class WebhookDispatcher extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(WebhookDispatcher.class);
  public static final String SIGNATURE_HEADER = "X-Smsgw-Signature";
  public static final String EVENT_ID_HEADER = "X-Smsgw-Event-Id";
  private static final int FLUSH_MS = 20;

  private WebhookSettings settings;
  private WebhookBackoff backoff;
  private CallbackUrls urls;
  private Pool pool;
  private HttpClient client;
  private PeriodicTask task;
  private int inFlight;
  private final Map<String, Integer> perHost = new HashMap<>();
  private final List<Result> results = new ArrayList<>();
  private boolean flushScheduled;
  private Counter delivered;
  private Counter retried;
  private Counter dead;

  /** The end of one claim, written in a batch with the others ({@code record_webhook_results}). */
  private record Result(UUID eventId, int claimSeq, String kind, String error, long delayMs) {
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    settings = config.webhooks();
    backoff = WebhookBackoff.of(settings);
    urls = new CallbackUrls(vertx, settings);
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
    task = PeriodicTask.every(vertx, settings.pollIntervalMs(), this::round);
    return Future.succeededFuture();
  }

  /** One claim: as many due events as there are free slots; true when it took a full batch (more may be due). */
  private Future<Boolean> round() {
    int free = settings.maxInFlight() - inFlight;
    if (free <= 0) return Future.succeededFuture(false);
    int limit = Math.min(free, settings.batch());
    List<String> busy = new ArrayList<>();
    perHost.forEach((host, n) -> {
      if (n >= settings.maxPerHost()) busy.add(host);
    });
    return pool.preparedQuery(WebhookSql.claim()).execute(Tuple.of(limit, settings.leaseMs(), busy.toArray(String[]::new)))
      .map(rows -> {
        for (Row row : rows) start(row);
        return rows.size() == limit;
      })
      .onFailure(failure -> LOG.warn("claiming webhook events failed: {}", failure.toString()));
  }

  private void start(Row row) {
    UUID id = row.getUUID("event_id");
    int seq = row.getInteger("claim_seq");
    String secret = row.getString("secret");
    String host = row.getString("host") == null ? "" : row.getString("host");
    if (secret == null) {  // the user deleted the webhook: nothing to sign with, and nobody to tell
      record(new Result(id, seq, "dead", "webhook_not_configured: the user has no webhook secret to sign with", 0));
      return;
    }
    if (perHost.getOrDefault(host, 0) >= settings.maxPerHost()) {  // more of this host than its free slots in one claim
      record(new Result(id, seq, "release", null, 0));
      return;
    }
    inFlight++;
    perHost.merge(host, 1, Integer::sum);
    int attempts = row.getInteger("attempts");
    Buffer body = Buffer.buffer(row.getString("payload").getBytes(StandardCharsets.UTF_8));
    urls.check(row.getString("url"))
      .compose(target -> post(target, id, secret, body))
      .onComplete(status -> {
        done(host);
        if (status.succeeded() && status.result() / 100 == 2) {
          count(delivered);
          record(new Result(id, seq, "delivered", null, 0));
        } else {
          String error = status.succeeded() ? "http_" + status.result() : describe(status.cause());
          count(retried);
          record(new Result(id, seq, "retry", error, backoff.delayMs(attempts)));
        }
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

  private void done(String host) {
    inFlight--;
    perHost.computeIfPresent(host, (h, n) -> n <= 1 ? null : n - 1);
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
    if (task != null) task.close();
    return flush().recover(f -> Future.succeededFuture()).compose(v -> client.close());
  }
}
