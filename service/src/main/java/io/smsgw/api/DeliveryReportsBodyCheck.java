package io.smsgw.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.YearMonth;

/**
 * The everyday batch of delivery reports, checked by hand rule for rule from the contract's {@code DeliveryReportBatch}
 * schema, in front of the schema validator ({@link ContractBodyValidator}). The interpreter walked every report of
 * every batch: 11% of the event loops' CPU in an e2e run at 1,200/s (async-profiler, bench/README.md "Performance,
 * issue 16"). Only ever stricter than the schema (DeliveryReportsBodyCheckTest holds it to that): a batch it does not
 * take goes to the schema, which decides and words the error.
 */
final class DeliveryReportsBodyCheck {

  private static final int MAX_REPORTS = 250;

  private DeliveryReportsBodyCheck() {
  }

  static boolean plainlyValid(JsonObject body) {
    if (body.size() != 1 || !(body.getValue("reports") instanceof JsonArray reports) || reports.isEmpty() || reports.size() > MAX_REPORTS) {
      return false;
    }
    for (int i = 0; i < reports.size(); i++) {
      if (!(reports.getValue(i) instanceof JsonObject report) || !plainlyValidReport(report)) return false;
    }
    return true;
  }

  private static boolean plainlyValidReport(JsonObject r) {
    int fields = 4;
    if (r.containsKey("provider_message_id")) {
      fields++;
      Object id = r.getValue("provider_message_id");
      if (id != null && !(id instanceof String s && s.length() <= 128 && !hasSurrogate(s))) return false;
    }
    if (r.containsKey("error_code")) {
      fields++;
      Object code = r.getValue("error_code");
      if (code != null && !(code instanceof String s && s.length() <= 64 && !hasSurrogate(s))) return false;
    }
    if (r.containsKey("done_at")) {
      fields++;
      Object done = r.getValue("done_at");
      if (done != null && !(done instanceof String s && isPlainUtcDateTime(s))) return false;
    }
    return r.size() == fields
      && Uuids.isCanonical(r.getValue("client_ref"))
      && isPartNumber(r.getValue("part"))
      && isPartNumber(r.getValue("parts"))
      && r.getValue("status") instanceof String status
      && ("delivered".equals(status) || "undelivered".equals(status) || "expired".equals(status));
  }

  /** 1..255, an integer as the JSON decoder gives it (the schema's {@code integer}, minimum 1, maximum 255). */
  private static boolean isPartNumber(Object value) {
    return (value instanceof Integer || value instanceof Long) && ((Number) value).longValue() >= 1 && ((Number) value).longValue() <= 255;
  }

  /** The schema counts characters (code points) for maxLength; without surrogates units and code points agree. */
  private static boolean hasSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) return true;
    }
    return false;
  }

  /**
   * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} with plausible field values: the form providers (and the simulator) send,
   * a strict subset of RFC 3339's date-time. Anything else (offsets, lower-case t or z) goes to the schema.
   */
  static boolean isPlainUtcDateTime(String s) {
    int n = s.length();
    if (n < 20 || n > 30 || s.charAt(n - 1) != 'Z') return false;
    if (s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T' || s.charAt(13) != ':' || s.charAt(16) != ':') return false;
    for (int i : new int[] {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
      if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
    }
    if (n > 20) {
      if (s.charAt(19) != '.' || n == 21) return false;
      for (int i = 20; i < n - 1; i++) {
        if (s.charAt(i) < '0' || s.charAt(i) > '9') return false;
      }
    }
    int year = twoDigits(s, 0) * 100 + twoDigits(s, 2);
    int month = twoDigits(s, 5);
    int day = twoDigits(s, 8);
    return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= YearMonth.of(year, month).lengthOfMonth()
      && twoDigits(s, 11) <= 23 && twoDigits(s, 14) <= 59 && twoDigits(s, 17) <= 59;
  }

  private static int twoDigits(String s, int at) {
    return (s.charAt(at) - '0') * 10 + (s.charAt(at + 1) - '0');
  }
}
