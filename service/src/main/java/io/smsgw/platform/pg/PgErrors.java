package io.smsgw.platform.pg;

import io.vertx.pgclient.PgException;

/** What a PostgreSQL error says about the statement that caused it. */
public final class PgErrors {

  private PgErrors() {
  }

  /**
   * The statement's data was refused: data exceptions (SQLSTATE class 22, e.g. U+0000 in text), integrity violations
   * (23), program limits (54). A batch that fails this way is split until the item that caused it is alone; any other
   * failure (PostgreSQL down, a timeout) is the whole batch's.
   */
  public static boolean refusesData(Throwable failure) {
    String state = failure instanceof PgException pg && pg.getSqlState() != null ? pg.getSqlState() : "";
    return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
  }
}
