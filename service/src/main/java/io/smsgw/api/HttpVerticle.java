package io.smsgw.api;

import io.smsgw.api.security.ApiKeyAuthenticator;
import io.smsgw.api.security.ContractSecurity;
import io.smsgw.api.security.AdminTokenHandler;
import io.smsgw.api.errors.ErrorHandlers;
import io.smsgw.api.admin.AdminUsersHandler;
import io.smsgw.api.admin.AdminLimitsHandler;
import io.smsgw.operations.HealthHandler;

import io.smsgw.config.GatewayConfig;
import io.smsgw.platform.pg.Database;
import io.smsgw.domain.Pricing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.APIKeyHandler;
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
    ApiKeyAuthenticator keys = new ApiKeyAuthenticator(vertx, config);
    return keys.follow().compose(v -> OpenAPIContract.from(vertx, CONTRACT))
      .map(contract -> router(contract, config, keys))
      .compose(router -> {
        HttpServerOptions options = new HttpServerOptions().setPort(config.http().port())
          .setIdleTimeout(config.http().idleTimeoutS()).setIdleTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS);
        RequestDeadline deadline = new RequestDeadline(vertx, router, config.http().requestTimeoutMs(),
          config.http().idleTimeoutS() * 1000L);
        return vertx.createHttpServer(options).connectionHandler(deadline::connected).requestHandler(deadline)
          .invalidRequestHandler(ErrorHandlers::invalidHttp).listen();
      })
      .onSuccess(s -> server = s);
  }

  private Router router(OpenAPIContract contract, GatewayConfig config, ApiKeyAuthenticator keys) {
    // Each operation's security is the contract's (its own, or the global default), put by the router on the route it
    // matched, before validation and the handlers: no path spelling reaches an operation around it.
    ContractSecurity.verify(contract, java.util.Set.of("ApiKeyAuth", "AdminToken", "ProviderSignature"));
    RouterBuilder builder = RouterBuilder.create(vertx, contract, RequestExtractor.withBodyHandler())
      .rootHandler(new CanonicalPath())
      .rootHandler(new JsonContentType())
      // The limit (the bulk route's own, or http's) is checked against Content-Length before reading, and while a
      // chunked body streams (413).
      .rootHandler(new BulkBodyLimit(config.http().bodyLimitBytes(), config.bulk().bodyLimitBytes()))
      .security("ApiKeyAuth").apiKeyHandler(APIKeyHandler.create(keys).header("X-API-Key"))
      .security("AdminToken").httpHandler(new AdminTokenHandler(config.admin().token()))
      .security("ProviderSignature").apiKeyHandler(new io.smsgw.api.security.ProviderSignatureHandler(config.provider().dlrSecret()));

    AdminUsersHandler admin = new AdminUsersHandler(vertx);
    HealthHandler health = new HealthHandler(vertx, Database.pool(vertx, config), HealthHandler.producerKafka(vertx));
    io.smsgw.webhook.CallbackUrls callbackUrls = new io.smsgw.webhook.CallbackUrls(vertx, config.webhooks());
    builder.getRoute("sendSms").setDoValidation(false)
      .addHandler(new SendSmsBodyValidator(contract))
      .addHandler(new SendSmsHandler(vertx, config.pricing().toPricing(), io.smsgw.wallet.BalanceModes.from(config),
        io.smsgw.wallet.WalletVerticle.replyTimeoutMs(config), config.http().maxPendingSends(), callbackUrls,
        config.sender()));
    // Bulk send: its body is checked by hand per recipient (SendSmsBulkBody), not by the router's schema interpreter.
    builder.getRoute("sendSmsBulk").setDoValidation(false)
      .addHandler(new SendSmsBulkHandler(vertx, config.pricing().toPricing(), io.smsgw.wallet.BalanceModes.from(config),
        config.bulk(), config.sender()));
    builder.getRoute("getBulk").addHandler(new BulkStatusHandler(vertx));
    WebhookHandler webhooks = new WebhookHandler(vertx, callbackUrls);
    builder.getRoute("putWebhook").addHandler(webhooks::put);
    builder.getRoute("getWebhook").addHandler(webhooks::get);
    builder.getRoute("deleteWebhook").addHandler(webhooks::delete);
    builder.getRoute("listWebhookEvents").addHandler(webhooks::events);
    builder.getRoute("getBalance").addHandler(new BalanceHandler(vertx));
    builder.getRoute("getMessageStatus").addHandler(new MessageStatusHandler(vertx));
    builder.getRoute("cancelMessage").addHandler(new CancelMessageHandler(vertx));
    builder.getRoute("createUser").addHandler(admin::create);
    builder.getRoute("topUp").addHandler(admin::topUp);
    builder.getRoute("createApiKey").addHandler(admin::createApiKey);
    builder.getRoute("revokeApiKey").addHandler(admin::revokeApiKey);
    AdminLimitsHandler limits = new AdminLimitsHandler(vertx);
    builder.getRoute("setUserLimits").addHandler(limits::set);
    builder.getRoute("removeUserLimits").addHandler(limits::remove);
    builder.getRoute("live").addHandler(health::live);
    builder.getRoute("ready").addHandler(health::readyStatus);  // the details are on the operations port
    builder.getRoute("metrics").addHandler(PrometheusScrapingHandler.create());
    builder.getRoute("receiveDeliveryReports").setDoValidation(false)
      .addHandler(new ContractBodyValidator(contract, "receiveDeliveryReports", DeliveryReportsBodyCheck::plainlyValid))
      .addHandler(new DeliveryReportsHandler(vertx));
    builder.getRoute("getCluster").addHandler(new io.smsgw.operations.ClusterView(vertx)::handle);
    builder.getRoute("getProviders").addHandler(new io.smsgw.operations.ProvidersView(vertx)::handle);

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
