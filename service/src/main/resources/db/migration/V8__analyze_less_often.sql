-- V5 analyzed messages and ledger after 1% growth. Every hot statement now runs inside a function that never
-- prefers a sequential scan (V5, V7 and mark_published below), so fresh statistics no longer guard the plans,
-- and at a few thousand messages a second that setting ran ANALYZE every second or two, competing with the
-- accept path for the same two cores. Back to a moderate pace.
ALTER TABLE messages SET (autovacuum_analyze_scale_factor = 0.05, autovacuum_analyze_threshold = 50000);
ALTER TABLE ledger SET (autovacuum_analyze_scale_factor = 0.05, autovacuum_analyze_threshold = 50000);

-- The published-marker's UPDATE, for the same reason as V5: it touches rows only by primary key.
CREATE FUNCTION mark_published(p_ids uuid[]) RETURNS void
LANGUAGE sql SET enable_seqscan = off AS $$
  UPDATE messages SET published_at = now() WHERE message_id = ANY (p_ids) AND published_at IS NULL
$$;
