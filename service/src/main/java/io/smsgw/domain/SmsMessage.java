package io.smsgw.domain;

import java.util.UUID;

/**
 * One accepted SMS: what is charged, stored, queued and sent. Its wire form is io.smsgw.platform.wire.SmsMessageJson.
 * {@code statusCallback}: the URL this message's status events go to instead of the user's webhook, or null.
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
  String statusCallback) {

  /** A message without a status_callback (its events, if any, go to the user's webhook). */
  public SmsMessage(UUID messageId, UUID userId, String phoneNumber, String text, Priority priority, Encoding encoding,
                    int segments, long cost, long acceptedAtMillis) {
    this(messageId, userId, phoneNumber, text, priority, encoding, segments, cost, acceptedAtMillis, null);
  }
}
