package io.smsgw.operations;

import io.smsgw.api.Requests;
import io.smsgw.api.errors.ApiError;
import io.smsgw.provider.routing.ProviderHealth;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.AsyncMap;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The providers as {@code GET /admin/providers} shows them: every worker pod writes its senders' view of each provider
 * (breaker state, in flight, throughput, outcomes, SMPP binds: {@link ProviderHealth}) every
 * {@value ClusterView#REFRESH_MS} ms into a cluster-wide map, kept {@value ClusterView#TTL_MS} ms, as
 * {@link ClusterView} does with the pods; the answer lists each provider with its totals over the pods and each pod's
 * own view (a breaker is per pod).
 */
public final class ProvidersView {

  static final String MAP = "smsgw.providers";

  private final Vertx vertx;

  public ProvidersView(Vertx vertx) {
    this.vertx = vertx;
  }

  private Future<AsyncMap<String, JsonObject>> entries() {
    return vertx.sharedData().getAsyncMap(MAP);
  }

  private static String podId(Vertx vertx) {
    JsonObject description = vertx.sharedData().<String, JsonObject>getLocalMap(ClusterView.POD_MAP).get(ClusterView.POD_KEY);
    return description == null ? null : description.getString("pod_id");
  }

  /** Writes this pod's providers now and every REFRESH_MS (nothing in a pod without senders); returns the timer. */
  long publish() {
    String pod = podId(vertx);
    if (pod == null) return -1;  // not started by Pod (a test's bare verticle)
    Runnable write = () -> {
      JsonArray providers = ProviderHealth.views(vertx);
      if (providers.isEmpty()) return;
      entries().compose(map -> map.put(pod, new JsonObject().put("pod_id", pod).put("updated_at", Instant.now().toString())
        .put("providers", providers), ClusterView.TTL_MS));
    };
    write.run();
    return vertx.setPeriodic(ClusterView.REFRESH_MS, id -> write.run());
  }

  Future<Void> withdraw() {
    String pod = podId(vertx);
    if (pod == null) return Future.succeededFuture();
    return entries().compose(map -> map.remove(pod)).<Void>mapEmpty().otherwiseEmpty();
  }

  /** {@code GET /admin/providers}. */
  public void handle(RoutingContext rc) {
    entries().compose(AsyncMap::entries).onComplete(done -> {
      List<JsonObject> pods = done.values().stream().sorted(Comparator.comparing(p -> p.getString("pod_id"))).toList();
      Map<String, JsonObject> byId = new LinkedHashMap<>();
      for (JsonObject pod : pods) {
        for (Object o : pod.getJsonArray("providers")) {
          JsonObject p = (JsonObject) o;
          JsonObject total = byId.computeIfAbsent(p.getString("id"), id -> new JsonObject().put("id", id).put("kind", p.getString("kind"))
            .put("states", new JsonObject()).put("in_flight", 0).put("accepted_per_second", 0.0).put("outcomes", new JsonObject())
            .put("failovers", 0L).put("skipped_breaker_open", 0L).put("pods", new JsonArray()));
          JsonObject states = total.getJsonObject("states");
          states.put(p.getString("state"), states.getInteger(p.getString("state"), 0) + 1);
          total.put("in_flight", total.getInteger("in_flight") + p.getInteger("in_flight", 0));
          total.put("accepted_per_second", total.getDouble("accepted_per_second") + p.getDouble("accepted_per_second", 0.0));
          JsonObject outcomes = total.getJsonObject("outcomes");
          p.getJsonObject("outcomes").forEach(e -> outcomes.put(e.getKey(), outcomes.getLong(e.getKey(), 0L) + ((Number) e.getValue()).longValue()));
          total.put("failovers", total.getLong("failovers") + p.getLong("failovers", 0L));
          total.put("skipped_breaker_open", total.getLong("skipped_breaker_open") + p.getLong("skipped_breaker_open", 0L));
          total.getJsonArray("pods").add(p.copy().put("pod_id", pod.getString("pod_id")).put("updated_at", pod.getString("updated_at")));
        }
      }
      Requests.json(rc, 200, new JsonObject().put("providers", new JsonArray(List.copyOf(byId.values()))));
    }, failure -> ApiError.UNAVAILABLE.send(rc, "the providers' view cannot be read now: " + failure.getMessage()));
  }
}
