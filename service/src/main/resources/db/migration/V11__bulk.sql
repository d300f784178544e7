-- Bulk send (issue 16): POST /send-sms/bulk, GET /bulk/{bulk_id}.
--
-- A bulk is one request of up to 10,000 recipients. Every recipient that passes validation becomes an ordinary message
-- row (its own status, charge, ledger entry, outbox row), marked with the bulk's id, so the worker, the delivery
-- reports, the webhooks and the status endpoint treat it as any other message. The money is all or nothing: the bulk
-- row, every message row, ONE debit of the wallet (the bulk's total) and one ledger charge per message commit in one
-- statement (accept_bulk), or nothing does; a wallet that cannot pay the total stores nothing at all, not even the bulk
-- row, so the same bulk_id can be sent again after a top-up.
--
-- The bulks primary key makes a bulk_id count once: a second request with the same id (a retry after a timeout, or two
-- identical requests at once) finds the row (or waits on the first one's uncommitted insert) and is answered with the
-- stored first answer, charging nothing. The answer is stored as jsonb and always answered as its text, so the first
-- answer and every replay are the same bytes.

ALTER TABLE messages ADD COLUMN bulk_id uuid;

-- GET /bulk/{bulk_id}: counts by status, one index range; status in the key so the count reads the index only. Rows
-- sent one by one (bulk_id NULL) are not in it. bulk_id never changes after the insert; status is already in the
-- predicates of other partial indexes, so a status change was never a HOT update and this index costs no HOT update.
CREATE INDEX messages_by_bulk ON messages (bulk_id, status) WHERE bulk_id IS NOT NULL;

CREATE TABLE bulks (
  bulk_id     uuid PRIMARY KEY,              -- chosen by the client
  user_id     uuid NOT NULL,                 -- no foreign key: as messages and ledger
  priority    text NOT NULL CHECK (priority IN ('normal', 'vip')),
  recipients  int NOT NULL CHECK (recipients > 0),
  accepted    int NOT NULL CHECK (accepted > 0),
  rejected    int NOT NULL CHECK (rejected >= 0),
  cost        bigint NOT NULL CHECK (cost > 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  answer      jsonb NOT NULL                 -- the first 200's body, answered again to a repeated bulk_id
);

-- One bulk: p_indexes (the recipient's place in the request, from 0), p_message_ids, p_phones, p_bodies, p_encodings,
-- p_segments and p_costs describe the recipients that passed the gateway's checks (in request order, no message_id
-- twice: the gateway refuses a repeat within the bulk); p_rejected is the gateway's per-item rejections
-- ([{index, message_id, code, message}], in index order). Segments and prices are the gateway's (domain/Segments,
-- domain/Pricing).
--
-- o_outcome:
--   accepted              stored and charged; o_answer is the 200's body (also stored), o_duplicates the indexes of
--                         the recipients whose message_id was used before (rejected, charged nothing)
--   replay                the bulk_id is this user's already: o_answer is the first answer; nothing charged
--   duplicate_bulk_id     the bulk_id is another user's: nothing said about it, nothing charged
--   insufficient_balance  the wallet cannot pay o_total (o_balance): nothing stored
--   no_valid_recipients   every recipient is rejected (o_answer: the items, as the 200 would list them): nothing stored
--
-- Locks: the wallet first (FOR UPDATE, waiting: the charge batches skip a wallet a bulk holds and retry it; an identical
-- request of the same user waits here for the first one's commit and then replays it), then the bulks row (another
-- user's request with the same id waits here for the first one's commit), then the message rows. Nothing is written before the wallet is known to pay, so a refusal needs no rollback of its own.
-- A race that leaves nothing to insert (every new message_id taken by a concurrent send-sms between the check and
-- the insert) raises 40001; the gateway runs the bulk again, which then answers no_valid_recipients.
-- The rejected items of a bulk's answer, in index order: the gateway's (p_rejected) and the recipients whose message_id
-- was used before (p_duplicates, indexes into the request). A join, not ANY(): many duplicates stay linear.
CREATE FUNCTION bulk_rejected_items(p_rejected jsonb, p_indexes int[], p_message_ids uuid[], p_duplicates int[])
RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_agg(r.item ORDER BY (r.item ->> 'index')::int), '[]'::jsonb)
  FROM (SELECT e AS item FROM jsonb_array_elements(coalesce(p_rejected, '[]'::jsonb)) e
        UNION ALL
        SELECT jsonb_build_object('index', u.idx, 'message_id', u.id, 'code', 'duplicate_message_id',
                                  'message', 'message_id was used before; nothing was charged')
        FROM unnest(p_indexes, p_message_ids) AS u(idx, id)
        JOIN unnest(p_duplicates) AS d(idx) ON d.idx = u.idx) r
$$;

CREATE FUNCTION accept_bulk(
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
  INSERT INTO bulks (bulk_id, user_id, priority, recipients, accepted, rejected, cost, created_at, answer)
  VALUES (p_bulk_id, p_user_id, p_priority, p_recipients, v_new, p_recipients - v_new, o_total, v_created, '{}')
  ON CONFLICT (bulk_id) DO NOTHING;
  IF NOT FOUND THEN
    SELECT b.user_id, b.answer INTO v_owner, v_answer FROM bulks b WHERE b.bulk_id = p_bulk_id;
    IF v_owner = p_user_id THEN o_outcome := 'replay'; o_answer := v_answer::text;
    ELSE o_outcome := 'duplicate_bulk_id'; END IF;
    o_duplicates := '{}';
    RETURN;
  END IF;

  -- Store, debit once by the total of what was inserted, one charge per message. A scheduled bulk is stored
  -- 'scheduled' and out of the outbox (published_at set), as send-sms does it.
  WITH ins AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at,
                          expires_at, send_at, status, published_at, bulk_id)
    SELECT u.id, p_user_id, u.phone, u.body, p_priority, u.encoding, u.segments, u.cost, v_created,
           to_timestamp(p_expires_at_ms / 1000.0),
           CASE WHEN p_send_at_ms > 0 THEN to_timestamp(p_send_at_ms / 1000.0) END,
           CASE WHEN p_send_at_ms > 0 THEN 'scheduled' ELSE 'pending' END,
           CASE WHEN p_send_at_ms > 0 THEN v_created END,
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

-- GET /bulk/{bulk_id}: the bulk of this user (none for another user's id) and its messages' counts by status, over
-- messages_by_bulk.
CREATE FUNCTION bulk_status(p_bulk_id uuid, p_user_id uuid)
RETURNS TABLE (o_priority text, o_recipients int, o_accepted int, o_rejected int, o_cost bigint, o_created_at timestamptz,
               o_statuses jsonb)
LANGUAGE sql STABLE SET enable_seqscan = off AS $$
  SELECT b.priority, b.recipients, b.accepted, b.rejected, b.cost, b.created_at,
         (SELECT coalesce(jsonb_object_agg(s.status, s.n), '{}'::jsonb)
            FROM (SELECT m.status, count(*) AS n FROM messages m WHERE m.bulk_id = b.bulk_id GROUP BY m.status) s)
  FROM bulks b
  WHERE b.bulk_id = p_bulk_id AND b.user_id = p_user_id
$$;
