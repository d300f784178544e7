package io.smsgw.provider;

import io.smsgw.config.GatewayConfig;
import io.smsgw.devkit.DevEnvironment;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** How dev and test pods wire the local simulator's delivery reports to their own gateway. No services needed. */
@DisplayName("Dev wiring of the simulator's delivery reports")
class DevDeliveryReportsTest {

  static GatewayConfig load(Map<String, String> env) {
    return GatewayConfig.load(GatewayConfig.DEFAULT_PATH, env);
  }

  @Test
  @DisplayName("Both secrets empty: one random 64-hex-digit secret for both; reports to the pod's API port")
  void generatedSecretAndUrl() {
    GatewayConfig config = DevEnvironment.withDeliveryReports(DevEnvironment.withLocalSimulator(load(Map.of("SMSGW_HTTP_PORT", "18123"))));
    assertThat(DevEnvironment.withLocalSimulator(load(Map.of("SMSGW_HTTP_PORT", "18123"))).providerSim().sendsReports())
      .as("test pods get reports only when they ask").isFalse();
    assertThat(config.providerSim().dlrUrl()).isEqualTo("http://127.0.0.1:18123/provider/delivery-reports");
    assertThat(config.provider().dlrSecret()).matches("[0-9a-f]{64}").isEqualTo(config.providerSim().dlrSecret());
    GatewayConfig other = DevEnvironment.withDeliveryReports(load(Map.of("SMSGW_HTTP_PORT", "18123")));
    assertThat(other.provider().dlrSecret()).as("a new secret each time").isNotEqualTo(config.provider().dlrSecret());
  }

  @Test
  @DisplayName("A secret or URL that is set is kept, and one secret set leaves the other empty; http.port 0 sends no reports")
  void setValuesKept() {
    GatewayConfig both = DevEnvironment.withDeliveryReports(load(Map.of("SMSGW_PROVIDER_DLR_SECRET", "gw",
      "SMSGW_PROVIDER_SIM_DLR_SECRET", "sim", "SMSGW_PROVIDER_SIM_DLR_URL", "https://receiver.example/dlr")));
    assertThat(both.provider().dlrSecret()).isEqualTo("gw");
    assertThat(both.providerSim().dlrSecret()).isEqualTo("sim");
    assertThat(both.providerSim().dlrUrl()).isEqualTo("https://receiver.example/dlr");
    GatewayConfig gatewayOnly = DevEnvironment.withDeliveryReports(load(Map.of("SMSGW_PROVIDER_DLR_SECRET", "gw")));
    assertThat(gatewayOnly.provider().dlrSecret()).isEqualTo("gw");
    assertThat(gatewayOnly.providerSim().dlrSecret()).as("a test that posts its own reports").isEmpty();
    GatewayConfig simulatorOnly = DevEnvironment.withDeliveryReports(load(Map.of("SMSGW_PROVIDER_SIM_DLR_SECRET", "sim")));
    assertThat(simulatorOnly.provider().dlrSecret()).isEmpty();
    GatewayConfig freePort = DevEnvironment.withDeliveryReports(load(Map.of("SMSGW_HTTP_PORT", "0")));
    assertThat(freePort.providerSim().sendsReports()).isFalse();
  }

  @Test
  @DisplayName("dlr_url off: no reports, and dev leaves it so (the e2e benchmark without reports)")
  void reportsOff() {
    GatewayConfig off = DevEnvironment.withDeliveryReports(load(Map.of("SMSGW_HTTP_PORT", "18123", "SMSGW_PROVIDER_SIM_DLR_URL", "off")));
    assertThat(off.providerSim().dlrUrl()).isEqualTo("off");
    assertThat(off.providerSim().sendsReports()).isFalse();
  }
}
