package io.smsgw.platform.wire;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The wire JSON of a message carries its options (async settlement stores them from sms.accepted)")
class SmsMessageJsonTest {

  @Test
  @DisplayName("status_callback, expires_at and send_at are kept through the JSON; without them: no keys at all, and back as before")
  void options() {
    SmsMessage with = new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), "+14155550100", "hi", Priority.NORMAL, Encoding.GSM7,
      1, 100, 123L, "https://example.com/cb", 5_123L, 2_000L);
    assertThat(SmsMessageJson.fromBuffer(SmsMessageJson.toBuffer(with))).isEqualTo(with);
    assertThat(with.scheduled()).isTrue();
    SmsMessage without = new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), "+14155550100", "hi", Priority.VIP, Encoding.GSM7,
      1, 150, 123L);
    assertThat(SmsMessageJson.toJson(without).fieldNames()).doesNotContain("status_callback", "expires_at_ms", "send_at_ms");
    assertThat(SmsMessageJson.fromBuffer(SmsMessageJson.toBuffer(without))).isEqualTo(without);
    assertThat(without.scheduled()).isFalse();
  }
}
