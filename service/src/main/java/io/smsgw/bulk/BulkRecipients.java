package io.smsgw.bulk;

import io.smsgw.domain.MessageText;
import io.smsgw.domain.PhoneNumbers;
import io.smsgw.domain.Priority;
import io.smsgw.domain.Pricing;
import io.smsgw.domain.Segments;
import io.smsgw.domain.SmsMessage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The per-recipient checks of a bulk, the same rules as {@code POST /send-sms} with the same codes: the phone number
 * ({@link PhoneNumbers}), the text's characters ({@link MessageText}), empty or longer than 10 segments
 * ({@link Segments}); and a message_id that repeats an earlier recipient of the bulk (the first one stays). A recipient
 * that fails is listed with its index and code and is neither stored nor charged; the others become the messages of
 * the bulk, priced here ({@link Pricing}). One pass, no regular expression; the default text is counted once.
 * A message_id used before (in PostgreSQL) is found by accept_bulk, in the transaction.
 */
public final class BulkRecipients {

  public static final String INVALID_PHONE_NUMBER = "invalid_phone_number";
  public static final String EMPTY_MESSAGE = "empty_message";
  public static final String MESSAGE_TOO_LONG = "message_too_long";
  public static final String INVALID_MESSAGE_TEXT = "invalid_message_text";
  public static final String DUPLICATE_MESSAGE_ID = "duplicate_message_id";

  private BulkRecipients() {
  }

  /** What the whole bulk shares. {@code defaultText}: null when the request has none. */
  public record Shared(UUID bulkId, UUID userId, Priority priority, String defaultText, long acceptedAtMs, long expiresAtMs,
                       long sendAtMs) {
  }

  public static BulkCharge check(Shared bulk, List<BulkRecipient> recipients, Pricing pricing) {
    int n = recipients.size();
    List<SmsMessage> messages = new ArrayList<>(n);
    int[] indexes = new int[n];
    JsonArray rejected = new JsonArray();
    Map<UUID, Integer> seen = new HashMap<>(n * 2);
    // The default text's verdict, decided once for every recipient that uses it.
    Verdict defaultVerdict = bulk.defaultText() == null ? null : Verdict.of(bulk.defaultText());
    for (BulkRecipient r : recipients) {
      Integer first = seen.putIfAbsent(r.messageId(), r.index());
      if (first != null) {
        rejected.add(item(r, DUPLICATE_MESSAGE_ID, "message_id repeats recipients[" + first + "]; nothing was charged"));
        continue;
      }
      if (!PhoneNumbers.isE164(r.phoneNumber())) {
        rejected.add(item(r, INVALID_PHONE_NUMBER, "phone_number must be E.164: '+' and 8 to 15 digits"));
        continue;
      }
      String text = r.text() != null ? r.text() : bulk.defaultText();
      Verdict verdict = r.text() != null ? Verdict.of(r.text()) : defaultVerdict;
      if (verdict == null) {
        rejected.add(item(r, EMPTY_MESSAGE, "no message: neither the recipient nor the bulk has one"));
        continue;
      }
      if (verdict.code != null) {
        rejected.add(item(r, verdict.code, verdict.message));
        continue;
      }
      Segments segments = verdict.segments;
      indexes[messages.size()] = r.index();
      messages.add(new SmsMessage(r.messageId(), bulk.userId(), r.phoneNumber(), text, bulk.priority(), segments.encoding(),
        segments.count(), pricing.cost(bulk.priority(), segments.count()), bulk.acceptedAtMs(), null, bulk.expiresAtMs(),
        bulk.sendAtMs()));
    }
    int[] accepted = java.util.Arrays.copyOf(indexes, messages.size());
    return new BulkCharge(bulk.bulkId(), bulk.userId(), bulk.priority(), n, List.copyOf(messages), accepted, rejected,
      bulk.expiresAtMs(), bulk.sendAtMs());
  }

  private static JsonObject item(BulkRecipient r, String code, String message) {
    return new JsonObject().put("index", r.index()).put("message_id", r.messageId().toString()).put("code", code).put("message", message);
  }

  /** A text's segments, or why it cannot be sent (the code and message send-sms would answer). */
  private record Verdict(Segments segments, String code, String message) {
    static Verdict of(String text) {
      int illegal = MessageText.firstIllegal(text);
      if (illegal >= 0) {
        return new Verdict(null, INVALID_MESSAGE_TEXT, "message holds " + MessageText.describe(text, illegal)
          + ": no control character but LF, CR and FF, and no unpaired surrogate");
      }
      Segments segments = Segments.of(text);
      if (segments.count() == 0) return new Verdict(null, EMPTY_MESSAGE, "message is empty");
      if (segments.count() > Segments.MAX) {
        return new Verdict(null, MESSAGE_TOO_LONG, "message needs " + segments.count() + " segments; at most " + Segments.MAX
          + " are accepted");
      }
      return new Verdict(segments, null, null);
    }
  }
}
