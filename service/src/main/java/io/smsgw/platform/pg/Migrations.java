package io.smsgw.platform.pg;

import org.flywaydb.core.Flyway;

/** Applies {@code src/main/resources/db/migration} with Flyway. Blocking: call before deploying verticles. */
public final class Migrations {

  private Migrations() {
  }

  public static void migrate(String pgUrl) {
    Flyway.configure()
      .dataSource(Database.jdbcUrl(pgUrl), Database.connectOptions(pgUrl).getUser(), Database.connectOptions(pgUrl).getPassword())
      .locations("classpath:db/migration")
      .load()
      .migrate();
  }
}
