package io.smsgw.webhook;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.WebhookSettings;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Callback URL rules: syntax, and the kind of every address the host resolves to")
class CallbackUrlsTest {

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    vertx.close().await();
  }

  static WebhookSettings settings(Map<String, String> env) {
    return GatewayConfig.load(GatewayConfig.DEFAULT_PATH, env).webhooks();
  }

  static CallbackUrls strict() {
    return new CallbackUrls(vertx, settings(Map.of()));
  }

  @ParameterizedTest(name = "{0} is {1}")
  @CsvSource({
    "127.0.0.1, LOOPBACK", "127.10.0.1, LOOPBACK", "::1, LOOPBACK",
    "10.1.2.3, PRIVATE", "172.16.0.1, PRIVATE", "172.31.255.255, PRIVATE", "192.168.1.1, PRIVATE",
    "100.64.0.1, PRIVATE", "100.127.255.255, PRIVATE", "fd00::1, PRIVATE", "fc00::1, PRIVATE",
    "169.254.169.254, NEVER", "fe80::1, NEVER", "224.0.0.1, NEVER", "ff02::1, NEVER", "0.0.0.0, NEVER",
    "0.1.2.3, NEVER", "::, NEVER", "255.255.255.255, NEVER", "240.0.0.1, NEVER",
    "8.8.8.8, PUBLIC", "172.32.0.1, PUBLIC", "100.128.0.1, PUBLIC", "2606:4700::1111, PUBLIC",
    "'::ffff:127.0.0.1', LOOPBACK", "'::ffff:169.254.169.254', NEVER", "'::10.0.0.1', PRIVATE"
  })
  void kinds(String ip, CallbackUrls.Kind kind) throws Exception {
    assertThat(CallbackUrls.kind(InetAddress.getByName(ip))).isEqualTo(kind);
  }

  @Test
  @DisplayName("syntax: https only, a host, no user info or fragment, at most 2,048 characters")
  void syntax() {
    CallbackUrls urls = strict();
    assertThat(urls.parse("https://example.com/hook?x=1").getHost()).isEqualTo("example.com");
    assertRefused(() -> urls.parse("http://example.com/hook"), CallbackUrls.NOT_ALLOWED);
    assertRefused(() -> urls.parse("ftp://example.com/hook"), CallbackUrls.INVALID);
    assertRefused(() -> urls.parse("/relative"), CallbackUrls.INVALID);
    assertRefused(() -> urls.parse("https://user:pw@example.com/"), CallbackUrls.INVALID);
    assertRefused(() -> urls.parse("https://example.com/#frag"), CallbackUrls.INVALID);
    assertRefused(() -> urls.parse("https:///nohost"), CallbackUrls.INVALID);
    assertRefused(() -> urls.parse("https://exa mple.com/"), CallbackUrls.INVALID);
    assertRefused(() -> urls.parse("https://example.com/" + "a".repeat(2030)), CallbackUrls.INVALID);
    assertThat(urls.parse("https://example.com/" + "a".repeat(2048 - 20))).isNotNull();
    assertThat(new CallbackUrls(vertx, settings(Map.of("SMSGW_WEBHOOKS_ALLOW_HTTP", "on"))).parse("http://example.com/")).isNotNull();
  }

  @Test
  @DisplayName("the lookup: loopback and private refused unless allowed, link-local always, an unknown host refused")
  void lookup() throws Exception {
    CallbackUrls urls = strict();
    assertThat(refusal(urls, "https://127.0.0.1/")).isEqualTo(CallbackUrls.NOT_ALLOWED);
    assertThat(refusal(urls, "https://localhost:8443/")).isEqualTo(CallbackUrls.NOT_ALLOWED);
    assertThat(refusal(urls, "https://[::1]/")).isEqualTo(CallbackUrls.NOT_ALLOWED);
    assertThat(refusal(urls, "https://10.0.0.5/")).isEqualTo(CallbackUrls.NOT_ALLOWED);
    assertThat(refusal(urls, "https://169.254.169.254/latest/meta-data")).isEqualTo(CallbackUrls.NOT_ALLOWED);
    assertThat(refusal(urls, "https://no-such-host.invalid/")).isEqualTo(CallbackUrls.INVALID);
    CallbackUrls open = new CallbackUrls(vertx, settings(Map.of("SMSGW_WEBHOOKS_ALLOW_LOOPBACK", "on", "SMSGW_WEBHOOKS_ALLOW_PRIVATE", "on")));
    CallbackUrls.Target target = open.check("https://127.0.0.1:9443/hook").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(target.port()).isEqualTo(9443);
    assertThat(target.ssl()).isTrue();
    assertThat(refusal(open, "https://10.0.0.5/")).isNull();
    assertThat(refusal(open, "https://169.254.169.254/")).as("link-local: never").isEqualTo(CallbackUrls.NOT_ALLOWED);
  }

  static String refusal(CallbackUrls urls, String url) throws Exception {
    try {
      urls.check(url).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return null;
    } catch (java.util.concurrent.ExecutionException e) {
      return ((CallbackUrls.Refused) e.getCause()).code;
    }
  }

  static void assertRefused(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, String code) {
    assertThatThrownBy(call).isInstanceOf(CallbackUrls.Refused.class)
      .satisfies(e -> assertThat(((CallbackUrls.Refused) e).code).isEqualTo(code));
  }
}
