-- The hot statements touch rows only by primary key, but PostgreSQL's statistics lag behind a table that grows
-- by thousands of rows a second (a fresh database, a burst): measured in the e2e benchmark, a generic plan chose
-- a sequential scan of messages inside record_outcomes and each call took 25 ms instead of 1. Two guards:
-- analyze the big tables far more often than the default (10% of the table), and let the batch functions never
-- prefer a sequential scan (enable_seqscan = off only makes one a last resort; every lookup here has an index).
ALTER TABLE messages SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 2000,
                          autovacuum_vacuum_scale_factor = 0.05);
ALTER TABLE ledger SET (autovacuum_analyze_scale_factor = 0.01, autovacuum_analyze_threshold = 2000);

ALTER FUNCTION accept_messages(uuid[], uuid[], text[], text[], text[], text[], int[], bigint[]) SET enable_seqscan = off;
ALTER FUNCTION record_outcomes(uuid[], text[], text[], text[], bigint[], bigint[]) SET enable_seqscan = off;

-- The worker's claim, the third hot statement, as a function for the same reason (it was a plain UPDATE sent by
-- the client). A record read from Kafka is published: the claim also takes the message out of the outbox.
CREATE FUNCTION claim_messages(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int)
LANGUAGE sql SET enable_seqscan = off AS $$
  UPDATE messages m SET claimed_until = now() + p_claim_ms * interval '1 millisecond', attempts = m.attempts + 1,
         updated_at = now(), published_at = coalesce(m.published_at, now())
   WHERE m.message_id = ANY (p_ids) AND m.status = 'pending' AND (m.claimed_until IS NULL OR m.claimed_until < now())
  RETURNING m.message_id, m.attempts
$$;
