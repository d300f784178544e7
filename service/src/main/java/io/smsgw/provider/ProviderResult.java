package io.smsgw.provider;

/** What a provider said about one send. */
public sealed interface ProviderResult {

  /** Accepted (queued by the provider): the message is {@code sent}. */
  record Accepted(String providerMessageId) implements ProviderResult {
  }

  /** Will never succeed: {@code failed} (bad number...) or {@code rejected} (blocked by the operator). */
  record Permanent(String status, String reason) implements ProviderResult {
  }

  /**
   * May succeed later. {@code mayHaveBeenTaken}: the request may have reached the provider and been acted on without
   * our hearing it (a timeout, a broken connection, a 5xx other than 503, an answer we cannot read). False when the
   * provider said it did not take it (429, 503, a per-message {@code retry}) or the request never left (connection
   * refused): only then is a give-up certain enough for a refund without asking the provider, or a failover to
   * another provider. {@code providerFault}: the provider, or the way to it, failed (a timeout, a refused connection,
   * a 5xx, throttling), which its circuit breaker counts; false for an answer about this one message (a per-message
   * {@code retry}) or a failure on our side (the database), which say nothing about the provider's health.
   */
  record Transient(String reason, boolean mayHaveBeenTaken, boolean providerFault) implements ProviderResult {

    /** A failure of the provider or of the way to it. */
    public Transient(String reason, boolean mayHaveBeenTaken) {
      this(reason, mayHaveBeenTaken, true);
    }
  }

  /**
   * Perhaps taken, and sending again could double it while asking cannot settle it (an SMPP part whose submit_sm_resp
   * never came: SMPP has no idempotency key, and without the SMSC's id there is nothing to query). The sends end here;
   * the message is given up as in doubt (never refunded on a guess).
   */
  record InDoubt(String reason) implements ProviderResult {
  }
}
