package io.smsgw.bench;

import io.smsgw.devkit.ChildPod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** {@code GET /admin/cluster} of one pod, as the cluster benchmark reads it: who is a member, which pods are listed. */
final class ClusterProbe {

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  private final HttpRequest request;

  ClusterProbe(int apiPort, String adminToken) {
    request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/admin/cluster"))
      .header("Authorization", "Bearer " + adminToken).timeout(Duration.ofSeconds(5)).build();
  }

  JsonObject view() throws Exception {
    HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IllegalStateException("GET /admin/cluster: " + r.statusCode() + " " + r.body());
    return new JsonObject(r.body());
  }

  /** The listed entry of a pod, found by its process id (pod_id is host:pid-n), or null. */
  static JsonObject entryOf(JsonObject view, long pid) {
    for (Object o : view.getJsonArray("pods", new JsonArray())) {
      JsonObject pod = (JsonObject) o;
      if (pod.getString("pod_id", "").contains(":" + pid + "-")) return pod;
    }
    return null;
  }

  /** The entry of a running child pod, waiting up to 10 s for it to be listed. */
  JsonObject entryOf(ChildPod pod) throws Exception {
    long pid = pod.process().orElseThrow(() -> new IllegalStateException(pod.name + " is not running")).pid();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (true) {
      JsonObject entry = entryOf(view(), pid);
      if (entry != null || System.nanoTime() > deadline) return entry;
      Thread.sleep(200);
    }
  }

  /** Whether a node id is among the members this pod sees. */
  static boolean isMember(JsonObject view, String nodeId) {
    return view.getJsonArray("members", new JsonArray()).contains(nodeId);
  }
}
