package io.smsgw.webhook;

import io.smsgw.testing.Db;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * PUT/GET/DELETE /webhook with the production defaults (https only, public addresses only), and its refusals. The
 * public URLs registered here are address literals of a documentation range (resolving them needs no network); no
 * message of these users is accepted, no dispatcher runs, and the rows are removed after the class, so nothing is ever
 * sent to them (this machine sends only to loopback).
 */
@DisplayName("Webhook registration and refused callback URLs (default conf: no http, no loopback, no private)")
class WebhookRegistrationIT {

  static TestGateway gateway;

  @BeforeAll
  static void start() throws Exception {
    gateway = TestGateway.start(TestServices.postgres().url(), java.util.Map.of("SMSGW_INSTANCES_WEBHOOK_DISPATCHER", "0"));
  }

  @AfterAll
  static void stop() {
    Db.execute(gateway.pgUrl(), "DELETE FROM webhook_events WHERE url NOT LIKE 'http://127.0.0.1:%'; "
      + "DELETE FROM webhooks WHERE url NOT LIKE 'http://127.0.0.1:%'");
    gateway.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  @Test
  @DisplayName("PUT answers url and a whsec_ secret once; GET shows no secret; a second PUT makes a new secret; DELETE 204 then 404")
  void lifecycle() {
    JsonObject user = gateway.createUser(0);
    assertThat(WebhookApi.get(gateway, user).status()).isEqualTo(404);
    // A public address literal: resolving it needs no network, and nothing is sent to it at registration.
    TestGateway.Response first = WebhookApi.put(gateway, user, "https://203.0.113.10/hooks/sms");
    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().getString("url")).isEqualTo("https://203.0.113.10/hooks/sms");
    String secret = first.json().getString("secret");
    assertThat(secret).matches("whsec_[0-9a-f]{64}");

    TestGateway.Response got = WebhookApi.get(gateway, user);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().fieldNames()).containsExactlyInAnyOrder("url", "created_at", "updated_at");
    assertThat(got.body()).doesNotContain(secret);

    TestGateway.Response second = WebhookApi.put(gateway, user, "https://203.0.113.11/other");
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().getString("secret")).isNotEqualTo(secret).matches("whsec_[0-9a-f]{64}");
    assertThat(WebhookApi.get(gateway, user).json().getString("url")).isEqualTo("https://203.0.113.11/other");

    assertThat(WebhookApi.delete(gateway, user).status()).isEqualTo(204);
    assertThat(WebhookApi.delete(gateway, user).status()).isEqualTo(404);
    assertThat(WebhookApi.get(gateway, user).status()).isEqualTo(404);
    assertThat(WebhookApi.events(gateway, user, "?status=dead").json().getJsonArray("events")).isEmpty();
  }

  @Test
  @DisplayName("refused: loopback, private, CGNAT, link-local 169.254.x and fe80::, unspecified, userinfo, http, too long, not a URL, unresolvable")
  void refusals() {
    JsonObject user = gateway.createUser(0);
    assertRefused(user, "https://127.0.0.1/hook", "callback_url_not_allowed");
    assertRefused(user, "https://localhost:8443/hook", "callback_url_not_allowed");
    assertRefused(user, "https://[::1]/hook", "callback_url_not_allowed");
    assertRefused(user, "https://10.1.2.3/hook", "callback_url_not_allowed");
    assertRefused(user, "https://192.168.0.10/hook", "callback_url_not_allowed");
    assertRefused(user, "https://100.64.0.1/hook", "callback_url_not_allowed");
    assertRefused(user, "https://169.254.169.254/latest/meta-data/", "callback_url_not_allowed");
    assertRefused(user, "https://[fe80::1]/hook", "callback_url_not_allowed");
    assertRefused(user, "https://0.0.0.0/hook", "callback_url_not_allowed");
    assertRefused(user, "https://[::ffff:127.0.0.1]/hook", "callback_url_not_allowed");
    assertRefused(user, "http://203.0.113.10/hook", "callback_url_not_allowed");
    assertRefused(user, "https://user:secret@203.0.113.10/hook", "invalid_callback_url");
    assertRefused(user, "https://203.0.113.10/" + "a".repeat(2048), "invalid_callback_url");
    assertRefused(user, "not a url", "invalid_callback_url");
    assertRefused(user, "ftp://203.0.113.10/hook", "invalid_callback_url");
    assertRefused(user, "https://no-such-host.invalid/hook", "invalid_callback_url");
    assertThat(WebhookApi.get(gateway, user).status()).as("nothing was registered").isEqualTo(404);

    TestGateway.Response missing = gateway.send(HttpRequest.newBuilder(gateway.uri("/webhook"))
      .header("Content-Type", "application/json").header("X-API-Key", user.getString("api_key"))
      .PUT(HttpRequest.BodyPublishers.ofString("{}")).build());
    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.errorCode()).isEqualTo("invalid_request");
    assertThat(gateway.send(HttpRequest.newBuilder(gateway.uri("/webhook")).GET().build()).status())
      .as("no key").isEqualTo(401);
  }

  @Test
  @DisplayName("status_callback on send-sms: refused URLs are 400 with their code and charge nothing; without a webhook 400 webhook_not_configured")
  void statusCallbackRefusals() {
    JsonObject user = gateway.createUser(10_000);
    JsonObject sms = TestGateway.sms(user, "+14155550123", "hello").put("status_callback", "https://169.254.169.254/x");
    TestGateway.Response r = gateway.sendSms(user, sms);
    assertThat(r.status()).isEqualTo(400);
    assertThat(r.errorCode()).isEqualTo("callback_url_not_allowed");

    TestGateway.Response noWebhook = gateway.sendSms(user, TestGateway.sms(user, "+14155550123", "hello")
      .put("status_callback", "https://203.0.113.10/cb"));
    assertThat(noWebhook.status()).isEqualTo(400);
    assertThat(noWebhook.errorCode()).isEqualTo("webhook_not_configured");
    assertThat(gateway.balance(user)).as("nothing charged").isEqualTo(10_000);

    WebhookApi.register(gateway, user, "https://203.0.113.10/hook");
    TestGateway.Response userinfo = gateway.sendSms(user, TestGateway.sms(user, "+14155550123", "hello")
      .put("status_callback", "https://a:b@203.0.113.10/cb"));
    assertThat(userinfo.errorCode()).isEqualTo("invalid_callback_url");
    TestGateway.Response loopback = gateway.sendSms(user, TestGateway.sms(user, "+14155550123", "hello")
      .put("status_callback", "https://127.0.0.1:9/cb"));
    assertThat(loopback.errorCode()).isEqualTo("callback_url_not_allowed");
    TestGateway.Response tooLong = gateway.sendSms(user, TestGateway.sms(user, "+14155550123", "hello")
      .put("status_callback", "https://203.0.113.10/" + "a".repeat(2048)));
    assertThat(tooLong.errorCode()).isEqualTo("invalid_callback_url");
    assertThat(gateway.balance(user)).as("nothing charged").isEqualTo(10_000);
  }

  static void assertRefused(JsonObject user, String url, String code) {
    TestGateway.Response r = WebhookApi.put(gateway, user, url);
    assertThat(r.status()).as(url + ": " + r.body()).isEqualTo(400);
    assertThat(r.errorCode()).as(url + ": " + r.body()).isEqualTo(code);
    assertThat(r.json().getJsonObject("error").getString("message")).isNotBlank();
  }
}
