package io.smsgw.platform.pg;

/**
 * Text from outside (a provider's answer, a message that reached storage without passing the API's checks) made
 * storable: PostgreSQL's {@code text} cannot hold U+0000, and a lone UTF-16 surrogate has no UTF-8 form. Each such
 * character becomes U+FFFD, and the text is cut to a bound, so one odd value can never make a batch fail.
 */
public final class PgText {

  private static final char REPLACEMENT = '\uFFFD';

  private PgText() {
  }

  /** {@code null} stays {@code null}. */
  public static String storable(String text, int maxLength) {
    if (text == null) return null;
    String cut = text.length() > maxLength ? text.substring(0, maxLength) : text;
    StringBuilder out = null;
    for (int i = 0; i < cut.length(); i++) {
      char c = cut.charAt(i);
      boolean bad;
      if (Character.isHighSurrogate(c)) {
        bad = i + 1 >= cut.length() || !Character.isLowSurrogate(cut.charAt(i + 1));
        if (!bad) {
          if (out != null) out.append(c).append(cut.charAt(i + 1));
          i++;
          continue;
        }
      } else {
        bad = c == 0 || Character.isLowSurrogate(c);
      }
      if (bad && out == null) out = new StringBuilder(cut.length()).append(cut, 0, i);
      if (out != null) out.append(bad ? REPLACEMENT : c);
    }
    return out == null ? cut : out.toString();
  }
}
