-- Cheaper webhook events (issue 14, must-show 4: events keep up with messages). Each message makes two events (sent,
-- then delivered), and each event was written three times: the trigger's insert, the claim, the result. Measured on the
-- workplace's 2-core VM (PostgreSQL 15, 36,000 events, bench/README "Webhook events, issue 14"):
--
-- 1. The insert paid ~30 µs of its ~66 µs for V3's generated column host, a regular expression evaluated per row.
--    host is now a plain column that the trigger fills with the URL's authority (host[:port], lower case) by split_part:
--    it only groups events per receiver for the dispatcher's per-host room, it is never trusted as an address
--    (CallbackUrls resolves and checks the URL itself before each POST), and userinfo is refused at registration.
--    DROP EXPRESSION keeps the stored values of existing rows (a host without its port: those drain as one more group).
-- (Tried and dropped: claim_webhook_events and record_webhook_results as plpgsql, for cached plans. Alone on a quiet
-- database they were 15% faster; in the e2e benchmark a claim took 24 ms instead of 4.4 and a record 22 instead of 3.3,
-- the cached generic plans being worse than the per-call ones of the LANGUAGE sql versions, which stay.)

ALTER TABLE webhook_events ALTER COLUMN host DROP EXPRESSION;

-- The receiver of a callback URL, as the dispatcher groups events: the authority, lower case ("https://Hooks.Example.com:8443/x?y"
-- → "hooks.example.com:8443").
CREATE FUNCTION webhook_receiver(p_url text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(split_part(split_part(split_part(p_url, '/', 3), '?', 1), '#', 1))
$$;

-- V3's trigger function, with host filled in (everything else as there: read the comments in V3__webhooks.sql).
CREATE OR REPLACE FUNCTION enqueue_status_event() RETURNS trigger
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
  INSERT INTO webhook_events (event_id, user_id, message_id, url, host, payload)
  VALUES (v_id, NEW.user_id, NEW.message_id, v_url, webhook_receiver(v_url), v_event::text);
  RETURN NULL;
END
$$;

-- The sender's pollers (V4, every sender.retry_scan_interval_ms / sweep_interval_ms per lane and sender instance) found
-- nothing most of the time and still called take_claims_of_whole_messages with an empty array: 3 to 4 ms each in the
-- e2e benchmark, about 1,300 calls a minute, a tenth of a core of PostgreSQL for nothing. Now an empty poll returns
-- before that call; everything else is as in V4__validity_and_scheduling.sql.

CREATE OR REPLACE FUNCTION claim_due(p_lane text, p_claim_ms bigint, p_limit int)
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
  IF v_ids IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT * FROM take_claims_of_whole_messages(v_ids, p_claim_ms);
END
$$;

CREATE OR REPLACE FUNCTION claim_orphans(p_lane text, p_older_than_ms bigint, p_claim_ms bigint, p_limit int)
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
  IF v_ids IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT * FROM take_claims_of_whole_messages(v_ids, p_claim_ms);
END
$$;

CREATE OR REPLACE FUNCTION claim_scheduled(p_lane text, p_claim_ms bigint, p_limit int)
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
  IF v_ids IS NULL THEN
    RETURN;
  END IF;
  RETURN QUERY SELECT * FROM take_claims_of_whole_messages(v_ids, p_claim_ms);
END
$$;

-- ---------------------------------------------------------------------------------------------------------------------
-- The lease in its own column, so that a claim is a HOT update
-- ---------------------------------------------------------------------------------------------------------------------
-- V3 kept a dispatcher's lease in due_at, a column of the work-list index webhook_events_pending_by_host: every claim
-- wrote a new row version elsewhere and three new index entries (the claim was ~120 µs of PostgreSQL per event in e2e,
-- a fifth of the database's time). The lease is now leased_until, in no index, and the pages keep room for the new
-- version (fillfactor 80; rows inserted from now on), so a claim updates the row in place (HOT). due_at is again only
-- when the event is due: a claim skips events whose lease has not run out, and an event whose holder died is due again
-- when its lease runs out, as before.
ALTER TABLE webhook_events ADD COLUMN leased_until timestamptz;
ALTER TABLE webhook_events SET (fillfactor = 80);
-- Rows V5's claims leased: their lease was due_at, which stays in the past once it has run out; nothing else to move.

-- V5's claim, skipping leased events and leasing in leased_until (read the comments in V5__webhook_claims_per_host.sql).
CREATE OR REPLACE FUNCTION claim_webhook_events(p_limit int, p_lease_ms bigint, p_full_hosts text[], p_hosts text[],
                                                p_rooms int[], p_default_room int)
RETURNS TABLE (event_id uuid, claim_seq int, attempts int, url text, host text, payload text, secret text,
               created_at_ms bigint)
LANGUAGE sql AS $$
  WITH RECURSIVE pending_hosts(host) AS (
    (SELECT coalesce(x.host, '') FROM webhook_events x WHERE x.status = 'pending' ORDER BY coalesce(x.host, '') LIMIT 1)
    UNION ALL
    SELECT (SELECT coalesce(x.host, '') FROM webhook_events x
             WHERE x.status = 'pending' AND coalesce(x.host, '') > h.host ORDER BY coalesce(x.host, '') LIMIT 1)
      FROM pending_hosts h WHERE h.host IS NOT NULL
  ), open_hosts AS (
    SELECT h.host, coalesce(r.room, p_default_room) AS room
      FROM pending_hosts h LEFT JOIN unnest(p_hosts, p_rooms) AS r(host, room) ON r.host = h.host
     WHERE h.host IS NOT NULL AND NOT (h.host = ANY (p_full_hosts))
  ), picked AS (
    SELECT d.event_id FROM open_hosts o
     CROSS JOIN LATERAL (
       SELECT x.event_id, x.due_at FROM webhook_events x
        WHERE x.status = 'pending' AND coalesce(x.host, '') = o.host AND x.due_at <= now()
          AND (x.leased_until IS NULL OR x.leased_until <= now())
        ORDER BY x.due_at LIMIT o.room FOR UPDATE SKIP LOCKED) d
     ORDER BY d.due_at LIMIT p_limit
  )
  UPDATE webhook_events e SET leased_until = now() + p_lease_ms * interval '1 millisecond', claim_seq = e.claim_seq + 1,
         attempts = e.attempts + 1, last_attempt_at = now()
    FROM picked
   WHERE e.event_id = picked.event_id
  RETURNING e.event_id, e.claim_seq, e.attempts, e.url, e.host, e.payload,
            (SELECT w.secret FROM webhooks w WHERE w.user_id = e.user_id),
            (extract(epoch FROM e.created_at) * 1000)::bigint
$$;

-- V3's claim for workers of an older release: now the same claim (it must not take events leased in leased_until).
CREATE OR REPLACE FUNCTION claim_webhook_events(p_limit int, p_lease_ms bigint, p_busy_hosts text[])
RETURNS TABLE (event_id uuid, claim_seq int, attempts int, url text, host text, payload text, secret text,
               created_at_ms bigint)
LANGUAGE sql AS $$
  SELECT * FROM claim_webhook_events(p_limit, p_lease_ms, p_busy_hosts, '{}'::text[], '{}'::int[], p_limit)
$$;

-- V3's record of results, ending the lease in leased_until (read the comments in V3__webhooks.sql). A release leaves
-- due_at as it was (the event is due again at once, in its place in the work list): a HOT update too.
CREATE OR REPLACE FUNCTION record_webhook_results(
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
           due_at = CASE WHEN u.kind = 'retry' THEN now() + u.delay_ms * interval '1 millisecond' ELSE e.due_at END,
           leased_until = NULL,
           attempts = e.attempts - CASE WHEN u.kind = 'release' THEN 1 ELSE 0 END,
           last_error = CASE WHEN u.kind = 'release' THEN e.last_error WHEN u.kind = 'delivered' THEN NULL ELSE u.error END
      FROM u
     WHERE e.event_id = u.id AND e.claim_seq = u.seq AND e.status = 'pending'
    RETURNING 1
  )
  SELECT count(*)::int FROM c
$$;
