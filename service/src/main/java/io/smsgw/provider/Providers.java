package io.smsgw.provider;

import io.smsgw.config.GatewayConfig;
import io.smsgw.provider.smpp.SmppSmsProvider;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

/** The provider a worker's sender sends through, by {@code provider.kind}. */
public final class Providers {

  private Providers() {
  }

  /** {@code pool}: the sender's database pool (the SMPP provider records each part the SMSC took). */
  public static SmsProvider create(Vertx vertx, Pool pool, GatewayConfig config) {
    return config.provider().smpp() ? new SmppSmsProvider(vertx, pool, config.smpp()) : new HttpSmsProvider(vertx, config);
  }
}
