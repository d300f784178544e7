package io.smsgw.sms;

import io.smsgw.messaging.Topics;

/** The two lanes. VIP (OTP) traffic has its own Kafka topic and its own consumers. */
public enum Priority {
  NORMAL, VIP;

  public String wireName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public String topic() {
    return this == VIP ? Topics.VIP : Topics.NORMAL;
  }

  public static Priority fromWire(String value) {
    return value == null ? NORMAL : valueOf(value.toUpperCase(java.util.Locale.ROOT));
  }
}
