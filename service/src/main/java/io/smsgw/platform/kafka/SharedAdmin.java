package io.smsgw.platform.kafka;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import org.apache.kafka.clients.admin.AdminClient;

import java.time.Duration;
import java.util.Map;

/**
 * A Kafka admin client per process and purpose, shared by every verticle instance that needs it, instead of one
 * client (a thread and its connections) per instance. The first {@link #acquire} of a purpose creates it with its
 * config (so each purpose has one config, built in one place); {@link #release} gives a handle back, and the client
 * is closed when the last handle is released.
 */
public final class SharedAdmin {

  private static final String MAP = "smsgw.kafka.admins";

  private record Holder(AdminClient admin, int users) implements Shareable {
  }

  private final Vertx vertx;
  private final String purpose;
  private final AdminClient admin;
  private boolean released;

  private SharedAdmin(Vertx vertx, String purpose, AdminClient admin) {
    this.vertx = vertx;
    this.purpose = purpose;
    this.admin = admin;
  }

  /** A handle on this process's admin client for {@code purpose}; {@code config} is used by the first handle only. */
  public static SharedAdmin acquire(Vertx vertx, String purpose, Map<String, Object> config) {
    LocalMap<String, Holder> admins = vertx.sharedData().getLocalMap(MAP);
    Holder holder = admins.compute(purpose,
      (name, shared) -> shared == null ? new Holder(AdminClient.create(config), 1) : new Holder(shared.admin(), shared.users() + 1));
    return new SharedAdmin(vertx, purpose, holder.admin());
  }

  /** The client: blocking calls on it belong off the event loop. Not to be closed by the caller: see {@link #release}. */
  public AdminClient admin() {
    return admin;
  }

  /**
   * Gives this handle back; the last one closes the client (off the event loop, waiting at most {@code timeout} for
   * its calls in flight; {@code null}: as long as they take). Releasing twice is harmless.
   */
  public Future<Void> release(Duration timeout) {
    if (released) return Future.succeededFuture();
    released = true;
    LocalMap<String, Holder> admins = vertx.sharedData().getLocalMap(MAP);
    boolean[] last = new boolean[1];
    admins.computeIfPresent(purpose, (name, shared) -> {
      if (shared.users() > 1) return new Holder(shared.admin(), shared.users() - 1);
      last[0] = true;
      return null;
    });
    if (!last[0]) return Future.succeededFuture();
    return vertx.executeBlocking(() -> {
      if (timeout == null) {
        admin.close();
      } else {
        admin.close(timeout);
      }
      return null;
    }, false);
  }
}
