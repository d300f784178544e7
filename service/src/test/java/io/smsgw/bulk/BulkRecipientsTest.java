package io.smsgw.bulk;

import io.smsgw.api.errors.ApiError;
import io.smsgw.domain.Encoding;
import io.smsgw.domain.Pricing;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A bulk's recipients are checked with send-sms's rules and codes, priced, and the bad ones listed per item")
class BulkRecipientsTest {

  private static final Pricing PRICING = new Pricing(100, 150);
  private static final UUID BULK = UUID.randomUUID();
  private static final UUID USER = UUID.randomUUID();

  private static BulkRecipients.Shared shared(Priority priority, String text) {
    return new BulkRecipients.Shared(BULK, USER, priority, text, 1_000, 61_000, 0);
  }

  private static BulkRecipient r(int index, String phone, String text) {
    return new BulkRecipient(index, UUID.randomUUID(), phone, text);
  }

  @Test
  @DisplayName("Good recipients become messages in request order, with their indexes, segments and price; the default text is used where a recipient has none")
  void goodRecipients() {
    List<BulkRecipient> in = List.of(r(0, "+989121234567", null), r(1, "+14155550100", "y".repeat(161)), r(2, "+4915112345678", "سلام"));

    BulkCharge charge = BulkRecipients.check(shared(Priority.VIP, "hello"), in, PRICING);

    assertThat(charge.rejected()).isEmpty();
    assertThat(charge.recipients()).isEqualTo(3);
    assertThat(charge.indexes()).containsExactly(0, 1, 2);
    List<SmsMessage> m = charge.messages();
    assertThat(m).extracting(SmsMessage::text).containsExactly("hello", "y".repeat(161), "سلام");
    assertThat(m).extracting(SmsMessage::segments).containsExactly(1, 2, 1);
    assertThat(m).extracting(SmsMessage::cost).containsExactly(150L, 300L, 150L);
    assertThat(m).extracting(SmsMessage::encoding).containsExactly(Encoding.GSM7, Encoding.GSM7, Encoding.UCS2);
    assertThat(m).allSatisfy(message -> {
      assertThat(message.userId()).isEqualTo(USER);
      assertThat(message.priority()).isEqualTo(Priority.VIP);
      assertThat(message.expiresAtMillis()).isEqualTo(61_000);
      assertThat(message.scheduled()).isFalse();
    });
  }

  @Test
  @DisplayName("Each bad recipient is listed with its index, message_id and send-sms's code; a repeated message_id loses to the first; nothing of them is charged")
  void badRecipients() {
    BulkRecipient first = r(0, "+989121234567", null);
    List<BulkRecipient> in = new ArrayList<>(List.of(first,
      r(1, "0912", null), r(2, "+989121234567\n", null), r(3, "+0989121234567", null), r(4, "+98912", null),
      r(5, "+989121234567", ""), r(6, "+989121234567", "x".repeat(1531)), r(7, "+989121234567", "a\u0000b"),
      r(8, "+989121234567", "\ud800"), new BulkRecipient(9, first.messageId(), "+989121234567", null),
      r(10, "+989121234567", "ok")));

    BulkCharge charge = BulkRecipients.check(shared(Priority.NORMAL, "hi"), in, PRICING);

    assertThat(charge.indexes()).containsExactly(0, 10);
    List<String> codes = new ArrayList<>();
    List<Integer> indexes = new ArrayList<>();
    for (int i = 0; i < charge.rejected().size(); i++) {
      JsonObject item = charge.rejected().getJsonObject(i);
      codes.add(item.getString("code"));
      indexes.add(item.getInteger("index"));
      assertThat(item.getString("message")).isNotBlank();
      assertThat(item.getString("message_id")).isEqualTo(in.get(item.getInteger("index")).messageId().toString());
    }
    assertThat(indexes).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
    assertThat(codes).containsExactly("invalid_phone_number", "invalid_phone_number", "invalid_phone_number",
      "invalid_phone_number", "empty_message", "message_too_long", "invalid_message_text", "invalid_message_text",
      "duplicate_message_id");
    assertThat(charge.rejected().getJsonObject(8).getString("message")).contains("recipients[0]");
  }

  @Test
  @DisplayName("Without a default text a recipient without its own is empty_message; a bad default text rejects every recipient that uses it")
  void defaultText() {
    BulkCharge none = BulkRecipients.check(shared(Priority.NORMAL, null), List.of(r(0, "+989121234567", null),
      r(1, "+989121234567", "own")), PRICING);
    assertThat(none.indexes()).containsExactly(1);
    assertThat(none.rejected().getJsonObject(0).getString("code")).isEqualTo("empty_message");

    BulkCharge bad = BulkRecipients.check(shared(Priority.NORMAL, "x".repeat(2000)), List.of(r(0, "+989121234567", null),
      r(1, "+989121234567", null), r(2, "+989121234567", "short")), PRICING);
    assertThat(bad.indexes()).containsExactly(2);
    assertThat(bad.rejected()).hasSize(2);
  }

  @Test
  @DisplayName("A scheduled bulk's messages are all scheduled at its send_at")
  void scheduled() {
    BulkCharge charge = BulkRecipients.check(new BulkRecipients.Shared(BULK, USER, Priority.NORMAL, "later", 1_000, 90_000, 30_000),
      List.of(r(0, "+989121234567", null)), PRICING);
    assertThat(charge.scheduled()).isTrue();
    assertThat(charge.messages().get(0).sendAtMillis()).isEqualTo(30_000);
  }

  @Test
  @DisplayName("The per-item codes are catalogue codes (ApiError)")
  void codesAreCatalogueCodes() {
    List<String> catalogue = Arrays.stream(ApiError.values()).map(ApiError::code).toList();
    assertThat(catalogue).contains(BulkRecipients.INVALID_PHONE_NUMBER, BulkRecipients.EMPTY_MESSAGE, BulkRecipients.MESSAGE_TOO_LONG,
      BulkRecipients.INVALID_MESSAGE_TEXT, BulkRecipients.DUPLICATE_MESSAGE_ID);
  }
}
