package io.smsgw.platform.pg;

import io.vertx.core.eventbus.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Failure replies shared by the storage-backed verticles: the HTTP side turns 503 into {@code unavailable}. */
public final class Replies {

  private static final Logger LOG = LoggerFactory.getLogger(Replies.class);

  private Replies() {
  }

  public static void unavailable(Message<?> request, Throwable failure) {
    LOG.warn("storage failure on " + request.address() + ": " + failure.getMessage());
    request.fail(503, "storage unavailable");
  }
}
