-- The accept batch, set-based: V1 looped over the messages and updated the wallet once per message, so a hot
-- wallet's row grew a version chain within each batch and a batch cost ~250 µs per message. Now each wallet of
-- the batch is locked and debited once, and the messages and ledger rows are inserted in one statement each.
--
-- Rules (unchanged): a message id stored before, or earlier in the same batch, is a duplicate; the others are
-- accepted in batch order while the wallet can pay (a running sum per user); the rest are insufficient_balance,
-- and nothing is stored or charged for them. An id that a concurrent transaction inserts at the same moment
-- is reported as a duplicate.
CREATE OR REPLACE FUNCTION accept_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[])
RETURNS TABLE (o_message_id uuid, o_outcome text, o_status text, o_owner uuid)
LANGUAGE plpgsql AS $$
DECLARE
  v_candidates bigint[];   -- positions of new messages the wallet can pay for
  v_inserted uuid[];
BEGIN
  -- 1. Lock the batch's wallets in one order (user_id), so concurrent batches queue instead of deadlocking.
  PERFORM 1 FROM wallets WHERE user_id = ANY (p_user_ids) ORDER BY user_id FOR UPDATE;

  -- 2. New messages (first occurrence, not stored yet) that fit the wallet in batch order.
  SELECT coalesce(array_agg(c.ord), '{}') INTO v_candidates
  FROM (
    SELECT n.ord, sum(n.cost) OVER (PARTITION BY n.user_id ORDER BY n.ord) AS running, w.balance
    FROM (
      SELECT DISTINCT ON (u.id) u.id, u.user_id, u.cost, u.ord
      FROM unnest(p_message_ids, p_user_ids, p_costs) WITH ORDINALITY AS u(id, user_id, cost, ord)
      ORDER BY u.id, u.ord
    ) n
    JOIN wallets w ON w.user_id = n.user_id
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.message_id = n.id)
  ) c
  WHERE c.running <= c.balance;

  -- 3. Store them, debit each wallet once by their total, and append one charge each.
  WITH ins AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o]
    FROM unnest(v_candidates) AS o
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
  SELECT coalesce(array_agg(message_id), '{}') INTO v_inserted FROM ins;

  -- 4. One answer per input, in input order.
  RETURN QUERY
  SELECT u.id,
         CASE
           WHEN u.ord = ANY (v_candidates) AND u.id = ANY (v_inserted) THEN 'accepted'
           WHEN u.ord = ANY (v_candidates) OR m.message_id IS NOT NULL THEN 'duplicate'
           ELSE 'insufficient_balance'
         END,
         CASE WHEN u.ord = ANY (v_candidates) AND u.id = ANY (v_inserted) THEN NULL ELSE m.status END,
         CASE WHEN u.ord = ANY (v_candidates) AND u.id = ANY (v_inserted) THEN NULL ELSE m.user_id END
  FROM unnest(p_message_ids) WITH ORDINALITY AS u(id, ord)
  LEFT JOIN messages m ON m.message_id = u.id
  ORDER BY u.ord;
END
$$;
