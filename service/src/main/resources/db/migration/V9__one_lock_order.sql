-- One lock order for every transaction that waits for message rows (issue 15's SMPP e2e run showed deadlocks; the HTTP
-- one had them too, rarer). The workers' status writer locks its batch in (user_id, message_id) order
-- (sending/StatusWriter sorts its batch by platform/pg/LockOrder before record_outcomes). Two others waited
-- for the same rows in message_id order: finalize_deliveries (a delivery-report batch, or an SMPP receipt batch, that
-- makes 'sent' messages final while the outcome of some of them is still being written) and mark_published (the
-- outbox relay's mark after Kafka's acknowledgement, which comes while the worker already writes the message's
-- outcome). PostgreSQL broke each cycle (40P01); the writer retried after 1 s and the relay published again, so nothing
-- was lost, but every such break cost a second of a batch. Now both lock in the writer's order. The claims
-- (claim_messages and the pollers) take SKIP LOCKED and never wait.

-- V2's finalize_deliveries, locking in the writer's order (everything else as in V2__delivery_reports.sql).
CREATE OR REPLACE FUNCTION finalize_deliveries(p_ids uuid[])
RETURNS int
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_count int;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM delivery_reports d WHERE d.message_id = ANY (p_ids)) THEN
    RETURN 0;
  END IF;
  PERFORM 1 FROM messages m
   WHERE m.message_id IN (SELECT d.message_id FROM delivery_reports d WHERE d.message_id = ANY (p_ids)) AND m.status = 'sent'
   ORDER BY m.user_id, m.message_id FOR UPDATE;
  WITH r AS (
    SELECT message_id,
           count(*) FILTER (WHERE status = 'delivered') AS delivered,
           count(*) FILTER (WHERE status <> 'delivered') AS failed,
           max(parts) AS parts,
           max(done_at) AS last_done,
           min(coalesce(error_code, status)) FILTER (WHERE status <> 'delivered') AS error
      FROM delivery_reports WHERE message_id = ANY (p_ids) GROUP BY message_id
  ), f AS (
    UPDATE messages m SET status = CASE WHEN r.failed > 0 THEN 'undelivered' ELSE 'delivered' END,
           delivered_at = coalesce(r.last_done, now()),
           last_error = CASE WHEN r.failed > 0 THEN r.error ELSE m.last_error END,
           updated_at = now()
      FROM r
     WHERE m.message_id = r.message_id AND m.status = 'sent' AND (r.failed > 0 OR r.delivered >= r.parts)
    RETURNING 1
  )
  SELECT count(*) INTO v_count FROM f;
  RETURN v_count;
END
$$;

-- V1's mark_published, with its rows locked in the writer's order first (the update itself as in V1__baseline.sql).
CREATE OR REPLACE FUNCTION mark_published(p_ids uuid[]) RETURNS void
LANGUAGE sql SET enable_seqscan = off AS $$
  WITH locked AS (
    SELECT m.message_id FROM messages m
     WHERE m.message_id = ANY (p_ids) AND m.published_at IS NULL
     ORDER BY m.user_id, m.message_id FOR UPDATE
  )
  UPDATE messages m SET published_at = now() FROM locked WHERE m.message_id = locked.message_id
$$;
