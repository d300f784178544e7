package io.smsgw.webhook;

import io.smsgw.testing.TestGateway;
import io.vertx.core.json.JsonObject;

import java.net.http.HttpRequest;

/** The webhook routes, called as a customer would (the user's own key). */
final class WebhookApi {

  private WebhookApi() {
  }

  static TestGateway.Response put(TestGateway gateway, JsonObject user, String url) {
    return gateway.send(HttpRequest.newBuilder(gateway.uri("/webhook")).header("Content-Type", "application/json")
      .header("X-API-Key", user.getString("api_key"))
      .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("url", url).encode())).build());
  }

  static TestGateway.Response get(TestGateway gateway, JsonObject user) {
    return gateway.get("/webhook", user.getString("api_key"));
  }

  static TestGateway.Response delete(TestGateway gateway, JsonObject user) {
    return gateway.send(HttpRequest.newBuilder(gateway.uri("/webhook")).header("X-API-Key", user.getString("api_key"))
      .DELETE().build());
  }

  static TestGateway.Response events(TestGateway gateway, JsonObject user, String query) {
    return gateway.get("/webhook/events" + query, user.getString("api_key"));
  }

  /** A registered webhook's secret (asserts the 200). */
  static String register(TestGateway gateway, JsonObject user, String url) {
    TestGateway.Response r = put(gateway, user, url);
    if (r.status() != 200) throw new IllegalStateException("PUT /webhook: " + r);
    return r.json().getString("secret");
  }
}
