package io.smsgw.bench;

import io.smsgw.devkit.ChildPod;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * SIGKILLs a pod of the cluster benchmark, watches a surviving pod's {@code GET /admin/cluster} every 100 ms until the
 * dead pod's node has left the members (Hazelcast's failure detection) and its entry has left the list (its time to
 * live), then starts it again on the same ports and waits until it is ready and a member again.
 */
final class PodKills {

  private static final Logger LOG = LoggerFactory.getLogger(PodKills.class);
  private static final long WATCH_MS = 30_000;

  /** One kill: seconds into the load, how long until forgotten (null: not within the watch), until back. */
  record Kill(String pod, double atSeconds, Double memberDroppedS, Double entryGoneS, double downSeconds, Double rejoinedS) {
    JsonObject json() {
      return new JsonObject().put("pod", pod).put("at_s", round(atSeconds)).put("member_dropped_after_s", memberDroppedS)
        .put("entry_gone_after_s", entryGoneS).put("restarted_ready_after_s", round(downSeconds)).put("member_again_after_s", rejoinedS);
    }
  }

  private final ChaosCluster cluster;
  private final ClusterProbe probe;
  private final long restartAfterMs;
  private final long startNanos;
  private final List<Kill> done = new ArrayList<>();
  private final List<String> errors = new ArrayList<>();

  PodKills(ChaosCluster cluster, ClusterProbe probe, long restartAfterMs, long startNanos) {
    this.cluster = cluster;
    this.probe = probe;
    this.restartAfterMs = restartAfterMs;
    this.startNanos = startNanos;
  }

  double secondsSinceStart() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  void killAndRestart(ChildPod pod) throws Exception {
    JsonObject entry = probe.entryOf(pod);
    if (entry == null || entry.getString("node_id") == null) throw new IllegalStateException(pod.name + " is not listed in /admin/cluster");
    String nodeId = entry.getString("node_id");
    long pid = pod.process().orElseThrow().pid();
    double at = secondsSinceStart();
    long killed = System.nanoTime();
    pod.kill();
    Double memberDropped = null;
    Double entryGone = null;
    while (System.nanoTime() - killed < WATCH_MS * 1_000_000L && (memberDropped == null || entryGone == null)) {
      JsonObject view;
      try {
        view = probe.view();
      } catch (Exception e) {
        Thread.sleep(100);
        continue;
      }
      double after = round((System.nanoTime() - killed) / 1e9);
      if (memberDropped == null && !ClusterProbe.isMember(view, nodeId)) memberDropped = after;
      if (entryGone == null && ClusterProbe.entryOf(view, pid) == null) entryGone = after;
      Thread.sleep(100);
    }
    long waitMs = restartAfterMs - (System.nanoTime() - killed) / 1_000_000;
    if (waitMs > 0) Thread.sleep(waitMs);
    cluster.restart(pod);
    double down = (System.nanoTime() - killed) / 1e9;
    JsonObject again = probe.entryOf(pod);
    Double rejoined = again != null && again.getString("node_id") != null && ClusterProbe.isMember(probe.view(), again.getString("node_id"))
      ? round((System.nanoTime() - killed) / 1e9) : null;
    Kill kill = new Kill(pod.name, at, memberDropped, entryGone, down, rejoined);
    LOG.info("cluster: {}", kill.json().encode());
    synchronized (done) {
      done.add(kill);
    }
  }

  void failed(Exception e) {
    LOG.warn("cluster: a kill failed", e);
    synchronized (done) {
      errors.add(e.toString());
    }
  }

  List<Kill> done() {
    synchronized (done) {
      return List.copyOf(done);
    }
  }

  List<String> errors() {
    synchronized (done) {
      return List.copyOf(errors);
    }
  }

  private static double round(double seconds) {
    return Math.round(seconds * 10) / 10.0;
  }
}
