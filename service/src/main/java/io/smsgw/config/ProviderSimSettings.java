package io.smsgw.config;

import java.net.URI;
import java.net.URISyntaxException;

/**
 * {@code provider_sim.*}: the dev kit's provider simulator (rates are shares between 0 and 1). The {@code dlr_*} keys
 * are its delivery reports: an empty {@code dlr_url} sends none; otherwise each part of each message it delivers is
 * reported after {@code dlr_delay_ms} ± {@code dlr_jitter_ms}, signed with {@code dlr_secret}
 * ({@code provider/ReportSignature}), in batches of at most {@code dlr_max_batch}, a failed batch sent again with
 * backoff up to {@code dlr_retry_max_ms}. The {@code smpp_*} keys are the dev kit's SMSC simulator (SMPP 3.4 over TCP):
 * its port, the one system_id / password it accepts, and whether it sends delivery receipts ({@code deliver_sm});
 * it shares the behaviour keys and the {@code dlr_*} timing and rates, but not {@code dlr_url}.
 */
public record ProviderSimSettings(int port, long latencyMs, long jitterMs, long maxPerSecond, double transientFailureRate,
                                  double slowAnswerRate, long lateDecisionMs, double lateDecisionRate, boolean lookup,
                                  String dlrUrl, String dlrSecret, long dlrDelayMs, long dlrJitterMs,
                                  double dlrUndeliveredRate, double dlrExpiredRate, double dlrDuplicateRate,
                                  int dlrMaxBatch, long dlrRetryMaxMs,
                                  int smppPort, String smppSystemId, String smppPassword, boolean smppReceipts) {

  /**
   * {@code dlr_url} "off": no reports, and ./smsgw dev and the bench leave it so (an empty one they point at their
   * gateway). The e2e benchmark without reports, as the peer gateway's benchmark runs: SMSGW_PROVIDER_SIM_DLR_URL=off.
   */
  public static final String NO_REPORTS = "off";

  /** The largest {@code dlr_max_batch}: a batch is one request body (about 250 bytes a report). */
  public static final int MAX_DLR_BATCH = 10_000;
  /** SMPP 3.4's longest system_id (16 octets with the closing NUL) and password (9 octets with it). */
  public static final int MAX_SMPP_SYSTEM_ID = 15;
  public static final int MAX_SMPP_PASSWORD = 8;

  static ProviderSimSettings from(ConfigReader.Section s) {
    ProviderSimSettings settings = new ProviderSimSettings(
      s.integer("port", 0, 65535),  // 0: the dev kit picks a free port
      s.number("latency_ms", 0, Integer.MAX_VALUE),
      s.number("jitter_ms", 0, Integer.MAX_VALUE),
      s.number("max_per_second", 1, Integer.MAX_VALUE),
      s.decimal("transient_failure_rate", 0, 1),
      s.decimal("slow_answer_rate", 0, 1),
      s.number("late_decision_ms", 0, Integer.MAX_VALUE),
      s.decimal("late_decision_rate", 0, 1),
      s.onOff("lookup", null),
      s.string("dlr_url").trim(),
      s.string("dlr_secret"),
      s.number("dlr_delay_ms", 0, Integer.MAX_VALUE),
      s.number("dlr_jitter_ms", 0, Integer.MAX_VALUE),
      s.decimal("dlr_undelivered_rate", 0, 1),
      s.decimal("dlr_expired_rate", 0, 1),
      s.decimal("dlr_duplicate_rate", 0, 1),
      s.integer("dlr_max_batch", 1, MAX_DLR_BATCH),
      s.number("dlr_retry_max_ms", 1, Integer.MAX_VALUE),
      s.integer("smpp_port", 0, 65535),  // 0: a free port
      s.nonEmpty("smpp_system_id"),
      s.string("smpp_password"),
      s.onOff("smpp_receipts", null));
    if (!settings.dlrUrl().isEmpty() && !settings.dlrUrl().equals(NO_REPORTS) && !isHttpUrl(settings.dlrUrl())) {
      s.problem("dlr_url", "\"" + settings.dlrUrl() + "\" must be empty, off (no reports) or an absolute http:// or https:// URL");
    }
    if (settings.dlrUndeliveredRate() + settings.dlrExpiredRate() > 1) {
      s.problem("dlr_undelivered_rate", settings.dlrUndeliveredRate() + " plus provider_sim.dlr_expired_rate ("
        + settings.dlrExpiredRate() + ") must be at most 1: they are shares of the same reports");
    }
    if (settings.smppSystemId().length() > MAX_SMPP_SYSTEM_ID) {
      s.problem("smpp_system_id", "\"" + settings.smppSystemId() + "\" is longer than SMPP's " + MAX_SMPP_SYSTEM_ID + " characters");
    }
    if (settings.smppPassword().length() > MAX_SMPP_PASSWORD) {
      s.problem("smpp_password", "is longer than SMPP's " + MAX_SMPP_PASSWORD + " characters");
    }
    return settings;
  }

  /** Whether the simulator sends delivery reports at all. */
  public boolean sendsReports() {
    return !dlrUrl.isEmpty() && !dlrUrl.equals(NO_REPORTS);
  }

  private static boolean isHttpUrl(String url) {
    try {
      URI uri = new URI(url);
      return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
    } catch (URISyntaxException e) {
      return false;
    }
  }
}
