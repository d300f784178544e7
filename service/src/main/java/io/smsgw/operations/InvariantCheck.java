package io.smsgw.operations;

import io.smsgw.platform.pg.Database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The money-and-messages invariants, checked on a live database ({@code ./smsgw check-invariants}; the tests
 * run it too). Each check is a query that returns the rows that break it; a clean database returns none.
 * Run it at a quiet moment: in the middle of traffic a message may be between two of its steps.
 */
public final class InvariantCheck {

  /** A broken invariant: its name and up to a few offending rows. */
  public record Violation(String invariant, long count, List<String> examples) {
    @Override
    public String toString() {
      return invariant + ": " + count + " row(s), e.g. " + examples;
    }
  }

  private record Check(String invariant, String sql) {
  }

  /**
   * How long a message may stay not final (scheduled or pending): until its expires_at (rows older than expires_at: the
   * lane's default validity from acceptance), after which no send starts, plus {@code slackMs}: the lookup of a last
   * send that went unanswered, one claim (a worker that died holding it) and a minute for the scans. Longer means
   * something stopped driving it: no worker runs, or a message fell between steps.
   */
  public record Bounds(long normalDefaultMs, long vipDefaultMs, long slackMs) {
    public static Bounds of(io.smsgw.config.GatewayConfig config) {
      long lookup = io.smsgw.sending.RetryPolicy.of(config, io.smsgw.domain.Priority.NORMAL).confirmReserveMs();
      return new Bounds(config.sender().normal().validityMs(), config.sender().vip().validityMs(),
        lookup + config.sender().claimMs() + 60_000);
    }
  }

  private static final List<Check> CHECKS = List.of(
    new Check("wallet below zero",
      "SELECT user_id::text, balance FROM wallets WHERE balance < 0"),
    new Check("balance != top-ups - charges + refunds",
      "SELECT w.user_id::text, w.balance, coalesce(l.net, 0) AS ledger FROM wallets w LEFT JOIN ("
        + " SELECT user_id, sum(CASE kind WHEN 'charge' THEN -amount ELSE amount END) AS net FROM ledger GROUP BY user_id"
        + ") l ON l.user_id = w.user_id WHERE w.balance <> coalesce(l.net, 0)"),
    new Check("message without exactly its cost charged",
      "SELECT m.message_id::text, m.cost, l.amount FROM messages m LEFT JOIN ledger l"
        + " ON l.message_id = m.message_id AND l.kind = 'charge' WHERE l.amount IS DISTINCT FROM m.cost"
        + " AND NOT m.rejected_at_settlement"),
    // Async mode: a message PostgreSQL could not pay for at settlement is stored as rejected, uncharged.
    new Check("message rejected at settlement but charged or refunded",
      "SELECT m.message_id::text, l.kind FROM messages m JOIN ledger l ON l.message_id = m.message_id"
        + " WHERE m.rejected_at_settlement"),
    new Check("charge or refund without a message",
      "SELECT l.message_id::text, l.kind FROM ledger l WHERE l.message_id IS NOT NULL"
        + " AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.message_id = l.message_id)"),
    new Check("more than one charge or refund per message",
      "SELECT message_id::text, kind, count(*) FROM ledger WHERE message_id IS NOT NULL GROUP BY message_id, kind HAVING count(*) > 1"),
    new Check("refund for a message that did not fail and was not canceled",
      "SELECT m.message_id::text, m.status FROM ledger l JOIN messages m ON m.message_id = l.message_id"
        + " WHERE l.kind = 'refund' AND m.status NOT IN ('failed', 'rejected', 'canceled')"),
    // A message whose outcome the provider could not tell (outcome_unknown) is failed and deliberately not refunded.
    new Check("outcome_unknown message refunded",
      "SELECT m.message_id::text FROM messages m JOIN ledger l ON l.message_id = m.message_id AND l.kind = 'refund' WHERE m.outcome_unknown"),
    new Check("failed, rejected or canceled message without its refund",
      "SELECT m.message_id::text, m.status FROM messages m WHERE m.status IN ('failed', 'rejected', 'canceled') AND NOT m.rejected_at_settlement"
        + " AND NOT m.outcome_unknown"
        + " AND NOT EXISTS (SELECT 1 FROM ledger l WHERE l.message_id = m.message_id AND l.kind = 'refund' AND l.amount = m.cost)"),
    new Check("message or ledger entry of a user without a wallet",
      "SELECT 'message ' || m.message_id::text FROM messages m WHERE NOT EXISTS (SELECT 1 FROM wallets w WHERE w.user_id = m.user_id)"
        + " UNION ALL SELECT 'ledger entry ' || l.entry_id::text FROM ledger l WHERE NOT EXISTS (SELECT 1 FROM wallets w WHERE w.user_id = l.user_id)"),
    new Check("ledger entry for another user than its message's",
      "SELECT l.message_id::text FROM ledger l JOIN messages m ON m.message_id = l.message_id WHERE l.user_id <> m.user_id"),
    // Bulk send (V11): a bulk's stored counts and cost are its messages', all of its user.
    new Check("bulk whose counts, cost or user differ from its messages'",
      "SELECT b.bulk_id::text, b.accepted, count(m.message_id) AS messages, b.cost, coalesce(sum(m.cost), 0) AS messages_cost"
        + " FROM bulks b LEFT JOIN messages m ON m.bulk_id = b.bulk_id GROUP BY b.bulk_id"
        + " HAVING b.accepted <> count(m.message_id) OR b.cost <> coalesce(sum(m.cost), 0)"
        + " OR b.recipients <> b.accepted + b.rejected OR coalesce(bool_or(m.user_id <> b.user_id), false)"));

  private InvariantCheck() {
  }

  /** With the bounds of conf/ and SMSGW_* (as a pod would run). */
  public static List<Violation> run(String pgUrl) throws SQLException {
    return run(pgUrl, Bounds.of(io.smsgw.config.GatewayConfig.load(io.smsgw.config.GatewayConfig.DEFAULT_PATH, System.getenv())));
  }

  public static List<Violation> run(String pgUrl, Bounds bounds) throws SQLException {
    List<Check> checks = new ArrayList<>(CHECKS);
    checks.add(new Check("message not final " + bounds.slackMs() + " ms after its expiry",
      "SELECT message_id::text, status, priority, accepted_at, expires_at FROM messages WHERE status IN ('scheduled', 'pending')"
        + " AND coalesce(expires_at, accepted_at + (CASE WHEN priority = 'vip' THEN " + bounds.vipDefaultMs() + " ELSE "
        + bounds.normalDefaultMs() + " END) * interval '1 millisecond') + " + bounds.slackMs() + " * interval '1 millisecond' < now()"));
    List<Violation> violations = new ArrayList<>();
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(pgUrl));
         Statement statement = connection.createStatement()) {
      connection.setReadOnly(true);
      // One snapshot for every check, so they agree with each other even while traffic flows.
      connection.setAutoCommit(false);
      connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      for (Check check : checks) {
        try (ResultSet rs = statement.executeQuery(check.sql())) {
          long count = 0;
          List<String> examples = new ArrayList<>();
          int columns = rs.getMetaData().getColumnCount();
          while (rs.next()) {
            count++;
            if (examples.size() < 5) {
              StringBuilder row = new StringBuilder();
              for (int c = 1; c <= columns; c++) row.append(c > 1 ? " " : "").append(rs.getString(c));
              examples.add(row.toString());
            }
          }
          if (count > 0) violations.add(new Violation(check.invariant(), count, examples));
        }
      }
      connection.rollback();
    }
    return violations;
  }

  /** Counts for the report: how many messages and how much money the check looked at. */
  public static String summary(String pgUrl) throws SQLException {
    try (Connection connection = DriverManager.getConnection(Database.jdbcUrl(pgUrl));
         Statement statement = connection.createStatement();
         ResultSet rs = statement.executeQuery("SELECT (SELECT count(*) FROM wallets), (SELECT count(*) FROM messages),"
           + " " + io.smsgw.outbox.OutboxSql.UNPUBLISHED_COUNT + ", (SELECT count(*) FROM ledger)")) {
      rs.next();
      return rs.getLong(1) + " wallets, " + rs.getLong(2) + " messages (" + rs.getLong(3) + " not yet in Kafka), "
        + rs.getLong(4) + " ledger entries";
    }
  }
}
