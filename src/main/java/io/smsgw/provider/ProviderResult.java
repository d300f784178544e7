package io.smsgw.provider;

/** What a provider said about one send. */
public sealed interface ProviderResult {

  /** Accepted (queued by the provider): the message is {@code sent}. */
  record Accepted(String providerMessageId) implements ProviderResult {
  }

  /** Will never succeed: {@code failed} (bad number...) or {@code rejected} (blocked by the operator). */
  record Permanent(String status, String reason) implements ProviderResult {
  }

  /** May succeed later: 5xx, 429, a timeout, a broken connection. */
  record Transient(String reason) implements ProviderResult {
  }
}
