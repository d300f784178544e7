package io.smsgw.wallet.async;

import io.smsgw.platform.redis.LuaScripts;

import io.smsgw.outbox.OutboxAddresses;

import io.smsgw.platform.redis.RedisClients;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.kafka.BatchConsumerLoop;
import io.smsgw.platform.kafka.ManualCommitConsumerConfig;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.eventbus.SmsMessageCodec;
import io.smsgw.platform.pg.Database;
import io.smsgw.platform.pg.LockOrder;
import io.smsgw.platform.pg.PgErrors;
import io.smsgw.platform.pg.PgText;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Tuple;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.redis.client.Redis;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Async balance mode, second half: reads {@code sms.accepted} in batches and settles each batch in PostgreSQL in
 * one transaction ({@code settle_messages}: message row = outbox, debit guarded by balance >= 0, ledger), hands
 * the charged messages to the lane publisher, releases their Redis reservations, and only then commits the
 * offsets. A redelivered record is a duplicate in PostgreSQL and an already-released marker in Redis: harmless.
 * A message PostgreSQL cannot pay for is stored as rejected (no charge), counted and logged.
 */
public class SettlementVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SettlementVerticle.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true).setCodecName(SmsMessageCodec.NAME);
  private static final int RELEASE_ATTEMPTS = 3;

  private static final long DRAIN_TIMEOUT_MS = 15_000;

  private BatchConsumerLoop loop;
  private Pool pool;
  private Redis redis;
  private LuaScripts scripts;
  private RedisKeys keys;
  private SettlementMetrics metrics;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    pool = Database.pool(vertx, config);
    if (!config.redis().url().isEmpty()) {
      redis = RedisClients.create(vertx, config);
      scripts = RedisClients.scripts(redis, config);
      keys = RedisKeys.of(config);
    }
    metrics = new SettlementMetrics();
    loop = new BatchConsumerLoop(vertx, consumerConfig(config), this::settle,
      failure -> LOG.warn("settlement: offsets not committed, the batch will be read again: {}", failure.toString()));
    return loop.start(io.smsgw.platform.kafka.Topics.ACCEPTED);
  }

  private Future<Void> settle(KafkaConsumerRecords<String, Buffer> records) {
    List<AcceptedRecord> batch = new ArrayList<>(records.size());
    for (int i = 0; i < records.size(); i++) {
      try {
        batch.add(AcceptedRecord.fromBuffer(records.recordAt(i).value()));
      } catch (RuntimeException e) {
        // Only this gateway writes the topic; a record it cannot read is a bug, not money: log and skip it.
        LOG.error("settlement: undecodable record at {}-{}@{} skipped: {}", records.recordAt(i).topic(),
          records.recordAt(i).partition(), records.recordAt(i).offset(), e.toString());
      }
    }
    if (batch.isEmpty()) return Future.succeededFuture();
    batch.sort(LockOrder.of((AcceptedRecord r) -> r.message().userId(), r -> r.message().messageId()));
    return charge(batch).compose(outcomes -> {
      long now = System.currentTimeMillis();
      List<Future<Void>> releases = new ArrayList<>();
      for (int i = 0; i < batch.size(); i++) {
        AcceptedRecord record = batch.get(i);
        SmsMessage m = record.message();
        String outcome = outcomes.get(i);
        switch (outcome) {
          case "accepted" -> {
            metrics.accepted.increment();
            metrics.lag.record(Math.max(0, now - m.acceptedAtMillis()), TimeUnit.MILLISECONDS);
            // A scheduled message is stored out of the outbox: the worker's scheduler sends it when it is due.
            if (!m.scheduled()) vertx.eventBus().send(OutboxAddresses.KAFKA_PUBLISH, m, LOCAL);
          }
          case "rejected" -> {
            metrics.rejected.increment();
            metrics.rejectedAmount.increment(m.cost());
            LOG.warn("settlement: message {} of user {} answered 200 but the wallet cannot pay {}: stored as rejected, not charged",
              m.messageId(), m.userId(), m.cost());
          }
          case "refused" -> metrics.refused.increment();
          default -> metrics.duplicates.increment();
        }
        boolean uncharged = "rejected".equals(outcome) || "refused".equals(outcome);
        if (record.epoch() != null && scripts != null) releases.add(release(record, uncharged, 1));
      }
      // A release that fails leaves the reservation counted: the cache stays low (safe) until the next epoch.
      return Future.join(releases).<Void>mapEmpty().recover(e -> Future.succeededFuture());
    });
  }

  /**
   * The outcome of each record, in batch order: one transaction for the batch, retried until PostgreSQL answers (the
   * offsets wait). A batch PostgreSQL refuses for its data is split until the record that caused it is alone, so
   * the others settle and no partition stalls on one record; that record is {@code refused}.
   */
  private Future<List<String>> charge(List<AcceptedRecord> batch) {
    return settleOnce(batch).recover(failure -> {
      if (PgErrors.refusesData(failure)) {
        if (batch.size() == 1) return refuse(batch.get(0), failure).map(v -> List.of("refused"));
        List<AcceptedRecord> first = batch.subList(0, batch.size() / 2);
        List<AcceptedRecord> second = batch.subList(batch.size() / 2, batch.size());
        return charge(first).compose(a -> charge(second).map(b -> {
          List<String> both = new ArrayList<>(a);
          both.addAll(b);
          return both;
        }));
      }
      LOG.warn("settlement: batch of {} not settled ({}); trying again in 1 s", batch.size(), failure.getMessage());
      if (loop.stopping()) return Future.failedFuture(failure);
      Promise<Void> pause = Promise.promise();
      vertx.setTimer(1000, t -> pause.complete());
      return pause.future().compose(v -> charge(batch));
    });
  }

  /** The function answers in input order. */
  private Future<List<String>> settleOnce(List<AcceptedRecord> batch) {
    List<SmsMessage> messages = batch.stream().map(AcceptedRecord::message).toList();
    return pool.preparedQuery(SettlementSql.settleMessages()).execute(SettleArguments.of(messages))
      .map(rows -> {
        List<String> outcomes = new ArrayList<>(batch.size());
        for (Row row : rows) {
          if (!batch.get(outcomes.size()).message().messageId().equals(row.getUUID("o_message_id"))) {
            throw new IllegalStateException("settle_messages returned rows out of order");
          }
          outcomes.add(row.getString("o_outcome"));
        }
        if (outcomes.size() != batch.size()) throw new IllegalStateException("settle_messages returned " + outcomes.size() + " of " + batch.size());
        return outcomes;
      });
  }

  /**
   * A message answered 200 that PostgreSQL cannot store as it is: it is stored as {@code rejected}, uncharged (its
   * text made storable, so the customer sees a final status), and its reservation is released by the caller. If even
   * that is refused, it is logged and skipped: nothing was charged for it anywhere.
   */
  private Future<Void> refuse(AcceptedRecord record, Throwable why) {
    SmsMessage m = record.message();
    String state = ((PgException) why).getSqlState();
    LOG.error("settlement: message {} of user {} refused by PostgreSQL ({}): stored as rejected, not charged",
      m.messageId(), m.userId(), why.getMessage());
    Tuple row = Tuple.of(m.messageId(), m.userId(), PgText.storable(m.phoneNumber(), 32), PgText.storable(m.text(), 10_000),
        m.priority().wireName(), m.encoding().name(), m.segments(), m.cost())
      .addLong(m.acceptedAtMillis()).addString("unstorable_message (" + state + ")");
    return pool.preparedQuery(SettlementSql.rejectUnstorable()).execute(row).<Void>mapEmpty().recover(failure -> {
      if (!PgErrors.refusesData(failure)) return Future.failedFuture(failure);
      LOG.error("settlement: message {} could not be stored even as rejected ({}); skipped, nothing charged",
        m.messageId(), failure.getMessage());
      return Future.succeededFuture();
    });
  }


  private Future<Void> release(AcceptedRecord record, boolean dropCache, int attempt) {
    SmsMessage m = record.message();
    return scripts.run(ReservationScripts.RELEASE,
        List.of(keys.marker(m.messageId()), keys.wallet(m.userId(), record.epoch()), keys.available(m.userId(), record.epoch())),
        m.cost(), dropCache ? 1 : 0)
      .<Void>mapEmpty()
      .recover(failure -> {
        if (attempt >= RELEASE_ATTEMPTS) {
          LOG.warn("settlement: reservation of {} not released ({}); the cache stays low until it is rebuilt", m.messageId(), failure.toString());
          return Future.failedFuture(failure);
        }
        Promise<Void> pause = Promise.promise();
        vertx.setTimer(200L * attempt, t -> pause.complete());
        return pause.future().compose(v -> release(record, dropCache, attempt + 1));
      });
  }

  @Override
  public Future<?> stop() {
    return loop.drain(DRAIN_TIMEOUT_MS)
      .compose(v -> loop.close())
      .compose(v -> redis == null ? Future.succeededFuture() : redis.close());
  }

  private static Map<String, String> consumerConfig(GatewayConfig config) {
    Map<String, String> kafka = ManualCommitConsumerConfig.base(config, config.settlement().groupId(),
      config.settlement().maxBatch());
    kafka.put("session.timeout.ms", "10000");
    kafka.put("heartbeat.interval.ms", "2500");
    return kafka;
  }
}
