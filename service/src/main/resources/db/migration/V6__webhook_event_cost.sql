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
