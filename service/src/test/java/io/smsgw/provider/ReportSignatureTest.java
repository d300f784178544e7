package io.smsgw.provider;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("Callback signatures: t=<unix>,v1=<hex HMAC-SHA256(secret, \"<t>.<body>\")>")
class ReportSignatureTest {

  static final String SECRET = "whsec_test";
  static final byte[] BODY = "{\"reports\":[]}".getBytes(StandardCharsets.UTF_8);
  // printf '%s' '1700000000.{"reports":[]}' | openssl dgst -sha256 -hmac 'whsec_test'
  static final String KNOWN = "t=1700000000,v1=8e7819fdb6bfbdf68d864981d5e9abb0f11e9aa2df22ff98230e9249a517f802";

  @Test
  @DisplayName("matches a vector computed with openssl, and verifies within the tolerance")
  void knownVector() {
    assertThat(ReportSignature.header(SECRET, 1_700_000_000L, BODY)).isEqualTo(KNOWN);
    assertThat(ReportSignature.verify(SECRET, KNOWN, BODY, 1_700_000_100L, 300)).isTrue();
    assertThat(ReportSignature.verify(SECRET, " t=1700000000 , v1=00" + "0".repeat(62) + ", " + KNOWN.substring(13), BODY, 1_700_000_000L, 300))
      .as("a second v1 (a rotated secret) may be the one that matches").isTrue();
  }

  @Test
  @DisplayName("the same signature each time, with other secrets signed in between (the per-thread keyed Macs)")
  void reusedMacs() {
    for (int i = 0; i < 3; i++) {
      ReportSignature.header("another-" + i, 1_700_000_000L + i, "{}".getBytes(StandardCharsets.UTF_8));
      assertThat(ReportSignature.header(SECRET, 1_700_000_000L, BODY)).isEqualTo(KNOWN);
    }
    for (int i = 0; i < 1_100; i++) ReportSignature.header("evicts-" + i, 1L, BODY);  // more secrets than a thread keeps
    assertThat(ReportSignature.header(SECRET, 1_700_000_000L, BODY)).isEqualTo(KNOWN);
  }

  @Test
  @DisplayName("refuses a tampered body, another secret, an old or future timestamp, a missing or malformed header, an empty secret")
  void refuses() {
    assertThat(ReportSignature.verify(SECRET, KNOWN, "{\"reports\":[{}]}".getBytes(StandardCharsets.UTF_8), 1_700_000_000L, 300)).isFalse();
    assertThat(ReportSignature.verify("other", KNOWN, BODY, 1_700_000_000L, 300)).isFalse();
    assertThat(ReportSignature.verify(SECRET, KNOWN, BODY, 1_700_000_301L, 300)).isFalse();
    assertThat(ReportSignature.verify(SECRET, KNOWN, BODY, 1_699_999_699L, 300)).isFalse();
    assertThat(ReportSignature.verify(SECRET, null, BODY, 1_700_000_000L, 300)).isFalse();
    assertThat(ReportSignature.verify(SECRET, "v1=" + KNOWN.substring(16), BODY, 1_700_000_000L, 300)).as("no t").isFalse();
    assertThat(ReportSignature.verify(SECRET, "t=abc,v1=zz", BODY, 1_700_000_000L, 300)).isFalse();
    assertThat(ReportSignature.verify("", KNOWN, BODY, 1_700_000_000L, 300)).isFalse();
  }
}
