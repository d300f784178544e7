package io.smsgw.config;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoutingSettingsTest {

  private static final String PROVIDERS = """
    [{"id": "web", "kind": "http", "settings": {"url": "http://10.0.0.5:9090", "timeout_ms": 1500}},
     {"id": "smsc-ir", "kind": "smpp", "settings": {"host": "10.0.0.7", "binds": 4}}]""";

  private static GatewayConfig load(Map<String, String> env) {
    return GatewayConfig.load(GatewayConfig.DEFAULT_PATH, env);
  }

  private static ConfigException refused(Map<String, String> env) {
    try {
      load(env);
    } catch (ConfigException e) {
      return e;
    }
    throw new AssertionError("the configuration was accepted");
  }

  @Test
  @DisplayName("no providers listed: the provider section alone, named http (or smpp.provider_id)")
  void defaultProvider() {
    RoutingSettings routing = load(Map.of()).routing();
    assertThat(routing.providers()).hasSize(1);
    assertThat(routing.providers().get(0).id()).isEqualTo("http");
    assertThat(routing.providers().get(0).isSmpp()).isFalse();
    assertThat(routing.routes()).isEmpty();
    RoutingSettings smpp = load(Map.of("SMSGW_PROVIDER_KIND", "smpp", "SMSGW_SMPP_PROVIDER_ID", "smsc-9")).routing();
    assertThat(smpp.providers().get(0).id()).isEqualTo("smsc-9");
    assertThat(smpp.providers().get(0).isSmpp()).isTrue();
  }

  @Test
  @DisplayName("a provider's settings override its kind's section; what it leaves out is the section's")
  void providersInherit() {
    RoutingSettings routing = load(Map.of("SMSGW_ROUTING_PROVIDERS", PROVIDERS,
      "SMSGW_ROUTING_ROUTES", "[{\"prefix\": \"+98\", \"providers\": [\"smsc-ir\", \"web\"]}, {\"prefix\": \"\", \"providers\": [\"web\"]}]",
      "SMSGW_SMPP_WINDOW", "16")).routing();
    RoutingSettings.ProviderSpec web = routing.provider("web");
    assertThat(web.http().url()).isEqualTo("http://10.0.0.5:9090");
    assertThat(web.http().timeoutMs()).isEqualTo(1500);
    assertThat(web.http().batchSize()).isEqualTo(200);
    RoutingSettings.ProviderSpec smsc = routing.provider("smsc-ir");
    assertThat(smsc.smpp().providerId()).isEqualTo("smsc-ir");
    assertThat(smsc.smpp().binds()).isEqualTo(4);
    assertThat(smsc.smpp().window()).as("from SMSGW_SMPP_WINDOW").isEqualTo(16);
    assertThat(routing.routes()).hasSize(2);
    assertThat(routing.routes().get(0).prefix()).isEqualTo("98");
    assertThat(routing.routes().get(0).lane()).isEqualTo("any");
  }

  @Test
  @DisplayName("wrong entries are refused, each named")
  void refusals() {
    ConfigException e = refused(Map.of("SMSGW_ROUTING_PROVIDERS",
      "[{\"id\": \"a\", \"kind\": \"http\", \"settings\": {\"timeout_ms\": \"soon\", \"colour\": 1}}, {\"id\": \"a\", \"kind\": \"sms\"}, {\"id\": \"b c\", \"kind\": \"http\"}]",
      "SMSGW_ROUTING_ROUTES", "[{\"prefix\": \"+98\", \"providers\": [\"zz\"]}, {\"prefix\": \"x\", \"providers\": [\"a\"]}]"));
    assertThat(String.join("\n", e.problems()))
      .contains("providers[0] (a): provider.timeout_ms")
      .contains("colour")
      .contains("providers[1] (a).kind must be \"http\" or \"smpp\"")
      .contains("providers[2].id must be 1 to 64 letters")
      .contains("routes[0].providers: \"zz\" is not in routing.providers")
      .contains("routes[1].prefix must be a string of digits")
      .contains("no catch-all route");
    assertThat(refused(Map.of("SMSGW_ROUTING_ROUTES", "not json")).problems())
      .anyMatch(p -> p.startsWith("routing.routes (SMSGW_ROUTING_ROUTES): ") && p.contains("is not JSON"));
  }
}
