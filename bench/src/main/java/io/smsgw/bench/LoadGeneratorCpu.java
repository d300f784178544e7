package io.smsgw.bench;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.DeploymentOptions;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CPU time of the load generator's own threads (the bench's client Vert.x instance, whose HTTP client plays the
 * customers), so that a run can say what the service cost without the client that drives it. The generator shares
 * this JVM and the machine's cores with the service; {@link MachineCpu} counts both together.
 *
 * <p>The client instance's event-loop threads are found by deploying one no-op verticle per event loop: Vert.x
 * places successive deployments' contexts on its loops in turn.
 */
final class LoadGeneratorCpu {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private final Set<Long> threadIds = ConcurrentHashMap.newKeySet();

  LoadGeneratorCpu(Vertx client) {
    int loops = 2 * Runtime.getRuntime().availableProcessors();  // VertxOptions' default event-loop pool size
    Set<Long> ids = threadIds;
    client.deployVerticle(() -> new VerticleBase() {
      @Override
      public Future<?> start() {
        ids.add(Thread.currentThread().getId());
        return Future.succeededFuture();
      }
    }, new DeploymentOptions().setInstances(loops * 2)).await();
  }

  /** Milliseconds of CPU (user + system) the generator's threads used so far; -1 where the JVM cannot tell. */
  double busyMs() {
    if (!THREADS.isThreadCpuTimeSupported()) return -1;
    long nanos = 0;
    for (long id : threadIds) nanos += Math.max(0, THREADS.getThreadCpuTime(id));
    return nanos / 1e6;
  }

  int threads() {
    return threadIds.size();
  }
}
