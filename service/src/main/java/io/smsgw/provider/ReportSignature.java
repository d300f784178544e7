package io.smsgw.provider;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The signature of a provider's callback (delivery reports), in the scheme of Stripe's and Twilio's webhooks:
 * {@code X-Provider-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>}. The timestamp is signed
 * with the body, so a captured request cannot be replayed after the tolerance; several {@code v1=} values may be sent
 * while a secret is rotated, and any one of them may match. The same scheme signs the gateway's own status webhooks.
 */
public final class ReportSignature {

  public static final String HEADER = "X-Provider-Signature";

  private ReportSignature() {
  }

  /** The header value for {@code body} signed at {@code unixSeconds}. */
  public static String header(String secret, long unixSeconds, byte[] body) {
    return "t=" + unixSeconds + ",v1=" + HexFormat.of().formatHex(mac(secret, unixSeconds, body));
  }

  /**
   * Whether {@code header} signs {@code body} with {@code secret} at a time within {@code toleranceSeconds} of now.
   * Constant-time comparison; an empty secret, a missing or malformed header, or an old timestamp never verify.
   */
  public static boolean verify(String secret, String header, byte[] body, long nowUnixSeconds, long toleranceSeconds) {
    if (secret == null || secret.isEmpty() || header == null) return false;
    Long t = null;
    java.util.List<byte[]> signatures = new java.util.ArrayList<>();
    for (String item : header.split(",")) {
      String part = item.trim();
      int eq = part.indexOf('=');
      if (eq <= 0) continue;
      String key = part.substring(0, eq).trim();
      String value = part.substring(eq + 1).trim();
      try {
        if (key.equals("t")) t = Long.parseLong(value);
        else if (key.equals("v1") && value.length() == 64) signatures.add(HexFormat.of().parseHex(value));
      } catch (IllegalArgumentException malformed) {
        return false;
      }
    }
    if (t == null || signatures.isEmpty() || Math.abs(nowUnixSeconds - t) > toleranceSeconds) return false;
    byte[] expected = mac(secret, t, body);
    boolean match = false;
    for (byte[] candidate : signatures) match |= MessageDigest.isEqual(expected, candidate);  // no early exit
    return match;
  }

  private static byte[] mac(String secret, long unixSeconds, byte[] body) {
    Mac mac = KEYED.get().computeIfAbsent(secret, ReportSignature::keyed);
    mac.update((unixSeconds + ".").getBytes(StandardCharsets.US_ASCII));
    return mac.doFinal(body);  // doFinal leaves the Mac keyed and ready for the next message
  }

  /** The last {@value #KEYED_PER_THREAD} secrets' keyed Macs of this thread (an event loop signs or verifies thousands a
   * second, mostly with a few secrets: getInstance and init were a third of the dispatcher's signing cost). */
  private static final int KEYED_PER_THREAD = 1024;
  private static final ThreadLocal<Map<String, Mac>> KEYED = ThreadLocal.withInitial(() ->
    new LinkedHashMap<>(64, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Mac> eldest) {
        return size() > KEYED_PER_THREAD;
      }
    });

  private static Mac keyed(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
