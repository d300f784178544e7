package io.smsgw.provider.smpp;

/**
 * One SMPP bind to an SMSC (issue 15): where, as whom (and the source address of its messages), and how hard. {@code window}: submits outstanding at once on this
 * bind (one blocking jsmpp call per thread); {@code maxPerSecond}: the SMSC's contracted rate for the bind (0: none);
 * {@code responseTimeoutMs}: how long a submit waits for its submit_sm_resp before it is "unknown"; reconnects back off
 * from {@code reconnectMinMs}, doubling, to {@code reconnectMaxMs}.
 */
public record SmppBindSettings(String host, int port, String systemId, String password, String sourceAddress, int window, int maxPerSecond,
                               long responseTimeoutMs, int enquireLinkMs, long reconnectMinMs, long reconnectMaxMs) {

  public SmppBindSettings {
    if (window < 1) throw new IllegalArgumentException("window must be at least 1, not " + window);
    if (maxPerSecond < 0) throw new IllegalArgumentException("max_per_second must not be negative");
    if (reconnectMinMs < 1 || reconnectMaxMs < reconnectMinMs) throw new IllegalArgumentException("bad reconnect backoff");
  }
}
