-- The webhook dispatcher claims per receiver host only what that host has room for (issue 14).
--
-- V3's claim_webhook_events(limit, lease, busy_hosts) took the oldest due events whatever their host: with every event
-- of a burst for one receiver, a claim of 64 could start 8 (webhooks.max_per_host) and had to release the other 56, and
-- the dispatcher delivered about 32 events a second to that receiver. This version is told each host's room (the
-- dispatcher's free slots plus its small local queue for that host, io.smsgw.webhook.WebhookDispatcher) and takes at
-- most that many per host. V3's function stays for a worker of the previous release during a rolling upgrade.

-- p_full_hosts: hosts with no room (left out of the scan); p_hosts / p_rooms: the room of each host the dispatcher has
-- events of; any other host has p_default_room. Scans the oldest due events of hosts with room (a window of 4 × p_limit,
-- locked SKIP LOCKED like V3's, released at the end of the statement), keeps per host the oldest ones that fit its room,
-- and leases up to p_limit of those, oldest first. Returns the user's current secret (NULL: no webhook).
CREATE FUNCTION claim_webhook_events(p_limit int, p_lease_ms bigint, p_full_hosts text[], p_hosts text[], p_rooms int[],
                                     p_default_room int)
RETURNS TABLE (event_id uuid, claim_seq int, attempts int, url text, host text, payload text, secret text,
               created_at_ms bigint)
LANGUAGE sql AS $$
  WITH due AS (
    SELECT x.event_id, coalesce(x.host, '') AS host, x.due_at FROM webhook_events x
     WHERE x.status = 'pending' AND x.due_at <= now() AND NOT (coalesce(x.host, '') = ANY (p_full_hosts))
     ORDER BY x.due_at LIMIT 4 * p_limit FOR UPDATE SKIP LOCKED
  ), ranked AS (
    SELECT d.event_id, d.due_at, row_number() OVER (PARTITION BY d.host ORDER BY d.due_at) AS n,
           coalesce(r.room, p_default_room) AS room
      FROM due d LEFT JOIN unnest(p_hosts, p_rooms) AS r(host, room) ON r.host = d.host
  ), picked AS (
    SELECT ranked.event_id FROM ranked WHERE ranked.n <= ranked.room ORDER BY ranked.due_at LIMIT p_limit
  )
  UPDATE webhook_events e SET due_at = now() + p_lease_ms * interval '1 millisecond', claim_seq = e.claim_seq + 1,
         attempts = e.attempts + 1, last_attempt_at = now()
    FROM picked
   WHERE e.event_id = picked.event_id
  RETURNING e.event_id, e.claim_seq, e.attempts, e.url, e.host, e.payload,
            (SELECT w.secret FROM webhooks w WHERE w.user_id = e.user_id),
            (extract(epoch FROM e.created_at) * 1000)::bigint
$$;
