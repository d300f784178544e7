package io.smsgw.platform.kafka;

import io.smsgw.domain.Priority;

import io.smsgw.config.GatewayConfig;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** The Kafka topics of the pipeline. Records are keyed by user_id, so one user's messages stay in order. */
public final class Topics {

  private static final Logger LOG = LoggerFactory.getLogger(Topics.class);

  public static final String NORMAL = "sms.normal";
  /** The express lane for OTP/VIP traffic: its own topic and its own consumers. */
  public static final String VIP = "sms.vip";
  /**
   * Async balance mode: a message accepted on a Redis reservation (or unreserved), durable here before the 200;
   * the settlement consumer charges it in PostgreSQL and then publishes it to its lane.
   */
  public static final String ACCEPTED = "sms.accepted";
  /** Records no worker could decode. */
  public static final String DEAD_LETTER = "sms.dlq";

  private Topics() {
  }

  /** The topic of a lane. */
  public static String of(Priority lane) {
    return lane == Priority.VIP ? VIP : NORMAL;
  }

  /**
   * Creates the topics if missing. Blocking; called once at start-up, before any verticle. If Kafka is down
   * the pod starts anyway (accepted messages wait in the outbox) and the relay publishes once it is back.
   */
  public static void ensureCreated(GatewayConfig config) {
    short replication = (short) config.kafka().replicationFactor();
    List<NewTopic> topics = List.of(
      new NewTopic(NORMAL, config.kafka().normalPartitions(), replication),
      new NewTopic(VIP, config.kafka().vipPartitions(), replication),
      new NewTopic(DEAD_LETTER, 1, replication),
      new NewTopic(ACCEPTED, config.kafka().acceptedPartitions(), replication));
    Map<String, Object> adminConfig = Map.of(
      AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, config.kafka().bootstrap(),
      AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5000,
      AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 10000);
    try (Admin admin = Admin.create(adminConfig)) {
      Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
      List<NewTopic> missing = topics.stream().filter(t -> !existing.contains(t.name())).toList();
      if (missing.isEmpty()) return;
      admin.createTopics(missing).all().get(10, TimeUnit.SECONDS);
      LOG.info("created topics {}", missing.stream().map(NewTopic::name).toList());
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        LOG.warn("could not create Kafka topics ({}); continuing, the outbox keeps accepted messages", e.getCause().toString());
      }
    } catch (TimeoutException e) {
      LOG.warn("Kafka did not answer; continuing, the outbox keeps accepted messages");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
