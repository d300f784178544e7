-- Cheaper webhook events (issue 14, must-show 4: events keep up with messages). Each message makes two events (sent,
-- then delivered), and each event was written three times: the trigger's insert, the claim, the result. Measured on the
-- workplace's 2-core VM (PostgreSQL 15, 36,000 events, bench/README "Webhook events, issue 14"):
--
-- 1. The insert paid ~30 µs of its ~66 µs for V3's generated column host, a regular expression evaluated per row.
--    host is now a plain column that the trigger fills with the URL's authority (host[:port], lower case) by split_part:
--    it only groups events per receiver for the dispatcher's per-host room, it is never trusted as an address
--    (CallbackUrls resolves and checks the URL itself before each POST), and userinfo is refused at registration.
--    DROP EXPRESSION keeps the stored values of existing rows (a host without its port: those drain as one more group).
-- 2. claim_webhook_events and record_webhook_results were LANGUAGE sql functions, which PostgreSQL 15 plans again on
--    every call; as plpgsql their statements keep a cached plan (claim plus result of 38,000 events, batches of 32:
--    4.2 s as sql, 3.6 s as plpgsql; batches of 128: 2.8 s and 2.0 s).
-- The signatures and results are the same as V5's and V3's, so the worker's statements do not change.

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

-- V5's claim, as plpgsql (the statement is V5's; read the comments in V5__webhook_claims_per_host.sql).
DROP FUNCTION claim_webhook_events(int, bigint, text[], text[], int[], int);
CREATE FUNCTION claim_webhook_events(p_limit int, p_lease_ms bigint, p_full_hosts text[], p_hosts text[], p_rooms int[],
                                     p_default_room int)
RETURNS TABLE (event_id uuid, claim_seq int, attempts int, url text, host text, payload text, secret text,
               created_at_ms bigint)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
  RETURN QUERY
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
        ORDER BY x.due_at LIMIT o.room FOR UPDATE SKIP LOCKED) d
     ORDER BY d.due_at LIMIT p_limit
  )
  UPDATE webhook_events e SET due_at = now() + p_lease_ms * interval '1 millisecond', claim_seq = e.claim_seq + 1,
         attempts = e.attempts + 1, last_attempt_at = now()
    FROM picked
   WHERE e.event_id = picked.event_id
  RETURNING e.event_id, e.claim_seq, e.attempts, e.url, e.host, e.payload,
            (SELECT w.secret FROM webhooks w WHERE w.user_id = e.user_id),
            (extract(epoch FROM e.created_at) * 1000)::bigint;
END
$$;

-- V3's record of results, as plpgsql (the statement is V3's; read the comments in V3__webhooks.sql).
DROP FUNCTION record_webhook_results(uuid[], int[], text[], text[], bigint[], bigint);
CREATE FUNCTION record_webhook_results(
  p_ids uuid[], p_seqs int[], p_kinds text[], p_errors text[], p_delays_ms bigint[], p_retry_for_s bigint)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_changed int;
BEGIN
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
  SELECT count(*)::int INTO v_changed FROM c;
  RETURN v_changed;
END
$$;
