package io.smsgw.domain;

/**
 * The one check of a phone number, for {@code POST /send-sms} and every recipient of {@code POST /send-sms/bulk}: the
 * contract's pattern {@code ^\+[1-9][0-9]{7,14}(?![\s\S])} ('+', then 8 to 15 digits, the first not 0, nothing after the
 * last digit, not even a newline), by hand: one pass, no regular expression.
 */
public final class PhoneNumbers {

  private PhoneNumbers() {
  }

  public static boolean isE164(Object value) {
    if (!(value instanceof String s) || s.length() < 9 || s.length() > 16 || s.charAt(0) != '+' || s.charAt(1) < '1' || s.charAt(1) > '9') {
      return false;
    }
    for (int i = 2; i < s.length(); i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    }
    return true;
  }
}
