package io.smsgw.bench;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code bulk}: {@code POST /send-sms/bulk} at its ceiling. Creates {@code --users}, builds {@code --bulks} bulks of
 * {@code --size} recipients (before the clock starts: the generator's JSON is not measured), posts them
 * {@code --concurrency} at a time round-robin over the users, and reports the recipients accepted per second over the
 * wall time of the posts and the HTTP latency per bulk; then starts the worker, waits until every message is final
 * (sent at the worker's rate), and checks lost, duplicate sends and the invariants as every scenario does.
 * {@code --warmup-bulks} bulks go first, not measured (the JIT).
 */
final class BulkSend {

  private BulkSend() {
  }

  static boolean run(BenchEnvironment env, BenchArgs args) throws Exception {
    int bulks = args.integer("bulks", 30);
    int size = args.integer("size", 10_000);
    int concurrency = args.integer("concurrency", 4);
    int userCount = args.integer("users", 8);
    int warmupBulks = args.integer("warmup-bulks", 2);
    double persianShare = args.decimal("persian-share", 0.2);
    JsonObject settings = new JsonObject().put("bulks", bulks).put("size", size).put("concurrency", concurrency)
      .put("users", userCount).put("warmup_bulks", warmupBulks)
      .put("text", "one default text per bulk; a share of the bulks Persian (UCS-2): " + persianShare)
      .put("bulk_max_in_flight", env.config.bulk().maxInFlight())
      .put("provider_max_per_second", env.config.providerSim().maxPerSecond())
      .put("pg_pool_size", env.config.pg().poolSize())
      .put("instances", env.config.json().getJsonObject("instances"));
    BenchReport report = new BenchReport("bulk", settings);
    List<JsonObject> users = env.createUsers(userCount, 1_000_000_000_000L);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
    URI uri = URI.create("http://127.0.0.1:" + env.config.http().port() + "/send-sms/bulk");

    if (warmupBulks > 0) {
      System.out.printf("bulk: warming up with %d bulks of %,d (not measured)...%n", warmupBulks, size);
      post(http, uri, bodies(users, warmupBulks, size, persianShare, 1_000_000), Math.min(concurrency, warmupBulks));
    }
    List<Body> bodies = bodies(users, bulks, size, persianShare, 0);
    System.out.printf("bulk: posting %d bulks of %,d recipients, %d at a time...%n", bulks, size, concurrency);
    MachineCpu cpu = env.cpu();
    double cpuBefore = cpu.busyMs();
    env.resetStatementStats();
    Posted posted = post(http, uri, bodies, concurrency);
    double cpuMs = cpu.busyMs() - cpuBefore;
    report.put("pg_top_statements", env.topStatements(8));

    double seconds = posted.wallNanos / 1e9;
    long accepted = posted.accepted.get();
    JsonObject statuses = new JsonObject();
    new TreeMap<>(posted.statusCounts()).forEach((status, n) -> statuses.put(String.valueOf(status), n));
    report.put("statuses", statuses)
      .put("errors", new JsonArray(new ArrayList<>(posted.errors)))
      .put("recipients_posted", (long) bulks * size)
      .put("recipients_accepted", accepted)
      .put("recipients_rejected", posted.rejected.get())
      .put("posts_wall_s", Math.round(seconds * 1000) / 1000.0)
      .put("accepted_recipients_per_s", seconds <= 0 ? null : Math.round(accepted / seconds))
      .put("cpu_busy_pct_posts", seconds <= 0 ? null : Math.round(cpuMs / (seconds * 1000 * Runtime.getRuntime().availableProcessors()) * 100))
      .put("cpu_ms_per_recipient_accept", accepted <= 0 ? null : Math.round(cpuMs / accepted * 10_000) / 10_000.0)
      .latency("http_", posted.latencyMicros);

    System.out.println("bulk: starting the worker; waiting until every message is final...");
    long drainStart = System.nanoTime();
    env.startWorker();
    Drain.finish(env, report, args);
    double drainSeconds = (System.nanoTime() - drainStart) / 1e9;
    long finals = env.count("SELECT count(*) FROM messages WHERE bulk_id IS NOT NULL AND status <> 'pending'");
    report.put("bulk_messages_final", finals)
      .put("sent_per_s_after_posts", drainSeconds <= 0 ? null : Math.round(finals / drainSeconds));
    var previous = report.write();
    JsonObject r = report.json();
    boolean clean = Drain.clean(report) && posted.errors.isEmpty() && posted.statusCounts().keySet().stream().allMatch(s -> s == 200);
    System.out.printf("bulk: %d bulks of %,d, %d at a time → %,d recipients accepted in %.2f s = %s recipients/s; "
        + "HTTP per bulk p50 %.1f ms, p99 %.1f ms, max %.1f ms; CPU %s%% during the posts; answers %s; then final at %s/s; "
        + "lost %d, duplicate sends %d, invariants %s → %s%n",
      bulks, size, concurrency, accepted, seconds, r.getValue("accepted_recipients_per_s"),
      r.getDouble("http_p50_ms"), r.getDouble("http_p99_ms"), r.getDouble("http_max_ms"), r.getValue("cpu_busy_pct_posts"),
      r.getJsonObject("statuses").encode(), r.getValue("sent_per_s_after_posts"), r.getLong("lost"), r.getLong("duplicate_sends"),
      r.getBoolean("invariants_ok") ? "OK" : "BROKEN", r.getString("file"));
    if (!posted.errors.isEmpty()) System.out.println("bulk: first errors: " + posted.errors);
    previous.ifPresent(p -> System.out.printf("previous run (%s): %s recipients/s, HTTP p99 %s ms%n",
      p.getString("commit"), p.getValue("accepted_recipients_per_s"), p.getValue("http_p99_ms")));
    return clean;
  }

  private record Body(JsonObject user, String json) {
  }

  /** Bulk {@code i} goes to user {@code i mod users}; phone numbers unique per bulk. */
  private static List<Body> bodies(List<JsonObject> users, int bulks, int size, double persianShare, int offset) {
    List<Body> bodies = new ArrayList<>(bulks);
    for (int b = 0; b < bulks; b++) {
      JsonObject user = users.get(b % users.size());
      boolean persian = persianShare > 0 && (b % Math.max(1, Math.round(1 / persianShare))) == 0;
      JsonArray recipients = new JsonArray(new ArrayList<>(size));
      for (int i = 0; i < size; i++) {
        recipients.add(new JsonObject().put("message_id", UUID.randomUUID().toString())
          .put("phone_number", "+9891" + String.format("%08d", (offset + b * size + i) % 100_000_000)));
      }
      JsonObject body = new JsonObject().put("bulk_id", UUID.randomUUID().toString()).put("user_id", user.getString("user_id"))
        .put("message", persian ? "فروشگاه ما فردا ساعت ۹ باز می‌شود" : "Our shop opens at 9 tomorrow. Reply STOP to opt out")
        .put("recipients", recipients);
      bodies.add(new Body(user, body.encode()));
    }
    return bodies;
  }

  private static final class Posted {
    final Histogram latencyMicros = new Histogram(3_600_000_000L, 3);
    final AtomicLong accepted = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final Map<Integer, Integer> statuses = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> errors = java.util.Collections.synchronizedList(new ArrayList<>());
    long wallNanos;

    Map<Integer, Integer> statusCounts() {
      return statuses;
    }
  }

  /** Closed loop: {@code concurrency} posts in flight; each bulk's latency from its send to its answer. */
  private static Posted post(HttpClient http, URI uri, List<Body> bodies, int concurrency) throws Exception {
    Posted posted = new Posted();
    ConcurrentLinkedQueue<Body> queue = new ConcurrentLinkedQueue<>(bodies);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long start = System.nanoTime();
    List<Future<?>> workers = new ArrayList<>();
    for (int w = 0; w < concurrency; w++) {
      workers.add(pool.submit(() -> {
        Body body;
        while ((body = queue.poll()) != null) {
          HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json").header("X-API-Key", body.user().getString("api_key"))
            .POST(HttpRequest.BodyPublishers.ofString(body.json())).build();
          long sent = System.nanoTime();
          try {
            HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
            long micros = Math.max(1, (System.nanoTime() - sent) / 1000);
            synchronized (posted.latencyMicros) {
              posted.latencyMicros.recordValue(micros);
            }
            posted.statuses.merge(r.statusCode(), 1, Integer::sum);
            if (r.statusCode() == 200) {
              JsonObject answer = new JsonObject(r.body());
              posted.accepted.addAndGet(answer.getInteger("accepted"));
              posted.rejected.addAndGet(answer.getInteger("rejected"));
            } else if (posted.errors.size() < 5) {
              posted.errors.add(r.statusCode() + " " + r.body());
            }
          } catch (Exception e) {
            if (posted.errors.size() < 5) posted.errors.add(e.toString());
          }
        }
        return null;
      }));
    }
    for (Future<?> w : workers) w.get();
    posted.wallNanos = System.nanoTime() - start;
    pool.shutdown();
    return posted;
  }
}
