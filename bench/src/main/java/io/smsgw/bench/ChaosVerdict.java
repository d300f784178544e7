package io.smsgw.bench;

import io.smsgw.operations.InvariantCheck;
import io.smsgw.platform.pg.Database;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The counts of a chaos run, from three sources that do not trust each other: what the client was told (every
 * request's outcome), what PostgreSQL holds (messages, ledger), and what the provider delivered (the simulator's
 * per-key records). Each count that must be zero is a promise of the gateway to its customer.
 */
final class ChaosVerdict {

  /** The counts that must be 0 for a clean run. */
  static final List<String> MUST_BE_ZERO = List.of("lost", "duplicate_sends", "double_charges", "double_refunds",
    "refunds_of_delivered", "false_503", "unanswered_pending", "delivered_uncharged");

  /** The statuses of a message the provider took: sent, and the delivery reports' final ones. */
  static final java.util.Set<String> TAKEN_BY_PROVIDER = java.util.Set.of("sent", "delivered", "undelivered");

  private record Row(String status, String providerId) {
  }

  private ChaosVerdict() {
  }

  /** Run at a quiet moment: after the load, every fault over, every message final. */
  static JsonObject compute(List<TrackedLoad> loads, ChaosCluster cluster) throws Exception {
    String pgUrl = cluster.config.pg().url();
    Map<UUID, Row> messages = new HashMap<>();
    Set<UUID> charged = new HashSet<>();
    Set<UUID> refunded = new HashSet<>();
    long doubleCharges = 0;
    long doubleRefunds = 0;
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(pgUrl)); Statement s = c.createStatement()) {
      s.setFetchSize(10_000);
      c.setAutoCommit(false);  // the driver streams with a fetch size only inside a transaction
      try (ResultSet rs = s.executeQuery("SELECT message_id, status, provider_message_id FROM messages")) {
        while (rs.next()) messages.put((UUID) rs.getObject(1), new Row(rs.getString(2), rs.getString(3)));
      }
      try (ResultSet rs = s.executeQuery("SELECT message_id, kind FROM ledger WHERE message_id IS NOT NULL")) {
        while (rs.next()) {
          UUID id = (UUID) rs.getObject(1);
          if ("charge".equals(rs.getString(2))) charged.add(id);
          else if ("refund".equals(rs.getString(2))) refunded.add(id);
        }
      }
      // The unique key (message_id, kind) should make these impossible; counted, not assumed.
      try (ResultSet rs = s.executeQuery("SELECT kind, count(*) FROM (SELECT message_id, kind FROM ledger WHERE message_id IS NOT NULL"
        + " GROUP BY message_id, kind HAVING count(*) > 1) d GROUP BY kind")) {
        while (rs.next()) {
          if ("charge".equals(rs.getString(1))) doubleCharges = rs.getLong(2);
          if ("refund".equals(rs.getString(1))) doubleRefunds = rs.getLong(2);
        }
      }
      c.commit();
    }

    // What the client was told, request by request.
    long accepted = 0;
    long acceptedFinal = 0;
    long lost = 0;
    long unanswered = 0;
    long unansweredInPg = 0;
    long unansweredFinal = 0;
    long unansweredPending = 0;
    long notSent = 0;
    long resent = 0;
    long false503 = 0;
    Map<String, Long> answered4xx = new TreeMap<>();
    Map<String, Long> answered5xx = new TreeMap<>();
    Map<String, Long> notSentWhy = new TreeMap<>();
    Map<String, Long> other = new TreeMap<>();
    JsonArray lostExamples = new JsonArray();
    JsonArray false503Examples = new JsonArray();
    long requests = 0;
    for (TrackedLoad load : loads) for (int i = 0; i < load.total; i++) {
      requests++;
      UUID id = load.id(i);
      Row row = messages.get(id);
      if (load.resent[i]) resent++;
      switch (load.outcome[i]) {
        case TrackedLoad.ACCEPTED -> {
          accepted++;
          if (row != null && !"pending".equals(row.status())) {
            acceptedFinal++;
          } else {
            lost++;
            if (lostExamples.size() < 10) lostExamples.add(id + (row == null ? " absent" : " pending"));
          }
        }
        case TrackedLoad.UNANSWERED -> {
          unanswered++;
          if (row != null) {
            unansweredInPg++;
            if ("pending".equals(row.status())) unansweredPending++;
            else unansweredFinal++;
          }
        }
        case TrackedLoad.ANSWERED_4XX -> answered4xx.merge(load.status[i] + " " + load.code[i], 1L, Long::sum);
        case TrackedLoad.ANSWERED_5XX -> {
          answered5xx.merge(load.status[i] + " " + load.code[i], 1L, Long::sum);
          // 503 unavailable / overloaded tells the client "not charged": a charge for that id breaks the promise.
          if (load.status[i] == 503 && ("unavailable".equals(load.code[i]) || "overloaded".equals(load.code[i])) && charged.contains(id)) {
            false503++;
            if (false503Examples.size() < 10) false503Examples.add(id + " " + load.code[i] + (row == null ? "" : " " + row.status()));
          }
        }
        case TrackedLoad.NOT_SENT -> {
          notSent++;
          notSentWhy.merge(String.valueOf(load.code[i]), 1L, Long::sum);
        }
        default -> other.merge(load.status[i] + " " + load.code[i], 1L, Long::sum);
      }
    }

    // What the provider delivered, key by key (the key is the message_id).
    Map<String, String> delivered = cluster.simulator.deliveredKeys();
    long mismatched = 0;
    long sentWithoutDelivery = 0;
    long sentInPg = 0;
    JsonArray mismatchExamples = new JsonArray();
    for (Map.Entry<UUID, Row> e : messages.entrySet()) {
      if (!TAKEN_BY_PROVIDER.contains(e.getValue().status())) continue;
      sentInPg++;
      String simId = delivered.get(e.getKey().toString());
      if (simId == null) {
        sentWithoutDelivery++;
      } else if (!simId.equals(e.getValue().providerId())) {
        mismatched++;
        if (mismatchExamples.size() < 10) mismatchExamples.add(e.getKey() + " pg " + e.getValue().providerId() + " provider " + simId);
      }
    }
    long refundsOfDelivered = 0;
    long deliveredUncharged = 0;
    Map<String, Long> deliveredByStatus = new TreeMap<>();
    JsonArray refundOfDeliveredExamples = new JsonArray();
    for (String key : delivered.keySet()) {
      UUID id;
      try {
        id = UUID.fromString(key);
      } catch (IllegalArgumentException notOurs) {
        deliveredByStatus.merge("not a message id", 1L, Long::sum);
        continue;
      }
      Row row = messages.get(id);
      deliveredByStatus.merge(row == null ? "absent" : row.status(), 1L, Long::sum);
      if (refunded.contains(id)) {
        refundsOfDelivered++;
        if (refundOfDeliveredExamples.size() < 10) refundOfDeliveredExamples.add(id + " " + (row == null ? "absent" : row.status()));
      }
      if (!charged.contains(id)) deliveredUncharged++;
    }

    List<InvariantCheck.Violation> violations = InvariantCheck.run(pgUrl);
    JsonArray violationList = new JsonArray();
    violations.forEach(v -> violationList.add(v.toString()));

    return new JsonObject()
      .put("requests", requests)
      .put("accepted", accepted)
      .put("final", acceptedFinal)
      .put("lost", lost)
      .put("lost_examples", lostExamples)
      .put("unanswered", unanswered)
      .put("unanswered_in_pg", unansweredInPg)
      .put("unanswered_final", unansweredFinal)
      .put("unanswered_pending", unansweredPending)
      .put("not_sent", notSent)
      .put("not_sent_why", new JsonObject(new HashMap<>(notSentWhy)))
      .put("resent_to_other_gateway", resent)
      .put("answered_4xx", new JsonObject(new HashMap<>(answered4xx)))
      .put("answered_5xx", new JsonObject(new HashMap<>(answered5xx)))
      .put("answered_other", new JsonObject(new HashMap<>(other)))
      .put("messages_in_pg", messages.size())
      .put("sent_in_pg", sentInPg)
      .put("provider_delivered", delivered.size())
      .put("provider_delivered_by_pg_status", new JsonObject(new HashMap<>(deliveredByStatus)))
      .put("duplicate_sends", mismatched)
      .put("duplicate_send_examples", mismatchExamples)
      .put("sent_without_delivery", sentWithoutDelivery)
      .put("resends_absorbed", cluster.simulator.stats().getLong("repeated_requests"))
      .put("provider", cluster.simulator.stats())
      .put("double_charges", doubleCharges)
      .put("double_refunds", doubleRefunds)
      .put("refunds_of_delivered", refundsOfDelivered)
      .put("refund_of_delivered_examples", refundOfDeliveredExamples)
      .put("delivered_uncharged", deliveredUncharged)
      .put("false_503", false503)
      .put("false_503_examples", false503Examples)
      .put("invariants_ok", violations.isEmpty())
      .put("invariant_violations", violationList);
  }

  /**
   * Seconds from a fault until a per-second rate is back to >= 80% of its mean over the 5 s before the fault: 0 if it
   * never fell below that within {@code horizon} seconds of the fault (its duration + 5 s, or until the next fault
   * began), null if it fell and was not back before
   * {@code end} (the end of the load).
   */
  static Double recovered(List<double[]> perSecond, double atSeconds, double horizon, double end) {
    double sum = 0;
    int n = 0;
    for (double[] s : perSecond) {
      if (s[0] >= atSeconds - 5 && s[0] < atSeconds) {
        sum += s[1];
        n++;
      }
    }
    if (n == 0 || sum == 0) return null;
    return recoveredTo(perSecond, atSeconds, horizon, end, sum / n);
  }

  /**
   * Seconds from a fault until a per-second rate is back to >= 80% of {@code baseline} (the offered rate): 0 if it never
   * fell below that within {@code horizon} seconds of the fault, null if it fell and was not back before {@code end}.
   * Unlike {@link #recovered} the reference is not the seconds before the fault, which a catch-up burst after an earlier
   * fault can inflate.
   */
  static Double recoveredTo(List<double[]> perSecond, double atSeconds, double horizon, double end, double baseline) {
    double threshold = 0.8 * baseline;
    Double dipAt = null;
    for (double[] s : perSecond) {
      double t = s[0];
      if (t <= atSeconds || t > end) continue;
      if (dipAt == null) {
        if (t > atSeconds + horizon) return 0.0;
        if (s[1] < threshold) dipAt = t;
      } else if (s[1] >= threshold) {
        return Math.round((t - atSeconds) * 10) / 10.0;
      }
    }
    return dipAt == null ? 0.0 : null;
  }

  static long count(String pgUrl, String sql) {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(pgUrl)); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** Every message_id in PostgreSQL (async mode: to see that every 200 has been settled). */
  static Set<UUID> messageIds(String pgUrl) throws SQLException {
    Set<UUID> ids = new HashSet<>();
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(pgUrl)); Statement s = c.createStatement()) {
      c.setAutoCommit(false);
      s.setFetchSize(10_000);
      try (ResultSet rs = s.executeQuery("SELECT message_id FROM messages")) {
        while (rs.next()) ids.add((UUID) rs.getObject(1));
      }
      c.commit();
    }
    return ids;
  }
}
