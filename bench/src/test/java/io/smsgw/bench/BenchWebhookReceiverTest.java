package io.smsgw.bench;

import io.smsgw.provider.ReportSignature;
import io.smsgw.webhook.WebhookDispatcher;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The e2e run's webhook receiver: counts, checks signatures (here on every request), tells redeliveries apart. */
@ExtendWith(VertxExtension.class)
@DisplayName("BenchWebhookReceiver")
class BenchWebhookReceiverTest {

  private static final String USER = UUID.randomUUID().toString();
  private static final String SECRET = "whsec_" + "ab".repeat(32);

  private BenchWebhookReceiver receiver;
  private HttpClient client;

  @BeforeEach
  void start(Vertx vertx) {
    receiver = BenchWebhookReceiver.start(vertx, Map.of(USER, SECRET), 1).await();
    client = vertx.createHttpClient();
  }

  @AfterEach
  void stop() {
    receiver.close().await();
    client.close().await();
  }

  /** One POST as the dispatcher makes it: the status code and the body of the answer. */
  private Answer post(String path, String signature, String eventId, byte[] body) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(receiver.port())
      .setURI(path).putHeader("Content-Type", "application/json").putHeader(WebhookDispatcher.EVENT_ID_HEADER, eventId);
    if (signature != null) options.putHeader(WebhookDispatcher.SIGNATURE_HEADER, signature);
    // The body is asked for in the response's own callback: later, a short answer may have ended already.
    return client.request(options).compose(request -> request.send(Buffer.buffer(body)))
      .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b.toString())))
      .timeout(10, TimeUnit.SECONDS).await();
  }

  private record Answer(int status, String body) {
  }

  private static byte[] event(String eventId) {
    return ("{\"event_id\":\"" + eventId + "\",\"type\":\"message.status\",\"status\":\"sent\"}").getBytes(StandardCharsets.UTF_8);
  }

  private static String signed(byte[] body) {
    return ReportSignature.header(SECRET, System.currentTimeMillis() / 1000, body);
  }

  @Test
  @DisplayName("a signed POST is answered 200 with an empty body, counted, and its signature verifies")
  void signedEventCounts() {
    String id = UUID.randomUUID().toString();
    byte[] body = event(id);

    Answer answer = post(BenchWebhookReceiver.PATH + USER, signed(body), id, body);

    assertThat(receiver.url(USER)).isEqualTo("http://127.0.0.1:" + receiver.port() + "/hooks/" + USER);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEmpty();
    assertThat(receiver.received()).isEqualTo(1);
    assertThat(receiver.signaturesChecked()).isEqualTo(1);
    assertThat(receiver.signatureFailures()).isZero();
    assertThat(receiver.distinctEvents()).isEqualTo(1);
    assertThat(receiver.duplicates()).isZero();
  }

  @Test
  @DisplayName("a wrong, missing or stale signature is counted as a failure (and still answered 200)")
  void badSignatureFails() {
    String id = UUID.randomUUID().toString();
    byte[] body = event(id);
    String otherSecret = ReportSignature.header("whsec_" + "cd".repeat(32), System.currentTimeMillis() / 1000, body);
    String stale = ReportSignature.header(SECRET, System.currentTimeMillis() / 1000 - 3_600, body);
    String path = BenchWebhookReceiver.PATH + USER;

    assertThat(post(path, otherSecret, UUID.randomUUID().toString(), body).status()).isEqualTo(200);
    post(path, null, UUID.randomUUID().toString(), body);
    post(path, stale, UUID.randomUUID().toString(), body);
    post(path, signed(event("tampered")), UUID.randomUUID().toString(), body);  // signs another body

    assertThat(receiver.received()).isEqualTo(4);
    assertThat(receiver.signaturesChecked()).isEqualTo(4);
    assertThat(receiver.signatureFailures()).isEqualTo(4);
  }

  @Test
  @DisplayName("the same event id twice is one distinct event and one redelivery")
  void redeliveryCounted() {
    String id = UUID.randomUUID().toString();
    byte[] body = event(id);
    String path = BenchWebhookReceiver.PATH + USER;

    post(path, signed(body), id, body);
    post(path, signed(body), id, body);
    post(path, signed(body), UUID.randomUUID().toString(), body);

    assertThat(receiver.received()).isEqualTo(3);
    assertThat(receiver.distinctEvents()).isEqualTo(2);
    assertThat(receiver.duplicates()).isEqualTo(1);
    assertThat(receiver.signatureFailures()).isZero();
  }

  @Test
  @DisplayName("a POST for a user without a registered webhook is answered 404 and not counted as an event")
  void unknownUserMisrouted() {
    String id = UUID.randomUUID().toString();
    byte[] body = event(id);

    assertThat(post(BenchWebhookReceiver.PATH + UUID.randomUUID(), signed(body), id, body).status()).isEqualTo(404);

    assertThat(receiver.misrouted()).isEqualTo(1);
    assertThat(receiver.received()).isZero();
  }

  @Test
  @DisplayName("with sampling, one request in N has its signature checked")
  void sampling(Vertx vertx) {
    BenchWebhookReceiver sampled = BenchWebhookReceiver.start(vertx, Map.of(USER, SECRET), 3).await();
    try {
      for (int i = 0; i < 7; i++) {
        String id = UUID.randomUUID().toString();
        byte[] body = event(id);
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(sampled.port())
          .setURI(BenchWebhookReceiver.PATH + USER).putHeader(WebhookDispatcher.EVENT_ID_HEADER, id)
          .putHeader(WebhookDispatcher.SIGNATURE_HEADER, "t=1,v1=" + "00".repeat(32));  // never verifies
        int status = client.request(options).compose(request -> request.send(Buffer.buffer(body)))
          .compose(response -> response.end().map(v -> response.statusCode())).timeout(10, TimeUnit.SECONDS).await();
        assertThat(status).isEqualTo(200);
      }
      assertThat(sampled.received()).isEqualTo(7);
      assertThat(sampled.signaturesChecked()).isEqualTo(3);  // the 1st, 4th and 7th
      assertThat(sampled.signatureFailures()).isEqualTo(3);
    } finally {
      sampled.close().await();
    }
  }
}
