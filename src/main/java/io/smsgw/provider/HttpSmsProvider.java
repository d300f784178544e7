package io.smsgw.provider;

import io.smsgw.config.GatewayConfig;
import io.smsgw.sms.SmsMessage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.util.Optional;

/**
 * A provider with a REST API in the style of the well-known SMS APIs: {@code POST /v1/messages} with an
 * {@code Idempotency-Key} header; 2xx = queued; 4xx = permanent (403 = blocked → rejected); 408, 429 and 5xx
 * = transient; {@code GET /v1/messages/{idempotency key}} tells whether it holds a message. The provider
 * simulator speaks this API.
 */
public final class HttpSmsProvider implements SmsProvider {

  private final WebClient client;
  private final String url;
  private final long timeoutMs;

  public HttpSmsProvider(Vertx vertx, GatewayConfig config) {
    this.url = config.string("provider", "url").replaceAll("/+$", "") + "/v1/messages";
    this.timeoutMs = config.number("provider", "timeout_ms");
    this.client = WebClient.create(vertx,
      new WebClientOptions().setKeepAlive(true).setConnectTimeout((int) timeoutMs),
      new PoolOptions().setHttp1MaxSize(config.integer("provider", "max_connections")));
  }

  @Override
  public Future<ProviderResult> send(SmsMessage message) {
    JsonObject body = new JsonObject()
      .put("to", message.phoneNumber())
      .put("text", message.text())
      .put("encoding", message.encoding().name())
      .put("segments", message.segments());
    return client.postAbs(url)
      .timeout(timeoutMs)
      .putHeader("Idempotency-Key", message.messageId().toString())
      .sendJsonObject(body)
      .map(HttpSmsProvider::classify)
      .otherwise(failure -> new ProviderResult.Transient(failure.getClass().getSimpleName() + ": " + failure.getMessage()));
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

  private static ProviderResult classify(HttpResponse<Buffer> response) {
    int status = response.statusCode();
    if (status >= 200 && status < 300) {
      return new ProviderResult.Accepted(response.bodyAsJsonObject().getString("message_id"));
    }
    String reason = status + " " + errorCode(response);
    if (status == 408 || status == 429 || status >= 500) return new ProviderResult.Transient(reason);
    if (status == 403) return new ProviderResult.Permanent("rejected", reason);
    return new ProviderResult.Permanent("failed", reason);
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
