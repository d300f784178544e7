package io.smsgw.api.security;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

@DisplayName("A production gateway's admin token: 32+ characters, no known default")
class AdminTokenRuleTest {

  @Test
  @DisplayName("Empty, short, known defaults and padded placeholders are refused")
  void refused() {
    for (String token : new String[] {"", "   ", null, "dev-admin-token", "test-admin-token", "change-me", "changeme",
      "CHANGE_ME", "secret", "0123456789abcdef0123456789abcde", "changemechangemechangemechangeme",
      "dev-admin-token-dev-admin-token-dev-admin-token", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}) {
      assertThat(AdminTokenRule.problem(token)).as("token '%s'", token).isPresent();
    }
  }

  @Test
  @DisplayName("32 random characters (e.g. openssl rand -hex 32) are accepted")
  void accepted() {
    assertThat(AdminTokenRule.problem("0123456789abcdef0123456789abcdef")).isEmpty();
    assertThat(AdminTokenRule.problem("4f9c1e7a2b3d8e6f0a1c5b7d9e2f4a6c8b0d1e3f5a7c9b2d4e6f8a0c1b3d5e7f")).isEmpty();
  }
}
