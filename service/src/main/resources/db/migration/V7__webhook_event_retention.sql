-- Retention of the webhook outbox (issue 14). Every message makes two events, so at the design rate (100 million
-- messages a day) webhook_events gains 200 million rows a day; in the e2e benchmark it grew by 180 MB a minute. Events
-- whose fate is settled are deleted once they are old enough: delivered ones after webhooks.keep_delivered_s (7 days:
-- the user may still list them, GET /webhook/events), dead ones after webhooks.keep_dead_s (30 days: the dead letters
-- a user must be able to see and act on). Pending events are never deleted: they are retried until they are dead.

-- The age of a row by a BRIN index on created_at: rows are inserted in created_at order, so a block range's bounds are
-- tight, the index is a few pages for millions of rows, and an insert costs next to nothing (a B-tree here would be one
-- more index entry per event, which V6 was about removing).
CREATE INDEX webhook_events_created_brin ON webhook_events USING brin (created_at) WITH (pages_per_range = 32);

-- Deletes up to p_limit events that are delivered and older than p_keep_delivered_s, or dead and older than
-- p_keep_dead_s; returns how many. One purger at a time across the cluster (a transaction-scoped advisory lock: the
-- others return 0 at once); rows another transaction holds are skipped. The statement is planned per call (EXECUTE):
-- its cutoffs move, and a cached generic plan was what made V6's plpgsql claim slow.
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
       WHERE e.created_at < now() - least($1, $2) * interval '1 second'
         AND ((e.status = 'delivered' AND e.created_at < now() - $1 * interval '1 second')
           OR (e.status = 'dead' AND e.created_at < now() - $2 * interval '1 second'))
       LIMIT $3 FOR UPDATE SKIP LOCKED
    ), gone AS (
      DELETE FROM webhook_events e USING old WHERE e.event_id = old.event_id RETURNING 1
    )
    SELECT count(*)::int FROM gone
  $q$ INTO v_deleted USING p_keep_delivered_s, p_keep_dead_s, p_limit;
  RETURN v_deleted;
END
$$;
