package io.smsgw.provider.routing;

import io.smsgw.config.GatewayConfig;
import io.smsgw.domain.Priority;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class RouteTableTest {

  private static RouteTable table(String routes) {
    return new RouteTable(GatewayConfig.load(GatewayConfig.DEFAULT_PATH, Map.of(
      "SMSGW_ROUTING_PROVIDERS", "[{\"id\": \"a\", \"kind\": \"http\"}, {\"id\": \"b\", \"kind\": \"http\"}, {\"id\": \"c\", \"kind\": \"http\"}]",
      "SMSGW_ROUTING_ROUTES", routes)).routing());
  }

  @Test
  @DisplayName("the longest prefix wins; a lane's own route before an any route of the same prefix")
  void longestPrefix() {
    RouteTable t = table("""
      [{"prefix": "", "providers": ["a", "b"]}, {"prefix": "+98", "providers": ["b", "a"]},
       {"prefix": "98912", "providers": ["c"]}, {"prefix": "98", "lane": "vip", "providers": ["c", "b"]}]""");
    assertThat(t.candidates("+15551234567", Priority.NORMAL, () -> 0)).containsExactly("a", "b");
    assertThat(t.candidates("+989121234567", Priority.NORMAL, () -> 0)).containsExactly("c");
    assertThat(t.candidates("+989351234567", Priority.NORMAL, () -> 0)).containsExactly("b", "a");
    assertThat(t.candidates("+989351234567", Priority.VIP, () -> 0)).containsExactly("c", "b");
    assertThat(t.candidates("+989121234567", Priority.VIP, () -> 0)).as("longer prefix beats the lane").containsExactly("c");
  }

  @Test
  @DisplayName("weights draw the first provider; the others follow in their order; weight 0 is never first")
  void weights() {
    RouteTable t = table("""
      [{"prefix": "", "providers": [{"id": "a", "weight": 1}, {"id": "b", "weight": 3}, {"id": "c", "weight": 0}]}]""");
    assertThat(t.candidates("+1", Priority.NORMAL, () -> 0.0)).containsExactly("a", "b", "c");
    assertThat(t.candidates("+1", Priority.NORMAL, () -> 0.24)).containsExactly("a", "b", "c");
    assertThat(t.candidates("+1", Priority.NORMAL, () -> 0.25)).containsExactly("b", "a", "c");
    assertThat(t.candidates("+1", Priority.NORMAL, () -> 0.999)).containsExactly("b", "a", "c");
  }

  @Test
  @DisplayName("no routes: every provider in its listed order")
  void noRoutes() {
    assertThat(table("[]").candidates("+98912", Priority.NORMAL, () -> 0)).isEqualTo(List.of("a", "b", "c"));
  }
}
