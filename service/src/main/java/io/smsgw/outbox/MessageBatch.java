package io.smsgw.outbox;

import io.smsgw.domain.SmsMessage;

import java.util.List;

/** Committed messages handed to the Kafka producer in one event-bus message (a bulk's, a chunk at a time). */
public record MessageBatch(List<SmsMessage> messages) {
}
