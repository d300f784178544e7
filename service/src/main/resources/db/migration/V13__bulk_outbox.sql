-- One outbox entry per bulk, not per message (issue 16). A bulk's 10,000 messages were each in the outbox
-- (published_at NULL) until Kafka acknowledged them, and then each was written again by mark_published: in
-- `./smsgw bench bulk` those marks cost about as much PostgreSQL time as the inserts (1.6 s per ~24,000 rows, every
-- row a non-HOT update, since no worker had claimed them yet). Now accept_bulk stores the messages out of the
-- per-message outbox and the bulk row in it (bulks.published_at NULL); the gateway marks the bulk once every message
-- of it was acknowledged (mark_bulk_published, one row), and the relay re-publishes the messages of a bulk that stayed
-- unmarked (lease_unpublished_bulks, bulk_unclaimed_messages), as it does single messages. A message that a worker has
-- claimed (claim_seq > 0) reached Kafka; the others of an unmarked bulk go again, and the worker ignores the
-- duplicates, as for single messages.
--
-- Bulks stored before this migration keep their messages in the per-message outbox: they count as marked.

ALTER TABLE bulks ADD COLUMN published_at timestamptz;  -- NULL: some messages of it may not have reached Kafka
ALTER TABLE bulks ADD COLUMN relay_until timestamptz;   -- the relay's lease, as messages.relay_until
UPDATE bulks SET published_at = created_at;

CREATE INDEX bulks_unpublished ON bulks (created_at) WHERE published_at IS NULL;

-- V11's accept_bulk, with the messages out of the per-message outbox and the bulk row in it.
CREATE OR REPLACE FUNCTION accept_bulk(
  p_bulk_id uuid, p_user_id uuid, p_priority text, p_recipients int,
  p_indexes int[], p_message_ids uuid[], p_phones text[], p_bodies text[], p_encodings text[], p_segments int[],
  p_costs bigint[], p_expires_at_ms bigint, p_send_at_ms bigint, p_rejected jsonb,
  OUT o_outcome text, OUT o_answer text, OUT o_total bigint, OUT o_balance bigint, OUT o_duplicates int[])
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_owner uuid;
  v_answer jsonb;
  v_new int;
  v_accepted int;
  v_rejected jsonb;
  v_created timestamptz := now();
BEGIN
  o_duplicates := '{}';
  -- A bulk_id seen before: no lock needed to tell.
  SELECT b.user_id, b.answer INTO v_owner, v_answer FROM bulks b WHERE b.bulk_id = p_bulk_id;
  IF FOUND THEN
    IF v_owner = p_user_id THEN o_outcome := 'replay'; o_answer := v_answer::text;
    ELSE o_outcome := 'duplicate_bulk_id'; END IF;
    RETURN;
  END IF;

  SELECT w.balance INTO o_balance FROM wallets w WHERE w.user_id = p_user_id FOR UPDATE;
  o_balance := coalesce(o_balance, 0);
  -- Again under the wallet's lock: an identical request of this user that held it has committed its bulk meanwhile
  -- (each statement here reads what was committed before it began).
  SELECT b.user_id, b.answer INTO v_owner, v_answer FROM bulks b WHERE b.bulk_id = p_bulk_id;
  IF FOUND THEN
    IF v_owner = p_user_id THEN o_outcome := 'replay'; o_answer := v_answer::text;
    ELSE o_outcome := 'duplicate_bulk_id'; END IF;
    RETURN;
  END IF;

  -- The recipients whose message_id is new, and their total. Every array is read by unnest, never by subscript: a
  -- subscript of a text[] walks the array from its start, which over 10,000 elements made the insert quadratic.
  SELECT count(*) FILTER (WHERE m.message_id IS NULL),
         coalesce(array_agg(u.idx ORDER BY u.ord) FILTER (WHERE m.message_id IS NOT NULL), '{}'),
         coalesce(sum(u.cost) FILTER (WHERE m.message_id IS NULL), 0)
    INTO v_new, o_duplicates, o_total
  FROM unnest(p_message_ids, p_costs, p_indexes) WITH ORDINALITY AS u(id, cost, idx, ord)
  LEFT JOIN messages m ON m.message_id = u.id;

  IF v_new = 0 THEN
    o_outcome := 'no_valid_recipients';
    o_answer := bulk_rejected_items(p_rejected, p_indexes, p_message_ids, o_duplicates)::text;
    RETURN;
  END IF;
  IF o_total > o_balance THEN
    o_outcome := 'insufficient_balance';
    RETURN;
  END IF;

  -- The bulk_id decides: another user's concurrent request with it waits here until the first commits, then finds it.
  INSERT INTO bulks (bulk_id, user_id, priority, recipients, accepted, rejected, cost, created_at, answer, published_at)
  VALUES (p_bulk_id, p_user_id, p_priority, p_recipients, v_new, p_recipients - v_new, o_total, v_created, '{}',
          CASE WHEN p_send_at_ms > 0 THEN v_created END)
  ON CONFLICT (bulk_id) DO NOTHING;
  IF NOT FOUND THEN
    SELECT b.user_id, b.answer INTO v_owner, v_answer FROM bulks b WHERE b.bulk_id = p_bulk_id;
    IF v_owner = p_user_id THEN o_outcome := 'replay'; o_answer := v_answer::text;
    ELSE o_outcome := 'duplicate_bulk_id'; END IF;
    o_duplicates := '{}';
    RETURN;
  END IF;

  -- Store, debit once by the total of what was inserted, one charge per message. The messages are out of the
  -- per-message outbox (published_at set): the bulk row is their outbox entry (published_at NULL, unless scheduled).
  WITH ins AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at,
                          expires_at, send_at, status, published_at, bulk_id)
    SELECT u.id, p_user_id, u.phone, u.body, p_priority, u.encoding, u.segments, u.cost, v_created,
           to_timestamp(p_expires_at_ms / 1000.0),
           CASE WHEN p_send_at_ms > 0 THEN to_timestamp(p_send_at_ms / 1000.0) END,
           CASE WHEN p_send_at_ms > 0 THEN 'scheduled' ELSE 'pending' END,
           v_created,
           p_bulk_id
    FROM unnest(p_message_ids, p_phones, p_bodies, p_encodings, p_segments, p_costs) WITH ORDINALITY
         AS u(id, phone, body, encoding, segments, cost, ord)
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.message_id = u.id)
    ORDER BY u.ord
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id, cost
  ), debit AS (
    UPDATE wallets w SET balance = w.balance - (SELECT sum(cost) FROM ins), updated_at = now()
    WHERE w.user_id = p_user_id AND EXISTS (SELECT 1 FROM ins)
  ), charges AS (
    INSERT INTO ledger (user_id, message_id, kind, amount)
    SELECT p_user_id, message_id, 'charge', cost FROM ins
  )
  SELECT count(*), coalesce(sum(cost), 0) INTO v_accepted, o_total FROM ins;

  IF v_accepted = 0 THEN
    RAISE EXCEPTION 'bulk %: every new message_id was taken meanwhile', p_bulk_id USING ERRCODE = '40001';
  END IF;
  IF v_accepted < v_new THEN
    -- Taken by a concurrent send-sms between the check and the insert: rejected as duplicates too.
    SELECT coalesce(array_agg(u.idx ORDER BY u.idx), '{}') INTO o_duplicates
    FROM unnest(p_message_ids, p_indexes) AS u(id, idx)
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.message_id = u.id AND m.bulk_id = p_bulk_id);
  END IF;
  v_rejected := bulk_rejected_items(p_rejected, p_indexes, p_message_ids, o_duplicates);

  v_answer := jsonb_build_object(
    'bulk_id', p_bulk_id, 'status', CASE WHEN p_send_at_ms > 0 THEN 'scheduled' ELSE 'pending' END,
    'priority', p_priority, 'recipients', p_recipients, 'accepted', v_accepted, 'rejected', p_recipients - v_accepted,
    'cost', o_total, 'created_at', to_char(v_created AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    'expires_at', to_char(to_timestamp(p_expires_at_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
    'rejected_items', v_rejected);
  IF p_send_at_ms > 0 THEN
    v_answer := v_answer || jsonb_build_object('send_at',
      to_char(to_timestamp(p_send_at_ms / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'));
  END IF;
  UPDATE bulks SET accepted = v_accepted, rejected = p_recipients - v_accepted, cost = o_total, answer = v_answer
   WHERE bulk_id = p_bulk_id;
  o_outcome := 'accepted';
  o_answer := v_answer::text;
END
$$;

-- Kafka acknowledged every message of the bulk: it leaves the outbox.
CREATE FUNCTION mark_bulk_published(p_bulk_id uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE bulks SET published_at = now(), relay_until = NULL WHERE bulk_id = p_bulk_id AND published_at IS NULL
$$;

-- The relay's bulks: unmarked past the grace period, leased (not locked) as lease_unpublished leases messages.
CREATE FUNCTION lease_unpublished_bulks(p_min_age_ms bigint, p_limit int, p_lease_ms bigint)
RETURNS TABLE (bulk_id uuid)
LANGUAGE sql AS $$
  UPDATE bulks b SET relay_until = now() + p_lease_ms * interval '1 millisecond'
   WHERE b.bulk_id IN (
     SELECT x.bulk_id FROM bulks x
      WHERE x.published_at IS NULL AND x.created_at < now() - p_min_age_ms * interval '1 millisecond'
        AND (x.relay_until IS NULL OR x.relay_until < now())
      ORDER BY x.created_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
  RETURNING b.bulk_id
$$;

-- The messages of a bulk that no worker has claimed yet (over messages_by_bulk), as lease_unpublished returns them.
CREATE FUNCTION bulk_unclaimed_messages(p_bulk_id uuid)
RETURNS TABLE (message_id uuid, user_id uuid, phone_number text, body text, priority text, encoding text, segments int,
               cost bigint, accepted_at_ms bigint)
LANGUAGE sql STABLE SET enable_seqscan = off AS $$
  SELECT m.message_id, m.user_id, m.phone_number, m.body, m.priority, m.encoding, m.segments, m.cost,
         (extract(epoch FROM m.accepted_at) * 1000)::bigint
    FROM messages m
   WHERE m.bulk_id = p_bulk_id AND m.status = 'pending' AND m.claim_seq = 0
   ORDER BY m.accepted_at, m.message_id
$$;

-- A relay round that did not get every message of the bulk acknowledged gives the lease back at once.
CREATE FUNCTION release_bulk_lease(p_bulk_id uuid) RETURNS void
LANGUAGE sql AS $$
  UPDATE bulks SET relay_until = NULL WHERE bulk_id = p_bulk_id AND published_at IS NULL
$$;
