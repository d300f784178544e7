package io.smsgw.devkit;

import io.smsgw.bootstrap.Pod;
import io.smsgw.config.GatewayConfig;
import io.vertx.core.Vertx;

import java.util.Set;

/** A service pod and, when asked for, the provider simulator beside it in the same JVM (dev, tests, benchmarks). */
public final class DevPod implements AutoCloseable {

  private final Pod pod;
  private final ProviderSimulator simulator;

  private DevPod(Pod pod, ProviderSimulator simulator) {
    this.pod = pod;
    this.simulator = simulator;
  }

  /** Blocking: call from main or a test thread, never from an event loop. */
  public static DevPod start(GatewayConfig config, Set<DevRole> roles) throws Exception {
    ProviderSimulator simulator = roles.contains(DevRole.PROVIDER_SIM) ? ProviderSimulator.start(config) : null;
    try {
      Set<io.smsgw.bootstrap.Role> service = DevRole.serviceRoles(roles);
      return new DevPod(service.isEmpty() ? null : Pod.start(config, service), simulator);
    } catch (Exception e) {
      if (simulator != null) simulator.close();
      throw e;
    }
  }

  /** The service pod's Vert.x (null for a simulator-only pod). */
  public Vertx vertx() {
    return pod == null ? null : pod.vertx();
  }

  /** Stops the service pod first (senders drain), then the simulator. */
  public void stop() {
    if (pod != null) pod.stop();
    if (simulator != null) simulator.close();
  }

  @Override
  public void close() {
    stop();
  }
}
