-- Sending: a message is claimed before it goes to the provider, so a redelivered Kafka record, a rebalance
-- or a second worker cannot send it again while the claim holds. claimed_until is also the time of the next
-- attempt after a transient failure: a pending row whose claim ran out is due (again), whatever the reason
-- (backoff over, or the worker died mid-send).
ALTER TABLE messages ADD COLUMN claimed_until timestamptz;
CREATE INDEX messages_due_for_retry ON messages (claimed_until) WHERE status = 'pending' AND claimed_until IS NOT NULL;

-- The outcome of many sends in one transaction (batched status writes). Status only moves forward: every
-- update is guarded by status = 'pending'. A failed or rejected message gets its refund in the same
-- transaction; the unique (message_id, kind) ledger key makes a second refund impossible.
CREATE FUNCTION record_outcomes(
  p_ids uuid[], p_kinds text[], p_provider_ids text[], p_errors text[], p_at_ms bigint[], p_delays_ms bigint[])
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  n int := coalesce(array_length(p_ids, 1), 0);
  v_user uuid;
  v_cost bigint;
  affected int;
BEGIN
  FOR i IN 1 .. n LOOP
    IF p_kinds[i] = 'sent' THEN
      UPDATE messages SET status = 'sent', sent_at = to_timestamp(p_at_ms[i] / 1000.0),
             provider_message_id = p_provider_ids[i], last_error = NULL, claimed_until = NULL, updated_at = now()
       WHERE message_id = p_ids[i] AND status = 'pending';
    ELSIF p_kinds[i] = 'retry' THEN
      UPDATE messages SET claimed_until = now() + p_delays_ms[i] * interval '1 millisecond',
             last_error = p_errors[i], updated_at = now()
       WHERE message_id = p_ids[i] AND status = 'pending';
    ELSIF p_kinds[i] IN ('failed', 'rejected') THEN
      UPDATE messages SET status = p_kinds[i], last_error = p_errors[i], claimed_until = NULL, updated_at = now()
       WHERE message_id = p_ids[i] AND status = 'pending'
      RETURNING user_id, cost INTO v_user, v_cost;
      IF FOUND THEN
        INSERT INTO ledger (user_id, message_id, kind, amount) VALUES (v_user, p_ids[i], 'refund', v_cost)
        ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS affected = ROW_COUNT;
        IF affected = 1 THEN
          UPDATE wallets SET balance = balance + v_cost, updated_at = now() WHERE user_id = v_user;
        END IF;
      END IF;
    ELSE
      RAISE EXCEPTION 'unknown outcome %', p_kinds[i];
    END IF;
  END LOOP;
  RETURN n;
END
$$;
