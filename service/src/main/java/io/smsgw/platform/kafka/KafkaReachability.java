package io.smsgw.platform.kafka;

import io.smsgw.config.GatewayConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.kafka.admin.KafkaAdminClient;

import java.util.Map;

/**
 * Whether a Kafka broker answers, for readiness checks: a cluster description within 2 s. Every user in a process
 * (the outbox's health answer, the operations port) asks through one admin client ({@link SharedAdmin}).
 */
public final class KafkaReachability {

  private static final String PURPOSE = "reachability";

  private final SharedAdmin shared;
  private final KafkaAdminClient admin;

  public KafkaReachability(Vertx vertx, GatewayConfig config) {
    shared = SharedAdmin.acquire(vertx, PURPOSE, Map.of(
      "bootstrap.servers", config.kafka().bootstrap(),
      "request.timeout.ms", "2000",
      "default.api.timeout.ms", "2000"));
    admin = KafkaAdminClient.create(vertx, shared.admin());
  }

  /** Succeeds with true when a broker described the cluster; false when none answered. Never fails. */
  public Future<Boolean> check() {
    return admin.describeCluster().map(cluster -> !cluster.getNodes().isEmpty()).otherwise(false);
  }

  /** Releases this user's handle; the last one closes the client. */
  public Future<Void> close() {
    return shared.release(null);
  }
}
