package io.smsgw.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * An open-loop load generator: request i leaves at start + i / rate whether or not earlier answers came back,
 * and its latency is measured from that intended time, so queueing delay is counted (no coordinated omission).
 * Everything runs on one event loop of the benchmark's own Vert.x instance.
 */
public final class OpenLoopLoad {

  /** One request: the API key to use and the encoded JSON body. */
  public record Request(String apiKey, Buffer body) {
    public static Request of(String apiKey, JsonObject body) {
      return new Request(apiKey, body.toBuffer());
    }
  }

  /** What a run measured. */
  /** {@code failures}: requests that got no HTTP answer (status -1), by the client's exception. */
  public record Result(long offered, long answered, Map<Integer, Long> byStatus, Histogram latencyMicros, double seconds,
                       Map<String, Long> failures) {
    public long count(int status) {
      return byStatus.getOrDefault(status, 0L);
    }
  }

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence API_KEY = HttpHeaders.createOptimized("X-API-Key");

  private final Vertx vertx;
  private final RequestOptions sendSms;
  private final HttpClient[] clients;
  private final java.util.concurrent.atomic.AtomicLong accepted = new java.util.concurrent.atomic.AtomicLong();

  public OpenLoopLoad(Vertx vertx, int port, int connections) {
    this.vertx = vertx;
    this.sendSms = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/send-sms");
    // The core client, not WebClient: the generator shares the two cores with what it measures, so it stays lean.
    // Several small pools, not one large one: Vert.x picks a connection by scanning its whole pool on every
    // request, which with 512 connections was ~4% of the JVM's CPU (async-profiler).
    int pools = Math.max(1, (connections + CONNECTIONS_PER_POOL - 1) / CONNECTIONS_PER_POOL);
    this.clients = new HttpClient[pools];
    for (int i = 0; i < pools; i++) {
      // The client lets an idle connection go before the gateway does (http.idle_timeout_s, 30 s): with the client's
      // default of 60 s, a request sent on a connection the server was closing failed with "Connection was closed"
      // (2 of 36,000 in an accept run), a race of the generator's, not an answer of the gateway's.
      clients[i] = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setKeepAliveTimeout(KEEP_ALIVE_S),
        new PoolOptions().setHttp1MaxSize(Math.max(1, connections / pools)));
    }
  }

  private static final int CONNECTIONS_PER_POOL = 32;


  /**
   * Sends {@code rate × seconds} requests of {@code next} to POST /send-sms; completes when all answered.
   * {@code next} gets every index from 0 once, from {@link #LANES} event loops at the same time: one event loop
   * alone topped out near 3,000 requests/s and then measured its own lag instead of the gateway's.
   */
  public Future<Result> run(double rate, double seconds, IntFunction<Request> next) {
    long total = (long) (rate * seconds);
    if (total <= 0) return Future.failedFuture("nothing to send: rate × duration < 1");
    List<Future<Result>> lanes = new ArrayList<>();
    for (int lane = 0; lane < LANES; lane++) {
      long laneTotal = total / LANES + (lane < total % LANES ? 1 : 0);
      if (laneTotal == 0) continue;
      int first = lane;
      Promise<Result> done = Promise.promise();
      Context context = vertx.getOrCreateContext();  // from a non-Vert.x thread: a new context, the next event loop
      context.runOnContext(v -> new Run(rate * laneTotal / total, laneTotal, j -> next.apply((int) (first + (long) j * LANES)), done).start());
      lanes.add(done.future());
    }
    return Future.all(lanes).map(all -> {
      Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
      Map<Integer, Long> byStatus = new TreeMap<>();
      Map<String, Long> failures = new TreeMap<>();
      long offered = 0;
      long answered = 0;
      double longest = 0;
      for (Result r : all.<Result>list()) {
        latency.add(r.latencyMicros());
        r.byStatus().forEach((status, count) -> byStatus.merge(status, count, Long::sum));
        r.failures().forEach((why, count) -> failures.merge(why, count, Long::sum));
        offered += r.offered();
        answered += r.answered();
        longest = Math.max(longest, r.seconds());
      }
      return new Result(offered, answered, byStatus, latency, longest, failures);
    });
  }

  private static final int LANES = 2;
  /** Shorter than the gateway's http.idle_timeout_s (30). */
  private static final int KEEP_ALIVE_S = 20;
  private static final long MAX_LATENCY_MICROS = 60_000_000L;

  private final class Run {
    final double rate;
    final long total;
    final IntFunction<Request> next;
    final Promise<Result> done;
    final Histogram latency = new Histogram(MAX_LATENCY_MICROS, 3);
    final Map<Integer, Long> byStatus = new TreeMap<>();
    final Map<String, Long> failures = new TreeMap<>();
    long startNanos;
    long sent;
    long answered;
    long timer;
    int nextClient;

    Run(double rate, long total, IntFunction<Request> next, Promise<Result> done) {
      this.rate = rate;
      this.total = total;
      this.next = next;
      this.done = done;
    }

    void start() {
      startNanos = System.nanoTime();
      timer = vertx.setPeriodic(1, id -> tick());
      tick();
    }

    void tick() {
      long due = Math.min(total, (long) ((System.nanoTime() - startNanos) / 1e9 * rate));
      while (sent < due) {
        long intended = startNanos + (long) (sent / rate * 1e9);
        send(next.apply((int) sent), intended);
        sent++;
      }
      if (sent >= total) vertx.cancelTimer(timer);
    }

    void send(Request request, long intendedNanos) {
      HttpClient client = clients[nextClient];
      nextClient = nextClient + 1 == clients.length ? 0 : nextClient + 1;
      client.request(sendSms)
        .compose(req -> req.putHeader(HttpHeaders.CONTENT_TYPE, JSON).putHeader(API_KEY, request.apiKey())
          .send(request.body())
          .compose(response -> response.body().map(body -> response.statusCode())))
        .onComplete(ar -> {
          int status = ar.succeeded() ? ar.result() : -1;
          if (ar.failed()) failures.merge(failure(ar.cause()), 1L, Long::sum);
          if (status == 200) accepted.incrementAndGet();
          byStatus.merge(status, 1L, Long::sum);
          // Capped at the histogram's range: a value beyond it throws, and this request would then never count as
          // answered, so the run would never end (an offered rate far above the ceiling queues for over a minute).
          latency.recordValue(Math.min(MAX_LATENCY_MICROS, Math.max(1, (System.nanoTime() - intendedNanos) / 1000)));
          if (++answered == total) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            done.complete(new Result(total, answered, byStatus, latency, seconds, failures));
          }
        });
    }
  }

  /** A failure's class and the start of its message: a few distinct keys, not one per request. */
  private static String failure(Throwable t) {
    String message = String.valueOf(t.getMessage());
    return t.getClass().getSimpleName() + ": " + (message.length() > 80 ? message.substring(0, 80) : message);
  }

  /** 200 answers so far, over every run of this generator (readable from any thread). */
  public long acceptedSoFar() {
    return accepted.get();
  }

  public void close() {
    for (HttpClient client : clients) client.close();
  }

}
