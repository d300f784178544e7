package io.smsgw.operations;

import io.smsgw.api.Requests;
import io.smsgw.api.errors.ApiError;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.core.spi.cluster.ClusterManager;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * The cluster's pods as {@code GET /admin/cluster} shows them. Each pod's operations verticle writes the pod's entry
 * (what {@link io.smsgw.bootstrap.Pod} deployed, and its readiness) every {@value #REFRESH_MS} ms into a cluster-wide
 * map, with a time to live of {@value #TTL_MS} ms: a pod that died leaves the list within that time of its last write,
 * whatever Hazelcast's own failure detection does. Without clustering the map is the pod's own.
 */
public final class ClusterView {

  /** The pod's description, put by Pod before it deploys the operations verticle: {@code {pod_id, roles, verticles, started_at}}. */
  public static final String POD_MAP = "smsgw.pod";
  public static final String POD_KEY = "description";
  static final String PODS = "smsgw.pods";
  static final long REFRESH_MS = 2_000;
  static final long TTL_MS = 6_000;

  /** smsgw_outbox_backlog: accepted messages not yet in Kafka, in the whole database (so: max over pods, not sum). */
  private static final java.util.concurrent.atomic.AtomicLong OUTBOX_BACKLOG = new java.util.concurrent.atomic.AtomicLong();

  static {
    io.micrometer.core.instrument.MeterRegistry registry = io.vertx.micrometer.backends.BackendRegistries.getDefaultNow();
    if (registry != null) {
      io.micrometer.core.instrument.Gauge.builder("smsgw_outbox_backlog", OUTBOX_BACKLOG, java.util.concurrent.atomic.AtomicLong::get)
        .description("accepted messages not yet acknowledged by Kafka (the whole database; refreshed every 2 s)").register(registry);
    }
  }

  private final Vertx vertx;

  public ClusterView(Vertx vertx) {
    this.vertx = vertx;
  }

  private Future<AsyncMap<String, JsonObject>> pods() {
    return vertx.sharedData().getAsyncMap(PODS);
  }

  /** Writes this pod's entry now and every REFRESH_MS; returns the timer. */
  long publish(Supplier<Future<JsonObject>> health) {
    JsonObject description = vertx.sharedData().<String, JsonObject>getLocalMap(POD_MAP).get(POD_KEY);
    if (description == null) return -1;  // not started by Pod (a test's bare verticle)
    Runnable write = () -> health.get().otherwise(e -> new JsonObject().put("status", "not_ready"))
      .onSuccess(h -> {
        Long backlog = h.getLong("outbox_backlog");
        if (backlog != null) OUTBOX_BACKLOG.set(backlog);
      })
      .compose(h -> pods().compose(map -> map.put(description.getString("pod_id"),
        description.copy().put("health", h).put("updated_at", Instant.now().toString()), TTL_MS)));
    write.run();
    return vertx.setPeriodic(REFRESH_MS, id -> write.run());
  }

  /** The node ids the cluster manager counts as members now (none when not clustered). */
  private List<String> members() {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager == null ? List.of() : manager.getNodes().stream().sorted().toList();
  }

  /** This pod's node id in the cluster, or null. */
  public static String nodeId(Vertx vertx) {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager == null ? null : manager.getNodeId();
  }

  /** Removes this pod's entry (a clean stop leaves the list at once). */
  Future<Void> withdraw() {
    JsonObject description = vertx.sharedData().<String, JsonObject>getLocalMap(POD_MAP).get(POD_KEY);
    if (description == null) return Future.succeededFuture();
    return pods().compose(map -> map.remove(description.getString("pod_id"))).<Void>mapEmpty().otherwiseEmpty();
  }

  /** {@code GET /admin/cluster}. */
  public void handle(RoutingContext rc) {
    pods().compose(AsyncMap::entries).onComplete(entries -> {
      List<String> members = members();
      JsonArray pods = new JsonArray();
      entries.values().stream().sorted(Comparator.comparing(p -> p.getString("pod_id"))).forEach(p -> {
        String node = p.getString("node_id");
        pods.add(node == null ? p : p.copy().put("member", members.contains(node)));
      });
      Requests.json(rc, 200, new JsonObject().put("clustered", vertx.isClustered()).put("members", new JsonArray(members)).put("pods", pods));
    }, failure -> ApiError.UNAVAILABLE.send(rc, "the cluster's pod list cannot be read now: " + failure.getMessage()));
  }
}
