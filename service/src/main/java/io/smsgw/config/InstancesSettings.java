package io.smsgw.config;

/** {@code instances.*}: how many copies of each verticle a pod deploys; 0 leaves that verticle out of the pod. */
public record InstancesSettings(int http, int account, int apiKeyRevocations, int wallet, int messageStatus, int kafkaProducer,
                                int reservation, int settlement, int senderNormal, int senderVip, int providerSim,
                                int workerOps, int rateLimit, int deliveryReports, int webhooks,
                                int webhookDispatcher) {

  static InstancesSettings from(ConfigReader.Section s) {
    return new InstancesSettings(
      count(s, "http"), count(s, "account"), count(s, "api_key_revocations"), count(s, "wallet"), count(s, "message_status"),
      count(s, "kafka_producer"), count(s, "reservation"), count(s, "settlement"), count(s, "sender_normal"),
      count(s, "sender_vip"), count(s, "provider_sim"), count(s, "worker_ops"), count(s, "rate_limit"),
      count(s, "delivery_reports"), count(s, "webhooks"), count(s, "webhook_dispatcher"));
  }

  private static int count(ConfigReader.Section s, String key) {
    return s.integer(key, 0, 1024);
  }
}
