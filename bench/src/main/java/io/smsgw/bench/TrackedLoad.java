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
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The chaos run's load generator: open loop (request i leaves at start + i / rate), round-robin over the gateways,
 * with every request tracked by its message_id until it has one outcome. Unlike {@link OpenLoopLoad} it is
 * bounded: beyond {@code maxInFlight} requests waiting for an answer, a request is not sent and counted
 * {@code not_sent}, so an outage cannot pile up unbounded work in this JVM.
 *
 * <p>A connection that could not be made (refused, connect timeout) means nothing was sent: the request goes once
 * to the next gateway with the same message_id, as a load balancer would. Anything that fails after the request
 * was handed to a connection (reset, closed, no answer within the timeout) is {@code unanswered}: the gateway may
 * or may not have accepted it, and the verdict looks it up in PostgreSQL.
 */
final class TrackedLoad {

  /** The one outcome of each request. */
  static final byte PENDING = 0;
  static final byte ACCEPTED = 1;
  static final byte ANSWERED_4XX = 2;
  static final byte ANSWERED_5XX = 3;
  static final byte ANSWERED_OTHER = 4;
  static final byte UNANSWERED = 5;
  /** Not sent: over the in-flight bound, or no gateway took the connection. */
  static final byte NOT_SENT = 6;

  private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");
  private static final CharSequence API_KEY = HttpHeaders.createOptimized("X-API-Key");
  private static final int LANES = 2;
  private static final int CONNECTIONS_PER_POOL = 32;

  private final Vertx vertx;
  private final int[] ports;
  private final int connectionsPerGateway;
  private final int maxInFlight;
  private final long timeoutMs;

  // Per request, indexed by its number; each index is written by one lane only, read after the run.
  final int total;
  final long[] idHigh;
  final long[] idLow;
  final byte[] outcome;
  final short[] status;
  final String[] code;
  final boolean[] resent;

  // Live counters for the per-second samples (any thread).
  final LongAdder accepted = new LongAdder();
  /** Accepted per HTTP pod, in the order of the ports given. */
  final LongAdder[] acceptedByPort;
  final LongAdder answered5xx = new LongAdder();
  final AtomicInteger inFlight = new AtomicInteger();
  final Histogram acceptedLatencyMicros = new Histogram(60_000_000L, 3);
  private volatile double seconds;

  TrackedLoad(Vertx vertx, int[] ports, int connectionsPerGateway, int maxInFlight, long timeoutMs, double rate, double seconds) {
    this.vertx = vertx;
    this.ports = ports;
    this.connectionsPerGateway = connectionsPerGateway;
    this.maxInFlight = maxInFlight;
    this.timeoutMs = timeoutMs;
    this.total = (int) (rate * seconds);
    acceptedByPort = new LongAdder[ports.length];
    for (int p = 0; p < ports.length; p++) acceptedByPort[p] = new LongAdder();
    idHigh = new long[total];
    idLow = new long[total];
    outcome = new byte[total];
    status = new short[total];
    code = new String[total];
    resent = new boolean[total];
  }

  UUID id(int i) {
    return new UUID(idHigh[i], idLow[i]);
  }

  /** Seconds from the first request to the last outcome. */
  double seconds() {
    return seconds;
  }

  /** Sends every request; completes when each has an outcome. */
  Future<Void> run(double rate, ChaosTraffic traffic, long startNanos) {
    List<Future<Void>> lanes = new ArrayList<>();
    for (int lane = 0; lane < LANES; lane++) {
      Promise<Void> done = Promise.promise();
      int first = lane;
      Context context = vertx.getOrCreateContext();  // from a non-Vert.x thread: a new context on the next event loop
      context.runOnContext(v -> new Lane(first, rate, traffic, startNanos, done).start());
      lanes.add(done.future());
    }
    return Future.all(lanes).map(all -> {
      seconds = (System.nanoTime() - startNanos) / 1e9;
      return null;
    });
  }

  /** One event loop's share: requests first, first + LANES, ...; its own connections, so callbacks stay on it. */
  private final class Lane {
    final int first;
    final double rate;
    final ChaosTraffic traffic;
    final long startNanos;
    final Promise<Void> done;
    final int count;
    final HttpClient[][] clients;  // [gateway][pool]
    final int[] nextPool;
    final RequestOptions[] sendSms;
    long timer;
    int sent;      // requests of this lane started (local index)
    int finished;  // requests of this lane with an outcome
    int nextGateway;

    Lane(int first, double rate, ChaosTraffic traffic, long startNanos, Promise<Void> done) {
      this.first = first;
      this.rate = rate;
      this.traffic = traffic;
      this.startNanos = startNanos;
      this.done = done;
      this.count = total / LANES + (first < total % LANES ? 1 : 0);
      int perLane = Math.max(1, connectionsPerGateway / LANES);
      int pools = Math.max(1, (perLane + CONNECTIONS_PER_POOL - 1) / CONNECTIONS_PER_POOL);
      clients = new HttpClient[ports.length][pools];
      nextPool = new int[ports.length];
      sendSms = new RequestOptions[ports.length];
      for (int g = 0; g < ports.length; g++) {
        // idle timeout = the client's patience: no byte of an answer within it and the request is given up.
        // The connect timeout also bounds the wait for a pooled connection: past it nothing was sent either.
        sendSms[g] = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(ports[g])
          .setURI("/send-sms").setConnectTimeout(5_000).setIdleTimeout(timeoutMs);
        for (int p = 0; p < pools; p++) {
          // A reset when a gateway is killed is an outcome of the request it carried, not an error to log per connection.
          clients[g][p] = vertx.httpClientBuilder().with(new HttpClientOptions().setKeepAlive(true))
            .with(new PoolOptions().setHttp1MaxSize(Math.max(1, perLane / pools)))
            .withConnectHandler(connection -> connection.exceptionHandler(e -> { }))
            .build();
        }
      }
    }

    void start() {
      if (count == 0) {
        done.complete();
        return;
      }
      timer = vertx.setPeriodic(1, id -> tick());
      tick();
    }

    void tick() {
      // Every request whose time has come, whatever happened to the earlier ones (open loop).
      long due = Math.min(count, (long) ((System.nanoTime() - startNanos) / 1e9 * rate / LANES));
      while (sent < due) {
        int i = first + sent * LANES;
        sent++;
        UUID id = TrafficMix.randomUuid();
        idHigh[i] = id.getMostSignificantBits();
        idLow[i] = id.getLeastSignificantBits();
        if (inFlight.get() >= maxInFlight) {
          finish(i, NOT_SENT, 0, "in_flight_bound");
          continue;
        }
        inFlight.incrementAndGet();
        int gateway = nextGateway;
        nextGateway = (nextGateway + 1) % ports.length;
        send(i, id, gateway, false, startNanos + (long) (i / rate * 1e9));
      }
      if (sent >= count) vertx.cancelTimer(timer);
    }

    void send(int i, UUID id, int gateway, boolean retry, long intendedNanos) {
      OpenLoopLoad.Request request = traffic.request(i, id);
      HttpClient client = clients[gateway][nextPool[gateway]];
      nextPool[gateway] = (nextPool[gateway] + 1) % clients[gateway].length;
      client.request(sendSms[gateway]).onComplete(connected -> {
        if (connected.failed()) {
          // No connection: nothing reached a gateway. Once to the next one, with the same message_id.
          if (!retry && ports.length > 1) {
            resent[i] = true;
            send(i, id, (gateway + 1) % ports.length, true, intendedNanos);
          } else {
            inFlight.decrementAndGet();
            finish(i, NOT_SENT, 0, "no_connection");
          }
          return;
        }
        connected.result().putHeader(HttpHeaders.CONTENT_TYPE, JSON).putHeader(API_KEY, request.apiKey())
          .send(request.body())
          .compose(response -> response.body().map(body -> new Answer(response.statusCode(), body)))
          .onComplete(answered -> {
            inFlight.decrementAndGet();
            if (answered.failed()) {
              finish(i, UNANSWERED, 0, null);
              return;
            }
            int s = answered.result().status();
            if (s == 200) {
              accepted.increment();
              acceptedByPort[gateway].increment();
              synchronized (acceptedLatencyMicros) {
                acceptedLatencyMicros.recordValue(Math.min(60_000_000L, Math.max(1, (System.nanoTime() - intendedNanos) / 1000)));
              }
              finish(i, ACCEPTED, s, null);
            } else {
              if (s >= 500) answered5xx.increment();
              finish(i, s >= 500 ? ANSWERED_5XX : s >= 400 ? ANSWERED_4XX : ANSWERED_OTHER, s, errorCode(answered.result().body()));
            }
          });
      });
    }

    void finish(int i, byte what, int httpStatus, String errorCode) {
      outcome[i] = what;
      status[i] = (short) httpStatus;
      code[i] = errorCode;
      if (++finished == count) {
        for (HttpClient[] pools : clients) for (HttpClient c : pools) c.close();
        done.complete();
      }
    }
  }

  private record Answer(int status, Buffer body) {
  }

  /** {@code error.code} of the error envelope, or what the body was instead. */
  private static String errorCode(Buffer body) {
    try {
      return new JsonObject(body).getJsonObject("error").getString("code");
    } catch (RuntimeException notTheEnvelope) {
      return "no_error_code";
    }
  }
}
