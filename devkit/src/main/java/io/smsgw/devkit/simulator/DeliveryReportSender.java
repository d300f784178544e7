package io.smsgw.devkit.simulator;

import io.smsgw.config.ProviderSimSettings;
import io.smsgw.provider.ReportSignature;
import io.vertx.core.AsyncResult;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The simulated provider's delivery reports, for the messages one simulator verticle delivered: one report per part,
 * each due {@code dlr_delay_ms} ± {@code dlr_jitter_ms} after the delivery (drawn per part, so the parts of one message
 * can arrive out of order), some sent a second time ({@code dlr_duplicate_rate}). Every ~50 ms the due reports go out
 * in batches of at most {@code dlr_max_batch} as {@code POST <dlr_url>} {@code {"reports": [...]}}, signed with
 * {@link ReportSignature} over the exact body. A 2xx means the whole batch is stored; anything else, or no answer within
 * 5 s, and the same batch is sent again later (200 ms, doubling up to {@code dlr_retry_max_ms}, up to a fifth more at
 * random), re-signed with a fresh timestamp. Never dropped once scheduled; at most
 * {@link ProviderSimulatorState#MAX_PENDING_REPORTS} reports are held in memory across the simulator, and a report
 * beyond that is dropped when scheduled ({@code dlr_dropped}).
 *
 * <p>Runs on its verticle's event loop only (the delivery timers and this sender's timer and answers): no locks;
 * the counters it shares with the other verticles are in {@link ProviderSimulatorState}.
 */
final class DeliveryReportSender {

  static final long FLUSH_INTERVAL_MS = 50;
  static final long ANSWER_TIMEOUT_MS = 5_000;
  static final long FIRST_RETRY_MS = 200;
  /** Batches in flight at once per verticle: a slow receiver is not flooded with requests. */
  static final int MAX_IN_FLIGHT = 8;
  /** A concatenated SMS has at most 255 parts (the UDH counts them in one byte). */
  static final int MAX_PARTS = 255;

  static final String DELIVERED = "delivered";
  static final String UNDELIVERED = "undelivered";
  static final String EXPIRED = "expired";

  private static final DateTimeFormatter RFC_3339_UTC = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
    .withZone(ZoneOffset.UTC);

  private final ProviderSimulatorState state;
  private final String url;
  private final String secret;
  private final long delayMs;
  private final long jitterMs;
  private final double undeliveredRate;
  private final double expiredRate;
  private final double duplicateRate;
  private final int maxBatch;
  private final long retryMaxMs;
  private final WebClient client;
  private final long timerId;
  private final Vertx vertx;

  /** Not yet due, earliest first. */
  private final PriorityQueue<Report> scheduled = new PriorityQueue<>(Comparator.comparingLong(Report::dueAtMs));
  /** Due, waiting for a free request. */
  private final ArrayDeque<Report> due = new ArrayDeque<>();
  /** Batches that failed, by when they are sent again. */
  private final PriorityQueue<Batch> retries = new PriorityQueue<>(Comparator.comparingLong(b -> b.nextAttemptAtMs));
  private int inFlight;

  /** One report: the part of a message and its final state, sent at {@code dueAtMs}. */
  record Report(String providerMessageId, String clientRef, int part, int parts, String status, String errorCode,
                long doneAtMs, long dueAtMs, boolean duplicate) {

    JsonObject toJson() {
      JsonObject json = new JsonObject()
        .put("provider_message_id", providerMessageId)
        .put("client_ref", clientRef)
        .put("part", part)
        .put("parts", parts)
        .put("status", status);
      if (errorCode == null) json.putNull("error_code");
      else json.put("error_code", errorCode);
      return json.put("done_at", RFC_3339_UTC.format(Instant.ofEpochMilli(doneAtMs)));
    }
  }

  /** Reports that travel together: a failed batch is sent again as it was. */
  private static final class Batch {
    final int size;
    final int duplicates;
    final Buffer body;
    int failures;
    long nextAttemptAtMs;

    Batch(List<Report> reports) {
      JsonArray items = new JsonArray(new ArrayList<>(reports.size()));
      int copies = 0;
      for (Report r : reports) {
        items.add(r.toJson());
        if (r.duplicate()) copies++;
      }
      size = reports.size();
      duplicates = copies;
      body = new JsonObject().put("reports", items).toBuffer();
    }
  }

  DeliveryReportSender(Vertx vertx, ProviderSimSettings settings, ProviderSimulatorState state) {
    this.vertx = vertx;
    this.state = state;
    this.url = settings.dlrUrl();
    this.secret = settings.dlrSecret();
    this.delayMs = settings.dlrDelayMs();
    this.jitterMs = settings.dlrJitterMs();
    this.undeliveredRate = settings.dlrUndeliveredRate();
    this.expiredRate = settings.dlrExpiredRate();
    this.duplicateRate = settings.dlrDuplicateRate();
    this.maxBatch = settings.dlrMaxBatch();
    this.retryMaxMs = settings.dlrRetryMaxMs();
    this.client = WebClient.create(vertx,
      new WebClientOptions().setKeepAlive(true).setConnectTimeout((int) ANSWER_TIMEOUT_MS),
      new PoolOptions().setHttp1MaxSize(MAX_IN_FLIGHT));
    this.timerId = vertx.setPeriodic(FLUSH_INTERVAL_MS, t -> flush());
  }

  /**
   * A message was delivered (the first time for its idempotency key): one report per part, each with its own
   * delay and status. {@code to} decides the status for the magic number that is never delivered.
   */
  void delivered(String providerMessageId, String clientRef, String to, int parts) {
    long now = System.currentTimeMillis();
    ThreadLocalRandom random = ThreadLocalRandom.current();
    for (int part = 1; part <= parts; part++) {
      String status;
      String errorCode;
      double draw = random.nextDouble();
      if (ProviderSimulatorVerticle.UNDELIVERED_NUMBER.equals(to)) {
        status = UNDELIVERED;
        errorCode = "absent_subscriber";
      } else if (draw < expiredRate) {
        status = EXPIRED;
        errorCode = "expired";
      } else if (draw < expiredRate + undeliveredRate) {
        status = UNDELIVERED;
        errorCode = "absent_subscriber";
      } else {
        status = DELIVERED;
        errorCode = null;
      }
      long doneAt = now + delay();
      add(new Report(providerMessageId, clientRef, part, parts, status, errorCode, doneAt, doneAt, false));
      if (duplicateRate > 0 && random.nextDouble() < duplicateRate) {
        // The same report again, later: a provider that did not hear our 2xx, or sends twice anyway.
        add(new Report(providerMessageId, clientRef, part, parts, status, errorCode, doneAt, doneAt + Math.max(1, delay()), true));
      }
    }
  }

  private void add(Report report) {
    if (state.admitReport()) scheduled.add(report);
  }

  private long delay() {
    long spread = jitterMs == 0 ? 0 : ThreadLocalRandom.current().nextLong(-jitterMs, jitterMs + 1);
    return Math.max(0, delayMs + spread);
  }

  /** Due reports into batches; due retries first, then new batches, while fewer than {@link #MAX_IN_FLIGHT} are out. */
  private void flush() {
    long now = System.currentTimeMillis();
    while (!scheduled.isEmpty() && scheduled.peek().dueAtMs() <= now) due.add(scheduled.poll());
    while (inFlight < MAX_IN_FLIGHT && !retries.isEmpty() && retries.peek().nextAttemptAtMs <= now) {
      state.dlrRetries.incrementAndGet();
      post(retries.poll());
    }
    while (inFlight < MAX_IN_FLIGHT && !due.isEmpty()) {
      List<Report> reports = new ArrayList<>(Math.min(maxBatch, due.size()));
      while (reports.size() < maxBatch && !due.isEmpty()) reports.add(due.poll());
      post(new Batch(reports));
    }
  }

  private void post(Batch batch) {
    inFlight++;
    HttpRequest<Buffer> request = client.postAbs(url)
      .timeout(ANSWER_TIMEOUT_MS)
      .putHeader("Content-Type", "application/json");
    if (!secret.isEmpty()) {
      request.putHeader(ReportSignature.HEADER, ReportSignature.header(secret, System.currentTimeMillis() / 1000, batch.body.getBytes()));
    }
    request.sendBuffer(batch.body).onComplete(answer -> answered(batch, answer));
  }

  private void answered(Batch batch, AsyncResult<HttpResponse<Buffer>> answer) {
    inFlight--;
    int status = answer.succeeded() ? answer.result().statusCode() : 0;
    if (status >= 200 && status < 300) {
      state.reportsAcknowledged(batch.size, batch.duplicates);
    } else {
      batch.failures++;
      batch.nextAttemptAtMs = System.currentTimeMillis() + backoffMs(batch.failures);
      retries.add(batch);
      state.reportBatchFailed(url, answer.succeeded() ? "HTTP " + status : String.valueOf(answer.cause()));
    }
  }

  /** After the {@code failures}-th failure: 200 ms doubling, up to {@code dlr_retry_max_ms}, plus up to a fifth at random. */
  long backoffMs(int failures) {
    long exponential = Math.min(retryMaxMs, FIRST_RETRY_MS << Math.min(20, Math.max(0, failures - 1)));
    return Math.min(retryMaxMs, exponential + ThreadLocalRandom.current().nextLong(exponential / 5 + 1));
  }

  void close() {
    vertx.cancelTimer(timerId);
    client.close();
  }
}
