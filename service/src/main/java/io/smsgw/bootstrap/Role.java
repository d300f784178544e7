package io.smsgw.bootstrap;

import java.util.EnumSet;
import java.util.Set;

/** What a pod runs. {@code all} is gateway and worker in one process. */
public enum Role {
  /** HTTP API, wallet, accounts, statuses, Kafka producer and outbox relay. */
  GATEWAY,
  /** Kafka consumers (one set per lane), the provider client, retries and status writes. */
  WORKER;

  public static Set<Role> parse(String name) {
    return switch (name) {
      case "gateway" -> EnumSet.of(GATEWAY);
      case "worker" -> EnumSet.of(WORKER);
      case "all" -> EnumSet.of(GATEWAY, WORKER);
      default -> throw new IllegalArgumentException("unknown role '" + name + "' (gateway, worker, all)");
    };
  }
}
