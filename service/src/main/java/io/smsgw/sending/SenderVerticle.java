package io.smsgw.sending;

import io.smsgw.platform.wire.SmsMessageJson;

import io.smsgw.platform.kafka.Topics;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.kafka.BatchConsumerLoop;
import io.smsgw.platform.kafka.ManualCommitConsumerConfig;
import io.smsgw.provider.routing.ProviderRouter;
import io.smsgw.wallet.WalletCredits;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A worker's sender for one lane ({@code sms.normal} or {@code sms.vip}; the VIP lane has its own instances,
 * so a normal backlog never delays it). Loop: poll a batch, claim the messages that are still pending, send
 * each through the provider, store the outcomes, then commit the offsets. A redelivered record finds its
 * message claimed or final and is skipped; at-least-once delivery never becomes a second send. Every claim has a
 * fencing token, so a sender that stalled past its claim cannot overwrite the worker that took over.
 */
public class SenderVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(SenderVerticle.class);
  private static final long DRAIN_TIMEOUT_MS = 15_000;

  private final Priority lane;
  private BatchConsumerLoop loop;
  private Pool pool;
  private ProviderRouter router;
  private StatusWriter writer;
  private MessageSender sender;
  private RetryScanner retries;
  private DeadLetters deadLetters;
  private WalletCredits credits = WalletCredits.NONE;
  private long claimMs;

  public SenderVerticle(Priority lane) {
    this.lane = lane;
  }

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    claimMs = config.sender().claimMs();
    pool = Database.pool(vertx, config);
    router = ProviderRouter.create(vertx, pool, config);
    long providerTimeout = router.maxSendMs();
    if (claimMs < providerTimeout + 2_000) {
      // A claim must outlast a send: otherwise every send would be given back unsent, or run past its claim.
      router.close();
      pool.close();
      return Future.failedFuture("sender.claim_ms (" + claimMs + ") must be at least the provider's longest send + 2000 ("
        + (providerTimeout + 2_000) + ": provider.timeout_ms, or twice smpp.response_timeout_ms)");
    }
    credits = WalletCredits.forWorker(vertx, config);
    writer = new StatusWriter(vertx, pool, config.sender().statusFlushMs());
    // A refund raised the wallet in PostgreSQL: in async mode with reservation its cached balance in Redis is now
    // too low and would answer insufficient_balance until it expires; dropping it makes the gateway re-seed it from PostgreSQL.
    sender = new MessageSender(router, new PinnedProviders(pool), RetryPolicy.of(config, lane), writer, config.provider().batchSize(),
      new SenderMetrics(lane), user -> credits.credited(user, "a refund"),
      claimMs, providerTimeout, config.provider().maxProcessingMs());
    retries = new RetryScanner(vertx, pool, sender, lane, claimMs, config.sender().retryScanIntervalMs(),
      config.sender().lane(lane).orphanAfterMs(), config.sender().sweepIntervalMs());
    deadLetters = new DeadLetters(vertx, config.kafka().bootstrap());
    loop = new BatchConsumerLoop(vertx, consumerConfig(config), this::handle,
      failure -> LOG.warn("{} lane: batch not committed, it will be read again: {}", lane.wireName(), failure.toString()),
      config.sender().lane(lane).batchesInFlight());
    return loop.start(Topics.of(lane));
  }

  /**
   * Committable once every record is claimed in PostgreSQL or parked as a dead letter: from there the claim owns the
   * message (if this worker dies mid-send, the claim runs out and the retry scanner takes it over, as it would after a
   * read again). Finished when every claimed message has a stored outcome.
   */
  private BatchConsumerLoop.Stages handle(KafkaConsumerRecords<String, Buffer> records) {
    Map<UUID, SmsMessage> messages = new HashMap<>();
    List<Future<?>> claimedOrParked = new ArrayList<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, Buffer> record = records.recordAt(i);
      try {
        SmsMessage message = SmsMessageJson.fromBuffer(record.value());
        messages.put(message.messageId(), message);
      } catch (RuntimeException undecodable) {
        claimedOrParked.add(deadLetters.park(record, undecodable));
      }
    }
    Future<Void> sent = Future.succeededFuture();
    if (!messages.isEmpty()) {
      long claimedAt = System.nanoTime();
      Future<RowSet<Row>> claimed = pool.preparedQuery(SendingSql.claimMessages())
        .execute(Tuple.of(messages.keySet().toArray(UUID[]::new), claimMs));
      claimedOrParked.add(claimed);
      sent = claimed.compose(rows -> {
        List<MessageSender.Claim> claims = new ArrayList<>(rows.size());
        for (Row row : rows) claims.add(MessageSender.Claim.of(messages.get(row.getUUID("message_id")), row));
        return sender.send(claims, claimedAt);
      });
    }
    // Nothing claimed or parked: read the batch again instead of skipping it.
    Future<Void> committable = Future.all(claimedOrParked).<Void>mapEmpty().recover(failure -> loop.rewind(records, failure));
    Future<Void> finished = Future.join(committable, sent).<Void>mapEmpty().recover(failure -> {
      if (committable.succeeded()) {
        LOG.warn("{} lane: some outcomes of a committed batch were not stored; their claims run out and the retry scanner "
          + "takes them over: {}", lane.wireName(), failure.toString());
      }
      return Future.succeededFuture();
    });
    return new BatchConsumerLoop.Stages(committable, finished);
  }

  @Override
  public Future<?> stop() {
    // SIGTERM: finish the batch in hand (sends, outcomes, offsets), then leave the group.
    Future<Void> drained = loop.drain(DRAIN_TIMEOUT_MS);
    retries.close();
    // Bounded: if storage is gone the batch cannot finish; its claims run out and another worker takes over.
    return drained
      .compose(v -> writer.close(DRAIN_TIMEOUT_MS))
      .compose(v -> loop.close())
      .compose(v -> Future.join(deadLetters.close(), router.close(),
        credits == null ? Future.succeededFuture() : credits.close()));
  }

  private static Map<String, String> consumerConfig(GatewayConfig config) {
    Map<String, String> kafka = ManualCommitConsumerConfig.base(config, config.sender().groupId(),
      config.sender().pollRecords());
    // A dead worker keeps its partitions until the broker gives up on it: this bounds the failover pause.
    int sessionTimeout = config.sender().sessionTimeoutMs();
    kafka.put("session.timeout.ms", String.valueOf(sessionTimeout));
    kafka.put("heartbeat.interval.ms", String.valueOf(Math.max(500, sessionTimeout / 4)));
    return kafka;
  }
}
