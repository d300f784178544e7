package io.smsgw.platform.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.smsgw.config.ClusterSettings;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

/**
 * The cluster manager and event-bus endpoint of a clustered pod, from {@code cluster.*}. Vert.x's own maps
 * ({@code __vertx.*}, from vertx-hazelcast's default-cluster.xml) are kept; the network is set here: a named cluster,
 * TCP/IP join from the member list (no multicast, no cloud auto-detection), and heartbeats that drop a dead member
 * within {@code max_no_heartbeat_s}.
 */
public final class HazelcastCluster {

  private HazelcastCluster() {
  }

  public static ClusterManager manager(ClusterSettings settings) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(settings.name());
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Vert.x leaves the cluster on close; Hazelcast's own hook would leave it first, with verticles still running.
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.heartbeat.interval.seconds", String.valueOf(settings.heartbeatIntervalS()));
    config.setProperty("hazelcast.max.no.heartbeat.seconds", String.valueOf(settings.maxNoHeartbeatS()));
    // A member that left (or was dropped) is merged back quickly after a partition heals.
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");

    NetworkConfig network = config.getNetworkConfig();
    // Several pods on one host (tests, the cluster benchmark) take the next free port after cluster.port.
    network.setPort(settings.port()).setPortAutoIncrement(true).setPortCount(100);
    if (!settings.publicHost().isEmpty()) network.setPublicAddress(settings.publicHost());
    if (!settings.host().isEmpty()) network.getInterfaces().setEnabled(true).addInterface(settings.host());
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
    return new HazelcastClusterManager(config);
  }

  /** Where other pods reach this pod's event bus. */
  public static EventBusOptions eventBus(ClusterSettings settings) {
    EventBusOptions options = new EventBusOptions().setPort(settings.eventBusPort());
    if (!settings.host().isEmpty()) options.setHost(settings.host());
    if (!settings.publicHost().isEmpty()) options.setClusterPublicHost(settings.publicHost());
    if (settings.eventBusPublicPort() > 0) options.setClusterPublicPort(settings.eventBusPublicPort());
    return options;
  }
}
