package io.smsgw.provider.routing;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.RoutingSettings;
import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.provider.LookupResult;
import io.smsgw.provider.ProviderResult;
import io.smsgw.provider.SmsProvider;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The router's rules, with scripted providers (the provider is the one simulated part; the real simulators are in
 * RoutingIT): a failover only after a definite "not taken", never after a perhaps, a refusal of the number or an
 * SMPP part in doubt; a pinned message goes to its provider only; an open breaker is skipped without a send.
 */
class ProviderRouterTest {

  /** A provider that answers each message with what {@code answer} says, and remembers what it was sent. */
  static final class Scripted implements SmsProvider {
    final List<UUID> received = new ArrayList<>();
    Function<SmsMessage, ProviderResult> answer;
    long maxSendMs = 1_000;

    Scripted(Function<SmsMessage, ProviderResult> answer) {
      this.answer = answer;
    }

    @Override
    public Future<List<ProviderResult>> send(List<SmsMessage> messages) {
      messages.forEach(m -> received.add(m.messageId()));
      return Future.succeededFuture(messages.stream().map(answer).toList());
    }

    @Override
    public Future<LookupResult> lookup(SmsMessage message) {
      return Future.succeededFuture(new LookupResult.NotFound());
    }

    @Override
    public long maxSendMs() {
      return maxSendMs;
    }

    @Override
    public boolean offersLookup() {
      return true;
    }

    @Override
    public Future<Void> close() {
      return Future.succeededFuture();
    }
  }

  static final ProviderResult OK = new ProviderResult.Accepted("id-1");
  static final ProviderResult BUSY = new ProviderResult.Transient("429", false);
  static final ProviderResult TIMEOUT = new ProviderResult.Transient("timeout", true);

  Vertx vertx;
  Scripted a;
  Scripted b;
  ProviderRouter router;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    a = new Scripted(m -> OK);
    b = new Scripted(m -> OK);
    RoutingSettings routing = GatewayConfig.load(GatewayConfig.DEFAULT_PATH, Map.of(
      "SMSGW_ROUTING_PROVIDERS", "[{\"id\": \"a\", \"kind\": \"http\"}, {\"id\": \"b\", \"kind\": \"http\"}]",
      "SMSGW_ROUTING_ROUTES", "[{\"prefix\": \"\", \"providers\": [\"a\", \"b\"]}, {\"prefix\": \"+44\", \"providers\": [\"a\"]}]",
      "SMSGW_ROUTING_BREAKER_WINDOW", "4", "SMSGW_ROUTING_BREAKER_MIN_CALLS", "4",
      "SMSGW_ROUTING_BREAKER_OPEN_MS", "60000")).routing();
    router = new ProviderRouter(vertx, routing, Map.of("a", a, "b", b));
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  static SmsMessage sms(String phone) {
    return new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), phone, "hi", Priority.NORMAL, Encoding.GSM7, 1, 100,
      System.currentTimeMillis());
  }

  ProviderRouter.Routed send(SmsMessage m, Map<UUID, String> pins) throws Exception {
    return router.send(List.of(m), pins, System.currentTimeMillis() + 30_000).await(5, TimeUnit.SECONDS).get(0);
  }

  @Test
  @DisplayName("a definite not-taken moves the message to the next provider, in the same attempt")
  void failoverAfterNotTaken() throws Exception {
    a.answer = m -> BUSY;
    SmsMessage m = sms("+15550001");
    ProviderRouter.Routed r = send(m, Map.of());
    assertThat(r.result()).isEqualTo(OK);
    assertThat(r.provider()).isEqualTo("b");
    assertThat(a.received).containsExactly(m.messageId());
    assertThat(b.received).containsExactly(m.messageId());
  }

  @Test
  @DisplayName("a perhaps (timeout), an SMPP part in doubt, a refusal of the number: no failover")
  void noFailoverOtherwise() throws Exception {
    for (ProviderResult answer : List.of(TIMEOUT, new ProviderResult.InDoubt("no resp"), new ProviderResult.Permanent("failed", "invalid_number"))) {
      a.answer = m -> answer;
      ProviderRouter.Routed r = send(sms("+15550002"), Map.of());
      assertThat(r.result()).isEqualTo(answer);
      assertThat(r.provider()).isEqualTo("a");
      assertThat(r.tried()).isTrue();
    }
    assertThat(b.received).isEmpty();
  }

  @Test
  @DisplayName("a message pinned to a provider goes there only, even when it says not now")
  void pinned() throws Exception {
    b.answer = m -> BUSY;
    SmsMessage m = sms("+15550003");
    ProviderRouter.Routed r = send(m, Map.of(m.messageId(), "b"));
    assertThat(r.result()).isEqualTo(BUSY);
    assertThat(r.provider()).isEqualTo("b");
    assertThat(a.received).isEmpty();
  }

  @Test
  @DisplayName("a provider whose breaker opened is skipped without a send; with no other provider the message is not tried")
  void breakerSkips() throws Exception {
    a.answer = m -> BUSY;
    for (int i = 0; i < 4; i++) send(sms("+15550004"), Map.of());  // 4 of 4 failed: open
    int before = a.received.size();
    SmsMessage m = sms("+15550005");
    ProviderRouter.Routed r = send(m, Map.of());
    assertThat(a.received).hasSize(before);
    assertThat(r.provider()).isEqualTo("b");
    assertThat(r.result()).isEqualTo(OK);
    ProviderRouter.Routed only = send(sms("+445550006"), Map.of());  // its route has a alone
    assertThat(only.tried()).isFalse();
    assertThat(only.result()).isInstanceOf(ProviderResult.Transient.class);
    assertThat(((ProviderResult.Transient) only.result()).mayHaveBeenTaken()).isFalse();
    assertThat(a.received).hasSize(before);
  }

  @Test
  @DisplayName("the breaker counts provider requests, not messages: one failed batch of 50 does not open it")
  void breakerCountsRequests() throws Exception {
    a.answer = m -> TIMEOUT;
    List<SmsMessage> batch = new ArrayList<>();
    for (int i = 0; i < 50; i++) batch.add(sms("+445550100"));
    router.send(batch, Map.of(), System.currentTimeMillis() + 30_000).await(5, TimeUnit.SECONDS);
    // Mostly answered, a few timed out: the provider is up, so these count as successes.
    a.answer = m -> m.phoneNumber().endsWith("9") ? TIMEOUT : OK;
    for (int round = 0; round < 3; round++) {
      List<SmsMessage> mixed = new ArrayList<>();
      for (int i = 0; i < 10; i++) mixed.add(sms("+44555020" + i));
      router.send(mixed, Map.of(), System.currentTimeMillis() + 30_000).await(5, TimeUnit.SECONDS);
    }
    // 1 failure in 4 requests (window 4, 50%): still closed, so a message of the +44 route (a alone) is sent.
    a.answer = m -> OK;
    ProviderRouter.Routed r = send(sms("+445550300"), Map.of());
    assertThat(r.tried()).isTrue();
    assertThat(r.result()).isEqualTo(OK);
  }

  @Test
  @DisplayName("no failover that would outlast the claim: left not taken for the retry")
  void deadline() throws Exception {
    a.answer = m -> BUSY;
    b.maxSendMs = 5_000;
    SmsMessage m = sms("+15550007");
    ProviderRouter.Routed r = router.send(List.of(m), Map.of(), System.currentTimeMillis() + 2_000)
      .await(5, TimeUnit.SECONDS).get(0);
    assertThat(r.provider()).isEqualTo("a");
    assertThat(r.result()).isEqualTo(BUSY);
    assertThat(b.received).isEmpty();
  }
}
