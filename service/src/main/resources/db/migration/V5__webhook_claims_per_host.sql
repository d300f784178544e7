-- The webhook dispatcher claims per receiver host only what that host has room for (issue 14).
--
-- V3's claim_webhook_events(limit, lease, busy_hosts) took the oldest due events whatever their host: with every event
-- of a burst for one receiver, a claim of 64 could start 8 (webhooks.max_per_host) and had to release the other 56, and
-- the dispatcher delivered about 32 events a second to that receiver; and its scan read past every pending event of a
-- host it had to leave out. This version is told each host's room (the dispatcher's free slots plus its small local
-- queue for that host, io.smsgw.webhook.WebhookDispatcher) and takes at most that many per host.
-- V3's function stays for a worker of the previous release during a rolling upgrade.

-- Each claim finds the hosts that have pending events by a skip scan of this index (one probe per host, however many
-- events a dead receiver has piled up), then takes per host with room its oldest due events, up to its room.
CREATE INDEX webhook_events_pending_by_host ON webhook_events ((coalesce(host, '')), due_at) WHERE status = 'pending';
-- V3's work list by due_at alone: this version does not read it, and every event paid for it at insert and at each claim.
-- (A worker of the previous release still claims correctly during a rolling upgrade, by a slower scan.)
DROP INDEX webhook_events_due;

-- p_full_hosts: hosts with no room (skipped); p_hosts / p_rooms: the room of each host the dispatcher holds events of;
-- any other host has p_default_room. Per host with room its oldest due events that fit (SKIP LOCKED, like V3's: two
-- dispatchers never take one event), then up to p_limit of those, oldest first, each leased for p_lease_ms with the
-- next fencing token. Returns the user's current secret (NULL: no webhook).
CREATE FUNCTION claim_webhook_events(p_limit int, p_lease_ms bigint, p_full_hosts text[], p_hosts text[], p_rooms int[],
                                     p_default_room int)
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
        ORDER BY x.due_at LIMIT o.room FOR UPDATE SKIP LOCKED) d
     ORDER BY d.due_at LIMIT p_limit
  )
  UPDATE webhook_events e SET due_at = now() + p_lease_ms * interval '1 millisecond', claim_seq = e.claim_seq + 1,
         attempts = e.attempts + 1, last_attempt_at = now()
    FROM picked
   WHERE e.event_id = picked.event_id
  RETURNING e.event_id, e.claim_seq, e.attempts, e.url, e.host, e.payload,
            (SELECT w.secret FROM webhooks w WHERE w.user_id = e.user_id),
            (extract(epoch FROM e.created_at) * 1000)::bigint
$$;
