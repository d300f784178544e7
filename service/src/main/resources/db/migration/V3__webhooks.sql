-- Status webhooks (issue 14, part 3): a user's webhook, a message's own status_callback, and the outbox of events.
--
-- Every status change of a message whose user has a webhook, or which has a status_callback, writes one event row in
-- the same transaction as the change (a row trigger on messages), so whoever changes a status (record_outcomes,
-- finalize_deliveries, settlement, later expiry and cancel) writes its event, and an event exists if and only if its
-- change committed. The worker's webhook dispatcher POSTs the rows, signed, at least once (webhook/WebhookDispatcher).

-- One webhook per user. The secret is a signing key (HMAC-SHA256), not a password: the gateway needs it in the clear
-- to sign, so it is stored as given and shown to the user once, in the answer of PUT /webhook.
CREATE TABLE webhooks (
  user_id    uuid PRIMARY KEY,           -- no foreign key: see the conventions of the baseline
  url        text NOT NULL,
  secret     text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The URL of POST /send-sms's status_callback: this message's events go there instead of the user's webhook.
ALTER TABLE messages ADD COLUMN status_callback text;

-- The outbox of status events. status: pending (due at due_at; while a dispatcher holds it, due_at is the end of its
-- lease), delivered (a 2xx came back), dead (retried for webhooks.retry_for_s, or no secret left to sign with).
-- claim_seq fences the dispatcher's writes as messages.claim_seq fences the sender's.
CREATE TABLE webhook_events (
  event_id        uuid PRIMARY KEY,
  user_id         uuid NOT NULL,
  message_id      uuid NOT NULL,
  url             text NOT NULL,        -- where it goes: the message's status_callback, else the webhook's URL then
  -- The receiver's host, for the dispatcher's bound per host (a slow or dead receiver holds only its own slots).
  host            text GENERATED ALWAYS AS (lower(substring(url FROM '^[A-Za-z][A-Za-z0-9+.-]*://(\[[^]]*\]|[^/:?#]*)'))) STORED,
  payload         text NOT NULL,        -- the exact body POSTed (and signed)
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  due_at          timestamptz NOT NULL DEFAULT now(),
  attempts        int NOT NULL DEFAULT 0,
  claim_seq       int NOT NULL DEFAULT 0,
  last_attempt_at timestamptz,
  last_error      text,
  delivered_at    timestamptz
) WITH (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05);

-- The dispatcher's work list: only pending rows.
CREATE INDEX webhook_events_due ON webhook_events (due_at) WHERE status = 'pending';
-- GET /webhook/events: a user's events by status, newest first.
CREATE INDEX webhook_events_by_user ON webhook_events (user_id, status, created_at DESC);

-- One event for a status change of NEW (called by the triggers below, so in the changing transaction). The event goes
-- to the message's status_callback, else to the user's webhook at this moment; with neither there is no event.
CREATE FUNCTION enqueue_status_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_url   text := NEW.status_callback;
  v_id    uuid := gen_random_uuid();
  v_event jsonb;
BEGIN
  IF v_url IS NULL THEN
    SELECT w.url INTO v_url FROM webhooks w WHERE w.user_id = NEW.user_id;
    IF v_url IS NULL THEN
      RETURN NULL;
    END IF;
  END IF;
  v_event := jsonb_build_object(
    'event_id', v_id, 'type', 'message.status', 'message_id', NEW.message_id, 'status', NEW.status,
    'occurred_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'));
  IF NEW.status IN ('failed', 'rejected', 'undelivered') AND NEW.last_error IS NOT NULL THEN
    v_event := v_event || jsonb_build_object('error', NEW.last_error);
  END IF;
  IF NEW.status IN ('delivered', 'undelivered') THEN
    v_event := v_event || jsonb_build_object('parts', (
      SELECT coalesce(jsonb_agg(jsonb_build_object(
               'part', r.part, 'status', r.status, 'error_code', r.error_code,
               'done_at', to_char(r.done_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) ORDER BY r.part), '[]'::jsonb)
        FROM delivery_reports r WHERE r.message_id = NEW.message_id));
  END IF;
  INSERT INTO webhook_events (event_id, user_id, message_id, url, payload)
  VALUES (v_id, NEW.user_id, NEW.message_id, v_url, v_event::text);
  RETURN NULL;
END
$$;

-- The WHEN is evaluated before any function call: claims, outbox marks and other updates that leave the status as it
-- is cost nothing.
CREATE TRIGGER message_status_event AFTER UPDATE OF status ON messages
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
  EXECUTE FUNCTION enqueue_status_event();
-- A message stored already final (settlement's rejected_at_settlement rows) has a status change too.
CREATE TRIGGER message_inserted_final_event AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.status <> 'pending')
  EXECUTE FUNCTION enqueue_status_event();

-- ---------------------------------------------------------------------------------------------------------------------
-- The accept path carries status_callback: the three functions of the baseline again, with p_callbacks. Everything
-- else is as in V1__baseline.sql (read the comments there).
-- ---------------------------------------------------------------------------------------------------------------------

DROP FUNCTION accept_messages(uuid[], uuid[], text[], text[], text[], text[], int[], bigint[]);
DROP FUNCTION settle_messages(uuid[], uuid[], text[], text[], text[], text[], int[], bigint[], bigint[]);
DROP FUNCTION charge_new_messages(boolean, uuid[], uuid[], text[], text[], text[], text[], int[], bigint[], bigint[]);

CREATE FUNCTION charge_new_messages(
  p_wait boolean, p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_callbacks text[], p_accepted_at_ms bigint[],
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

  -- 4. Store, debit once per wallet, one charge per message.
  WITH ins AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at, settled_at,
                          status_callback)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o],
           CASE WHEN p_accepted_at_ms IS NULL THEN now() ELSE to_timestamp(p_accepted_at_ms[o] / 1000.0) END,
           CASE WHEN p_accepted_at_ms IS NULL THEN NULL ELSE now() END,
           p_callbacks[o]
    FROM unnest(o_charged) AS o
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
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_callbacks text[])
RETURNS TABLE (o_message_id uuid, o_outcome text, o_status text, o_owner uuid)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_locked uuid[];
  v_charged bigint[];
  v_inserted uuid[];
BEGIN
  SELECT c.o_locked, c.o_charged, c.o_inserted INTO v_locked, v_charged, v_inserted
  FROM charge_new_messages(false, p_message_ids, p_user_ids, p_phones, p_bodies, p_priorities, p_encodings,
                           p_segments, p_costs, p_callbacks, NULL) c;

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

CREATE FUNCTION settle_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_callbacks text[], p_accepted_at_ms bigint[])
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
                           p_segments, p_costs, p_callbacks, p_accepted_at_ms) c;

  -- Nothing to publish for a rejected row: published_at is set so it never counts as outbox backlog.
  WITH rej AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at,
                          settled_at, status, last_error, published_at, rejected_at_settlement, status_callback)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o], to_timestamp(p_accepted_at_ms[o] / 1000.0), now(),
           'rejected', 'insufficient_balance_at_settlement', now(), true, p_callbacks[o]
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
-- The dispatcher (worker pods)
-- ---------------------------------------------------------------------------------------------------------------------

-- Takes up to p_limit due events, oldest due first, each with a lease of p_lease_ms (due_at moves to its end: if the
-- holder dies, the event is due again then) and the next fencing token. Rows another dispatcher holds are skipped
-- (SKIP LOCKED), so two dispatchers never take the same event at once; events for p_busy_hosts (the receivers whose
-- slots this dispatcher has all in use) are left for later. Returns the user's current secret (NULL: no webhook).
CREATE FUNCTION claim_webhook_events(p_limit int, p_lease_ms bigint, p_busy_hosts text[])
RETURNS TABLE (event_id uuid, claim_seq int, attempts int, url text, host text, payload text, secret text,
               created_at_ms bigint)
LANGUAGE sql AS $$
  UPDATE webhook_events e SET due_at = now() + p_lease_ms * interval '1 millisecond', claim_seq = e.claim_seq + 1,
         attempts = e.attempts + 1, last_attempt_at = now()
   WHERE e.event_id IN (
     SELECT x.event_id FROM webhook_events x
      WHERE x.status = 'pending' AND x.due_at <= now() AND NOT (coalesce(x.host, '') = ANY (p_busy_hosts))
      ORDER BY x.due_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
  RETURNING e.event_id, e.claim_seq, e.attempts, e.url, e.host, e.payload,
            (SELECT w.secret FROM webhooks w WHERE w.user_id = e.user_id),
            (extract(epoch FROM e.created_at) * 1000)::bigint
$$;

-- The ends of claims, in one statement, each fenced by its claim_seq (a holder whose lease ran out writes nothing).
-- Kinds: delivered (a 2xx); retry (due again after p_delays_ms; dead instead once the event is p_retry_for_s old);
-- dead (never retried: nothing to sign with); release (not attempted: due again at once, the attempt not counted).
-- Returns how many rows changed.
CREATE FUNCTION record_webhook_results(
  p_ids uuid[], p_seqs int[], p_kinds text[], p_errors text[], p_delays_ms bigint[], p_retry_for_s bigint)
RETURNS int
LANGUAGE sql AS $$
  WITH u AS (
    SELECT * FROM unnest(p_ids, p_seqs, p_kinds, p_errors, p_delays_ms) AS u(id, seq, kind, error, delay_ms)
  ), c AS (
    UPDATE webhook_events e SET
           status = CASE
                      WHEN u.kind = 'delivered' THEN 'delivered'
                      WHEN u.kind = 'dead' THEN 'dead'
                      WHEN u.kind = 'retry' AND e.created_at + p_retry_for_s * interval '1 second' <= now() THEN 'dead'
                      ELSE 'pending'
                    END,
           delivered_at = CASE WHEN u.kind = 'delivered' THEN now() ELSE NULL END,
           due_at = CASE WHEN u.kind = 'retry' THEN now() + u.delay_ms * interval '1 millisecond' ELSE now() END,
           attempts = e.attempts - CASE WHEN u.kind = 'release' THEN 1 ELSE 0 END,
           last_error = CASE WHEN u.kind = 'release' THEN e.last_error WHEN u.kind = 'delivered' THEN NULL ELSE u.error END
      FROM u
     WHERE e.event_id = u.id AND e.claim_seq = u.seq AND e.status = 'pending'
    RETURNING 1
  )
  SELECT count(*)::int FROM c
$$;

-- The baseline's signature, kept for the scripts that call it by hand (bench/scaling, bench Stages): no callbacks.
CREATE FUNCTION accept_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[])
RETURNS TABLE (o_message_id uuid, o_outcome text, o_status text, o_owner uuid)
LANGUAGE sql AS $$
  SELECT * FROM accept_messages(p_message_ids, p_user_ids, p_phones, p_bodies, p_priorities, p_encodings, p_segments,
                                p_costs, NULL::text[])
$$;
