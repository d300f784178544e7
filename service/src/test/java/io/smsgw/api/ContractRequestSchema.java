package io.smsgw.api;

import io.vertx.core.Vertx;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.OpenAPIContract;

/** The contract's JSON request-body schema of one operation, for tests that hold a hand check to it. */
final class ContractRequestSchema implements AutoCloseable {

  private final Vertx vertx = Vertx.vertx();
  final Validator validator;

  ContractRequestSchema(String operationId) {
    OpenAPIContract contract = OpenAPIContract.from(vertx, HttpVerticle.CONTRACT).await();
    validator = contract.getSchemaRepository().validator(
      contract.operation(operationId).getRequestBody().getContent().get("application/json").getSchema());
  }

  @Override
  public void close() {
    vertx.close().await();
  }
}
