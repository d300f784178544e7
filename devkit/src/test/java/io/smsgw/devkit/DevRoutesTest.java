package io.smsgw.devkit;

import io.smsgw.config.GatewayConfig;
import io.smsgw.config.RoutingSettings;
import io.smsgw.domain.Priority;
import io.smsgw.provider.routing.RouteTable;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class DevRoutesTest {

  @Test
  @DisplayName("SMSGW_DEV_PROVIDER=both: the two simulators as providers, +98 to the SMSC first, the rest to HTTP first")
  void bothSimulatorsRouted() {
    GatewayConfig base = DevEnvironment.withLocalSimulator(GatewayConfig.load(GatewayConfig.DEFAULT_PATH, Map.of()));
    RoutingSettings routing = DevEnvironment.withRoutes(base, 42775).routing();
    RoutingSettings.ProviderSpec http = routing.provider(DevEnvironment.BOTH_HTTP_ID);
    RoutingSettings.ProviderSpec smpp = routing.provider(DevEnvironment.BOTH_SMPP_ID);
    assertThat(http.http().url()).as("the HTTP simulator's, from provider.url").isEqualTo(base.provider().url());
    assertThat(smpp.smpp().host()).isEqualTo("127.0.0.1");
    assertThat(smpp.smpp().port()).isEqualTo(42775);
    assertThat(smpp.smpp().systemId()).isEqualTo(base.providerSim().smppSystemId());
    assertThat(smpp.smpp().password()).isEqualTo(base.providerSim().smppPassword());
    RouteTable table = new RouteTable(routing);
    assertThat(table.candidates("+989121234567", Priority.NORMAL, () -> 0))
      .containsExactly(DevEnvironment.BOTH_SMPP_ID, DevEnvironment.BOTH_HTTP_ID);
    assertThat(table.candidates("+15551234567", Priority.VIP, () -> 0))
      .containsExactly(DevEnvironment.BOTH_HTTP_ID, DevEnvironment.BOTH_SMPP_ID);
  }
}
