package io.smsgw.api;

import io.smsgw.devkit.DevRole;
import io.smsgw.devkit.FreePorts;
import io.smsgw.testing.Db;
import io.smsgw.testing.RawHttp;
import io.smsgw.testing.TestGateway;
import io.smsgw.testing.TestServices;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two clustered pods in this JVM (Hazelcast on loopback): a full pod (gateway, worker, simulator) and an edge pod whose
 * capability verticles are all turned off by instance counts. The edge accepts, charges, reads balances and statuses
 * through the full pod's verticles over the clustered event bus.
 */
@DisplayName("Cluster: an edge pod charges through another pod; a key revoked on one pod is refused by the other")
class EdgePodIT {

  static TestGateway full;
  static TestGateway edge;

  @BeforeAll
  static void cluster() throws Exception {
    String pg = TestServices.postgres().url();
    int fullPort = FreePorts.next();
    int edgePort = FreePorts.next();
    Map<String, String> cluster = Map.of(
      "SMSGW_CLUSTER_ENABLED", "on",
      "SMSGW_CLUSTER_NAME", "edge-it-" + UUID.randomUUID(),  // its own cluster, whatever else runs on this host
      "SMSGW_CLUSTER_HOST", "127.0.0.1",
      "SMSGW_CLUSTER_MEMBERS", "127.0.0.1:" + fullPort + ",127.0.0.1:" + edgePort);
    Map<String, String> fullEnv = new HashMap<>(cluster);
    fullEnv.put("SMSGW_CLUSTER_PORT", String.valueOf(fullPort));
    full = TestGateway.start(pg, fullEnv, EnumSet.allOf(DevRole.class));
    Map<String, String> edgeEnv = new HashMap<>(cluster);
    edgeEnv.put("SMSGW_CLUSTER_PORT", String.valueOf(edgePort));
    edgeEnv.putAll(io.smsgw.devkit.LoopbackCluster.edgeInstances());
    edge = TestGateway.start(pg, edgeEnv, EnumSet.of(DevRole.GATEWAY));
  }

  @AfterAll
  static void stop() {
    if (edge != null) edge.close();
    if (full != null) full.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }

  @Test
  @DisplayName("Through the edge: create a user, send, balance charged once, status reaches sent; duplicate refused")
  void edgeChargesThroughTheCluster() throws Exception {
    JsonObject user = edge.createUser(1_000);  // account.create on the full pod
    JsonObject sms = TestGateway.sms(user, "+989121234567", "edge");
    TestGateway.Response accepted = edge.sendSms(user, sms);
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
    assertThat(edge.balance(user)).isEqualTo(900);
    assertThat(full.balance(user)).isEqualTo(900);
    JsonObject status = edge.awaitStatus(user, sms.getString("message_id"), "sent", Duration.ofSeconds(30));
    assertThat(status.getString("status")).as(status.encode()).isEqualTo("sent");
    TestGateway.Response again = edge.sendSms(user, sms);
    assertThat(again.status()).isEqualTo(400);
    assertThat(again.errorCode()).isEqualTo("duplicate_message_id");
    assertThat(full.balance(user)).isEqualTo(900);
    assertThat(Db.count(full.pgUrl(), "SELECT count(*) FROM ledger WHERE message_id = '" + sms.getString("message_id") + "'")).isEqualTo(1);
  }

  @Test
  @DisplayName("A key revoked on one pod is 401 on the other within 5 s, both ways")
  void revocationReachesTheOtherPod() throws Exception {
    assertRevokedEverywhere(full, edge);  // revoked through the full pod, the edge must refuse it
    assertRevokedEverywhere(edge, full);  // revoked through the edge (account.key.revoke on the full pod)
  }

  private static void assertRevokedEverywhere(TestGateway revokeOn, TestGateway other) throws Exception {
    JsonObject user = full.createUser(100);
    String key = user.getString("api_key");
    for (TestGateway pod : List.of(full, edge)) {
      for (int i = 0; i < 6; i++) assertThat(balanceStatus(pod, user, key)).isEqualTo(200);  // cached on every verticle
    }
    RawHttp.Answer revoked = RawHttp.send(revokeOn.config.http().port(), "DELETE",
      "/admin/users/" + user.getString("user_id") + "/api-keys/" + user.getString("key_id"),
      Map.of("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN), null);
    assertThat(revoked.status()).as(revoked.body()).isEqualTo(204);
    long at = System.nanoTime();
    boolean refused = false;
    while (!refused && System.nanoTime() - at < 5_000_000_000L) {
      refused = true;
      for (int i = 0; i < 4; i++) refused &= balanceStatus(other, user, key) == 401 && balanceStatus(revokeOn, user, key) == 401;
      if (!refused) Thread.sleep(100);
    }
    assertThat(refused).as("revoked key refused on both pods within 5 s").isTrue();
    System.out.println("revoked on one pod, refused on both after " + (System.nanoTime() - at) / 1_000_000 + " ms");
  }

  private static JsonObject body(TestGateway pod) throws Exception {
    return new JsonObject(RawHttp.send(pod.config.http().port(), "GET", "/admin/cluster",
      Map.of("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN), null).body());
  }

  @Test
  @DisplayName("GET /admin/cluster lists both pods with their verticles; the edge has no wallet")
  void clusterView() throws Exception {
    JsonArray pods = new JsonArray();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      RawHttp.Answer view = RawHttp.send(edge.config.http().port(), "GET", "/admin/cluster",
        Map.of("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN), null);
      assertThat(view.status()).as(view.body()).isEqualTo(200);
      JsonObject body = new JsonObject(view.body());
      assertThat(body.getBoolean("clustered")).isTrue();
      pods = body.getJsonArray("pods");
      if (pods.size() == 2) break;
      Thread.sleep(200);
    }
    assertThat(pods).hasSize(2);
    JsonArray members = body(edge).getJsonArray("members");
    assertThat(members).as("both pods are cluster members").hasSize(2);
    assertThat(pods.stream().map(JsonObject.class::cast).allMatch(p -> p.getBoolean("member") && members.contains(p.getString("node_id"))))
      .as(pods.encode()).isTrue();
    long withWallet = pods.stream().map(JsonObject.class::cast).filter(p -> p.getJsonObject("verticles").containsKey("wallet")).count();
    assertThat(withWallet).as(pods.encode()).isEqualTo(1);
    assertThat(pods.stream().map(JsonObject.class::cast).allMatch(p -> "ready".equals(p.getJsonObject("health").getString("status"))))
      .as(pods.encode()).isTrue();
  }

  static int balanceStatus(TestGateway pod, JsonObject user, String key) {
    return RawHttp.send(pod.config.http().port(), "GET", "/balance/" + user.getString("user_id"), Map.of("X-API-Key", key), null).status();
  }
}
