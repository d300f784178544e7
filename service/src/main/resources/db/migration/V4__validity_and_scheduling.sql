-- Validity periods, scheduled sends and cancellation (issue 14, parts 4 and 5).
--
--   expires_at  no send attempt starts at or after it: a message not sent by then ends 'failed' with last_error
--               'expired' and is refunded (io.smsgw.sending.MessageSender decides, when it holds the claim). A send that
--               may have reached the provider unheard is still looked up after it, as always: never a refund on a guess.
--               NULL only on rows older than this migration (the lane's default validity from accepted_at applies).
--   send_at     a scheduled message: stored 'scheduled' (charged), not an outbox row (published_at is set: Kafka never
--               sees it at acceptance); the worker's scheduler (claim_scheduled) makes it 'pending' and claims it in one
--               transaction once send_at has passed, and sends it like a retry that is due.
--   canceled    final, refunded once (cancel_message): a scheduled message, or a pending one no worker has claimed yet.
--
-- The per-message options of the accept path travel as one jsonb array (p_options, one object or null per message, in
-- batch order: status_callback, expires_at_ms, send_at_ms), so that the next option changes the function bodies and
-- not their signatures. V3's versions with p_callbacks text[] are dropped.

ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
  CHECK (status IN ('scheduled', 'pending', 'sent', 'delivered', 'undelivered', 'failed', 'rejected', 'canceled'));
ALTER TABLE messages ADD COLUMN expires_at timestamptz;
ALTER TABLE messages ADD COLUMN send_at timestamptz;

-- The scheduler's work list: only scheduled rows, by lane and due time.
CREATE INDEX messages_scheduled ON messages (priority, send_at) WHERE status = 'scheduled';

-- ---------------------------------------------------------------------------------------------------------------------
-- The accept path with p_options (otherwise as V3's, which is as the baseline's: read the comments there)
-- ---------------------------------------------------------------------------------------------------------------------

DROP FUNCTION accept_messages(uuid[], uuid[], text[], text[], text[], text[], int[], bigint[]);
DROP FUNCTION accept_messages(uuid[], uuid[], text[], text[], text[], text[], int[], bigint[], text[]);
DROP FUNCTION settle_messages(uuid[], uuid[], text[], text[], text[], text[], int[], bigint[], text[], bigint[]);
DROP FUNCTION charge_new_messages(boolean, uuid[], uuid[], text[], text[], text[], text[], int[], bigint[], text[], bigint[]);

CREATE FUNCTION charge_new_messages(
  p_wait boolean, p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_options jsonb, p_accepted_at_ms bigint[],
  OUT o_locked uuid[], OUT o_new bigint[], OUT o_charged bigint[], OUT o_inserted uuid[])
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  -- 1. The batch's wallets, locked in user_id order.
  IF p_wait THEN
    SELECT coalesce(array_agg(l.user_id), '{}') INTO o_locked
    FROM (SELECT w.user_id FROM wallets w WHERE w.user_id = ANY (p_user_ids) ORDER BY w.user_id FOR UPDATE) l;
  ELSE
    SELECT coalesce(array_agg(l.user_id), '{}') INTO o_locked
    FROM (SELECT w.user_id FROM wallets w WHERE w.user_id = ANY (p_user_ids) ORDER BY w.user_id FOR UPDATE SKIP LOCKED) l;
  END IF;

  -- 2 and 3 in one statement.
  SELECT coalesce(array_agg(c.ord), '{}'), coalesce(array_agg(c.ord) FILTER (WHERE c.running <= c.balance), '{}')
    INTO o_new, o_charged
  FROM (
    SELECT n.ord, sum(n.cost) OVER (PARTITION BY n.user_id ORDER BY n.ord) AS running, w.balance
    FROM (
      SELECT DISTINCT ON (u.id) u.id, u.user_id, u.cost, u.ord
      FROM unnest(p_message_ids, p_user_ids, p_costs) WITH ORDINALITY AS u(id, user_id, cost, ord)
      ORDER BY u.id, u.ord
    ) n
    LEFT JOIN wallets w ON w.user_id = n.user_id AND (p_wait OR w.user_id = ANY (o_locked))
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.message_id = n.id)
  ) c;

  -- 4. Store, debit once per wallet, one charge per message. A scheduled message is stored 'scheduled' and out of the
  -- outbox (published_at set): the scheduler sends it when it is due.
  WITH ins AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at, settled_at,
                          status_callback, expires_at, send_at, status, published_at)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o],
           CASE WHEN p_accepted_at_ms IS NULL THEN now() ELSE to_timestamp(p_accepted_at_ms[o] / 1000.0) END,
           CASE WHEN p_accepted_at_ms IS NULL THEN NULL ELSE now() END,
           x.opt ->> 'status_callback',
           to_timestamp((x.opt ->> 'expires_at_ms')::bigint / 1000.0),
           to_timestamp((x.opt ->> 'send_at_ms')::bigint / 1000.0),
           CASE WHEN x.opt ->> 'send_at_ms' IS NULL THEN 'pending' ELSE 'scheduled' END,
           CASE WHEN x.opt ->> 'send_at_ms' IS NULL THEN NULL ELSE now() END
    FROM unnest(o_charged) AS o, LATERAL (SELECT p_options -> (o::int - 1) AS opt) x
    ORDER BY o
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id, user_id, cost
  ), debit AS (
    UPDATE wallets w SET balance = w.balance - d.total, updated_at = now()
    FROM (SELECT user_id, sum(cost) AS total FROM ins GROUP BY user_id) d
    WHERE w.user_id = d.user_id
  ), charges AS (
    INSERT INTO ledger (user_id, message_id, kind, amount)
    SELECT user_id, message_id, 'charge', cost FROM ins
  )
  SELECT coalesce(array_agg(message_id), '{}') INTO o_inserted FROM ins;
END
$$;

CREATE FUNCTION accept_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_options jsonb)
RETURNS TABLE (o_message_id uuid, o_outcome text, o_status text, o_owner uuid)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_locked uuid[];
  v_charged bigint[];
  v_inserted uuid[];
BEGIN
  SELECT c.o_locked, c.o_charged, c.o_inserted INTO v_locked, v_charged, v_inserted
  FROM charge_new_messages(false, p_message_ids, p_user_ids, p_phones, p_bodies, p_priorities, p_encodings,
                           p_segments, p_costs, p_options, NULL) c;

  -- A duplicate is told even when its wallet is busy (no lock needed).
  RETURN QUERY
  SELECT u.id,
         CASE
           WHEN u.ord = ANY (v_charged) AND u.id = ANY (v_inserted) THEN 'accepted'
           WHEN u.ord = ANY (v_charged) OR m.message_id IS NOT NULL THEN 'duplicate'
           WHEN NOT (u.user_id = ANY (v_locked)) AND EXISTS (SELECT 1 FROM wallets w WHERE w.user_id = u.user_id) THEN 'busy'
           ELSE 'insufficient_balance'
         END,
         CASE WHEN u.ord = ANY (v_charged) AND u.id = ANY (v_inserted) THEN NULL ELSE m.status END,
         CASE WHEN u.ord = ANY (v_charged) AND u.id = ANY (v_inserted) THEN NULL ELSE m.user_id END
  FROM unnest(p_message_ids, p_user_ids) WITH ORDINALITY AS u(id, user_id, ord)
  LEFT JOIN messages m ON m.message_id = u.id
  ORDER BY u.ord;
END
$$;

-- The baseline's signature, kept for the scripts that call it by hand (bench/scaling, bench Stages): no options.
CREATE FUNCTION accept_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[])
RETURNS TABLE (o_message_id uuid, o_outcome text, o_status text, o_owner uuid)
LANGUAGE sql AS $$
  SELECT * FROM accept_messages(p_message_ids, p_user_ids, p_phones, p_bodies, p_priorities, p_encodings, p_segments,
                                p_costs, NULL::jsonb)
$$;

CREATE FUNCTION settle_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_options jsonb, p_accepted_at_ms bigint[])
RETURNS TABLE (o_message_id uuid, o_outcome text)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_new bigint[];
  v_charged bigint[];
  v_inserted uuid[];
  v_rejected uuid[];
BEGIN
  SELECT c.o_new, c.o_charged, c.o_inserted INTO v_new, v_charged, v_inserted
  FROM charge_new_messages(true, p_message_ids, p_user_ids, p_phones, p_bodies, p_priorities, p_encodings,
                           p_segments, p_costs, p_options, p_accepted_at_ms) c;

  -- Nothing to publish for a rejected row: published_at is set so it never counts as outbox backlog.
  WITH rej AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at,
                          settled_at, status, last_error, published_at, rejected_at_settlement, status_callback)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o], to_timestamp(p_accepted_at_ms[o] / 1000.0), now(),
           'rejected', 'insufficient_balance_at_settlement', now(), true, p_options -> (o::int - 1) ->> 'status_callback'
    FROM unnest(v_new) AS o
    WHERE NOT (o = ANY (v_charged))
      AND EXISTS (SELECT 1 FROM wallets w WHERE w.user_id = p_user_ids[o])  -- no such user here: skipped
    ORDER BY o
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
  )
  SELECT coalesce(array_agg(message_id), '{}') INTO v_rejected FROM rej;

  RETURN QUERY
  SELECT u.id,
         CASE
           WHEN u.ord = ANY (v_charged) AND u.id = ANY (v_inserted) THEN 'accepted'
           WHEN u.ord = ANY (v_new) AND NOT (u.ord = ANY (v_charged)) AND u.id = ANY (v_rejected) THEN 'rejected'
           ELSE 'duplicate'
         END
  FROM unnest(p_message_ids) WITH ORDINALITY AS u(id, ord)
  ORDER BY u.ord;
END
$$;

-- ---------------------------------------------------------------------------------------------------------------------
-- Claims carry the message's expires_at (otherwise as the baseline's), so the sender holds the row's validity, not the
-- Kafka record's: the record of a relayed message has none.
-- ---------------------------------------------------------------------------------------------------------------------

DROP FUNCTION claim_orphans(text, bigint, bigint, int);
DROP FUNCTION claim_due(text, bigint, int);
DROP FUNCTION take_claims_of_whole_messages(uuid[], bigint);
DROP FUNCTION claim_messages(uuid[], bigint);
DROP FUNCTION take_claims(uuid[], bigint);

CREATE FUNCTION take_claims(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               expires_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  UPDATE messages m SET claimed_until = now() + p_claim_ms * interval '1 millisecond',
         claim_seq = m.claim_seq + 1,
         send_in_doubt = m.send_in_doubt OR m.attempt_open,
         attempt_open = NOT m.confirming,
         attempts = m.attempts + CASE WHEN m.confirming THEN 0 ELSE 1 END,
         last_attempt_at = CASE WHEN m.confirming THEN m.last_attempt_at ELSE now() END,
         updated_at = now(), published_at = coalesce(m.published_at, now())
   WHERE m.message_id IN (
     SELECT x.message_id FROM messages x
      WHERE x.message_id = ANY (p_ids) AND x.status = 'pending' AND (x.claimed_until IS NULL OR x.claimed_until < now())
      ORDER BY x.message_id FOR UPDATE SKIP LOCKED)
  RETURNING m.message_id, m.attempts, m.claim_seq, m.confirming, m.send_in_doubt,
            (extract(epoch FROM m.last_attempt_at) * 1000)::bigint, (extract(epoch FROM m.expires_at) * 1000)::bigint
$$;

CREATE FUNCTION claim_messages(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               expires_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  SELECT * FROM take_claims(p_ids, p_claim_ms)
$$;

CREATE FUNCTION take_claims_of_whole_messages(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               expires_at_ms bigint, user_id uuid, phone_number text, body text, priority text, encoding text, segments int,
               cost bigint, accepted_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  SELECT c.*, m.user_id, m.phone_number, m.body, m.priority, m.encoding, m.segments, m.cost,
         (extract(epoch FROM m.accepted_at) * 1000)::bigint
    FROM take_claims(p_ids, p_claim_ms) c JOIN messages m ON m.message_id = c.message_id
$$;

CREATE FUNCTION claim_due(p_lane text, p_claim_ms bigint, p_limit int)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               expires_at_ms bigint, user_id uuid, phone_number text, body text, priority text, encoding text, segments int,
               cost bigint, accepted_at_ms bigint)
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

CREATE FUNCTION claim_orphans(p_lane text, p_older_than_ms bigint, p_claim_ms bigint, p_limit int)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               expires_at_ms bigint, user_id uuid, phone_number text, body text, priority text, encoding text, segments int,
               cost bigint, accepted_at_ms bigint)
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

-- The scheduler: scheduled messages of one lane whose send_at has passed become pending and are claimed in the same
-- transaction (a worker that dies after it leaves a claim that runs out, which claim_due takes). Rows held by another
-- transaction (a cancel deciding them now, another worker's scheduler) are skipped.
CREATE FUNCTION claim_scheduled(p_lane text, p_claim_ms bigint, p_limit int)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               expires_at_ms bigint, user_id uuid, phone_number text, body text, priority text, encoding text, segments int,
               cost bigint, accepted_at_ms bigint)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_ids uuid[];
BEGIN
  WITH due AS (
    UPDATE messages m SET status = 'pending', updated_at = now()
     WHERE m.message_id IN (
       SELECT x.message_id FROM messages x WHERE x.status = 'scheduled' AND x.priority = p_lane AND x.send_at <= now()
        ORDER BY x.send_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
    RETURNING m.message_id
  )
  SELECT array_agg(due.message_id) INTO v_ids FROM due;
  RETURN QUERY SELECT * FROM take_claims_of_whole_messages(coalesce(v_ids, '{}'), p_claim_ms);
END
$$;

-- ---------------------------------------------------------------------------------------------------------------------
-- Cancellation
-- ---------------------------------------------------------------------------------------------------------------------

-- Cancels one message of p_user_id that is not on its way: scheduled, or pending and never claimed (no worker has
-- tried it, and none can now: every claim requires 'pending'). Final 'canceled', refunded in the same transaction (at
-- most once: the ledger's unique key). Locks the message, then the wallet: the order of record_outcomes.
-- Outcomes: canceled (now, o_refunded the amount), already_canceled (an earlier call did it: nothing more refunded),
-- not_cancelable (o_status: where it is), not_found (no such message of this user).
CREATE FUNCTION cancel_message(p_message_id uuid, p_user_id uuid)
RETURNS TABLE (o_outcome text, o_status text, o_refunded bigint)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_cost bigint;
  v_status text;
BEGIN
  UPDATE messages m SET status = 'canceled', last_error = 'canceled', claimed_until = NULL, updated_at = now()
   WHERE m.message_id = p_message_id AND m.user_id = p_user_id
     AND (m.status = 'scheduled' OR (m.status = 'pending' AND m.attempts = 0 AND m.claimed_until IS NULL))
  RETURNING m.cost INTO v_cost;
  IF FOUND THEN
    PERFORM 1 FROM wallets w WHERE w.user_id = p_user_id FOR UPDATE;
    WITH refund AS (
      INSERT INTO ledger (user_id, message_id, kind, amount) VALUES (p_user_id, p_message_id, 'refund', v_cost)
      ON CONFLICT DO NOTHING
      RETURNING amount
    )
    UPDATE wallets w SET balance = w.balance + r.amount, updated_at = now() FROM refund r WHERE w.user_id = p_user_id;
    RETURN QUERY SELECT 'canceled'::text, 'canceled'::text, v_cost;
    RETURN;
  END IF;
  SELECT m.status, m.cost INTO v_status, v_cost FROM messages m WHERE m.message_id = p_message_id AND m.user_id = p_user_id;
  IF NOT FOUND THEN
    RETURN QUERY SELECT 'not_found'::text, NULL::text, NULL::bigint;
  ELSIF v_status = 'canceled' THEN
    RETURN QUERY SELECT 'already_canceled'::text, v_status, v_cost;
  ELSE
    RETURN QUERY SELECT 'not_cancelable'::text, v_status, NULL::bigint;
  END IF;
END
$$;
