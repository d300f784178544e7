package io.smsgw.platform.eventbus;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;

/**
 * Which event-bus hops stay in the pod and which cross the cluster.
 * <ul>
 *   <li>A capability's verticle serves its request addresses with {@link #serve}: reachable from other pods when Vert.x
 *   is clustered (a plain local consumer otherwise), and noted as served in this pod.</li>
 *   <li>A caller takes its options from {@link #to}: local only when this pod serves the address, so the hot path never
 *   leaves a pod that has the verticle (a clustered request round-robins over every pod otherwise); cluster-wide when
 *   it does not, e.g. an edge pod that charges through another pod's wallet.</li>
 *   <li>A change every pod must see at once (a revoked key, a changed rate limit, a balance to drop from a cache) is
 *   published without {@code localOnly} and heard with {@link #hear}.</li>
 * </ul>
 * Decided once when the caller is built: a pod's verticles are deployed before its HTTP verticle (bootstrap.Pod).
 */
public final class Bus {

  private static final String SERVED = "smsgw.served-addresses";

  private Bus() {
  }

  /** A request address this pod serves. */
  public static <T> MessageConsumer<T> serve(Vertx vertx, String address, Handler<Message<T>> handler) {
    vertx.sharedData().getLocalMap(SERVED).put(address, Boolean.TRUE);
    return vertx.isClustered() ? vertx.eventBus().consumer(address, handler) : vertx.eventBus().localConsumer(address, handler);
  }

  /** A publication address: hears what any pod of the cluster publishes there. */
  public static <T> MessageConsumer<T> hear(Vertx vertx, String address, Handler<Message<T>> handler) {
    return vertx.isClustered() ? vertx.eventBus().consumer(address, handler) : vertx.eventBus().localConsumer(address, handler);
  }

  public static boolean servedHere(Vertx vertx, String address) {
    return vertx.sharedData().getLocalMap(SERVED).containsKey(address);
  }

  /** {@code base} with {@code localOnly} set when this pod serves {@code address}, cleared when only other pods do. */
  public static DeliveryOptions to(Vertx vertx, String address, DeliveryOptions base) {
    return new DeliveryOptions(base).setLocalOnly(servedHere(vertx, address));
  }
}
