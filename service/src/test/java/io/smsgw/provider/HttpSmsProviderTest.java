package io.smsgw.provider;

import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * How {@link HttpSmsProvider} reads a provider's answers, against a small local HTTP server that answers as a provider
 * would. The rule that decides refunds: a {@link ProviderResult.Transient} says whether the attempt may have been
 * taken (timeout, reset, a 5xx other than 503, an answer we cannot read) or was definitely refused (429, 503, another
 * 4xx, a per-message {@code retry}, a refused connection).
 */
@ExtendWith(VertxExtension.class)
@DisplayName("HttpSmsProvider: classification of the provider's answers")
class HttpSmsProviderTest {

  private static final long TIMEOUT_MS = 400;

  private final AtomicReference<Handler<HttpServerRequest>> answer = new AtomicReference<>();
  private final List<JsonObject> received = new ArrayList<>();
  private HttpSmsProvider provider;

  @BeforeEach
  void startProvider(Vertx vertx, VertxTestContext ctx) {
    HttpServer server = vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      if (body.length() > 0) received.add(body.toJsonObject());
      answer.get().handle(request);
    }));
    server.listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
      provider = provider(vertx, "http://127.0.0.1:" + s.actualPort(), "on");
      ctx.completeNow();
    }));
  }

  private static HttpSmsProvider provider(Vertx vertx, String url, String lookup) {
    return new HttpSmsProvider(vertx, GatewayConfig.load(GatewayConfig.DEFAULT_PATH, Map.of(
      "SMSGW_PROVIDER_URL", url, "SMSGW_PROVIDER_TIMEOUT_MS", String.valueOf(TIMEOUT_MS), "SMSGW_PROVIDER_LOOKUP", lookup)).provider());
  }

  private static SmsMessage sms(String text) {
    return new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), "+14155550100", text, Priority.NORMAL, Encoding.GSM7, 1, 100,
      System.currentTimeMillis());
  }

  private void answerStatus(int status, JsonObject body) {
    answer.set(request -> request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode()));
  }

  private void answerRaw(int status, String body) {
    answer.set(request -> request.response().setStatusCode(status).end(body));
  }

  /** A 200 whose results echo the request's idempotency keys, each with the given per-message status. */
  private void answerPerMessage(String... statuses) {
    answer.set(request -> {
      JsonArray items = received.get(received.size() - 1).getJsonArray("messages");
      JsonArray results = new JsonArray();
      for (int i = 0; i < items.size(); i++) {
        String key = items.getJsonObject(i).getString("idempotency_key");
        results.add(new JsonObject().put("idempotency_key", key).put("status", statuses[i]).put("code", "c" + i)
          .put("message_id", "prov-" + i));
      }
      request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("results", results).encode());
    });
  }

  /** Sends the messages and checks the results on the test's context. */
  private void send(VertxTestContext ctx, List<SmsMessage> messages, java.util.function.Consumer<List<ProviderResult>> check) {
    provider.send(messages).onComplete(ctx.succeeding(results -> ctx.verify(() -> {
      assertThat(results).hasSize(messages.size());
      check.accept(results);
      ctx.completeNow();
    })));
  }

  private static void allTransient(List<ProviderResult> results, boolean mayHaveBeenTaken) {
    assertThat(results).allSatisfy(r -> {
      assertThat(r).isInstanceOf(ProviderResult.Transient.class);
      assertThat(((ProviderResult.Transient) r).mayHaveBeenTaken()).as("mayHaveBeenTaken of " + r).isEqualTo(mayHaveBeenTaken);
    });
  }

  @Nested
  @DisplayName("send: one request to the batch endpoint")
  class Send {

    @Test
    @DisplayName("the batch carries each message with its message_id as the idempotency key, to /v1/messages/batch")
    void requestShape(VertxTestContext ctx) {
      AtomicReference<String> path = new AtomicReference<>();
      answer.set(request -> {
        path.set(request.method() + " " + request.path());
        answerPerMessage("queued", "queued");
        answer.get().handle(request);
      });
      SmsMessage a = sms("hello"), b = sms("world");
      send(ctx, List.of(a, b), results -> {
        assertThat(path.get()).isEqualTo("POST /v1/messages/batch");
        JsonArray items = received.get(0).getJsonArray("messages");
        assertThat(items.getJsonObject(0).getMap()).containsEntry("idempotency_key", a.messageId().toString())
          .containsEntry("to", "+14155550100").containsEntry("text", "hello").containsEntry("encoding", "GSM7").containsEntry("segments", 1);
        assertThat(items.getJsonObject(1).getString("idempotency_key")).isEqualTo(b.messageId().toString());
      });
    }

    @Test
    @DisplayName("200 with one result per message: queued → Sent (Accepted), rejected / failed → Permanent, retry → Transient not taken, anything else → Transient maybe taken")
    void perMessageResults(VertxTestContext ctx) {
      answerPerMessage("queued", "rejected", "failed", "retry", "mystery");
      send(ctx, List.of(sms("1"), sms("2"), sms("3"), sms("4"), sms("5")), results -> {
        assertThat(results.get(0)).isEqualTo(new ProviderResult.Accepted("prov-0"));
        assertThat(results.get(1)).isEqualTo(new ProviderResult.Permanent("rejected", "c1"));
        assertThat(results.get(2)).isEqualTo(new ProviderResult.Permanent("failed", "c2"));
        assertThat(results.get(3)).isEqualTo(new ProviderResult.Transient("retry c3", false, false));
        assertThat(results.get(4)).isEqualTo(new ProviderResult.Transient("mystery c4", true, false));
      });
    }

    @ParameterizedTest(name = "{0} → Transient, mayHaveBeenTaken {1}")
    @DisplayName("a non-200 answer is transient for every message; only 5xx other than 503 may have been acted on")
    @CsvSource({"429, false", "503, false", "400, false", "401, false", "404, false", "408, false", "500, true", "502, true", "504, true"})
    void statusCodes(int status, boolean mayHaveBeenTaken, VertxTestContext ctx) {
      answerStatus(status, new JsonObject().put("code", "code_" + status));
      send(ctx, List.of(sms("a"), sms("b")), results -> {
        allTransient(results, mayHaveBeenTaken);
        assertThat(((ProviderResult.Transient) results.get(0)).reason()).isEqualTo(status + " code_" + status);
      });
    }

    @ParameterizedTest(name = "200 with body {0} → Transient, maybe taken")
    @DisplayName("a 200 we cannot read may still have been acted on")
    @ValueSource(strings = {"not json at all", "[1, 2]", "{}", "{\"results\": \"x\"}", "{\"results\": [1, 2]}", "{\"results\": []}",
      "{\"results\": [{\"status\": \"queued\"}, {\"status\": \"queued\"}]}"})
    void garbageBodies(String body, VertxTestContext ctx) {
      answerRaw(200, body);
      send(ctx, List.of(sms("a"), sms("b")), results -> allTransient(results, true));
    }

    @Test
    @DisplayName("results out of order (idempotency keys swapped): maybe taken, for all")
    void outOfOrder(VertxTestContext ctx) {
      answer.set(request -> {
        JsonArray items = received.get(0).getJsonArray("messages");
        JsonArray results = new JsonArray()
          .add(new JsonObject().put("idempotency_key", items.getJsonObject(1).getString("idempotency_key")).put("status", "queued"))
          .add(new JsonObject().put("idempotency_key", items.getJsonObject(0).getString("idempotency_key")).put("status", "queued"));
        request.response().end(new JsonObject().put("results", results).encode());
      });
      send(ctx, List.of(sms("a"), sms("b")), results -> allTransient(results, true));
    }

    @Test
    @DisplayName("no answer within provider.timeout_ms: maybe taken")
    void timeout(VertxTestContext ctx) {
      answer.set(request -> { });  // never answers
      long started = System.currentTimeMillis();
      send(ctx, List.of(sms("a")), results -> {
        allTransient(results, true);
        assertThat(System.currentTimeMillis() - started).isBetween(TIMEOUT_MS - 50, TIMEOUT_MS + 3_000);
      });
    }

    @Test
    @DisplayName("the connection closed before an answer: maybe taken")
    void closedBeforeAnswer(VertxTestContext ctx) {
      answer.set(request -> request.connection().close());
      send(ctx, List.of(sms("a"), sms("b")), results -> allTransient(results, true));
    }

    @Test
    @DisplayName("a TCP reset after the request was read: maybe taken")
    void reset(Vertx vertx, VertxTestContext ctx) {
      // SO_LINGER 0: close() sends RST instead of FIN
      NetServer rst = vertx.createNetServer(new NetServerOptions().setSoLinger(0));
      rst.connectHandler(socket -> socket.handler(bytes -> socket.close()));
      rst.listen(0, "127.0.0.1").onComplete(ctx.succeeding(s -> {
        provider = provider(vertx, "http://127.0.0.1:" + s.actualPort(), "on");
        send(ctx, List.of(sms("a")), results -> allTransient(results, true));
      }));
    }

    @Test
    @DisplayName("connection refused (nothing listens): definitely not taken")
    void connectionRefused(Vertx vertx, VertxTestContext ctx) throws Exception {
      int deadPort;
      try (ServerSocket s = new ServerSocket(0)) {
        deadPort = s.getLocalPort();
      }
      provider = provider(vertx, "http://127.0.0.1:" + deadPort, "on");
      send(ctx, List.of(sms("a"), sms("b")), results -> allTransient(results, false));
    }
  }

  @Nested
  @DisplayName("lookup: GET /v1/messages/{idempotency key}")
  class Lookup {

    private void lookup(VertxTestContext ctx, LookupResult expected) {
      SmsMessage message = sms("x");
      provider.lookup(message).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
        assertThat(result).isEqualTo(expected);
        ctx.completeNow();
      })));
    }

    @Test
    @DisplayName("200 with an id → Found")
    void found(VertxTestContext ctx) {
      AtomicReference<String> path = new AtomicReference<>();
      answer.set(request -> {
        path.set(request.path());
        request.response().end(new JsonObject().put("message_id", "prov-9").encode());
      });
      SmsMessage message = sms("x");
      provider.lookup(message).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
        assertThat(result).isEqualTo(new LookupResult.Found("prov-9"));
        assertThat(path.get()).isEqualTo("/v1/messages/" + message.messageId());
        ctx.completeNow();
      })));
    }

    @Test
    @DisplayName("200 without an id → CannotSay")
    void foundWithoutId(VertxTestContext ctx) {
      answerStatus(200, new JsonObject().put("message_id", " "));
      lookup(ctx, new LookupResult.CannotSay("lookup answered 200 without an id"));
    }

    @Test
    @DisplayName("404 that says not_found → NotFound")
    void notFound(VertxTestContext ctx) {
      answerStatus(404, new JsonObject().put("code", "not_found"));
      lookup(ctx, new LookupResult.NotFound());
    }

    @Test
    @DisplayName("a bare 404 (no lookup endpoint) → Unsupported")
    void bare404(VertxTestContext ctx) {
      answerRaw(404, "<html>nope</html>");
      lookup(ctx, new LookupResult.Unsupported("lookup answered 404 without not_found (no lookup endpoint?)"));
    }

    @ParameterizedTest(name = "{0} → Unsupported")
    @DisplayName("401, 403, 405, 501: this provider has no lookup for us")
    @ValueSource(ints = {401, 403, 405, 501})
    void unsupported(int status, VertxTestContext ctx) {
      answerStatus(status, new JsonObject());
      lookup(ctx, new LookupResult.Unsupported("lookup answered " + status));
    }

    @ParameterizedTest(name = "{0} → CannotSay")
    @DisplayName("429, 500, 503: ask again later")
    @ValueSource(ints = {429, 500, 503})
    void cannotSay(int status, VertxTestContext ctx) {
      answerStatus(status, new JsonObject());
      lookup(ctx, new LookupResult.CannotSay("lookup answered " + status));
    }

    @Test
    @DisplayName("no answer in time → CannotSay")
    void timeout(VertxTestContext ctx) {
      answer.set(request -> { });
      provider.lookup(sms("x")).onComplete(ctx.succeeding(result -> ctx.verify(() -> {
        assertThat(result).isInstanceOf(LookupResult.CannotSay.class);
        ctx.completeNow();
      })));
    }

    @Test
    @DisplayName("provider.lookup = off → Unsupported, without asking")
    void lookupOff(Vertx vertx, VertxTestContext ctx) {
      answer.set(request -> ctx.failNow("the provider was asked"));
      HttpSmsProvider off = provider(vertx, "http://127.0.0.1:1", "off");
      assertThat(off.offersLookup()).isFalse();
      assertThat(provider.offersLookup()).isTrue();
      Future<LookupResult> result = off.lookup(sms("x"));
      result.onComplete(ctx.succeeding(r -> ctx.verify(() -> {
        assertThat(r).isEqualTo(new LookupResult.Unsupported("provider.lookup is off"));
        ctx.completeNow();
      })));
    }
  }
}
