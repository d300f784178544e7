package io.smsgw.provider;

import io.smsgw.config.ProviderSettings;
import io.smsgw.domain.SmsMessage;
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

/**
 * A provider with a REST API in the style of the well-known SMS APIs: the bulk endpoint
 * {@code POST /v1/messages/batch} takes many messages, each with its idempotency key, and answers one result per
 * message ({@code queued}; {@code failed} or {@code rejected}: permanent; {@code retry}: transient); the request as
 * a whole failing (408, 429, 5xx, timeout) is transient for all. {@code GET /v1/messages/{idempotency key}} tells
 * whether it holds a message ({@code provider.lookup = off} for a provider without it). The provider simulator speaks this API (and the single-message
 * {@code POST /v1/messages} of the same style).
 */
public final class HttpSmsProvider implements SmsProvider {

  private final WebClient client;
  private final String url;
  private final String batchUrl;
  private final long timeoutMs;
  private final boolean lookupOffered;

  public HttpSmsProvider(Vertx vertx, ProviderSettings settings) {
    this.url = settings.url().replaceAll("/+$", "") + "/v1/messages";
    this.batchUrl = url + "/batch";
    this.timeoutMs = settings.timeoutMs();
    this.lookupOffered = settings.lookup();
    this.client = WebClient.create(vertx,
      new WebClientOptions().setKeepAlive(true).setConnectTimeout((int) timeoutMs),
      new PoolOptions().setHttp1MaxSize(settings.maxConnections()));
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
      // Refused before anything was sent: the provider never saw it. Anything else (a timeout, a reset) may have
      // reached it.
      .otherwise(failure -> allTransient(messages.size(), failure.getClass().getSimpleName() + ": " + failure.getMessage(),
        !(failure instanceof java.net.ConnectException)));
  }

  @Override
  public long maxSendMs() {
    return timeoutMs;
  }

  @Override
  public boolean offersLookup() {
    return lookupOffered;
  }

  @Override
  public Future<LookupResult> lookup(SmsMessage message) {
    if (!lookupOffered) return Future.succeededFuture(new LookupResult.Unsupported("provider.lookup is off"));
    return client.getAbs(url + "/" + message.messageId())
      .timeout(timeoutMs)
      .send()
      .map(HttpSmsProvider::lookupResult)
      .otherwise(failure -> new LookupResult.CannotSay(failure.getClass().getSimpleName() + ": " + failure.getMessage()));
  }

  /** Only a 200 with an id is "found", and only a 404 that says {@code not_found} is "not found". */
  private static LookupResult lookupResult(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    return switch (status) {
      case 200 -> {
        String id = jsonField(response, "message_id");
        yield id == null || id.isBlank() ? new LookupResult.CannotSay("lookup answered 200 without an id") : new LookupResult.Found(id);
      }
      case 404 -> "not_found".equals(errorCode(response)) ? new LookupResult.NotFound()
        : new LookupResult.Unsupported("lookup answered 404 without not_found (no lookup endpoint?)");
      case 401, 403, 405, 501 -> new LookupResult.Unsupported("lookup answered " + status);
      default -> new LookupResult.CannotSay("lookup answered " + status);
    };
  }

  private static List<ProviderResult> classify(List<SmsMessage> messages, HttpResponse<Buffer> response) {
    int status = response.statusCode();
    // 429 and 503 say "not taken, try later", a 4xx that the request as a whole was refused; another 5xx (a crash, a
    // gateway timeout in front of the provider) may come after the provider acted on some of it.
    if (status != 200) {
      return allTransient(messages.size(), status + " " + errorCode(response), status >= 500 && status != 503);
    }
    JsonArray results;
    try {
      results = response.bodyAsJsonObject().getJsonArray("results");
    } catch (RuntimeException notJson) {
      results = null;
    }
    if (results == null || results.size() != messages.size()) return allTransient(messages.size(), "malformed batch answer", true);
    List<ProviderResult> out = new ArrayList<>(messages.size());
    for (int i = 0; i < results.size(); i++) {
      JsonObject r = results.getJsonObject(i);
      if (!messages.get(i).messageId().toString().equals(r.getString("idempotency_key"))) {
        return allTransient(messages.size(), "batch answer out of order", true);
      }
      String code = r.getString("code", "");
      out.add(switch (r.getString("status", "")) {
        case "queued" -> new ProviderResult.Accepted(r.getString("message_id"));
        case "rejected" -> new ProviderResult.Permanent("rejected", code);
        case "failed" -> new ProviderResult.Permanent("failed", code);
        // The provider's own per-message "retry": it says it did not take this one (an answer: the provider is up).
        default -> new ProviderResult.Transient(r.getString("status", "") + " " + code, !"retry".equals(r.getString("status", "")), false);
      });
    }
    return out;
  }

  private static List<ProviderResult> allTransient(int count, String reason, boolean mayHaveBeenTaken) {
    return java.util.Collections.nCopies(count, new ProviderResult.Transient(reason, mayHaveBeenTaken));
  }

  private static String errorCode(HttpResponse<Buffer> response) {
    String code = jsonField(response, "code");
    return code == null ? "" : code;
  }

  private static String jsonField(HttpResponse<Buffer> response, String field) {
    try {
      JsonObject body = response.bodyAsJsonObject();
      return body == null ? null : body.getString(field);
    } catch (RuntimeException notJson) {
      return null;
    }
  }

  @Override
  public Future<Void> close() {
    client.close();
    return Future.succeededFuture();
  }
}
