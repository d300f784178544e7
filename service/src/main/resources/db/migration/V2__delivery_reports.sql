-- Delivery reports (issue 14): the provider's word on whether the handset got each part of a message.
--
-- A message that the provider took is 'sent'; its reports move it, forward only, to 'delivered' (every part
-- delivered) or 'undelivered' (a part undelivered or expired). Both are final. 'undelivered' is not refunded: the
-- operator charges for a message it accepted and tried, delivered or not, as every large SMS API does.

ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('pending', 'sent', 'delivered', 'undelivered', 'failed', 'rejected'));
-- The time the provider gave for the report that made the message final (the handset got the last part, or a part
-- was given up).
ALTER TABLE messages ADD COLUMN delivered_at timestamptz;

-- One row per part, the first final report of that part: a repeated report changes nothing, and a report never moves
-- a part backwards because every report here is final. A report may arrive before the 'sent' outcome is committed
-- (the provider answered, the worker has not written yet): it waits here, and the outcome applies it (see
-- record_outcomes_with_reports).
CREATE TABLE delivery_reports (
  message_id          uuid NOT NULL,      -- the report's client_ref: the gateway's message_id, sent as the idempotency key
  part                int NOT NULL CHECK (part > 0),
  parts               int NOT NULL CHECK (parts > 0 AND part <= parts),
  provider_message_id text,
  status              text NOT NULL CHECK (status IN ('delivered', 'undelivered', 'expired')),
  error_code          text,
  done_at             timestamptz,
  received_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, part)
);

-- Makes 'sent' messages final where their reports say so: 'undelivered' as soon as one part failed (it can no longer be
-- delivered), 'delivered' once every part is. Returns how many changed. Locks in message_id order, and only messages
-- that have reports: the workers call this for every batch of 'sent' outcomes, where a report that came first is rare.
CREATE FUNCTION finalize_deliveries(p_ids uuid[])
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
   ORDER BY m.message_id FOR UPDATE;
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

-- One batch of reports from the provider, in one transaction: each stored once (first report of a part wins), then
-- the messages they complete made final. Reports for a message_id this database does not hold are counted and dropped
-- (acknowledged, so the provider does not retry them forever).
CREATE FUNCTION store_delivery_reports(
  p_ids uuid[], p_parts int[], p_counts int[], p_provider_ids text[], p_statuses text[], p_errors text[], p_done_at timestamptz[])
RETURNS TABLE (stored int, duplicates int, unmatched int, finalized int)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_known int;
  v_stored int;
BEGIN
  SELECT count(*) INTO v_known FROM unnest(p_ids) AS u(id) WHERE EXISTS (SELECT 1 FROM messages m WHERE m.message_id = u.id);
  WITH ins AS (
    INSERT INTO delivery_reports (message_id, part, parts, provider_message_id, status, error_code, done_at)
    SELECT u.id, u.part, u.parts, u.provider_id, u.status, u.error, u.done_at
      FROM unnest(p_ids, p_parts, p_counts, p_provider_ids, p_statuses, p_errors, p_done_at)
           AS u(id, part, parts, provider_id, status, error, done_at)
     WHERE EXISTS (SELECT 1 FROM messages m WHERE m.message_id = u.id)
     ORDER BY u.id, u.part   -- the same key order in every batch: concurrent batches never deadlock on a repeated report
    ON CONFLICT (message_id, part) DO NOTHING
    RETURNING 1
  )
  SELECT count(*) INTO v_stored FROM ins;
  RETURN QUERY SELECT v_stored, v_known - v_stored, cardinality(p_ids) - v_known, finalize_deliveries(p_ids);
END
$$;

-- The workers' outcomes (record_outcomes) and, in the same transaction, the reports that arrived before the 'sent'
-- outcome of their message was written.
CREATE FUNCTION record_outcomes_with_reports(
  p_ids uuid[], p_seqs int[], p_kinds text[], p_provider_ids text[], p_errors text[], p_at_ms bigint[], p_delays_ms bigint[],
  p_doubts boolean[])
RETURNS TABLE (o_message_id uuid, o_claim_seq int)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  RETURN QUERY SELECT r.o_message_id, r.o_claim_seq
    FROM record_outcomes(p_ids, p_seqs, p_kinds, p_provider_ids, p_errors, p_at_ms, p_delays_ms, p_doubts) AS r;
  PERFORM finalize_deliveries(ARRAY(SELECT u.id FROM unnest(p_ids, p_kinds) AS u(id, kind) WHERE u.kind = 'sent'));
END
$$;
