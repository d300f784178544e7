package io.smsgw.testing;

import io.smsgw.operations.InvariantCheck;
import io.smsgw.platform.pg.Database;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Direct reads of the database, to check what the API says against what was stored. */
public final class Db {

  private Db() {
  }

  public static long count(String pgUrl, String sql) {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(pgUrl)); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public static java.util.Set<String> ids(String pgUrl, String sql) {
    java.util.Set<String> ids = new java.util.HashSet<>();
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(pgUrl)); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) ids.add(rs.getString(1));
      return ids;
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  /** Every row of a query, each column as text (null stays null). */
  public static List<List<String>> rows(String pgUrl, String sql) {
    List<List<String>> rows = new java.util.ArrayList<>();
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(pgUrl)); Statement s = c.createStatement();
         ResultSet rs = s.executeQuery(sql)) {
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<String> row = new java.util.ArrayList<>(columns);
        for (int i = 1; i <= columns; i++) row.add(rs.getString(i));
        rows.add(row);
      }
      return rows;
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public static void execute(String pgUrl, String sql) {
    try (Connection c = DriverManager.getConnection(Database.jdbcUrl(pgUrl)); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (Exception e) {
      throw new IllegalStateException(sql, e);
    }
  }

  public static void assertInvariantsHold(String pgUrl) {
    try {
      List<InvariantCheck.Violation> violations = InvariantCheck.run(pgUrl);
      assertThat(violations).as("money and message invariants").isEmpty();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
