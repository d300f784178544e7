package io.smsgw.outbox;

import io.smsgw.platform.eventbus.Bus;

import io.smsgw.platform.wire.SmsMessageJson;

import io.smsgw.platform.kafka.Topics;

import io.smsgw.platform.kafka.DurableProducerConfig;
import io.smsgw.platform.kafka.KafkaReachability;
import io.smsgw.platform.kafka.SharedProducer;

import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Database;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.kafka.client.producer.KafkaProducer;
import io.vertx.kafka.client.producer.KafkaProducerRecord;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Hands accepted messages to Kafka ({@code sms.normal} or {@code sms.vip}, key = user_id, acks=all,
 * idempotent producer), marks them published once acknowledged, and runs the outbox relay for the ones
 * that were not.
 */
public class KafkaProducerVerticle extends VerticleBase {

  private static final Logger LOG = LoggerFactory.getLogger(KafkaProducerVerticle.class);

  private KafkaProducer<String, Buffer> producer;
  private KafkaReachability kafka;
  private PublishedMarker marker;
  private OutboxRelay relay;
  private BulkOutboxRelay bulkRelay;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    producer = SharedProducer.OUTBOX.open(vertx, producerConfig(config));
    // Each send's own future reports its failure (and the outbox keeps the message); nothing else to do here.
    producer.exceptionHandler(e -> LOG.debug("Kafka producer: {}", e.toString()));
    kafka = new KafkaReachability(vertx, config);
    Pool pool = Database.pool(vertx, config);
    marker = new PublishedMarker(vertx, pool, config.outbox().markIntervalMs());
    // A relayed row (or bulk) is skipped by the other pods' relays while its send can still be acknowledged.
    long leaseMs = config.kafka().deliveryTimeoutMs() + 5_000L;
    relay = new OutboxRelay(vertx, pool, this::publish,
      config.outbox().relayIntervalMs(), config.outbox().relayMinAgeMs(),
      config.outbox().relayBatch(), leaseMs);
    bulkRelay = new BulkOutboxRelay(vertx, pool, this::publish, config.outbox().relayIntervalMs(),
      config.outbox().relayMinAgeMs(), leaseMs);
    var bus = vertx.eventBus();
    return Future.all(
      Bus.<SmsMessage>serve(vertx, OutboxAddresses.KAFKA_PUBLISH, this::publishAccepted).completion(),
      // Within the pod only (its body has no wire form): a sender elsewhere leaves its messages to the relay.
      vertx.eventBus().<MessageBatch>localConsumer(OutboxAddresses.KAFKA_PUBLISH_BATCH, this::publishBatch).completion(),
      Bus.<JsonObject>serve(vertx, OutboxAddresses.KAFKA_HEALTH, this::health).completion());
  }

  private void publishAccepted(Message<SmsMessage> request) {
    SmsMessage message = request.body();
    publish(message).onComplete(
      ok -> marker.add(message.messageId()),
      // Not lost: the row stays in the outbox and the relay publishes it once Kafka answers again.
      failure -> LOG.debug("publish of {} failed, left to the relay: {}", message.messageId(), failure.getMessage()));
  }

  /**
   * A batch of committed messages (a bulk's chunk), answered once Kafka acknowledged all of them. Their rows are not
   * in the per-message outbox: the bulk is, and the bulk's verticle marks it once every chunk was answered.
   */
  private void publishBatch(Message<MessageBatch> request) {
    List<Future<Void>> sends = new ArrayList<>(request.body().messages().size());
    for (SmsMessage message : request.body().messages()) sends.add(publish(message));
    Future.join(sends).onComplete(
      all -> request.reply(null),
      failure -> {
        long failed = sends.stream().filter(Future::failed).count();
        // Not lost: the bulk stays in the outbox and the relay publishes its unclaimed messages again.
        LOG.debug("{} of {} messages of a batch not acknowledged, left to the relay: {}", failed, sends.size(), failure.getMessage());
        request.fail(503, failed + " of " + sends.size() + " not acknowledged by Kafka");
      });
  }

  Future<Void> publish(SmsMessage message) {
    var record = KafkaProducerRecord.create(Topics.of(message.priority()), message.userId().toString(), SmsMessageJson.toBuffer(message));
    return producer.send(record).mapEmpty();
  }

  private void health(Message<JsonObject> request) {
    kafka.check().onComplete(up -> request.reply(new JsonObject().put("kafka", up.result() ? "up" : "down")));
  }

  @Override
  public Future<?> stop() {
    relay.close();
    bulkRelay.close();
    return producer.flush()
      .transform(flushed -> marker.close())
      .transform(marked -> Future.join(producer.close(), kafka.close()));
  }

  private static Map<String, String> producerConfig(GatewayConfig config) {
    Map<String, String> kafka = DurableProducerConfig.base(config);
    int deliveryTimeout = config.kafka().deliveryTimeoutMs();
    kafka.put("delivery.timeout.ms", String.valueOf(deliveryTimeout));
    kafka.put("request.timeout.ms", String.valueOf(Math.min(10000, deliveryTimeout / 2)));
    // With Kafka unreachable, send() waits at most this long for metadata before failing to the relay.
    kafka.put("max.block.ms", "5000");
    return kafka;
  }
}
