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

  /** One pause: SIGSTOP for longer than the failure detection, then SIGCONT; whether and when the pod is a member again. */
  record Pause(String pod, double atSeconds, double pausedSeconds, Double memberDroppedS, Double memberAgainAfterResumeS,
               Double entryAgainAfterResumeS) {
    JsonObject json() {
      return new JsonObject().put("pod", pod).put("at_s", round(atSeconds)).put("paused_s", round(pausedSeconds))
        .put("member_dropped_after_s", memberDroppedS).put("member_again_after_resume_s", memberAgainAfterResumeS)
        .put("entry_again_after_resume_s", entryAgainAfterResumeS);
    }
  }

  private Pause pause;

  /**
   * SIGSTOP: to the others the pod goes silent (its connections stay open), so only the heartbeat timeout
   * ({@code cluster.max_no_heartbeat_s}) drops it, as a partition or a frozen VM would. After SIGCONT the pod finds
   * itself out of the cluster and must merge back (Hazelcast's split-brain merge); {@code watcher} is a pod that stays up.
   */
  void pauseAndResume(ChildPod pod, long pauseMs, ClusterProbe watcher) throws Exception {
    JsonObject entry = watcher.entryOf(pod);
    if (entry == null || entry.getString("node_id") == null) throw new IllegalStateException(pod.name + " is not listed in /admin/cluster");
    String nodeId = entry.getString("node_id");
    long pid = pod.process().orElseThrow().pid();
    double at = secondsSinceStart();
    long paused = System.nanoTime();
    pod.pause();
    Double dropped = null;
    try {
      while ((System.nanoTime() - paused) / 1_000_000 < pauseMs) {
        if (dropped == null) {
          try {
            if (!ClusterProbe.isMember(watcher.view(), nodeId)) dropped = round((System.nanoTime() - paused) / 1e9);
          } catch (Exception notNow) {
            // the watcher is slow: try again
          }
        }
        Thread.sleep(100);
      }
    } finally {
      pod.resume();
    }
    long resumed = System.nanoTime();
    double pausedSeconds = (resumed - paused) / 1e9;
    Double memberAgain = null;
    Double entryAgain = null;
    while (System.nanoTime() - resumed < 60_000_000_000L && (memberAgain == null || entryAgain == null)) {
      try {
        JsonObject view = watcher.view();
        JsonObject listed = ClusterProbe.entryOf(view, pid);
        double after = round((System.nanoTime() - resumed) / 1e9);
        // The node id may change when Hazelcast merges the pod back: its listed entry says which one it has now.
        String now = listed == null ? nodeId : listed.getString("node_id", nodeId);
        if (memberAgain == null && ClusterProbe.isMember(view, now)) memberAgain = after;
        if (entryAgain == null && listed != null) entryAgain = after;
      } catch (Exception notNow) {
        // try again
      }
      Thread.sleep(200);
    }
    pause = new Pause(pod.name, at, pausedSeconds, dropped, memberAgain, entryAgain);
    LOG.info("cluster: pause {}", pause.json().encode());
  }

  Pause pause() {
    return pause;
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
