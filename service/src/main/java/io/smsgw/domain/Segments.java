package io.smsgw.domain;

import java.util.ArrayList;
import java.util.List;

/**
 * Counts the segments a text needs, which is what the customer pays for, and cuts it into those parts for a provider
 * that sends them one by one (SMPP).
 * GSM-7 (3GPP TS 23.038 default alphabet): 160 septets alone, 153 per part; extension-table characters take
 * two septets and an escape pair is never split across parts. Any other character makes the whole text UCS-2:
 * 70 UTF-16 units alone, 67 per part; a surrogate pair (outside the BMP) takes two and is never split.
 */
public record Segments(Encoding encoding, int units, int count) {

  /** The longest message accepted, in segments (1,530 GSM-7 or 670 UCS-2 characters). */
  public static final int MAX = 10;

  public static Segments of(String text) {
    Encoding encoding = isGsm7(text) ? Encoding.GSM7 : Encoding.UCS2;
    int units = units(text, encoding);
    return new Segments(encoding, units, cut(text, encoding, units, null));
  }

  /**
   * The text of each part, cut where the count cuts, so the parts sent are the segments charged:
   * {@code split(t).size() == of(t).count()} (SegmentsPropertiesTest).
   */
  public static List<String> split(String text) {
    Encoding encoding = isGsm7(text) ? Encoding.GSM7 : Encoding.UCS2;
    List<Integer> starts = new ArrayList<>();
    cut(text, encoding, units(text, encoding), starts);
    List<String> parts = new ArrayList<>(starts.size());
    for (int i = 0; i < starts.size(); i++) {
      parts.add(text.substring(starts.get(i), i + 1 < starts.size() ? starts.get(i + 1) : text.length()));
    }
    return parts;
  }

  public static boolean isGsm7(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Gsm7Alphabet.septets(text.charAt(i)) == 0) return false;
    }
    return true;
  }

  /** Septets (GSM-7) or UTF-16 units (UCS-2). */
  private static int units(String text, Encoding encoding) {
    if (encoding == Encoding.UCS2) return text.length();
    int total = 0;
    for (int i = 0; i < text.length(); i++) total += septets(text.charAt(i));
    return total;
  }

  /** How many parts; with {@code starts}, where each begins (a char index). */
  private static int cut(String text, Encoding encoding, int units, List<Integer> starts) {
    if (units == 0) return 0;
    if (starts != null) starts.add(0);
    if (units <= encoding.single) return 1;
    int parts = 1;
    int used = 0;
    for (int i = 0; i < text.length(); i++) {
      int width = encoding == Encoding.GSM7 ? septets(text.charAt(i))
        : Character.isHighSurrogate(text.charAt(i)) && i + 1 < text.length() ? 2 : 1;
      if (used + width > encoding.perPart) {
        parts++;
        used = 0;
        if (starts != null) starts.add(i);
      }
      used += width;
      if (encoding == Encoding.UCS2) i += width - 1;  // the low surrogate travels with its high one
    }
    return parts;
  }

  private static int septets(char c) {
    return Gsm7Alphabet.septets(c);
  }
}
