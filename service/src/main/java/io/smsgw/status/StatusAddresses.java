package io.smsgw.status;

/** Message status lookups on the event bus. */
public final class StatusAddresses {

  private StatusAddresses() {
  }

  public static final String MESSAGE_STATUS = "message.status";
}
