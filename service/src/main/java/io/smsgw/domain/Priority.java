package io.smsgw.domain;

/** The two lanes. VIP (OTP) traffic has its own Kafka topic and its own consumers. */
public enum Priority {
  NORMAL, VIP;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static Priority fromWire(String value) {
    return value == null ? NORMAL : valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }
}
