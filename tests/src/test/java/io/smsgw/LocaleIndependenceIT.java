package io.smsgw;

import io.smsgw.api.errors.ApiError;
import io.smsgw.domain.Priority;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Nothing depends on the JVM's default locale (Turkish dotted and dotless i)")
class LocaleIndependenceIT {

  private Locale saved;

  @BeforeEach
  void turkish() {
    saved = Locale.getDefault();
    Locale.setDefault(Locale.forLanguageTag("tr-TR"));
  }

  @AfterEach
  void restore() {
    Locale.setDefault(saved);
  }

  @Test
  @DisplayName("Error codes, priorities and config keys are the same under tr-TR")
  void turkishDefaultLocale() {
    assertThat(ApiError.INVALID_REQUEST.code()).isEqualTo("invalid_request");
    assertThat(ApiError.INVALID_PHONE_NUMBER.code()).isEqualTo("invalid_phone_number");
    assertThat(Priority.fromWire("vip")).isEqualTo(Priority.VIP);
    assertThat(Priority.VIP.wireName()).isEqualTo("vip");
    var config = io.smsgw.config.GatewayConfig.load("conf/smsgw.json", java.util.Map.of("SMSGW_PRICING_VIP_PER_SEGMENT", "170"));
    assertThat(config.pricing().vipPerSegment()).as("SMSGW_PRICING_VIP_... under tr-TR").isEqualTo(170);
  }
}
