package io.smsgw.api;

import io.smsgw.config.LaneSettings;
import io.smsgw.config.SenderSettings;
import io.smsgw.domain.Priority;
import io.vertx.core.json.JsonObject;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;

/**
 * When a message of {@code POST /send-sms} may be sent: {@code send_at} (RFC 3339, at most 30 days ahead: a scheduled
 * message) and its expiry, {@code validity_period} seconds (the contract bounds it) from the send_at or from the
 * acceptance, else the lane's default ({@code sender.<lane>_validity_s}).
 */
final class SendTiming {

  static final long MAX_AHEAD_MS = 30L * 24 * 3600 * 1000;
  /** A send_at this far in the past is a mistake (a wrong year, a wrong zone), not "now": refused. */
  static final long MAX_PAST_MS = 60_000;

  /** RFC 3339 date-time: ISO-8601 with an offset (Z or ±hh:mm), 't' and 'z' in either case. */
  private static final DateTimeFormatter RFC_3339 = new DateTimeFormatterBuilder().parseCaseInsensitive()
    .append(DateTimeFormatter.ISO_OFFSET_DATE_TIME).toFormatter();

  /** {@code sendAtMs} 0: send now. */
  record Timing(long sendAtMs, long expiresAtMs) {
  }

  /** Thrown with the message of a 400 {@code invalid_send_at}. */
  static final class InvalidSendAt extends Exception {
    InvalidSendAt(String message) {
      super(message, null, false, false);
    }
  }

  private final SenderSettings lanes;

  SendTiming(SenderSettings lanes) {
    this.lanes = lanes;
  }

  Timing of(JsonObject body, Priority lane, long nowMs) throws InvalidSendAt {
    long sendAt = sendAt(body.getString("send_at"), nowMs);
    Number validityS = body.getNumber("validity_period");
    LaneSettings settings = lanes.lane(lane);
    long validityMs = validityS == null ? settings.validityMs() : validityS.longValue() * 1000;
    return new Timing(sendAt, (sendAt > 0 ? sendAt : nowMs) + validityMs);
  }

  /** 0 for none, a time already come, or one within the last minute (sent now). */
  private static long sendAt(String text, long nowMs) throws InvalidSendAt {
    if (text == null) return 0;
    long at;
    try {
      at = OffsetDateTime.parse(text, RFC_3339).toInstant().toEpochMilli();
    } catch (DateTimeParseException | ArithmeticException e) {
      throw new InvalidSendAt("send_at must be an RFC 3339 date-time with an offset, such as 2026-12-24T09:00:00Z");
    }
    if (at > nowMs + MAX_AHEAD_MS) throw new InvalidSendAt("send_at may be at most 30 days ahead");
    if (at < nowMs - MAX_PAST_MS) throw new InvalidSendAt("send_at is in the past; leave it out to send now");
    return at > nowMs ? at : 0;
  }
}
