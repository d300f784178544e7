package io.smsgw.bench;

import io.smsgw.devkit.ChildPod;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Injects each fault once, in order, on its own thread: the first at {@code firstSeconds} into the load, then one
 * every {@code everySeconds} (or as soon as the previous one is over, if it took longer). One fault at a time, so
 * each recovery can be read on its own in the per-second samples.
 */
final class FaultSchedule {

  private static final Logger LOG = LoggerFactory.getLogger(FaultSchedule.class);

  private final ChaosCluster cluster;
  private final List<Fault> faults;
  private final double firstSeconds;
  private final double everySeconds;
  private final long restartAfterMs;
  private final long pauseMs;
  private final List<Fault.Injected> injected = new ArrayList<>();
  private Thread thread;
  private long loadStartNanos;

  FaultSchedule(ChaosCluster cluster, List<Fault> faults, double firstSeconds, double everySeconds, long restartAfterMs, long pauseMs) {
    this.cluster = cluster;
    this.faults = faults;
    this.firstSeconds = firstSeconds;
    this.everySeconds = everySeconds;
    this.restartAfterMs = restartAfterMs;
    this.pauseMs = pauseMs;
  }

  void start(long loadStartNanos) {
    this.loadStartNanos = loadStartNanos;
    thread = new Thread(this::runAll, "chaos-faults");
    thread.setDaemon(true);
    thread.start();
  }

  /** Waits for the last fault to be over (every process back up). */
  List<Fault.Injected> await() throws InterruptedException {
    if (thread != null) thread.join();
    synchronized (injected) {
      return List.copyOf(injected);
    }
  }

  private double now() {
    return (System.nanoTime() - loadStartNanos) / 1e9;
  }

  private void runAll() {
    for (int i = 0; i < faults.size(); i++) {
      double due = firstSeconds + i * everySeconds;
      try {
        long waitMs = (long) ((due - now()) * 1000);
        if (waitMs > 0) Thread.sleep(waitMs);
        Fault.Injected result = inject(faults.get(i));
        LOG.info("chaos: {} on {} at {}s, {}s{}", result.kind().label(), result.target(), Math.round(result.atSeconds()),
          Math.round(result.durationSeconds() * 10) / 10.0, result.error() == null ? "" : ", error " + result.error());
        synchronized (injected) {
          injected.add(result);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private Fault.Injected inject(Fault fault) throws InterruptedException {
    double at = now();
    String target = switch (fault) {
      case GATEWAY_KILL -> cluster.gateways.get(0).name;
      case WORKER_KILL -> cluster.workers.get(0).name;
      // another worker than the one killed, if there is one: each fault on a pod that has been up for a while
      case WORKER_PAUSE -> cluster.workers.get(cluster.workers.size() - 1).name;
      case KAFKA_RESTART -> "kafka";
      case POSTGRES_RESTART -> "postgres";
      case REDIS_FLUSH, REDIS_RESTART -> "redis";
    };
    try {
      switch (fault) {
        case GATEWAY_KILL -> killAndRestart(cluster.gateways.get(0));
        case WORKER_KILL -> killAndRestart(cluster.workers.get(0));
        case WORKER_PAUSE -> {
          ChildPod worker = cluster.workers.get(cluster.workers.size() - 1);
          worker.pause();
          try {
            Thread.sleep(pauseMs);
          } finally {
            worker.resume();
          }
        }
        case KAFKA_RESTART -> {
          cluster.kafka.stop();
          cluster.kafka.start();
        }
        case POSTGRES_RESTART -> {
          cluster.postgres.stop();
          cluster.postgres.start();
        }
        case REDIS_FLUSH -> cluster.redis.flushAll();
        case REDIS_RESTART -> {
          cluster.redis.stop();
          Thread.sleep(1000);
          cluster.redis.start();
        }
      }
      return new Fault.Injected(fault, target, at, now() - at, null);
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      LOG.warn("chaos: {} failed", fault.label(), e);
      return new Fault.Injected(fault, target, at, now() - at, e.toString());
    }
  }

  private void killAndRestart(ChildPod pod) throws Exception {
    pod.kill();
    Thread.sleep(restartAfterMs);
    cluster.restart(pod);
  }
}
