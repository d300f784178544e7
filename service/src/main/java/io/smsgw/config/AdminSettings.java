package io.smsgw.config;

/**
 * {@code admin.*}: the bearer token of {@code /admin/*}. Empty is allowed here (the dev kit and the tests fill it in);
 * {@code smsgw gateway | all} refuses a weak one before it starts (AdminTokenRule).
 */
public record AdminSettings(String token) {

  static AdminSettings from(ConfigReader.Section s) {
    return new AdminSettings(s.string("token"));
  }

  @Override
  public String toString() {
    return "AdminSettings[token=" + (token.isEmpty() ? "" : "***") + "]";
  }
}
