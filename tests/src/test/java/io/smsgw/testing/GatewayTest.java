package io.smsgw.testing;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class against one gateway pod (every role, with the provider simulator) on the shared real services.
 * After the class, the money invariants must hold on the database.
 */
public abstract class GatewayTest {

  protected static TestGateway gateway;

  @BeforeAll
  static void startGateway() throws Exception {
    gateway = TestGateway.start();
  }

  @AfterAll
  static void stopGateway() {
    gateway.close();
    Db.assertInvariantsHold(TestServices.postgres().url());
  }
}
