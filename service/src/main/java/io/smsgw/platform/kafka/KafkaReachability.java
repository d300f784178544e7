package io.smsgw.platform.kafka;

import io.smsgw.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;

import java.util.Map;

/** Whether a Kafka broker answers, for readiness checks: a cluster description within 2 s. */
public final class KafkaReachability {

  private final KafkaAdminClient admin;

  public KafkaReachability(Vertx vertx, GatewayConfig config) {
    admin = KafkaAdminClient.create(vertx, Map.of(
      "bootstrap.servers", config.kafkaBootstrap(),
      "request.timeout.ms", "2000",
      "default.api.timeout.ms", "2000"));
  }

  /** Succeeds with true when a broker described the cluster; false when none answered. Never fails. */
  public Future<Boolean> check() {
    return admin.describeCluster().map(cluster -> !cluster.getNodes().isEmpty()).otherwise(false);
  }

  public Future<Void> close() {
    return admin.close();
  }
}
