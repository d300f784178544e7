package io.smsgw.devkit;

import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.simulator.ProviderSimulatorState;
import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;

/**
 * The provider simulator on its own Vert.x, with {@code instances.provider_sim} verticles sharing one state (one
 * simulated provider). Needs no database and no Kafka. Blocking start and stop.
 */
public final class ProviderSimulator implements AutoCloseable {

  private final Vertx vertx;
  public final ProviderSimulatorState state;

  private ProviderSimulator(Vertx vertx, ProviderSimulatorState state) {
    this.vertx = vertx;
    this.state = state;
  }

  public static ProviderSimulator start(GatewayConfig config) throws Exception {
    return start(config, new ProviderSimulatorState());
  }

  /** With a state the caller keeps: the chaos benchmark reads per-key deliveries from it directly. */
  public static ProviderSimulator start(GatewayConfig config, ProviderSimulatorState state) throws Exception {
    Vertx vertx = Vertx.vertx();  // its own, without the pod's metrics: one JVM's meters are registered once
    try {
      int instances = Math.max(1, config.instances().providerSim());
      vertx.deployVerticle(() -> new ProviderSimulatorVerticle(state),
        new DeploymentOptions().setConfig(config.json()).setInstances(instances)).await();
    } catch (Exception e) {
      vertx.close().await();
      throw e;
    }
    return new ProviderSimulator(vertx, state);
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
