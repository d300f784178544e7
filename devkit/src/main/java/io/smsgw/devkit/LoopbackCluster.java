package io.smsgw.devkit;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The {@code SMSGW_CLUSTER_*} settings of N child pods that form one Hazelcast cluster on loopback: each member has
 * its own fixed Hazelcast port (so a pod started again after a kill is found at the same address), the member list
 * names all of them, and the cluster has a name of its own so that nothing else running on this host joins it.
 */
public final class LoopbackCluster {

  /** The capability verticles an edge pod runs none of: it keeps only the HTTP verticles and its rate limit. */
  public static final List<String> EDGE_ZERO_INSTANCES = List.of("ACCOUNT", "API_KEY_REVOCATIONS", "WALLET",
    "MESSAGE_STATUS", "KAFKA_PRODUCER", "SETTLEMENT", "RESERVATION", "DELIVERY_REPORTS");

  private final String name;
  private final List<Integer> ports = new ArrayList<>();

  public LoopbackCluster(String prefix, int members) {
    this.name = prefix + "-" + UUID.randomUUID();
    for (int i = 0; i < members; i++) ports.add(FreePorts.next());
  }

  /** The environment of member {@code index} (0-based). */
  public Map<String, String> env(int index) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("SMSGW_CLUSTER_ENABLED", "on");
    env.put("SMSGW_CLUSTER_NAME", name);
    env.put("SMSGW_CLUSTER_HOST", "127.0.0.1");
    env.put("SMSGW_CLUSTER_PORT", String.valueOf(ports.get(index)));
    env.put("SMSGW_CLUSTER_MEMBERS", ports.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    return env;
  }

  /** {@code SMSGW_INSTANCES_<verticle>=0} for every capability verticle an edge pod leaves to the others. */
  public static Map<String, String> edgeInstances() {
    Map<String, String> env = new LinkedHashMap<>();
    for (String verticle : EDGE_ZERO_INSTANCES) env.put("SMSGW_INSTANCES_" + verticle, "0");
    return env;
  }
}
