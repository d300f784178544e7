package io.smsgw;

import java.util.EnumSet;
import java.util.Set;

/** What a pod runs. {@code all} is every role in one process, as {@code ./smsgw dev} does. */
public enum Role {
  /** HTTP API, wallet, accounts, statuses, Kafka producer and outbox relay. */
  GATEWAY,
  /** Kafka consumers and senders (the next issue). */
  WORKER;

  public static Set<Role> parse(String name) {
    return switch (name) {
      case "gateway" -> EnumSet.of(GATEWAY);
      case "worker" -> EnumSet.of(WORKER);
      case "all" -> EnumSet.allOf(Role.class);
      default -> throw new IllegalArgumentException("unknown role '" + name + "' (gateway, worker, all)");
    };
  }
}
