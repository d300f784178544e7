package io.smsgw.domain;

import java.io.ByteArrayOutputStream;

/**
 * The GSM 7-bit default alphabet (3GPP TS 23.038 §6.2.1) and its extension table, unpacked: one septet per octet, as
 * SMPP's data_coding 0 carries it. An extension character is the escape 0x1B and its code (two septets).
 */
public final class Gsm7Alphabet {

  /** The basic table in code order, 0x00 to 0x7F, without the escape at 0x1B. */
  static final String BASIC =
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
      + "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";
  /** The extension table's characters and, at the same index, their codes after the escape. */
  static final String EXTENSION = "^{}\\[~]|€\f";
  private static final byte[] EXTENSION_CODES = {0x14, 0x28, 0x29, 0x2F, 0x3C, 0x3D, 0x3E, 0x40, 0x65, 0x0A};
  private static final int ESCAPE = 0x1B;
  /**
   * Septets per UTF-16 unit: 1 basic, 2 extension, 0 not in the alphabet. A table, not a search of the strings above:
   * pricing every text searched the basic table once per character (about 1% of the gateway JVM at 3,500/s, async-profiler).
   */
  private static final byte[] SEPTETS = new byte[Character.MAX_VALUE + 1];

  static {
    for (int i = 0; i < BASIC.length(); i++) SEPTETS[BASIC.charAt(i)] = 1;
    for (int i = 0; i < EXTENSION.length(); i++) SEPTETS[EXTENSION.charAt(i)] = 2;
  }

  private Gsm7Alphabet() {
  }

  public static boolean isBasic(char c) {
    return SEPTETS[c] == 1;
  }

  public static boolean isExtension(char c) {
    return SEPTETS[c] == 2;
  }

  /** 1 for a basic character, 2 for an extension one (escape and code), 0 for a character outside the alphabet. */
  public static int septets(char c) {
    return SEPTETS[c];
  }

  /** The septets of a text of this alphabet, one per octet (throws for a character outside it). */
  public static byte[] encodeUnpacked(String text) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(text.length() + 8);
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      int basic = BASIC.indexOf(c);
      if (basic >= 0) {
        out.write(basic < ESCAPE ? basic : basic + 1);
        continue;
      }
      int extension = EXTENSION.indexOf(c);
      if (extension < 0) throw new IllegalArgumentException("not in the GSM 7-bit alphabet: U+" + Integer.toHexString(c));
      out.write(ESCAPE);
      out.write(EXTENSION_CODES[extension]);
    }
    return out.toByteArray();
  }

  /** The text of unpacked septets (an unknown extension code reads as its basic character, as the spec says). */
  public static String decodeUnpacked(byte[] septets, int offset, int length) {
    StringBuilder text = new StringBuilder(length);
    for (int i = offset; i < offset + length; i++) {
      int code = septets[i] & 0x7F;
      if (code == ESCAPE && i + 1 < offset + length) {
        int next = septets[++i] & 0x7F;
        int extension = -1;
        for (int e = 0; e < EXTENSION_CODES.length; e++) if (EXTENSION_CODES[e] == next) extension = e;
        text.append(extension >= 0 ? EXTENSION.charAt(extension) : basic(next));
      } else {
        text.append(basic(code));
      }
    }
    return text.toString();
  }

  private static char basic(int code) {
    return code == ESCAPE ? ' ' : BASIC.charAt(code < ESCAPE ? code : code - 1);
  }
}
