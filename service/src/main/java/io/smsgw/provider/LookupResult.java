package io.smsgw.provider;

/** What the provider's lookup said about a message, by its idempotency key. */
public sealed interface LookupResult {

  /** The provider holds it: an earlier attempt got through. */
  record Found(String providerMessageId) implements LookupResult {
  }

  /** The provider says it has no such message (a 404 that names it so, not a missing endpoint). */
  record NotFound() implements LookupResult {
  }

  /** This provider has no lookup (configured so, or it answered 401/403/405/501 or a bare 404): asking again will not help. */
  record Unsupported(String reason) implements LookupResult {
  }

  /** No answer that can be trusted right now (a timeout, a 5xx, a 200 without an id): ask again later. */
  record CannotSay(String reason) implements LookupResult {
  }
}
