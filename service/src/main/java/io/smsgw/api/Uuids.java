package io.smsgw.api;

import java.util.UUID;

/**
 * The one parser of ids from requests. It accepts exactly what the contract's uuid pattern accepts, the canonical
 * 8-4-4-4-12 hex form (either case, as RFC 9562 asks of readers), and nothing else: no {@code urn:uuid:} prefix,
 * no braces, no trailing newline, none of the short forms {@link UUID#fromString} lets through ({@code 1-2-3-4-5}).
 */
public final class Uuids {

  /** The contract's pattern (openapi/openapi.yaml), anchored to the end of input in both ECMA-262 and Java. */
  public static final String PATTERN = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(?![\\s\\S])";

  private Uuids() {
  }

  public static boolean isCanonical(Object value) {
    if (!(value instanceof String s) || s.length() != 36) return false;
    for (int i = 0; i < 36; i++) {
      char c = s.charAt(i);
      if (i == 8 || i == 13 || i == 18 || i == 23 ? c != '-' : hex(c) < 0) return false;
    }
    return true;
  }

  /** @throws IllegalArgumentException when {@code text} is not in the canonical form */
  public static UUID parse(String text) {
    if (!isCanonical(text)) throw new IllegalArgumentException("not a UUID in the 8-4-4-4-12 hex form");
    long msb = 0;
    long lsb = 0;
    int digits = 0;
    for (int i = 0; i < 36; i++) {
      int d = hex(text.charAt(i));
      if (d < 0) continue;
      if (digits < 16) msb = msb << 4 | d; else lsb = lsb << 4 | d;
      digits++;
    }
    return new UUID(msb, lsb);
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }
}
