package io.smsgw.http;

import io.smsgw.config.GatewayConfig;
import io.smsgw.storage.Database;
import io.smsgw.wallet.Pricing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.APIKeyHandler;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.micrometer.PrometheusScrapingHandler;
import io.vertx.openapi.contract.OpenAPIContract;

/**
 * The public HTTP API. Routes and request validation come from {@code openapi/openapi.yaml}, each operation
 * to one handler; the handlers talk to the wallet, account, status and Kafka verticles over the event bus.
 */
public class HttpVerticle extends VerticleBase {

  public static final String CONTRACT = "openapi/openapi.yaml";

  private HttpServer server;

  @Override
  public Future<?> start() {
    GatewayConfig config = new GatewayConfig(config());
    return OpenAPIContract.from(vertx, CONTRACT)
      .map(contract -> router(contract, config))
      .compose(router -> vertx.createHttpServer(new HttpServerOptions().setPort(config.httpPort()))
        .requestHandler(router)
        .invalidRequestHandler(ErrorHandlers::invalidHttp)
        .listen())
      .onSuccess(s -> server = s);
  }

  private Router router(OpenAPIContract contract, GatewayConfig config) {
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
      .rootHandler(new JsonContentType())
      .rootHandler(BodyHandler.create(false).setBodyLimit(config.bodyLimitBytes()))
      .rootHandler(new AdminTokenHandler(config.adminToken()))
      .security("ApiKeyAuth").apiKeyHandler(APIKeyHandler.create(new ApiKeyAuthenticator(vertx)).header("X-API-Key"));

    AdminUsersHandler admin = new AdminUsersHandler(vertx);
    HealthHandler health = new HealthHandler(vertx, Database.pool(vertx, config));
    builder.getRoute("sendSms").setDoValidation(false)
      .addHandler(new SendSmsBodyValidator(contract))
      .addHandler(new SendSmsHandler(vertx, Pricing.from(config), io.smsgw.reservation.BalanceModes.from(config)));
    builder.getRoute("getBalance").addHandler(new BalanceHandler(vertx));
    builder.getRoute("getMessageStatus").addHandler(new MessageStatusHandler(vertx));
    // The admin bearer token is checked by AdminTokenHandler (the router only knows JWT bearer schemes).
    builder.getRoute("createUser").setDoSecurity(false).addHandler(admin::create);
    builder.getRoute("topUp").setDoSecurity(false).addHandler(admin::topUp);
    builder.getRoute("live").addHandler(health::live);
    builder.getRoute("ready").addHandler(health::ready);
    builder.getRoute("metrics").addHandler(PrometheusScrapingHandler.create());

    Router router = builder.createRouter();
    SwaggerUi.mount(vertx, router, CONTRACT);
    ErrorHandlers.register(router);
    return router;
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
