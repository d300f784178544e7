package io.smsgw.platform.wire;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The wire JSON of a message carries status_callback (async settlement stores it from sms.accepted)")
class SmsMessageJsonTest {

  @Test
  @DisplayName("with a status_callback: kept through the JSON; without: no key at all, and null back")
  void statusCallback() {
    SmsMessage with = new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), "+14155550100", "hi", Priority.NORMAL, Encoding.GSM7,
      1, 100, 123L, "https://example.com/cb");
    assertThat(SmsMessageJson.fromBuffer(SmsMessageJson.toBuffer(with))).isEqualTo(with);
    SmsMessage without = new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), "+14155550100", "hi", Priority.VIP, Encoding.GSM7,
      1, 150, 123L);
    assertThat(SmsMessageJson.toJson(without).containsKey("status_callback")).isFalse();
    assertThat(SmsMessageJson.fromBuffer(SmsMessageJson.toBuffer(without))).isEqualTo(without);
  }
}
