package io.smsgw.api.security;

import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.SecurityRequirement;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Start-up check of the contract's security, before the router is built from it: every scheme that an operation's
 * requirements name (its own {@code security}, or the contract's global default) must be one this gateway has a
 * handler for; otherwise the pod does not start. The router then enforces each operation's requirements on the
 * route it matched ({@code RouterBuilder.security(...)}), so no path spelling reaches an operation around them.
 */
public final class ContractSecurity {

  private ContractSecurity() {
  }

  /** @throws IllegalStateException naming each operation whose security names a scheme not in {@code known} */
  public static void verify(OpenAPIContract contract, Set<String> known) {
    List<String> problems = new ArrayList<>();
    for (var path : contract.getPaths()) {
      for (Operation operation : path.getOperations()) {
        for (SecurityRequirement requirement : operation.getSecurityRequirements()) {
          for (String scheme : requirement.getNames()) {
            if (!known.contains(scheme)) {
              problems.add(operation.getOperationId() + " names the unknown security scheme '" + scheme + "'");
            } else if (contract.securityScheme(scheme) == null) {
              problems.add(operation.getOperationId() + " names '" + scheme + "', which components.securitySchemes lacks");
            }
          }
        }
      }
    }
    if (!problems.isEmpty()) throw new IllegalStateException("contract security: " + String.join("; ", problems));
  }
}
