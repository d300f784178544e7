package io.smsgw.domain;

/**
 * Counts the segments a text needs, which is what the customer pays for.
 * GSM-7 (3GPP TS 23.038 default alphabet): 160 septets alone, 153 per part; extension-table characters take
 * two septets and an escape pair is never split across parts. Any other character makes the whole text UCS-2:
 * 70 UTF-16 units alone, 67 per part; a surrogate pair (outside the BMP) takes two and is never split.
 */
public record Segments(Encoding encoding, int units, int count) {

  /** The longest message accepted, in segments (1,530 GSM-7 or 670 UCS-2 characters). */
  public static final int MAX = 10;

  private static final String GSM7_BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  private static final String GSM7_EXTENSION = "^{}\\[~]|€\f";

  public static Segments of(String text) {
    return isGsm7(text) ? countGsm7(text) : countUcs2(text);
  }

  public static boolean isGsm7(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (GSM7_BASIC.indexOf(c) < 0 && GSM7_EXTENSION.indexOf(c) < 0) return false;
    }
    return true;
  }

  private static Segments countGsm7(String text) {
    int total = 0;
    for (int i = 0; i < text.length(); i++) total += septets(text.charAt(i));
    if (total <= Encoding.GSM7.single) return new Segments(Encoding.GSM7, total, total == 0 ? 0 : 1);
    int parts = 1;
    int used = 0;
    for (int i = 0; i < text.length(); i++) {
      int width = septets(text.charAt(i));
      if (used + width > Encoding.GSM7.perPart) {
        parts++;
        used = 0;
      }
      used += width;
    }
    return new Segments(Encoding.GSM7, total, parts);
  }

  private static Segments countUcs2(String text) {
    int total = text.length();
    if (total <= Encoding.UCS2.single) return new Segments(Encoding.UCS2, total, total == 0 ? 0 : 1);
    int parts = 1;
    int used = 0;
    for (int i = 0; i < text.length(); i++) {
      int width = Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length() ? 2 : 1;
      if (used + width > Encoding.UCS2.perPart) {
        parts++;
        used = 0;
      }
      used += width;
      i += width - 1;
    }
    return new Segments(Encoding.UCS2, total, parts);
  }

  private static int septets(char c) {
    return GSM7_EXTENSION.indexOf(c) >= 0 ? 2 : 1;
  }
}
