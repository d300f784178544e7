-- Exactly once under faults (issue 11).
--
-- Fenced claims. A claim (a lease on a pending message, claimed_until) can run out while its holder is still alive:
-- a long GC, a frozen VM, a partition to PostgreSQL, a status writer retrying. Every claim now takes a fencing token,
-- claim_seq (+1 per claim), and every write that ends or changes a claim presents it: a write from a claim that is no
-- longer current matches no row, changes nothing, and is reported back to the worker (Kleppmann's fencing tokens).
--
-- Refund only when certain. A timed-out request may still be worked on by the provider, so "not found" right after
-- it is not "never sent". send_in_doubt remembers that some attempt may have reached the provider without our
-- knowing its answer (a timeout, a broken connection, a 5xx, or a claim that ended without any recorded outcome:
-- attempt_open at the next claim). A message in doubt is refunded only when the provider's lookup says "not found"
-- after its maximum processing time since last_attempt_at; while it waits for that, confirming is true and its claims
-- look the message up instead of sending it. A message whose fate cannot be learnt (no lookup, or none answered
-- before the lane's deadline) ends failed with outcome_unknown, and is not refunded: a refund is never a guess.
ALTER TABLE messages
  ADD COLUMN claim_seq int NOT NULL DEFAULT 0,
  ADD COLUMN attempt_open boolean NOT NULL DEFAULT false,
  ADD COLUMN send_in_doubt boolean NOT NULL DEFAULT false,
  ADD COLUMN confirming boolean NOT NULL DEFAULT false,
  ADD COLUMN last_attempt_at timestamptz,
  ADD COLUMN outcome_unknown boolean NOT NULL DEFAULT false,
  -- the outbox relay's lease (below)
  ADD COLUMN relay_until timestamptz;
ALTER TABLE messages ADD CONSTRAINT outcome_unknown_is_failed CHECK (NOT outcome_unknown OR status = 'failed');

-- Nothing pending forever: the sweeper's way to pending messages that nobody ever claimed (their Kafka record is
-- gone, or never came). A row is in this index from its insert until its first claim; small and at the right edge.
CREATE INDEX messages_unclaimed ON messages (priority, accepted_at) WHERE status = 'pending' AND claimed_until IS NULL;

-- Takes the claims on these messages that are pending and free (never claimed, or their claim ran out). One claim
-- is one attempt to send, or, for a confirming message, one lookup (not counted in attempts). A claim whose
-- predecessor ended with no outcome recorded (attempt_open) puts the message in doubt: that send may have happened.
CREATE FUNCTION take_claims(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  UPDATE messages m SET claimed_until = now() + p_claim_ms * interval '1 millisecond',
         claim_seq = m.claim_seq + 1,
         send_in_doubt = m.send_in_doubt OR m.attempt_open,
         attempt_open = NOT m.confirming,
         attempts = m.attempts + CASE WHEN m.confirming THEN 0 ELSE 1 END,
         last_attempt_at = CASE WHEN m.confirming THEN m.last_attempt_at ELSE now() END,
         updated_at = now(), published_at = coalesce(m.published_at, now())
   WHERE m.message_id IN (
     -- Rows another transaction holds (a claim, an outcome write of a redelivered record's message) are skipped, not
     -- waited for: whoever holds them is deciding them now. Without SKIP LOCKED, a Kafka claim and an outcome write
     -- over the same messages locked them in different orders and deadlocked after a broker restart (bench chaos).
     SELECT x.message_id FROM messages x
      WHERE x.message_id = ANY (p_ids) AND x.status = 'pending' AND (x.claimed_until IS NULL OR x.claimed_until < now())
      ORDER BY x.message_id FOR UPDATE SKIP LOCKED)
  RETURNING m.message_id, m.attempts, m.claim_seq, m.confirming, m.send_in_doubt,
            (extract(epoch FROM m.last_attempt_at) * 1000)::bigint
$$;

-- The worker's claim on the messages of a Kafka batch (V5's function, now with the fencing token and doubt).
DROP FUNCTION claim_messages(uuid[], bigint);
CREATE FUNCTION claim_messages(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  SELECT * FROM take_claims(p_ids, p_claim_ms)
$$;

-- take_claims with the whole message, for the scanners: they have no Kafka record to rebuild it from.
CREATE FUNCTION take_claims_of_whole_messages(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               user_id uuid, phone_number text, body text, priority text, encoding text, segments int, cost bigint, accepted_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  SELECT c.*, m.user_id, m.phone_number, m.body, m.priority, m.encoding, m.segments, m.cost,
         (extract(epoch FROM m.accepted_at) * 1000)::bigint
    FROM take_claims(p_ids, p_claim_ms) c JOIN messages m ON m.message_id = c.message_id
$$;

-- Claims of one lane that are due: a retry whose backoff is over, a lookup that is due, a claim that ran out.
CREATE FUNCTION claim_due(p_lane text, p_claim_ms bigint, p_limit int)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               user_id uuid, phone_number text, body text, priority text, encoding text, segments int, cost bigint, accepted_at_ms bigint)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_ids uuid[];
BEGIN
  SELECT array_agg(d.message_id) INTO v_ids FROM (
    SELECT x.message_id FROM messages x WHERE x.status = 'pending' AND x.claimed_until < now() AND x.priority = p_lane
     ORDER BY x.claimed_until LIMIT p_limit FOR UPDATE SKIP LOCKED) d;
  RETURN QUERY SELECT * FROM take_claims_of_whole_messages(coalesce(v_ids, '{}'), p_claim_ms);
END
$$;

-- The sweeper: pending messages of one lane that nobody has claimed p_older_than_ms after their acceptance, whatever
-- happened to their Kafka record. Claiming one also takes it out of the outbox.
CREATE FUNCTION claim_orphans(p_lane text, p_older_than_ms bigint, p_claim_ms bigint, p_limit int)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               user_id uuid, phone_number text, body text, priority text, encoding text, segments int, cost bigint, accepted_at_ms bigint)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_ids uuid[];
BEGIN
  SELECT array_agg(d.message_id) INTO v_ids FROM (
    SELECT x.message_id FROM messages x WHERE x.status = 'pending' AND x.claimed_until IS NULL AND x.priority = p_lane
       AND x.accepted_at < now() - p_older_than_ms * interval '1 millisecond'
     ORDER BY x.accepted_at LIMIT p_limit FOR UPDATE SKIP LOCKED) d;
  RETURN QUERY SELECT * FROM take_claims_of_whole_messages(coalesce(v_ids, '{}'), p_claim_ms);
END
$$;

-- The outcomes batch (V4), fenced: every write is guarded by status = 'pending' (status only moves forward) and by
-- claim_seq = the token of the claim that made the attempt. Returns the outcomes that changed nothing (their claim
-- was no longer current), by message id and token. Kinds:
--   sent                 the provider took it
--   retry                a transient failure; due again after the delay
--   release              the claim ended without a send (the worker gave it back); due at once, attempt not counted
--   confirm              no more sends; due after the delay for a lookup (the provider's processing time)
--   failed / rejected    final, refunded in the same transaction (at most once: the ledger's unique key)
--   unknown              final failed with outcome_unknown, not refunded: the provider may have delivered it
-- p_doubts: this attempt may have reached the provider (its answer is unknown).
DROP FUNCTION record_outcomes(uuid[], text[], text[], text[], bigint[], bigint[]);
CREATE FUNCTION record_outcomes(
  p_ids uuid[], p_seqs int[], p_kinds text[], p_provider_ids text[], p_errors text[], p_at_ms bigint[], p_delays_ms bigint[],
  p_doubts boolean[])
RETURNS TABLE (o_message_id uuid, o_claim_seq int)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_bad text;
  v_applied text[];
  v_part text[];
  v_done_ids uuid[];
  v_done_users uuid[];
  v_done_costs bigint[];
BEGIN
  SELECT k INTO v_bad FROM unnest(p_kinds) AS k
   WHERE k NOT IN ('sent', 'retry', 'release', 'confirm', 'failed', 'rejected', 'unknown') LIMIT 1;
  IF v_bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown outcome %', v_bad;
  END IF;

  WITH s AS (
    UPDATE messages m SET status = 'sent', sent_at = to_timestamp(u.at_ms / 1000.0), provider_message_id = u.provider_id,
           last_error = NULL, claimed_until = NULL, attempt_open = false, confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_provider_ids, p_at_ms) AS u(id, seq, kind, provider_id, at_ms)
     WHERE u.kind = 'sent' AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT coalesce(array_agg(k), '{}') INTO v_applied FROM s;

  WITH r AS (
    UPDATE messages m SET claimed_until = now() + u.delay_ms * interval '1 millisecond',
           last_error = CASE WHEN u.kind = 'release' THEN m.last_error ELSE u.error END,
           attempt_open = false,
           send_in_doubt = m.send_in_doubt OR coalesce(u.doubt, true),
           confirming = m.confirming OR u.kind = 'confirm',
           attempts = m.attempts - CASE WHEN u.kind = 'release' AND NOT m.confirming THEN 1 ELSE 0 END,
           updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors, p_delays_ms, p_doubts) AS u(id, seq, kind, error, delay_ms, doubt)
     WHERE u.kind IN ('retry', 'release', 'confirm') AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT v_applied || coalesce(array_agg(k), '{}') INTO v_applied FROM r;

  WITH x AS (
    UPDATE messages m SET status = 'failed', outcome_unknown = true, last_error = u.error, claimed_until = NULL,
           attempt_open = false, confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors) AS u(id, seq, kind, error)
     WHERE u.kind = 'unknown' AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT v_applied || coalesce(array_agg(k), '{}') INTO v_applied FROM x;

  WITH done AS (
    UPDATE messages m SET status = u.kind, last_error = u.error, claimed_until = NULL, attempt_open = false,
           confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors) AS u(id, seq, kind, error)
     WHERE u.kind IN ('failed', 'rejected') AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id, m.user_id, m.cost, m.claim_seq
  )
  SELECT array_agg(message_id), array_agg(user_id), array_agg(cost), v_applied || coalesce(array_agg(message_id::text || ':' || claim_seq), '{}')
    INTO v_done_ids, v_done_users, v_done_costs, v_applied FROM done;

  IF v_done_ids IS NOT NULL THEN
    -- Same lock order as the accept path (wallets by user id), so refunds and charges never deadlock.
    PERFORM 1 FROM wallets WHERE user_id = ANY (v_done_users) ORDER BY user_id FOR UPDATE;
    WITH refunds AS (
      INSERT INTO ledger (user_id, message_id, kind, amount)
      SELECT d.user_id, d.message_id, 'refund', d.cost FROM unnest(v_done_ids, v_done_users, v_done_costs) AS d(message_id, user_id, cost)
      ON CONFLICT DO NOTHING
      RETURNING user_id, amount
    )
    UPDATE wallets w SET balance = w.balance + r.total, updated_at = now()
      FROM (SELECT user_id, sum(amount) AS total FROM refunds GROUP BY user_id) r
     WHERE w.user_id = r.user_id;
  END IF;

  RETURN QUERY SELECT u.id, u.seq FROM unnest(p_ids, p_seqs) AS u(id, seq)
   WHERE NOT ((u.id::text || ':' || u.seq) = ANY (v_applied));
END
$$;

-- The outbox relay no longer holds row locks while it waits for Kafka (V1's relay locked its rows FOR UPDATE for the
-- whole round, up to Kafka's delivery timeout, and a worker claiming the same message blocked behind it). It takes a
-- lease instead, in a statement of its own: rows leased by one pod's relay are skipped by the others until the lease
-- runs out; the row leaves the outbox when Kafka acknowledged it (mark_published) or a worker claimed it.
CREATE FUNCTION lease_unpublished(p_min_age_ms bigint, p_limit int, p_lease_ms bigint)
RETURNS TABLE (message_id uuid, user_id uuid, phone_number text, body text, priority text, encoding text, segments int,
               cost bigint, accepted_at_ms bigint)
LANGUAGE sql AS $$
  UPDATE messages m SET relay_until = now() + p_lease_ms * interval '1 millisecond'
   WHERE m.message_id IN (
     SELECT x.message_id FROM messages x
      WHERE x.published_at IS NULL AND x.status = 'pending' AND x.accepted_at < now() - p_min_age_ms * interval '1 millisecond'
        AND (x.relay_until IS NULL OR x.relay_until < now())
      ORDER BY x.accepted_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
  RETURNING m.message_id, m.user_id, m.phone_number, m.body, m.priority, m.encoding, m.segments, m.cost,
            (extract(epoch FROM m.accepted_at) * 1000)::bigint
$$;

-- The end of a relay round for the rows Kafka did not acknowledge: their lease is given back at once, so the next
-- round (of any pod) tries them again instead of waiting for the lease to run out.
CREATE FUNCTION release_relay_lease(p_ids uuid[]) RETURNS void
LANGUAGE sql SET enable_seqscan = off AS $$
  UPDATE messages SET relay_until = NULL WHERE message_id = ANY (p_ids) AND published_at IS NULL
$$;
