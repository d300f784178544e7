package io.smsgw.domain;

/**
 * Which characters a message text may hold. Every character an SMS alphabet can carry is accepted; refused are
 * the control characters no handset shows and that storage or providers choke on (PostgreSQL {@code text} cannot
 * hold U+0000), and UTF-16 units that are not characters at all:
 * <ul>
 *   <li>C0 controls U+0000–U+001F except LF (U+000A) and CR (U+000D), which are in the GSM-7 basic table, and
 *       FF (U+000C), which is in the GSM-7 extension table (escape + 0x0A, "page break"; two septets, see
 *       {@link Segments});</li>
 *   <li>DEL (U+007F) and the C1 controls U+0080–U+009F;</li>
 *   <li>an unpaired surrogate (a JSON {@code "\ud800"} decodes to one): it is no character in any encoding.</li>
 * </ul>
 * Everything else (any other BMP or supplementary character: RTL marks, combining marks, emoji) travels as UCS-2.
 */
public final class MessageText {

  private MessageText() {
  }

  /** The UTF-16 index of the first character a message may not hold, or -1 when the text is acceptable. */
  public static int firstIllegal(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x20) {
        if (c != '\n' && c != '\r' && c != '\f') return i;
      } else if (c >= 0x7F && c <= 0x9F) {
        return i;
      } else if (Character.isSurrogate(c)) {
        if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      }
    }
    return -1;
  }

  /**
   * The same for a one-line name (a user's name): no control character at all (not even LF, CR or FF) and no
   * unpaired surrogate. -1 when the text is acceptable.
   */
  public static int firstIllegalInName(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (Character.isISOControl(text.charAt(i))) return i;
    }
    return firstIllegal(text);
  }

  /** How the offending character is named in an error: {@code U+0000 at index 5}. */
  public static String describe(String text, int index) {
    return String.format(java.util.Locale.ROOT, "U+%04X at index %d", (int) text.charAt(index), index);
  }
}
