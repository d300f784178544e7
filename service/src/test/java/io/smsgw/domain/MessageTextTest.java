package io.smsgw.domain;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class MessageTextTest {

  @ParameterizedTest(name = "U+{0} is refused")
  @ValueSource(ints = {0x00, 0x01, 0x08, 0x09, 0x0B, 0x0E, 0x1B, 0x1F, 0x7F, 0x80, 0x85, 0x9F})
  @DisplayName("C0 controls but LF, CR and FF, DEL and C1 controls are refused")
  void controls(int c) {
    assertThat(MessageText.firstIllegal("ab" + (char) c + "cd")).isEqualTo(2);
  }

  @Test
  @DisplayName("LF, CR and FF (GSM-7 basic and extension tables) are accepted")
  void lineBreaks() {
    assertThat(MessageText.firstIllegal("a\nb\r\nc\fd")).isEqualTo(-1);
  }

  @Test
  @DisplayName("Unpaired surrogates are refused, pairs accepted")
  void surrogates() {
    assertThat(MessageText.firstIllegal("😀")).isEqualTo(-1);
    assertThat(MessageText.firstIllegal("a\ud800")).isEqualTo(1);
    assertThat(MessageText.firstIllegal("\ud800b")).isEqualTo(0);
    assertThat(MessageText.firstIllegal("a\udc00")).isEqualTo(1);
    assertThat(MessageText.firstIllegal("\ude00\ud83d")).isEqualTo(0);
    assertThat(MessageText.firstIllegal("😀\ud83d")).isEqualTo(2);
  }

  @Test
  @DisplayName("Everything else is accepted: RTL marks, combining marks, U+2028, BOM, Persian, noncharacters")
  void everythingElse() {
    assertThat(MessageText.firstIllegal("\u200fسلام\u200e e\u0301 \u2028 \ufeff \uffff € ^{}")).isEqualTo(-1);
    assertThat(MessageText.firstIllegal("")).isEqualTo(-1);
  }

  @Test
  @DisplayName("A name may hold no control character at all")
  void names() {
    assertThat(MessageText.firstIllegalInName("Acme Ltd — شرکت 😀")).isEqualTo(-1);
    assertThat(MessageText.firstIllegalInName("Acme\n")).isEqualTo(4);
    assertThat(MessageText.firstIllegalInName("A\u0000")).isEqualTo(1);
    assertThat(MessageText.firstIllegalInName("A\u0085")).isEqualTo(1);
    assertThat(MessageText.firstIllegalInName("A\ud800")).isEqualTo(1);
    assertThat(MessageText.describe("A\u0000", 1)).isEqualTo("U+0000 at index 1");
  }
}
