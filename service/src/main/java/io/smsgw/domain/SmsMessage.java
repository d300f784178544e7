package io.smsgw.domain;

import java.util.UUID;

/** One accepted SMS: what is charged, stored, queued and sent. Its wire form is io.smsgw.platform.wire.SmsMessageJson. */
public record SmsMessage(
  UUID messageId,
  UUID userId,
  String phoneNumber,
  String text,
  Priority priority,
  Encoding encoding,
  int segments,
  long cost,
  long acceptedAtMillis) {
}
