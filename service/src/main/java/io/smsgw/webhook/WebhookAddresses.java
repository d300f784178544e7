package io.smsgw.webhook;

/** Event-bus addresses of the webhook registry (gateway pods, {@link WebhookVerticle}). */
public final class WebhookAddresses {

  /** {@code {"user_id", "url"}} → {@code {"url", "secret", "created_at", "updated_at"}}: a new secret every time. */
  public static final String PUT = "webhook.put";
  /** {@code {"user_id"}} → {@code {"url", "created_at", "updated_at"}}, or fails 404. */
  public static final String GET = "webhook.get";
  /** {@code {"user_id"}} → {@code {}}, or fails 404. */
  public static final String DELETE = "webhook.delete";
  /** {@code {"user_id", "status"?, "limit"}} → {@code {"events": [...]}}, newest first. */
  public static final String EVENTS = "webhook.events";

  private WebhookAddresses() {
  }
}
