package io.smsgw.api;

import io.smsgw.api.errors.ApiError;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * Swagger UI at {@code /swagger/index.html}, from the swagger-ui webjar, reading the contract at
 * {@code /openapi.yaml}. The webjar's own initializer points at the petstore, so ours is served first.
 */
final class SwaggerUi {

  private static final String WEBJAR = "META-INF/resources/webjars/swagger-ui/5.34.1";
  private static final String INITIALIZER = """
    window.onload = function() {
      window.ui = SwaggerUIBundle({
        url: "/openapi.yaml",
        dom_id: "#swagger-ui",
        deepLinking: true,
        presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
        plugins: [SwaggerUIBundle.plugins.DownloadUrl],
        layout: "StandaloneLayout"
      });
    };
    """;

  private SwaggerUi() {
  }

  static void mount(Vertx vertx, Router router, String contractPath) {
    router.get("/openapi.yaml").handler(rc -> vertx.fileSystem().readFile(contractPath).onComplete(
      file -> rc.response().putHeader("Content-Type", "application/yaml").end(file),
      failure -> ApiError.NOT_FOUND.send(rc, "contract not found")));
    router.get("/swagger").handler(rc -> rc.redirect("/swagger/index.html"));
    router.get("/swagger/").handler(rc -> rc.redirect("/swagger/index.html"));
    router.get("/swagger/swagger-initializer.js").handler(rc ->
      rc.response().putHeader("Content-Type", "application/javascript").end(INITIALIZER));
    router.get("/swagger/*").handler(StaticHandler.create(WEBJAR));
  }
}
