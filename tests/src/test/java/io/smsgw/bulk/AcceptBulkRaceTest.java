package io.smsgw.bulk;

import io.smsgw.domain.Pricing;
import io.smsgw.domain.Priority;
import io.smsgw.platform.pg.Database;
import io.smsgw.testing.Db;
import io.smsgw.testing.TestDatabase;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * accept_bulk against a send-sms of another user that takes one of the bulk's message_ids between the bulk's duplicate
 * check and its insert (its row not yet committed when the bulk looks): the bulk waits on that row, then counts the id
 * as a duplicate, charges only what it stored, and stores the right answer; with nothing left to store it raises 40001
 * (the bulk verticle runs it again, which then answers no_valid_recipients).
 */
@DisplayName("accept_bulk and a message_id taken meanwhile by another user's send: counted a duplicate, never charged")
class AcceptBulkRaceTest {

  private Vertx vertx;
  private Pool pool;

  @BeforeEach
  void open() {
    vertx = Vertx.vertx();
    pool = Database.pool(vertx, TestDatabase.config(Map.of()));
  }

  @AfterEach
  void close() {
    pool.close().await();
    vertx.close().await();
  }

  private BulkCharge bulk(UUID user, UUID... ids) {
    List<BulkRecipient> recipients = new java.util.ArrayList<>();
    for (int i = 0; i < ids.length; i++) recipients.add(new BulkRecipient(i, ids[i], "+989121234567", null));
    return BulkRecipients.check(new BulkRecipients.Shared(UUID.randomUUID(), user, Priority.NORMAL, "race",
      System.currentTimeMillis(), System.currentTimeMillis() + 900_000, 0), recipients, new Pricing(100, 150));
  }

  /** Another user's accept of {@code id}, left uncommitted on {@code holder}. */
  private static void takeUncommitted(Connection holder, UUID otherUser, UUID id) throws Exception {
    holder.setAutoCommit(false);
    try (Statement s = holder.createStatement()) {
      s.executeQuery("SELECT * FROM accept_messages(ARRAY['" + id + "']::uuid[], ARRAY['" + otherUser + "']::uuid[], "
        + "ARRAY['+14155550100'], ARRAY['mine'], ARRAY['normal'], ARRAY['GSM7'], ARRAY[1], ARRAY[100]::bigint[])").close();
    }
  }

  @Test
  @DisplayName("One id taken meanwhile: the bulk stores and charges the other, lists the taken one as duplicate_message_id")
  void oneTaken() throws Exception {
    UUID user = TestDatabase.createUser(pool, 10_000);
    UUID other = TestDatabase.createUser(pool, 10_000);
    UUID taken = UUID.randomUUID();
    UUID free = UUID.randomUUID();
    BulkCharge charge = bulk(user, taken, free);
    try (Connection holder = DriverManager.getConnection(Database.jdbcUrl(TestDatabase.url()))) {
      takeUncommitted(holder, other, taken);
      Future<RowSet<Row>> running = pool.preparedQuery(BulkSql.acceptBulk()).execute(BulkVerticle.arguments(charge));
      Thread.sleep(500);
      assertThat(running.isComplete()).as("the bulk waits on the uncommitted row").isFalse();
      holder.commit();
      Row row = running.await(20, TimeUnit.SECONDS).iterator().next();

      assertThat(row.getString("o_outcome")).isEqualTo("accepted");
      assertThat(row.getArrayOfIntegers("o_duplicates")).containsExactly(0);
      JsonObject answer = new JsonObject(row.getString("o_answer"));
      assertThat(answer.getInteger("accepted")).isEqualTo(1);
      assertThat(answer.getInteger("rejected")).isEqualTo(1);
      assertThat(answer.getLong("cost")).isEqualTo(100);
      assertThat(answer.getJsonArray("rejected_items").getJsonObject(0).getString("code")).isEqualTo("duplicate_message_id");
      assertThat(answer.getJsonArray("rejected_items").getJsonObject(0).getString("message_id")).isEqualTo(taken.toString());
    }
    assertThat(TestDatabase.balance(user)).isEqualTo(10_000 - 100);
    assertThat(TestDatabase.balance(other)).isEqualTo(10_000 - 100);
    assertThat(Db.count(TestDatabase.url(), "SELECT accepted FROM bulks WHERE bulk_id = '" + charge.bulkId() + "'")).isEqualTo(1);
    Db.assertInvariantsHold(TestDatabase.url());
  }

  @Test
  @DisplayName("Every id taken meanwhile: 40001, nothing stored; run again it answers no_valid_recipients")
  void allTaken() throws Exception {
    UUID user = TestDatabase.createUser(pool, 10_000);
    UUID other = TestDatabase.createUser(pool, 10_000);
    UUID taken = UUID.randomUUID();
    BulkCharge charge = bulk(user, taken);
    try (Connection holder = DriverManager.getConnection(Database.jdbcUrl(TestDatabase.url()))) {
      takeUncommitted(holder, other, taken);
      Future<RowSet<Row>> running = pool.preparedQuery(BulkSql.acceptBulk()).execute(BulkVerticle.arguments(charge));
      Thread.sleep(500);
      holder.commit();
      Throwable failure = catchThrowable(() -> running.await(20, TimeUnit.SECONDS));
      assertThat(failure).isInstanceOfSatisfying(PgException.class, pg -> assertThat(pg.getSqlState()).isEqualTo("40001"));
    }
    assertThat(Db.count(TestDatabase.url(), "SELECT count(*) FROM bulks WHERE bulk_id = '" + charge.bulkId() + "'")).isZero();
    assertThat(TestDatabase.balance(user)).isEqualTo(10_000);
    Row again = pool.preparedQuery(BulkSql.acceptBulk()).execute(BulkVerticle.arguments(charge)).await(20, TimeUnit.SECONDS)
      .iterator().next();
    assertThat(again.getString("o_outcome")).isEqualTo("no_valid_recipients");
    Db.assertInvariantsHold(TestDatabase.url());
  }
}
