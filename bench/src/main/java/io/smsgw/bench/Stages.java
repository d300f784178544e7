package io.smsgw.bench;

import io.smsgw.wallet.WalletSql;

import io.smsgw.domain.Encoding;
import io.smsgw.domain.Priority;
import io.smsgw.domain.SmsMessage;
import io.smsgw.platform.pg.Database;
import io.smsgw.wallet.AcceptArguments;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * {@code stages}: the ceiling of each stage alone, on the same machine and in the same run, so the pipeline's
 * rate can be read as a fraction of its slowest stage. Closed loop with a fixed number in flight: a ceiling,
 * not a latency measurement.
 */
final class Stages {

  private Stages() {
  }

  static boolean run(BenchEnvironment env, BenchArgs args) throws Exception {
    double seconds = args.decimal("duration", 10);
    BenchReport report = new BenchReport("stages", new JsonObject().put("seconds_per_stage", seconds)
      .put("method", "closed loop, fixed in-flight count per stage"));
    List<JsonObject> users = env.createUsers(1_000, 1_000_000_000L);

    WebClient http = WebClient.create(env.client, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(64));
    double httpTrivial = closedLoop(env, 64, seconds, () ->
      http.request(HttpMethod.GET, env.config.http().port(), "127.0.0.1", "/health/live").send());
    print(report, "http_trivial_route_per_s", httpTrivial, "HTTP GET /health/live (no validation, no storage)");

    Pool pool = PgBuilder.pool().with(new io.vertx.sqlclient.PoolOptions().setMaxSize(4))
      .connectingTo(Database.connectOptions(env.config.pg().url())).using(env.client).build();
    double ping = closedLoop(env, 1, seconds, () -> pool.query("SELECT 1").execute());
    print(report, "pg_round_trip_per_s", ping, "PostgreSQL SELECT 1, one at a time (the client's round trip)");
    int batch = args.integer("pg-batch", 64);
    double pgBatches = closedLoop(env, 1, seconds, () -> pool.preparedQuery(WalletSql.acceptMessages()).execute(batch(users, batch)));
    print(report, "pg_accept_per_s", pgBatches * batch, "PostgreSQL accept transaction, batches of " + batch + ", one in flight");
    double pgSingle = closedLoop(env, 1, seconds, () -> pool.preparedQuery(WalletSql.acceptMessages()).execute(batch(users, 1)));
    print(report, "pg_accept_one_at_a_time_per_s", pgSingle, "PostgreSQL accept transaction, one message each, 1 in flight");
    String owner = users.get(0).getString("user_id");
    double pgSimple = closedLoop(env, 1, seconds, () -> pool.query("SELECT count(*) FROM accept_messages(ARRAY[gen_random_uuid()], "
      + "ARRAY['" + owner + "'::uuid], ARRAY['+14155550100'], ARRAY['stage test'], ARRAY['normal'], ARRAY['GSM7'], ARRAY[1], ARRAY[100::bigint])").execute());
    print(report, "pg_accept_simple_protocol_per_s", pgSimple, "the same call as plain SQL text (simple protocol, no parameters), 1 in flight");
    double pgSingles = closedLoop(env, 4, seconds, () -> pool.preparedQuery(WalletSql.acceptMessages()).execute(batch(users, 1)));
    print(report, "pg_accept_single_per_s", pgSingles, "PostgreSQL accept transaction, one message each, 4 in flight");
    pool.close();

    long records = args.integer("kafka-records", 200_000);
    double[] kafka = kafka(env.config.kafka().bootstrap(), records);
    print(report, "kafka_produce_per_s", kafka[0], "Kafka produce of " + records + " ~300-byte records (acks=all, linger 5 ms)");
    print(report, "kafka_consume_per_s", kafka[1], "Kafka consume of the same records");

    // The bulk endpoint, as the worker uses it: batches of provider.batch_size messages, 8 requests in flight.
    int perRequest = env.config.provider().batchSize();
    WebClient provider = WebClient.create(env.client, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(8));
    String url = env.config.provider().url() + "/v1/messages/batch";
    double providerRequests = closedLoop(env, 8, seconds, () -> {
      JsonArray messages = new JsonArray();
      for (int i = 0; i < perRequest; i++) {
        messages.add(new JsonObject().put("idempotency_key", UUID.randomUUID().toString()).put("to", "+14155550100").put("text", "stage test"));
      }
      // Only an answered batch counts: above its cap the simulator says 429 (throttled), like a real provider.
      return provider.postAbs(url).sendJsonObject(new JsonObject().put("messages", messages))
        .compose(r -> r.statusCode() == 200 ? Future.succeededFuture(r) : Future.failedFuture("HTTP " + r.statusCode()));
    });
    print(report, "provider_sim_per_s", providerRequests * perRequest, "provider simulator, batches of " + perRequest + ", 8 in flight (latency "
      + env.config.providerSim().latencyMs() + " ms, cap " + env.config.providerSim().maxPerSecond() + "/s)");

    // No message goes through the whole pipeline here: lost and duplicate sends do not apply.
    report.put("invariants_ok", env.invariantsOk()).putNull("lost").putNull("duplicate_sends");
    report.write();
    System.out.println("stages → " + report.json().getString("file"));
    return report.json().getBoolean("invariants_ok");
  }

  private static void print(BenchReport report, String key, double perSecond, String what) {
    report.put(key, Math.round(perSecond));
    System.out.printf("stage %-26s %,10.0f/s   %s%n", key, perSecond, what);
  }

  private static Tuple batch(List<JsonObject> users, int n) {
    List<SmsMessage> messages = new java.util.ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      UUID owner = UUID.fromString(users.get((int) (Math.random() * users.size())).getString("user_id"));
      messages.add(new SmsMessage(UUID.randomUUID(), owner, "+14155550100", "stage test", Priority.NORMAL,
        Encoding.GSM7, 1, 100, System.currentTimeMillis()));
    }
    messages.sort(java.util.Comparator.comparing(SmsMessage::userId));  // the lock order the gateway uses
    return AcceptArguments.of(messages);
  }

  /** Keeps {@code inFlight} operations going for {@code seconds}; returns completed operations per second. */
  private static double closedLoop(BenchEnvironment env, int inFlight, double seconds, Supplier<Future<?>> operation) {
    Promise<Double> done = Promise.promise();
    env.client.runOnContext(v -> {
      long end = System.nanoTime() + (long) (seconds * 1e9);
      long start = System.nanoTime();
      long[] completed = {0};
      int[] running = {inFlight};
      Runnable[] next = new Runnable[1];
      next[0] = () -> {
        if (System.nanoTime() >= end) {
          if (--running[0] == 0) done.complete(completed[0] / ((System.nanoTime() - start) / 1e9));
          return;
        }
        operation.get().onComplete(r -> {
          if (r.succeeded()) completed[0]++;
          next[0].run();
        });
      };
      for (int i = 0; i < inFlight; i++) next[0].run();
    });
    return done.future().await();
  }

  private static double[] kafka(String bootstrap, long records) {
    String topic = "bench.stages." + UUID.randomUUID();
    byte[] value = ("{\"message_id\":\"" + UUID.randomUUID() + "\",\"user_id\":\"" + UUID.randomUUID()
      + "\",\"phone_number\":\"+989121234567\",\"message\":\"Your code is 123456. It expires in 2 minutes.\","
      + "\"priority\":\"normal\",\"encoding\":\"GSM7\",\"segments\":1,\"cost\":100,\"accepted_at_ms\":1764000000000}")
      .getBytes(StandardCharsets.UTF_8);
    Map<String, Object> producerConfig = Map.of(
      ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all",
      ProducerConfig.LINGER_MS_CONFIG, 5, ProducerConfig.BATCH_SIZE_CONFIG, 65536);
    try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic, 6, (short) 1))).all().get();
    } catch (Exception e) {
      throw new IllegalStateException("could not create " + topic, e);
    }
    java.util.concurrent.atomic.AtomicLong failed = new java.util.concurrent.atomic.AtomicLong();
    java.util.concurrent.atomic.AtomicReference<String> firstError = new java.util.concurrent.atomic.AtomicReference<>();
    long start;
    try (var producer = new KafkaProducer<>(producerConfig, new StringSerializer(), new ByteArraySerializer())) {
      // A fresh topic's partitions may have no leader yet: producing into that stalled the stage for the
      // producer's whole delivery timeout (120 s) in some runs. Start the clock once every partition has one.
      long deadline = System.nanoTime() + 30_000_000_000L;
      while (System.nanoTime() < deadline) {
        var partitions = producer.partitionsFor(topic);
        if (partitions.size() == 6 && partitions.stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) break;
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          break;
        }
      }
      start = System.nanoTime();
      for (long i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, "user-" + (i % 1000), value), (meta, error) -> {
          if (error != null && failed.incrementAndGet() == 1) firstError.set(error.toString());
        });
      }
      producer.flush();
    }
    double produce = records / ((System.nanoTime() - start) / 1e9);
    if (failed.get() > 0) {
      System.out.printf("stage kafka: %,d of %,d records failed to produce (%s)%n", failed.get(), records, firstError.get());
    }
    records -= failed.get();
    Map<String, Object> consumerConfig = Map.of(
      ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
    long read = 0;
    start = System.nanoTime();
    try (var consumer = new KafkaConsumer<>(consumerConfig, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
        .map(p -> new TopicPartition(topic, p.partition())).toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      while (read < records && (System.nanoTime() - start) < 120e9) read += consumer.poll(Duration.ofMillis(200)).count();
    }
    double consume = read / ((System.nanoTime() - start) / 1e9);
    return new double[] {produce, consume};
  }
}
