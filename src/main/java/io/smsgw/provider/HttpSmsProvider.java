package io.smsgw.provider;

import io.smsgw.config.GatewayConfig;
import io.smsgw.sms.SmsMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A provider with a REST API in the style of the well-known SMS APIs: the bulk endpoint
 * {@code POST /v1/messages/batch} takes many messages, each with its idempotency key, and answers one result per
 * message ({@code queued}; {@code failed} or {@code rejected}: permanent; {@code retry}: transient); the request as
 * a whole failing (408, 429, 5xx, timeout) is transient for all. {@code GET /v1/messages/{idempotency key}} tells
 * whether it holds a message. The provider simulator speaks this API (and the single-message
 * {@code POST /v1/messages} of the same style).
 */
public final class HttpSmsProvider implements SmsProvider {

  private final WebClient client;
  private final String url;
  private final String batchUrl;
  private final long timeoutMs;

  public HttpSmsProvider(Vertx vertx, GatewayConfig config) {
    this.url = config.string("provider", "url").replaceAll("/+$", "") + "/v1/messages";
    this.batchUrl = url + "/batch";
    this.timeoutMs = config.number("provider", "timeout_ms");
    this.client = WebClient.create(vertx,
      new WebClientOptions().setKeepAlive(true).setConnectTimeout((int) timeoutMs),
      new PoolOptions().setHttp1MaxSize(config.integer("provider", "max_connections")));
  }

  /**
   * One request to the bulk endpoint for the whole list: per-message HTTP requests cost the worker and the
   * provider more CPU than anything else in the send path. A failure of the request as a whole (timeout, 429,
   * 5xx, a broken connection) is a transient failure of every message in it.
   */
  @Override
  public Future<List<ProviderResult>> send(List<SmsMessage> messages) {
    JsonArray items = new JsonArray(new ArrayList<>(messages.size()));
    for (SmsMessage m : messages) {
      items.add(new JsonObject()
        .put("idempotency_key", m.messageId().toString())
        .put("to", m.phoneNumber())
        .put("text", m.text())
        .put("encoding", m.encoding().name())
        .put("segments", m.segments()));
    }
    return client.postAbs(batchUrl)
      .timeout(timeoutMs)
      .sendJsonObject(new JsonObject().put("messages", items))
      .map(response -> classify(messages, response))
      .otherwise(failure -> allTransient(messages.size(), failure.getClass().getSimpleName() + ": " + failure.getMessage()));
  }

  @Override
  public Future<Optional<String>> lookup(SmsMessage message) {
    return client.getAbs(url + "/" + message.messageId())
      .timeout(timeoutMs)
      .send()
      .compose(response -> switch (response.statusCode()) {
        case 200 -> Future.succeededFuture(Optional.of(response.bodyAsJsonObject().getString("message_id")));
        case 404 -> Future.succeededFuture(Optional.<String>empty());
        default -> Future.failedFuture("lookup answered " + response.statusCode());
      });
  }

  private static List<ProviderResult> classify(List<SmsMessage> messages, HttpResponse<Buffer> response) {
    if (response.statusCode() != 200) return allTransient(messages.size(), response.statusCode() + " " + errorCode(response));
    JsonArray results = response.bodyAsJsonObject().getJsonArray("results");
    if (results == null || results.size() != messages.size()) return allTransient(messages.size(), "malformed batch answer");
    List<ProviderResult> out = new ArrayList<>(messages.size());
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      if (!messages.get(i).messageId().toString().equals(r.getString("idempotency_key"))) {
        return allTransient(messages.size(), "batch answer out of order");
      }
      String code = r.getString("code", "");
      out.add(switch (r.getString("status", "")) {
        case "queued" -> new ProviderResult.Accepted(r.getString("message_id"));
        case "rejected" -> new ProviderResult.Permanent("rejected", code);
        case "failed" -> new ProviderResult.Permanent("failed", code);
        default -> new ProviderResult.Transient(r.getString("status", "") + " " + code);
      });
    }
    return out;
  }

  private static List<ProviderResult> allTransient(int count, String reason) {
    return java.util.Collections.nCopies(count, new ProviderResult.Transient(reason));
  }

  private static String errorCode(HttpResponse<Buffer> response) {
    try {
      return response.bodyAsJsonObject().getString("code", "");
    } catch (RuntimeException notJson) {
      return "";
    }
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
