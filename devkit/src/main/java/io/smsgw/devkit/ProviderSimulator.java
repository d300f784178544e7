package io.smsgw.devkit;

import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.simulator.ProviderSimulatorState;
import io.smsgw.devkit.simulator.ProviderSimulatorVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The provider simulator on its own Vert.x, with {@code instances.provider_sim} verticles sharing one state (one
 * simulated provider). Needs no database and no Kafka. Blocking start and stop.
 */
public final class ProviderSimulator implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ProviderSimulator.class);

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
    if (config.providerSim().sendsReports()) {
      LOG.info("provider simulator: delivery reports to {}", config.providerSim().dlrUrl());
      if (config.providerSim().dlrSecret().isEmpty()) {
        LOG.warn("provider simulator: provider_sim.dlr_secret is empty: delivery reports go unsigned, and a gateway refuses them");
      }
    }
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
