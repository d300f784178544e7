package io.smsgw.api;

import io.smsgw.api.errors.ApiError;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

import java.util.HashMap;
import java.util.Map;

/**
 * Bounds the time a client may take to send a request ({@code http.request_timeout_ms}), head and body: the first
 * head from the moment the connection opens, each body from its head on, and the next head on a kept-alive
 * connection within idle + request timeout of the previous answer (a truly silent connection is closed by the
 * server's idle timeout, {@code http.idle_timeout_s}, before). A request not whole in time is answered 408
 * {@code request_timeout} when nothing was answered yet, and its connection is closed, so a slow client cannot hold
 * a connection and a buffer. A sweep every quarter of the timeout (at most 1 s) checks the connections of this HTTP
 * verticle; it installs no handler on the request or response, so the router's own handlers stay as they are.
 */
final class RequestDeadline implements Handler<HttpServerRequest> {

  private static final class Tracked {
    final long openedNanos = System.nanoTime();
    HttpServerRequest request;
    long requestNanos;
    long answeredSeenNanos;
  }

  private final Handler<HttpServerRequest> next;
  private final long requestTimeoutNanos;
  private final long betweenRequestsNanos;
  private final Map<HttpConnection, Tracked> connections = new HashMap<>();

  RequestDeadline(Vertx vertx, Handler<HttpServerRequest> next, long requestTimeoutMs, long idleTimeoutMs) {
    this.next = next;
    this.requestTimeoutNanos = requestTimeoutMs * 1_000_000L;
    this.betweenRequestsNanos = (idleTimeoutMs + requestTimeoutMs) * 1_000_000L;
    if (requestTimeoutMs > 0) vertx.setPeriodic(Math.max(50, Math.min(1000, requestTimeoutMs / 4)), id -> sweep());
  }

  /** The server's connection handler. */
  void connected(HttpConnection connection) {
    if (requestTimeoutNanos <= 0) return;
    connections.put(connection, new Tracked());
    connection.closeHandler(v -> connections.remove(connection));
  }

  @Override
  public void handle(HttpServerRequest request) {
    Tracked tracked = connections.get(request.connection());
    if (tracked != null) {
      tracked.request = request;
      tracked.requestNanos = System.nanoTime();
      tracked.answeredSeenNanos = 0;
    }
    next.handle(request);
  }

  private void sweep() {
    long now = System.nanoTime();
    connections.entrySet().removeIf(entry -> {
      HttpConnection connection = entry.getKey();
      Tracked t = entry.getValue();
      HttpServerRequest request = t.request;
      if (request == null) {
        if (now - t.openedNanos > requestTimeoutNanos) return close(connection);
      } else if (!request.isEnded()) {
        if (now - t.requestNanos > requestTimeoutNanos) {
          if (!request.response().headWritten()) {
            ApiError.REQUEST_TIMEOUT.sendAndClose(request, "the request was not received in time");
            return true;
          }
          return close(connection);
        }
      } else if (request.response().ended()) {
        if (t.answeredSeenNanos == 0) {
          t.answeredSeenNanos = now;
        } else if (now - t.answeredSeenNanos > betweenRequestsNanos) {
          return close(connection);
        }
      }
      return false;
    });
  }

  private static boolean close(HttpConnection connection) {
    connection.close();
    return true;
  }
}
