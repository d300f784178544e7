package io.smsgw.config;

import java.util.Arrays;
import java.util.List;

/**
 * {@code cluster.*}: the clustered event bus (Hazelcast). Off: the pod is an island joined to the others only through
 * Kafka and PostgreSQL, as before. On: members join by TCP/IP from {@code members} (no multicast, which most networks
 * and Kubernetes do not carry); a member that stops answering heartbeats is dropped after {@code max_no_heartbeat_s}.
 */
public record ClusterSettings(boolean enabled, String name, List<String> members, String host, String publicHost, int port,
                              int eventBusPort, int eventBusPublicPort, int heartbeatIntervalS, int maxNoHeartbeatS) {

  static ClusterSettings from(ConfigReader.Section s) {
    boolean enabled = s.onOff("enabled", null);
    String name = s.nonEmpty("name");
    String members = s.string("members");
    ClusterSettings settings = new ClusterSettings(enabled, name,
      Arrays.stream(members.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList(),
      s.string("host").trim(), s.string("public_host").trim(),
      s.integer("port", 1, 65535), s.integer("eventbus_port", 0, 65535), s.integer("eventbus_public_port", 0, 65535),
      s.integer("heartbeat_interval_s", 1, 60), s.integer("max_no_heartbeat_s", 2, 600));
    if (settings.heartbeatIntervalS() >= settings.maxNoHeartbeatS()) {
      s.problem("max_no_heartbeat_s", settings.maxNoHeartbeatS() + " must be more than cluster.heartbeat_interval_s ("
        + settings.heartbeatIntervalS() + ")");
    }
    return settings;
  }
}
