package io.smsgw.domain;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

class SegmentsTest {

  @ParameterizedTest(name = "{0} GSM-7 characters need {1} segment(s)")
  @DisplayName("GSM-7: 160 alone, 153 per part")
  @CsvSource({"1,1", "160,1", "161,2", "306,2", "307,3", "1530,10", "1531,11"})
  void gsm7(int length, int segments) {
    Segments s = Segments.of("a".repeat(length));
    assertThat(s.encoding()).isEqualTo(Encoding.GSM7);
    assertThat(s.count()).isEqualTo(segments);
  }

  @ParameterizedTest(name = "{0} Persian characters need {1} segment(s)")
  @DisplayName("Persian text is UCS-2: 70 alone, 67 per part")
  @CsvSource({"1,1", "70,1", "71,2", "134,2", "135,3", "670,10", "671,11"})
  void persian(int length, int segments) {
    Segments s = Segments.of("س".repeat(length));
    assertThat(s.encoding()).isEqualTo(Encoding.UCS2);
    assertThat(s.count()).isEqualTo(segments);
  }

  @Test
  @DisplayName("Extension characters take two septets")
  void extensionCharacters() {
    assertThat(Segments.of("€".repeat(80)).count()).isEqualTo(1);
    assertThat(Segments.of("€".repeat(81)).count()).isEqualTo(2);
    assertThat(Segments.of("{}[]~|^\\").units()).isEqualTo(16);
  }

  @Test
  @DisplayName("An escape pair is never split across two parts")
  void escapeNotSplit() {
    // 152 plain septets, then '€' (2): it does not fit the first part's 153, so it starts the second.
    String text = "a".repeat(152) + "€" + "a".repeat(10);
    assertThat(Segments.of(text).count()).isEqualTo(2);
    assertThat(Segments.of("a".repeat(152) + "€".repeat(77)).count()).isEqualTo(3);
  }

  @Test
  @DisplayName("One character outside GSM-7 makes the whole message UCS-2; emoji outside the BMP count twice")
  void mixedAndEmoji() {
    assertThat(Segments.of("Your code is 1234 ✓").encoding()).isEqualTo(Encoding.UCS2);
    assertThat(Segments.of("😀".repeat(35)).count()).isEqualTo(1);
    assertThat(Segments.of("😀".repeat(36)).count()).isEqualTo(2);
    assertThat(Segments.of("Ünïcödé? no: GSM-7 has Ü and ö").encoding()).isEqualTo(Encoding.UCS2);
    assertThat(Segments.of("Grüße aus Köln, Çava? ÄÖÑÜ").encoding()).isEqualTo(Encoding.GSM7);
  }

  @Test
  @DisplayName("An empty text needs no segment")
  void empty() {
    assertThat(Segments.of("").count()).isZero();
  }
}
