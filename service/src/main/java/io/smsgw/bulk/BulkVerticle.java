package io.smsgw.bulk;

import io.smsgw.config.BulkSettings;
import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.SmsMessage;
import io.smsgw.outbox.MessageBatch;
import io.smsgw.outbox.OutboxAddresses;
import io.smsgw.outbox.OutboxSql;
import io.smsgw.platform.eventbus.Bus;
import io.smsgw.platform.pg.Database;
import io.smsgw.platform.pg.PgErrors;
import io.smsgw.platform.pg.Replies;
import io.smsgw.wallet.ChargeFailure;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Bulks (sync balance mode): each {@link BulkCharge} is one call of accept_bulk (V11__bulk.sql) on a connection of its
 * own, which stores the bulk row and every new message, debits the wallet once and writes one ledger charge per message,
 * or stores nothing. After the commit the accepted messages go to the Kafka producer a chunk at a time
 * ({@code bulk.publish_chunk} per event-bus message); the bulk row is their outbox entry (V13__bulk_outbox.sql), so
 * the relay publishes whatever that misses. Every answer is true, as on the single-message path ({@link ChargeFailure}): a bulk that did not reach
 * PostgreSQL, or that PostgreSQL rolled back, is NOT_CHARGED; one sent without an answer back (connection lost, no
 * answer within the statement timeout and a second) is OUTCOME_UNKNOWN, and a retry with the same bulk_id tells which.
 */
public class BulkVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(BulkVerticle.class);
  private static final Set<String> RETRIED = Set.of("40001", "40P01");  // serialization (a race, see accept_bulk), deadlock
  private static final String STATEMENT_TIMEOUT = "57014";
  private static final int RETRIES = 3;
  private static final List<String> STATUSES = List.of("scheduled", "pending", "sent", "delivered", "undelivered", "failed",
    "rejected", "canceled");

  private Pool pool;
  private Pool reads;
  private BulkSettings settings;
  private final BulkMetrics metrics = new BulkMetrics();
  private DeliveryOptions publish;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    settings = config.bulk();
    // A chunk is answered once Kafka acknowledged it or gave up on it (its delivery timeout).
    publish = new DeliveryOptions().setLocalOnly(true).setSendTimeout(config.kafka().deliveryTimeoutMs() + 5_000L);
    pool = Database.bulkPool(vertx, config);
    reads = Database.pool(vertx, config);
    return Future.all(
      vertx.eventBus().<BulkCharge>localConsumer(BulkAddresses.BULK_ACCEPT, this::accept).completion(),
      Bus.<JsonObject>serve(vertx, BulkAddresses.BULK_STATUS, this::status).completion());
  }

  private void accept(Message<BulkCharge> request) {
    BulkCharge bulk = request.body();
    pool.getConnection().onComplete(connection -> run(connection, bulk, request, 0).eventually(connection::close),
      // Nothing was sent: certainly not charged.
      failure -> ChargeFailure.reply(request, ChargeFailure.NOT_CHARGED.exception("not charged: PostgreSQL is unavailable ("
        + failure.getMessage() + "); retry with the same bulk_id")));
  }

  private Future<Void> run(SqlConnection connection, BulkCharge bulk, Message<BulkCharge> request, int attempt) {
    // The watchdog answers first if PostgreSQL neither commits nor fails within its own statement timeout.
    boolean[] answered = {false};
    long started = System.nanoTime();
    long watchdog = vertx.setTimer(settings.statementTimeoutMs() + 1000, id -> {
      answered[0] = true;
      metrics.bulks("failed");
      ChargeFailure.reply(request, ChargeFailure.OUTCOME_UNKNOWN.exception("PostgreSQL did not answer in time: the bulk may "
        + "or may not be charged; retry with the same bulk_id to learn which"));
    });
    return connection.preparedQuery(BulkSql.acceptBulk()).execute(arguments(bulk)).transform(result -> {
      vertx.cancelTimer(watchdog);
      if (answered[0]) return Future.<Void>succeededFuture();
      if (result.succeeded()) {
        try {
          Row row = result.result().iterator().next();
          BulkOutcome outcome = outcome(row);
          metrics.outcome(outcome.kind(), started);
          if (outcome.kind() == BulkOutcome.Kind.ACCEPTED) {
            Integer[] duplicates = row.getArrayOfIntegers("o_duplicates");
            int stored = bulk.messages().size() - (duplicates == null ? 0 : duplicates.length);
            metrics.accepted(stored, bulk.recipients() - stored);
            handOver(bulk, duplicates);
          }
          request.reply(outcome);
        } catch (RuntimeException bug) {
          LOG.error("bulk {}: the answer of accept_bulk could not be read", bulk.bulkId(), bug);
          ChargeFailure.reply(request, ChargeFailure.OUTCOME_UNKNOWN.exception("the bulk's answer could not be read; retry "
            + "with the same bulk_id to learn whether it was charged"));
        }
        return Future.<Void>succeededFuture();
      }
      Throwable failure = result.cause();
      if (!(failure instanceof PgException retried && RETRIED.contains(retried.getSqlState()) && attempt < RETRIES)) {
        metrics.bulks("failed");
      }
      if (!(failure instanceof PgException pg)) {
        ChargeFailure.reply(request, ChargeFailure.OUTCOME_UNKNOWN.exception("the connection to PostgreSQL failed during the "
          + "bulk (" + failure.getMessage() + "): it may or may not be charged; retry with the same bulk_id to learn which"));
        return Future.<Void>succeededFuture();
      }
      String state = pg.getSqlState() == null ? "" : pg.getSqlState();
      if (RETRIED.contains(state) && attempt < RETRIES) return run(connection, bulk, request, attempt + 1);
      if (STATEMENT_TIMEOUT.equals(state)) {
        ChargeFailure.reply(request, ChargeFailure.NOT_CHARGED.exception("not charged: the bulk did not finish within "
          + settings.statementTimeoutMs() + " ms and was rolled back; retry with the same bulk_id"));
      } else if (PgErrors.refusesData(pg)) {
        ChargeFailure.reply(request, ChargeFailure.REFUSED.exception("PostgreSQL refused the bulk's data (" + state + ": "
          + pg.getErrorMessage() + "); nothing was stored or charged"));
      } else {
        LOG.warn("bulk {}: PostgreSQL failed ({}: {})", bulk.bulkId(), state, pg.getErrorMessage());
        ChargeFailure.reply(request, ChargeFailure.NOT_CHARGED.exception("not charged: PostgreSQL failed (" + state
          + "); retry with the same bulk_id"));
      }
      return Future.<Void>succeededFuture();
    });
  }

  static Tuple arguments(BulkCharge bulk) {
    List<SmsMessage> messages = bulk.messages();
    int n = messages.size();
    Integer[] indexes = new Integer[n];
    UUID[] ids = new UUID[n];
    String[] phones = new String[n];
    String[] bodies = new String[n];
    String[] encodings = new String[n];
    Integer[] segments = new Integer[n];
    Long[] costs = new Long[n];
    for (int i = 0; i < n; i++) {
      SmsMessage m = messages.get(i);
      indexes[i] = bulk.indexes()[i];
      ids[i] = m.messageId();
      phones[i] = m.phoneNumber();
      bodies[i] = m.text();
      encodings[i] = m.encoding().name();
      segments[i] = m.segments();
      costs[i] = m.cost();
    }
    return Tuple.tuple().addUUID(bulk.bulkId()).addUUID(bulk.userId()).addString(bulk.priority().wireName())
      .addInteger(bulk.recipients()).addArrayOfInteger(indexes).addArrayOfUUID(ids).addArrayOfString(phones)
      .addArrayOfString(bodies).addArrayOfString(encodings).addArrayOfInteger(segments).addArrayOfLong(costs)
      .addLong(bulk.expiresAtMs()).addLong(bulk.sendAtMs()).addValue(bulk.rejected());
  }

  private static BulkOutcome outcome(Row row) {
    String answer = row.getString("o_answer");
    Long total = row.getLong("o_total");
    Long balance = row.getLong("o_balance");
    BulkOutcome.Kind kind = switch (row.getString("o_outcome")) {
      case "accepted" -> BulkOutcome.Kind.ACCEPTED;
      case "replay" -> BulkOutcome.Kind.REPLAY;
      case "duplicate_bulk_id" -> BulkOutcome.Kind.DUPLICATE_BULK_ID;
      case "insufficient_balance" -> BulkOutcome.Kind.INSUFFICIENT_BALANCE;
      case "no_valid_recipients" -> BulkOutcome.Kind.NO_VALID_RECIPIENTS;
      default -> throw new IllegalStateException("unknown outcome " + row.getString("o_outcome"));
    };
    return new BulkOutcome(kind, answer, total == null ? 0 : total, balance == null ? 0 : balance);
  }

  /**
   * The committed messages to Kafka, {@code bulk.publish_chunk} per event-bus message; once every chunk was
   * acknowledged, the bulk leaves the outbox (one row, mark_bulk_published). Not waited for by the answer: a chunk that
   * fails, or a mark that is lost, leaves the bulk to the relay (BulkOutboxRelay). A scheduled bulk is not in the
   * outbox (the worker's scheduler sends it when it is due).
   */
  private void handOver(BulkCharge bulk, Integer[] duplicates) {
    if (bulk.scheduled() || !Bus.servedHere(vertx, OutboxAddresses.KAFKA_PUBLISH)) return;
    java.util.BitSet skipped = new java.util.BitSet();
    if (duplicates != null) for (Integer index : duplicates) skipped.set(index);
    int chunk = settings.publishChunk();
    List<Future<?>> chunks = new ArrayList<>();
    List<SmsMessage> batch = new ArrayList<>(Math.min(chunk, bulk.messages().size()));
    List<SmsMessage> messages = bulk.messages();
    for (int i = 0; i < messages.size(); i++) {
      if (skipped.get(bulk.indexes()[i])) continue;
      batch.add(messages.get(i));
      if (batch.size() == chunk) {
        chunks.add(publishChunk(batch));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) chunks.add(publishChunk(batch));
    Future.all(chunks)
      .compose(acknowledged -> pool.preparedQuery(OutboxSql.markBulkPublished()).execute(Tuple.of(bulk.bulkId())))
      .onFailure(e -> LOG.debug("bulk {} left to the outbox relay: {}", bulk.bulkId(), e.getMessage()));
  }

  private Future<?> publishChunk(List<SmsMessage> batch) {
    return vertx.eventBus().request(OutboxAddresses.KAFKA_PUBLISH_BATCH, new MessageBatch(List.copyOf(batch)), publish);
  }

  private void status(Message<JsonObject> request) {
    UUID bulkId = UUID.fromString(request.body().getString("bulk_id"));
    UUID userId = UUID.fromString(request.body().getString("user_id"));
    reads.preparedQuery(BulkSql.bulkStatus()).execute(Tuple.of(bulkId, userId)).onComplete(rows -> {
      if (rows.size() == 0) {
        request.fail(404, "no such bulk");  // another user's bulk too: a bulk_id says nothing about other users
        return;
      }
      Row row = rows.iterator().next();
      JsonObject counted = row.getJsonObject("o_statuses");
      JsonObject statuses = new JsonObject();
      for (String status : STATUSES) statuses.put(status, counted == null ? 0L : counted.getLong(status, 0L));
      request.reply(new JsonObject()
        .put("bulk_id", bulkId.toString())
        .put("priority", row.getString("o_priority"))
        .put("recipients", row.getInteger("o_recipients"))
        .put("accepted", row.getInteger("o_accepted"))
        .put("rejected", row.getInteger("o_rejected"))
        .put("cost", row.getLong("o_cost"))
        .put("created_at", row.getOffsetDateTime("o_created_at").toInstant().toString())
        .put("statuses", statuses));
    }, failure -> Replies.unavailable(request, failure));
  }

  @Override
  public Future<?> stop() {
    return pool.close();
  }
}
