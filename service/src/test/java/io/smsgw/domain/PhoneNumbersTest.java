package io.smsgw.domain;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("The hand check of a phone number is the contract's pattern, exactly")
class PhoneNumbersTest {

  /** The contract's pattern for phone_number (openapi/openapi.yaml, SendSmsRequest). */
  private static final Pattern CONTRACT = Pattern.compile("^\\+[1-9][0-9]{7,14}(?![\\s\\S])");

  @Test
  @DisplayName("Hand-picked edges and 200,000 random strings over '+', digits, space and newline: the same verdict as the pattern")
  void agreesWithTheContract() {
    for (String s : List.of("+989121234567", "+12345678", "+1234567", "+123456789012345", "+1234567890123456", "+0123456789",
      "989121234567", "+98912123456a", "+989121234567\n", "+98912 1234567", "", "+", "++989121234567", "+٩٨٩١٢١٢٣٤٥٦٧")) {
      assertThat(PhoneNumbers.isE164(s)).as("'%s'", s).isEqualTo(CONTRACT.matcher(s).find());
    }
    Random random = new Random(16);
    String alphabet = "+0123456789 \n";
    for (int i = 0; i < 200_000; i++) {
      StringBuilder s = new StringBuilder(random.nextBoolean() ? "+" : "");
      int length = random.nextInt(18);
      for (int j = 0; j < length; j++) {
        s.append(random.nextInt(10) < 8 ? (char) ('0' + random.nextInt(10)) : alphabet.charAt(random.nextInt(alphabet.length())));
      }
      assertThat(PhoneNumbers.isE164(s.toString())).as("'%s'", s).isEqualTo(CONTRACT.matcher(s).find());
    }
    assertThat(PhoneNumbers.isE164(null)).isFalse();
    assertThat(PhoneNumbers.isE164(989121234567L)).isFalse();
  }
}
