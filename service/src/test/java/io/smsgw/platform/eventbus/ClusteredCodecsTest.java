package io.smsgw.platform.eventbus;

import io.smsgw.config.ClusterSettings;
import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.cluster.HazelcastCluster;
import io.smsgw.wallet.ChargeFailure;
import io.smsgw.wallet.ChargeOutcome;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every event-bus message type crosses between two clustered Vert.x nodes (Hazelcast on loopback) and back unchanged. */
@DisplayName("Event-bus message types across two clustered nodes")
class ClusteredCodecsTest {

  private static Vertx a;
  private static Vertx b;

  @BeforeAll
  static void cluster() throws Exception {
    int portA = freePort();
    int portB = freePort();
    List<String> members = List.of("127.0.0.1:" + portA, "127.0.0.1:" + portB);
    String name = "codecs-" + UUID.randomUUID();  // never joins another test's cluster
    a = node(new ClusterSettings(true, name, members, "127.0.0.1", "", portA, 0, 0, 1, 10));
    b = node(new ClusterSettings(true, name, members, "127.0.0.1", "", portB, 0, 0, 1, 10));
  }

  private static Vertx node(ClusterSettings settings) throws Exception {
    Vertx vertx = Vertx.builder().with(new VertxOptions().setEventBusOptions(HazelcastCluster.eventBus(settings)))
      .withClusterManager(HazelcastCluster.manager(settings)).buildClustered().await(60, TimeUnit.SECONDS);
    Codecs.register(vertx.eventBus());
    return vertx;
  }

  @AfterAll
  static void close() throws Exception {
    if (a != null) a.close().await(30, TimeUnit.SECONDS);
    if (b != null) b.close().await(30, TimeUnit.SECONDS);
  }

  @Test
  @DisplayName("SmsMessage out, ChargeOutcome back; JsonObject both ways; a ChargeFailure code survives the hop")
  void everyType() throws Exception {
    SmsMessage message = new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), "+989121234567", "کد شما ۱۲۳۴", Priority.VIP,
      Encoding.UCS2, 1, 150, System.currentTimeMillis());
    ChargeOutcome duplicate = new ChargeOutcome(ChargeOutcome.Kind.DUPLICATE, "sent", UUID.randomUUID());
    Bus.<SmsMessage>serve(b, "test.charge", m -> {
      if (m.body().equals(message)) m.reply(duplicate); else m.fail(400, "changed on the way: " + m.body());
    }).completion().await(30, TimeUnit.SECONDS);
    Bus.<JsonObject>serve(b, "test.json", m -> m.reply(m.body().copy().put("seen", true))).completion().await(30, TimeUnit.SECONDS);
    Bus.<SmsMessage>serve(b, "test.fail", m -> ChargeFailure.reply(m, ChargeFailure.OUTCOME_UNKNOWN.exception("lost")))
      .completion().await(30, TimeUnit.SECONDS);

    // Not served on a: the options go through the cluster.
    DeliveryOptions remote = Bus.to(a, "test.charge", new DeliveryOptions().setSendTimeout(10_000));
    assertThat(remote.isLocalOnly()).isFalse();
    assertThat(a.eventBus().<ChargeOutcome>request("test.charge", message, remote).await(30, TimeUnit.SECONDS).body())
      .isEqualTo(duplicate);
    JsonObject json = new JsonObject().put("user_id", UUID.randomUUID().toString()).put("n", 12L);
    assertThat(a.eventBus().<JsonObject>request("test.json", json, remote).await(30, TimeUnit.SECONDS).body())
      .isEqualTo(json.copy().put("seen", true));
    assertThatThrownBy(() -> a.eventBus().request("test.fail", message, remote).await(30, TimeUnit.SECONDS))
      .isInstanceOfSatisfying(ReplyException.class, e -> {
        assertThat(e.failureType()).isEqualTo(ReplyFailure.RECIPIENT_FAILURE);
        assertThat(ChargeFailure.of(e)).isEqualTo(ChargeFailure.OUTCOME_UNKNOWN);
      });
    // Served on b: a local-only send from b never leaves it.
    assertThat(Bus.to(b, "test.charge", new DeliveryOptions()).isLocalOnly()).isTrue();
  }

  private static int freePort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
