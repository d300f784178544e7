package io.smsgw.api.security;

import io.smsgw.api.HttpVerticle;

import io.vertx.core.Vertx;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@DisplayName("Each operation's security comes from the contract; an unknown scheme stops the start")
class ContractSecurityTest {

  static final Vertx vertx = Vertx.vertx();

  @AfterAll
  static void close() {
    vertx.close();
  }

  @Test
  @DisplayName("The contract's operations and their schemes (own or global default): admin and /metrics AdminToken, users ApiKeyAuth, the provider's reports ProviderSignature, health none")
  void theContract() throws Exception {
    OpenAPIContract contract = OpenAPIContract.from(vertx, HttpVerticle.CONTRACT).await();
    ContractSecurity.verify(contract, Set.of("ApiKeyAuth", "AdminToken", "ProviderSignature"));
    Map<String, String> schemes = new TreeMap<>();
    for (var path : contract.getPaths()) {
      for (Operation op : path.getOperations()) {
        schemes.put(op.getOperationId(), op.getSecurityRequirements().stream()
          .flatMap(r -> r.getNames().stream()).sorted().collect(Collectors.joining(",")));
      }
    }
    assertThat(schemes).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
      Map.entry("sendSms", "ApiKeyAuth"), Map.entry("sendSmsBulk", "ApiKeyAuth"), Map.entry("getBulk", "ApiKeyAuth"),
      Map.entry("getBalance", "ApiKeyAuth"), Map.entry("getMessageStatus", "ApiKeyAuth"),
      Map.entry("cancelMessage", "ApiKeyAuth"),
      Map.entry("putWebhook", "ApiKeyAuth"), Map.entry("getWebhook", "ApiKeyAuth"), Map.entry("deleteWebhook", "ApiKeyAuth"),
      Map.entry("listWebhookEvents", "ApiKeyAuth"),
      Map.entry("createUser", "AdminToken"), Map.entry("topUp", "AdminToken"), Map.entry("createApiKey", "AdminToken"),
      Map.entry("revokeApiKey", "AdminToken"), Map.entry("setUserLimits", "AdminToken"), Map.entry("removeUserLimits", "AdminToken"),
      Map.entry("metrics", "AdminToken"), Map.entry("getCluster", "AdminToken"), Map.entry("getProviders", "AdminToken"), Map.entry("receiveDeliveryReports", "ProviderSignature"), Map.entry("live", ""), Map.entry("ready", "")));
  }

  @Test
  @DisplayName("An operation whose security names a scheme the gateway has no handler for fails the start")
  void unknownScheme() throws Exception {
    OpenAPIContract contract = OpenAPIContract.from(vertx, "service/src/test/resources/contracts/unknown-scheme.yaml").await();
    assertThatThrownBy(() -> ContractSecurity.verify(contract, Set.of("ApiKeyAuth", "AdminToken")))
      .isInstanceOf(IllegalStateException.class).hasMessageContaining("b names the unknown security scheme 'Cookie'");
  }
}
