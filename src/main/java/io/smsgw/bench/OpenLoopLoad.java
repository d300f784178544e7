package io.smsgw.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.HdrHistogram.Histogram;

import java.util.Map;
import java.util.TreeMap;
import java.util.function.IntFunction;

/**
 * An open-loop load generator: request i leaves at start + i / rate whether or not earlier answers came back,
 * and its latency is measured from that intended time, so queueing delay is counted (no coordinated omission).
 * Everything runs on one event loop of the benchmark's own Vert.x instance.
 */
public final class OpenLoopLoad {

  /** One request: the API key to use and the JSON body. */
  public record Request(String apiKey, JsonObject body) {
  }

  /** What a run measured. */
  public record Result(long offered, long answered, Map<Integer, Long> byStatus, Histogram latencyMicros, double seconds) {
    public long count(int status) {
      return byStatus.getOrDefault(status, 0L);
    }
  }

  private final Vertx vertx;
  private final WebClient client;
  private final int port;

  public OpenLoopLoad(Vertx vertx, int port, int connections) {
    this.vertx = vertx;
    this.port = port;
    this.client = WebClient.create(vertx,
      new WebClientOptions().setKeepAlive(true).setDefaultHost("127.0.0.1").setDefaultPort(port),
      new PoolOptions().setHttp1MaxSize(connections));
  }

  /** Sends {@code rate × seconds} requests of {@code next} to POST /send-sms; completes when all answered. */
  public Future<Result> run(double rate, double seconds, IntFunction<Request> next) {
    if ((long) (rate * seconds) <= 0) return Future.failedFuture("nothing to send: rate × duration < 1");
    Promise<Result> done = Promise.promise();
    Context context = vertx.getOrCreateContext();
    context.runOnContext(v -> new Run(rate, (long) (rate * seconds), next, done).start());
    return done.future();
  }

  private final class Run {
    final double rate;
    final long total;
    final IntFunction<Request> next;
    final Promise<Result> done;
    final Histogram latency = new Histogram(60_000_000L, 3);
    final Map<Integer, Long> byStatus = new TreeMap<>();
    long startNanos;
    long sent;
    long answered;
    long timer;

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
      client.request(HttpMethod.POST, port, "127.0.0.1", "/send-sms")
        .putHeader("Content-Type", "application/json")
        .putHeader("X-API-Key", request.apiKey())
        .sendBuffer(request.body().toBuffer())
        .onComplete(ar -> {
          int status = ar.succeeded() ? ar.result().statusCode() : -1;
          byStatus.merge(status, 1L, Long::sum);
          latency.recordValue(Math.max(1, (System.nanoTime() - intendedNanos) / 1000));
          if (++answered == total) {
            double seconds = (System.nanoTime() - startNanos) / 1e9;
            done.complete(new Result(total, answered, byStatus, latency, seconds));
          }
        });
    }
  }

  public void close() {
    client.close();
  }

}
