package io.smsgw.testing;

import io.smsgw.devkit.FreePorts;
import io.smsgw.provider.ReportSignature;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * A customer's webhook receiver on loopback (a Vert.x HTTP server in the test JVM): records every POST, and answers
 * per path as the test says (200 by default; 500 until a time; after a delay).
 */
public final class WebhookReceiver implements AutoCloseable {

  /** One POST as it arrived. */
  public record Received(String path, String signature, String eventId, String contentType, byte[] body, long atMillis) {
    public JsonObject json() {
      return new JsonObject(new String(body, java.nio.charset.StandardCharsets.UTF_8));
    }

    /** Whether the signature verifies with {@code secret} as the docs say a receiver checks it (±300 s). */
    public boolean verifies(String secret) {
      return ReportSignature.verify(secret, signature, body, Instant.now().getEpochSecond(), 300);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  public final int port;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, Long> failUntil = new ConcurrentHashMap<>();
  private final Map<String, Long> delayMs = new ConcurrentHashMap<>();

  public WebhookReceiver() throws Exception {
    port = FreePorts.next();
    server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      String path = request.path();
      received.add(new Received(path, request.getHeader("X-Smsgw-Signature"), request.getHeader("X-Smsgw-Event-Id"),
        request.getHeader("Content-Type"), body.getBytes(), System.currentTimeMillis()));
      int status = System.currentTimeMillis() < failUntil.getOrDefault(path, 0L) ? 500 : 200;
      long delay = delayMs.getOrDefault(path, 0L);
      if (delay > 0) vertx.setTimer(delay, t -> request.response().setStatusCode(status).end());
      else request.response().setStatusCode(status).end();
    })).listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** {@code http://127.0.0.1:<port><path>} */
  public String url(String path) {
    return "http://127.0.0.1:" + port + path;
  }

  /** Answer 500 on {@code path} for the next {@code millis} (Long.MAX_VALUE: for ever). */
  public void failFor(String path, long millis) {
    failUntil.put(path, millis == Long.MAX_VALUE ? Long.MAX_VALUE : System.currentTimeMillis() + millis);
  }

  public void delay(String path, long millis) {
    delayMs.put(path, millis);
  }

  public List<Received> on(String path) {
    return received.stream().filter(r -> r.path().equals(path)).toList();
  }

  /** The POSTs on {@code path} whose event has {@code status} for {@code messageId}. */
  public List<Received> events(String path, String messageId, String status) {
    return on(path).stream().filter(r -> {
      JsonObject e = r.json();
      return messageId.equals(e.getString("message_id")) && status.equals(e.getString("status"));
    }).toList();
  }

  @Override
  public void close() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
