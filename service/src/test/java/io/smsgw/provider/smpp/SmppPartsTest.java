package io.smsgw.provider.smpp;

import io.smsgw.domain.Priority;
import io.smsgw.domain.Segments;
import io.smsgw.domain.SmsMessage;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("SMPP parts: as many as charged, GSM-7 unpacked or UCS-2, a concatenation UDH on each part of a long one")
class SmppPartsTest {

  static SmsMessage message(String text) {
    Segments s = Segments.of(text);
    return new SmsMessage(UUID.randomUUID(), UUID.randomUUID(), "+989121234567", text, Priority.NORMAL, s.encoding(),
      s.count(), 100L * s.count(), 0);
  }

  @Test
  @DisplayName("one GSM-7 part: data_coding 0, septets unpacked (an extension character is the escape and its code), no UDH")
  void singleGsm() {
    List<SmppPart> parts = SmppParts.of(message("@a€"));
    assertThat(parts).hasSize(1);
    SmppPart p = parts.get(0);
    assertThat(p.destination()).isEqualTo("989121234567");
    assertThat(p.dataCoding()).isEqualTo((byte) 0);
    assertThat(p.udh()).isFalse();
    assertThat(p.shortMessage()).containsExactly(0x00, 0x61, 0x1B, 0x65);
  }

  @Test
  @DisplayName("a 3-part UCS-2 message: data_coding 8, UDH 05 00 03 <ref> 03 <seq>, the same reference and key on each")
  void longUcs2() {
    SmsMessage m = message("ب".repeat(150));
    List<SmppPart> parts = SmppParts.of(m);
    assertThat(parts).hasSize(m.segments()).hasSize(3);
    byte reference = parts.get(0).shortMessage()[3];
    for (int i = 0; i < 3; i++) {
      SmppPart p = parts.get(i);
      assertThat(p.dataCoding()).isEqualTo((byte) 8);
      assertThat(p.udh()).isTrue();
      assertThat(p.clientKey()).isEqualTo(m.messageId().toString());
      assertThat(Arrays.copyOf(p.shortMessage(), 6)).containsExactly(0x05, 0x00, 0x03, reference, 3, i + 1);
      String text = new String(p.shortMessage(), 6, p.shortMessage().length - 6, StandardCharsets.UTF_16BE);
      assertThat(text.length()).isLessThanOrEqualTo(67);
    }
  }
}
