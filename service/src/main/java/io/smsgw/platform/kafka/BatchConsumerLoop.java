package io.smsgw.platform.kafka;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.kafka.client.common.TopicPartition;
import io.vertx.kafka.client.consumer.KafkaConsumer;
import io.vertx.kafka.client.consumer.KafkaConsumerRecord;
import io.vertx.kafka.client.consumer.KafkaConsumerRecords;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The at-least-once loop of a manual-commit consumer (senders, settlement; see {@link ManualCommitConsumerConfig}):
 * poll a batch, hand it to the batch's work, and commit the offsets only once that work's future succeeded, i.e. once
 * its outcome is stored. Then poll again, whatever happened. A batch whose work failed is not committed: the work may
 * {@link #rewind} to read it again at once; otherwise a crash or a rebalance makes another consumer read it again.
 * Stopping finishes the batch in hand (bounded) before the consumer is closed. Confined to its verticle's event loop.
 */
public final class BatchConsumerLoop {

  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final long REWIND_PAUSE_MS = 1000;

  private final Vertx vertx;
  private final KafkaConsumer<String, Buffer> consumer;
  private final Function<KafkaConsumerRecords<String, Buffer>, Future<Void>> work;
  private final Consumer<Throwable> notCommitted;
  private final Promise<Void> drained = Promise.promise();
  private boolean stopping;
  private io.micrometer.core.instrument.Gauge lag;

  /**
   * {@code work}: completes once the batch's outcome is durable, or fails (the batch is then not committed);
   * {@code notCommitted}: told each time a batch's work or its commit failed (the caller logs it its own way).
   */
  public BatchConsumerLoop(Vertx vertx, Map<String, String> consumerConfig,
                           Function<KafkaConsumerRecords<String, Buffer>, Future<Void>> work, Consumer<Throwable> notCommitted) {
    this.vertx = vertx;
    this.consumer = KafkaConsumer.create(vertx, consumerConfig);
    this.work = work;
    this.notCommitted = notCommitted;
  }

  /** Subscribes, then starts polling; the future says whether the subscription was taken. */
  public Future<Void> start(String topic) {
    lag = ConsumerLag.register(consumer.unwrap(), topic);  // before the first poll: the native consumer is not in use yet
    return consumer.subscribe(topic).onSuccess(v -> poll());
  }

  /** True once {@link #drain} was called: work that would wait or retry should give up instead. */
  public boolean stopping() {
    return stopping;
  }

  private void poll() {
    if (stopping) {
      drained.tryComplete();
      return;
    }
    consumer.poll(POLL_TIMEOUT)
      .compose(records -> records.isEmpty() ? Future.succeededFuture() : work.apply(records).compose(v -> consumer.commit()))
      .onComplete(done -> {
        if (done.failed()) notCommitted.accept(done.cause());
        poll();
      });
  }

  /**
   * For work that could not store its outcome: seeks every partition of the batch back to its first offset, so the
   * next poll reads the batch again instead of going past it, waits a second (storage is down, not busy), and fails
   * with {@code failure} so the batch is not committed.
   */
  public Future<Void> rewind(KafkaConsumerRecords<String, Buffer> records, Throwable failure) {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (int i = 0; i < records.size(); i++) {
      KafkaConsumerRecord<String, Buffer> r = records.recordAt(i);
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    List<Future<Void>> seeks = new ArrayList<>();
    first.forEach((partition, offset) -> seeks.add(consumer.seek(partition, offset)));
    Promise<Void> paused = Promise.promise();
    vertx.setTimer(REWIND_PAUSE_MS, t -> paused.complete());
    return Future.all(seeks).compose(v -> paused.future()).compose(v -> Future.failedFuture(failure));
  }

  /**
   * Stops polling and completes once the batch in hand is done (its work and commit), or after {@code timeoutMs}
   * (storage gone: the batch cannot finish, and is read again by whoever takes the partitions over).
   */
  public Future<Void> drain(long timeoutMs) {
    stopping = true;
    vertx.setTimer(timeoutMs, t -> drained.tryComplete());
    return drained.future();
  }

  /** Leaves the group (after {@link #drain}). */
  public Future<Void> close() {
    ConsumerLag.remove(lag);
    return consumer.close();
  }
}
