package io.smsgw.config;

import io.smsgw.provider.smpp.SmppBindSettings;

/**
 * {@code smpp.*}: the SMSC the workers send through when {@code provider.kind} is {@code smpp} (issue 15). Each sender
 * instance keeps {@code binds} transceiver binds, each with {@code window} submits outstanding and at most
 * {@code max_per_second} (0: no limit); {@code provider_id} names this SMSC in {@code provider_parts} and its receipts'
 * join. A submit with no {@code submit_sm_resp} within {@code response_timeout_ms} is in doubt and never sent again.
 */
public record SmppSettings(String providerId, String host, int port, String systemId, String password, String sourceAddress,
                           int binds, int window, int maxPerSecond, long responseTimeoutMs, int enquireLinkMs,
                           long reconnectMinMs, long reconnectMaxMs) {

  static SmppSettings from(ConfigReader.Section s) {
    return new SmppSettings(
      s.nonEmpty("provider_id"),
      s.string("host"),
      s.integer("port", 0, 65_535),
      s.string("system_id"),
      s.string("password"),
      s.string("source_address"),
      s.integer("binds", 1, 64),
      s.integer("window", 1, 1_000),
      s.integer("max_per_second", 0, 1_000_000),
      s.number("response_timeout_ms", 100, 120_000),
      s.integer("enquire_link_ms", 1_000, 3_600_000),
      s.number("reconnect_min_ms", 10, 600_000),
      s.number("reconnect_max_ms", 10, 3_600_000));
  }

  /** One bind's settings. */
  public SmppBindSettings bind() {
    return new SmppBindSettings(host, port, systemId, password, sourceAddress, window, maxPerSecond, responseTimeoutMs,
      enquireLinkMs, reconnectMinMs, Math.max(reconnectMinMs, reconnectMaxMs));
  }
}
