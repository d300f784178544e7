package io.smsgw.domain;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Properties of the cut into parts (jqwik): the parts sent over SMPP are exactly the segments charged, they put the
 * text back together, each fits its segment, and GSM-7 texts survive the unpacked SMPP encoding.
 */
class SegmentsPropertiesTest {

  /** GSM-7 texts (extension characters included) up to 10 segments, Persian, emoji, and any text a client may send. */
  @Provide
  Arbitrary<String> texts() {
    Arbitrary<String> gsm = Arbitraries.strings().withChars((Gsm7Alphabet.BASIC + Gsm7Alphabet.EXTENSION).toCharArray())
      .ofMinLength(0).ofMaxLength(1_530);
    Arbitrary<String> persian = Arbitraries.strings().withCharRange('\u0600', '\u06FF').withChars(' ', 'a', '€')
      .ofMinLength(1).ofMaxLength(670);
    // any UTF-16 the accept path lets through (no unpaired surrogate, no control character but LF, CR, FF)
    Arbitrary<String> anything = Arbitraries.strings().all().ofMaxLength(700).filter(t -> MessageText.firstIllegal(t) < 0);
    Arbitrary<String> emoji = Arbitraries.of("😀", "a", "ب", "{").list().ofMaxSize(300).map(l -> String.join("", l));
    return Arbitraries.oneOf(gsm, persian, anything, emoji);
  }

  @Property(tries = 2_000)
  void partsAreTheSegmentsCharged(@ForAll("texts") String text) {
    Segments segments = Segments.of(text);
    List<String> parts = Segments.split(text);
    assertThat(parts).hasSize(segments.count());
    assertThat(String.join("", parts)).isEqualTo(text);
    int capacity = parts.size() > 1 ? segments.encoding().perPart : segments.encoding().single;
    for (String part : parts) {
      assertThat(Segments.of(part).units()).as("a part fits its segment").isLessThanOrEqualTo(capacity);
      assertThat(Character.isLowSurrogate(part.charAt(0))).as("a surrogate pair is never split").isFalse();
    }
  }

  @Property(tries = 1_000)
  void gsmTextsSurviveTheUnpackedEncoding(@ForAll("texts") String text) {
    if (!Segments.isGsm7(text)) return;
    byte[] septets = Gsm7Alphabet.encodeUnpacked(text);
    assertThat(septets.length).isEqualTo(Segments.of(text).units());
    assertThat(Gsm7Alphabet.decodeUnpacked(septets, 0, septets.length)).isEqualTo(text);
  }
}
