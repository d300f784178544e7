-- Retention of the webhook outbox (issue 14). Every message makes two events, so at the design rate (100 million
-- messages a day) webhook_events gains 200 million rows a day; in the e2e benchmark it grew by 130-180 MB a minute.
-- Events whose fate is settled are deleted once they are old enough: delivered ones after webhooks.keep_delivered_s
-- (7 days: the user may still list them, GET /webhook/events), dead ones after webhooks.keep_dead_s (30 days: the dead
-- letters a user must be able to see and act on). Pending events are never deleted: they are retried until they are dead.
--
-- The age of a row is read off its primary key: event ids are now time-ordered UUIDs (RFC 9562 version 7: 48 bits of
-- Unix milliseconds, then random bits), so "older than T" is a range of the primary key, and inserts land on the index's
-- right edge instead of a random leaf (fewer pages dirtied, fewer full-page images after a checkpoint). No index is
-- added: a first version with a BRIN index on created_at (tried, not landed) cost a read of every unsummarized block
-- range, i.e. the whole unvacuumed table, per purge. Events written before this migration keep their random
-- (version 4) ids; those sort after every version 7 id of this century, so the purge never reaches them: delete them
-- by hand once they are settled (DELETE ... WHERE created_at < ... AND status <> 'pending').

-- A version 7 UUID for the time p_at: its Unix milliseconds, the version nibble 7, the rest of gen_random_uuid()'s
-- random bits (its variant bits 10 are already where version 7 wants them).
CREATE FUNCTION uuid_v7(p_at timestamptz) RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(set_byte(overlay(r.b PLACING substring(int8send((extract(epoch FROM p_at) * 1000)::bigint) FROM 3)
                                 FROM 1 FOR 6),
                         6, (get_byte(r.b, 6) & 15) | 112), 'hex')::uuid
    FROM (SELECT uuid_send(gen_random_uuid()) AS b) r
$$;

-- The smallest version 7 UUID of the millisecond p_at: every event created before p_at has a smaller id.
CREATE FUNCTION uuid_v7_floor(p_at timestamptz) RETURNS uuid
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT encode(substring(int8send((extract(epoch FROM p_at) * 1000)::bigint) FROM 3) || '\x00000000000000000000'::bytea,
                'hex')::uuid
$$;

-- V6's trigger function with a version 7 event id (everything else as there: read the comments in V3__webhooks.sql).
CREATE OR REPLACE FUNCTION enqueue_status_event() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  v_url   text := NEW.status_callback;
  v_id    uuid := uuid_v7(clock_timestamp());
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

-- Deletes up to p_limit events that are delivered and older than p_keep_delivered_s, or dead and older than
-- p_keep_dead_s, oldest first by the primary key; returns how many. One purger at a time across the cluster (a
-- transaction-scoped advisory lock: the others return 0 at once); rows another transaction holds are skipped. The
-- statement is planned per call (EXECUTE): its cutoffs move, and a cached generic plan was what made V6's plpgsql
-- claim slow. The scan reads, besides what it deletes, the dead events between the two cutoffs (kept longer) and any
-- pending event older than p_keep_delivered_s (there are none unless retry_for_s is longer than that).
CREATE FUNCTION purge_webhook_events(p_keep_delivered_s bigint, p_keep_dead_s bigint, p_limit int)
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_deleted int;
BEGIN
  IF NOT pg_try_advisory_xact_lock(hashtext('smsgw.purge_webhook_events')) THEN
    RETURN 0;
  END IF;
  EXECUTE $q$
    WITH old AS (
      SELECT e.event_id FROM webhook_events e
       WHERE e.event_id < uuid_v7_floor(now() - least($1, $2) * interval '1 second')
         AND ((e.status = 'delivered' AND e.created_at < now() - $1 * interval '1 second')
           OR (e.status = 'dead' AND e.created_at < now() - $2 * interval '1 second'))
       ORDER BY e.event_id
       LIMIT $3 FOR UPDATE SKIP LOCKED
    ), gone AS (
      DELETE FROM webhook_events e USING old WHERE e.event_id = old.event_id RETURNING 1
    )
    SELECT count(*)::int FROM gone
  $q$ INTO v_deleted USING p_keep_delivered_s, p_keep_dead_s, p_limit;
  RETURN v_deleted;
END
$$;
