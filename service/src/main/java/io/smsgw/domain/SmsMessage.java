package io.smsgw.domain;

import java.util.UUID;

/**
 * One accepted SMS: what is charged, stored, queued and sent. Its wire form is io.smsgw.platform.wire.SmsMessageJson.
 * {@code statusCallback}: the URL this message's status events go to instead of the user's webhook, or null.
 * {@code expiresAtMillis}: no send starts at or after it (0: the lane's default validity from acceptance applies).
 * {@code sendAtMillis}: a scheduled message, sent not before it (0: send now).
 */
public record SmsMessage(
  UUID messageId,
  UUID userId,
  String phoneNumber,
  String text,
  Priority priority,
  Encoding encoding,
  int segments,
  long cost,
  long acceptedAtMillis,
  String statusCallback,
  long expiresAtMillis,
  long sendAtMillis) {

  /** A message without options: sent now, the lane's default validity, its events (if any) to the user's webhook. */
  public SmsMessage(UUID messageId, UUID userId, String phoneNumber, String text, Priority priority, Encoding encoding,
                    int segments, long cost, long acceptedAtMillis) {
    this(messageId, userId, phoneNumber, text, priority, encoding, segments, cost, acceptedAtMillis, null, 0, 0);
  }

  /** Stored as scheduled: the worker's scheduler sends it at {@link #sendAtMillis}, Kafka never carries it at acceptance. */
  public boolean scheduled() {
    return sendAtMillis > 0;
  }
}
