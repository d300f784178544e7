package io.smsgw.api;

import io.smsgw.client.ApiClient;
import io.smsgw.client.ApiException;
import io.smsgw.client.api.AdminApi;
import io.smsgw.client.api.MessagesApi;
import io.smsgw.client.api.WalletApi;
import io.smsgw.client.model.Balance;
import io.smsgw.client.model.BulkStatus;
import io.smsgw.client.model.SendSmsBulkRequest;
import io.smsgw.client.model.SendSmsBulkRequestRecipientsInner;
import io.smsgw.client.model.SendSmsBulkResponse;
import io.smsgw.client.model.CreateUserRequest;
import io.smsgw.client.model.CreatedUser;
import io.smsgw.client.model.MessageStatus;
import io.smsgw.client.model.SendSmsRequest;
import io.smsgw.client.model.SendSmsResponse;
import io.smsgw.testing.GatewayTest;
import io.smsgw.testing.TestGateway;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * A customer's view: a Java client generated from openapi/openapi.yaml (openapi-generator, library native, see
 * tests/pom.xml) and nothing else talks to a gateway pod. If the contract and the service disagree on a path, a
 * field, a type or a status code, this is where it shows.
 */
@DisplayName("A client generated from the contract sends an SMS, reads the balance and the status")
class GeneratedClientIT extends GatewayTest {

  private static ApiClient client(java.util.function.Consumer<java.net.http.HttpRequest.Builder> credentials) {
    return new ApiClient()
      .setScheme("http").setHost("127.0.0.1").setPort(gateway.config.http().port())
      .setConnectTimeout(Duration.ofSeconds(10)).setReadTimeout(Duration.ofSeconds(30))
      .setRequestInterceptor(credentials);
  }

  @Test
  @DisplayName("send-sms with the user's X-API-Key → 200 pending; balance charged; status reaches sent")
  void sendReadBalanceReadStatus() throws Exception {
    AdminApi admin = new AdminApi(client(request -> request.header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)));
    CreatedUser user = admin.createUser(new CreateUserRequest().name("generated-client").balance(1_000));
    assertThat(user.getBalance()).isEqualTo(1_000L);
    assertThat(user.getApiKey()).isNotBlank();

    ApiClient asUser = client(request -> request.header("X-API-Key", user.getApiKey()));
    MessagesApi messages = new MessagesApi(asUser);
    WalletApi wallet = new WalletApi(asUser);

    UUID messageId = UUID.randomUUID();
    SendSmsResponse accepted = messages.sendSms(new SendSmsRequest()
      .messageId(messageId).userId(user.getUserId()).phoneNumber("+14155550100").message("hello from a generated client"));
    assertThat(accepted.getMessageId()).isEqualTo(messageId);
    assertThat(accepted.getStatus()).isEqualTo(SendSmsResponse.StatusEnum.PENDING);
    assertThat(accepted.getSegments()).isEqualTo(1);
    assertThat(accepted.getEncoding()).isEqualTo(SendSmsResponse.EncodingEnum.GSM7);
    assertThat(accepted.getCost()).isEqualTo(100);

    Balance balance = wallet.getBalance(user.getUserId());
    assertThat(balance.getUserId()).isEqualTo(user.getUserId());
    assertThat(balance.getBalance()).isEqualTo(900L);

    MessageStatus status = messages.getMessageStatus(messageId);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (status.getStatus() != MessageStatus.StatusEnum.SENT && System.nanoTime() < deadline) {
      Thread.sleep(100);
      status = messages.getMessageStatus(messageId);
    }
    assertThat(status.getStatus()).as("status " + status).isEqualTo(MessageStatus.StatusEnum.SENT);
    assertThat(status.getMessageId()).isEqualTo(messageId);
    assertThat(status.getCost()).isEqualTo(100);
    assertThat(status.getProviderMessageId()).isNotBlank();

    // The same message_id again: the contract's 400 duplicate_message_id, as an ApiException with the error body.
    ApiException duplicate = catchThrowableOfType(ApiException.class, () -> messages.sendSms(new SendSmsRequest()
      .messageId(messageId).userId(user.getUserId()).phoneNumber("+14155550100").message("again")));
    assertThat(duplicate.getCode()).isEqualTo(400);
    assertThat(duplicate.getResponseBody()).contains("duplicate_message_id");
    assertThat(wallet.getBalance(user.getUserId()).getBalance()).isEqualTo(900L);
  }

  @Test
  @DisplayName("send-sms/bulk and GET /bulk through the generated client: the answers parse as the contract's schemas")
  void bulk() throws Exception {
    AdminApi admin = new AdminApi(client(request -> request.header("Authorization", "Bearer " + TestGateway.ADMIN_TOKEN)));
    CreatedUser user = admin.createUser(new CreateUserRequest().name("generated-client-bulk").balance(1_000));
    MessagesApi messages = new MessagesApi(client(request -> request.header("X-API-Key", user.getApiKey())));
    UUID bulkId = UUID.randomUUID();
    SendSmsBulkRequest request = new SendSmsBulkRequest().bulkId(bulkId).userId(user.getUserId()).message("hello, all")
      .addRecipientsItem(new SendSmsBulkRequestRecipientsInner().messageId(UUID.randomUUID()).phoneNumber("+14155550100"))
      .addRecipientsItem(new SendSmsBulkRequestRecipientsInner().messageId(UUID.randomUUID()).phoneNumber("+1415"));

    SendSmsBulkResponse accepted = messages.sendSmsBulk(request);

    assertThat(accepted.getBulkId()).isEqualTo(bulkId);
    assertThat(accepted.getStatus()).isEqualTo(SendSmsBulkResponse.StatusEnum.PENDING);
    assertThat(accepted.getAccepted()).isEqualTo(1);
    assertThat(accepted.getRejected()).isEqualTo(1);
    assertThat(accepted.getCost()).isEqualTo(100L);
    assertThat(accepted.getRejectedItems()).hasSize(1);
    assertThat(accepted.getRejectedItems().get(0).getIndex()).isEqualTo(1);
    BulkStatus status = messages.getBulk(bulkId);
    assertThat(status.getAccepted()).isEqualTo(1);
    assertThat(status.getStatuses().getPending() + status.getStatuses().getSent() + status.getStatuses().getDelivered()).isEqualTo(1);
    assertThat(messages.sendSmsBulkWithHttpInfo(request).getHeaders().get("idempotent-replayed")).containsExactly("true");
  }
}
