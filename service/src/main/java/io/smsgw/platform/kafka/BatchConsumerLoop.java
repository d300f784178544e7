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
 * poll a batch, hand it to the batch's work, and commit the offsets only once that work said the batch may be
 * committed ({@link Stages#committable}), i.e. once its outcome, or the durable record that owns the rest of it, is
 * stored. Then poll again, whatever happened. A batch whose work failed is not committed: the work may
 * {@link #rewind} to read it again at once; otherwise a crash or a rebalance makes another consumer read it again.
 * <p>
 * Work may go on after its commit ({@link Stages#finished}): the senders commit once their claims are in PostgreSQL
 * (from there on the claim, with its time limit, owns the message: a worker that dies mid-send leaves claims that
 * run out and are taken over by the retry scanner), and send and store outcomes while the next batches are polled
 * and claimed. At most {@code maxUnfinished} batches are unfinished at a time, so a slow provider or database holds
 * the loop instead of letting batches pile up. Stopping finishes every batch in hand (bounded) before the consumer is
 * closed. Confined to its verticle's event loop.
 */
public final class BatchConsumerLoop {

  private static final Duration POLL_TIMEOUT = Duration.ofMillis(100);
  private static final long REWIND_PAUSE_MS = 1000;

  private final Vertx vertx;
  private final KafkaConsumer<String, Buffer> consumer;
  private final Function<KafkaConsumerRecords<String, Buffer>, Stages> work;
  private final Consumer<Throwable> notCommitted;
  private final int maxUnfinished;
  private final Promise<Void> drained = Promise.promise();
  private boolean stopping;
  private boolean cycling;          // a poll, or a batch not yet committed (or refused), is in hand
  private int unfinished;           // batches handed to the work whose finished future has not completed
  private boolean waitingForRoom;   // the loop stopped polling at maxUnfinished and waits for a batch to finish
  private io.micrometer.core.instrument.Gauge lag;

  /**
   * The two moments of a batch's work: {@code committable} completes when its offsets may be committed (or fails:
   * the batch is then not committed); {@code finished} when nothing of it is left in hand (never before
   * {@code committable}; its failure is only logged: by then the batch is committed and its outcome is owned elsewhere).
   */
  public record Stages(Future<Void> committable, Future<Void> finished) {

    /** Work that is over when it may be committed. */
    public static Stages committedWhenDone(Future<Void> done) {
      return new Stages(done, done.<Void>mapEmpty().recover(e -> Future.succeededFuture()));
    }
  }

  /**
   * {@code work}: completes once the batch's outcome is durable, or fails (the batch is then not committed);
   * {@code notCommitted}: told each time a batch's work or its commit failed (the caller logs it its own way).
   */
  public BatchConsumerLoop(Vertx vertx, Map<String, String> consumerConfig,
                           Function<KafkaConsumerRecords<String, Buffer>, Future<Void>> work, Consumer<Throwable> notCommitted) {
    this(vertx, consumerConfig, work.andThen(Stages::committedWhenDone), notCommitted, 1);
  }

  /** Work in two stages ({@link Stages}), at most {@code maxUnfinished} batches of it at a time. */
  public BatchConsumerLoop(Vertx vertx, Map<String, String> consumerConfig,
                           Function<KafkaConsumerRecords<String, Buffer>, Stages> work, Consumer<Throwable> notCommitted,
                           int maxUnfinished) {
    if (maxUnfinished < 1) throw new IllegalArgumentException("maxUnfinished must be at least 1");
    this.vertx = vertx;
    this.consumer = KafkaConsumer.create(vertx, consumerConfig);
    this.work = work;
    this.notCommitted = notCommitted;
    this.maxUnfinished = maxUnfinished;
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
      if (unfinished == 0) drained.tryComplete();
      return;
    }
    if (unfinished >= maxUnfinished) {
      waitingForRoom = true;  // a batch that finishes polls again
      return;
    }
    cycling = true;
    consumer.poll(POLL_TIMEOUT)
      .compose(records -> records.isEmpty() ? Future.succeededFuture() : handOver(records).compose(v -> consumer.commit()))
      .onComplete(done -> {
        cycling = false;
        if (done.failed()) notCommitted.accept(done.cause());
        poll();
      });
  }

  /** Starts the batch's work; the future is its commit point. */
  private Future<Void> handOver(KafkaConsumerRecords<String, Buffer> records) {
    Stages stages = work.apply(records);
    unfinished++;
    stages.finished().onComplete(finished -> {
      unfinished--;
      if (waitingForRoom) {
        waitingForRoom = false;
        poll();
      } else if (stopping && unfinished == 0 && !cycling) {
        drained.tryComplete();
      }
    });
    return stages.committable();
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
   * Stops polling and completes once every batch in hand is done (its work and commit), or after {@code timeoutMs}
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
