-- One lock order for the transactions that wait for message rows (issue 15's SMPP e2e run showed deadlocks; the HTTP
-- one had them too, rarer). PostgreSQL broke each cycle (40P01): the status writer retried after 1 s, a receipt batch
-- was refused and sent again by the SMSC, the relay published again; nothing was lost, but every break cost a second.
-- Caught in the server's log: record_outcomes (the workers' outcomes) against mark_published (the relay's mark after
-- Kafka's acknowledgement, which comes while the worker already writes the message's outcome), and against
-- finalize_deliveries (a report or receipt batch making 'sent' messages final while the outcome of some is still being
-- written). The writer sorts its batch by (user_id, message_id) (sending/StatusWriter, platform/pg/LockOrder), but its
-- UPDATE ... FROM unnest(...) takes the rows in the plan's order, not the array's.
--
-- Now: the writer locks its batch's rows in (user_id, message_id) order before anything else; finalize_deliveries
-- locks in that order too; mark_published does not wait at all (SKIP LOCKED: a row someone holds is being claimed,
-- which marks it published itself, or made final; at worst the relay publishes it once more and the sender skips it).
-- The claims (claim_messages and the pollers) already take SKIP LOCKED.

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

-- V1's mark_published, without waiting for a row another transaction holds (the update as in V1__baseline.sql).
CREATE OR REPLACE FUNCTION mark_published(p_ids uuid[]) RETURNS void
LANGUAGE sql SET enable_seqscan = off AS $$
  WITH free AS (
    SELECT m.message_id FROM messages m
     WHERE m.message_id = ANY (p_ids) AND m.published_at IS NULL
     FOR UPDATE SKIP LOCKED
  )
  UPDATE messages m SET published_at = now() FROM free WHERE m.message_id = free.message_id
$$;

-- V2's record_outcomes_with_reports, with the batch's rows locked in (user_id, message_id) order first.
CREATE OR REPLACE FUNCTION record_outcomes_with_reports(
  p_ids uuid[], p_seqs int[], p_kinds text[], p_provider_ids text[], p_errors text[], p_at_ms bigint[], p_delays_ms bigint[],
  p_doubts boolean[])
RETURNS TABLE (o_message_id uuid, o_claim_seq int)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  PERFORM 1 FROM messages m WHERE m.message_id = ANY (p_ids) ORDER BY m.user_id, m.message_id FOR UPDATE;
  RETURN QUERY SELECT r.o_message_id, r.o_claim_seq
    FROM record_outcomes(p_ids, p_seqs, p_kinds, p_provider_ids, p_errors, p_at_ms, p_delays_ms, p_doubts) AS r;
  PERFORM finalize_deliveries(ARRAY(SELECT u.id FROM unnest(p_ids, p_kinds) AS u(id, kind) WHERE u.kind = 'sent'));
END
$$;
