-- The outcomes batch, set-based: V2 looped over the outcomes and ran one UPDATE per message (the statement
-- PostgreSQL spent the most time on at 1,200 messages/s after the accept call). Now one UPDATE per kind of outcome.
--
-- Rules (unchanged): every update is guarded by status = 'pending', so status only moves forward; a failed or
-- rejected message gets its refund in the same transaction, at most once (the unique (message_id, kind) ledger
-- key). Wallets are locked in user_id order, the order the accept path uses, so the two never deadlock.
CREATE OR REPLACE FUNCTION record_outcomes(
  p_ids uuid[], p_kinds text[], p_provider_ids text[], p_errors text[], p_at_ms bigint[], p_delays_ms bigint[])
RETURNS int
LANGUAGE plpgsql AS $$
DECLARE
  v_bad text;
  v_done_ids uuid[];
  v_done_users uuid[];
  v_done_costs bigint[];
BEGIN
  SELECT k INTO v_bad FROM unnest(p_kinds) AS k WHERE k NOT IN ('sent', 'retry', 'failed', 'rejected') LIMIT 1;
  IF v_bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown outcome %', v_bad;
  END IF;

  UPDATE messages m SET status = 'sent', sent_at = to_timestamp(u.at_ms / 1000.0), provider_message_id = u.provider_id,
         last_error = NULL, claimed_until = NULL, updated_at = now()
    FROM unnest(p_ids, p_kinds, p_provider_ids, p_at_ms) AS u(id, kind, provider_id, at_ms)
   WHERE u.kind = 'sent' AND m.message_id = u.id AND m.status = 'pending';

  UPDATE messages m SET claimed_until = now() + u.delay_ms * interval '1 millisecond', last_error = u.error, updated_at = now()
    FROM unnest(p_ids, p_kinds, p_errors, p_delays_ms) AS u(id, kind, error, delay_ms)
   WHERE u.kind = 'retry' AND m.message_id = u.id AND m.status = 'pending';

  WITH done AS (
    UPDATE messages m SET status = u.kind, last_error = u.error, claimed_until = NULL, updated_at = now()
      FROM unnest(p_ids, p_kinds, p_errors) AS u(id, kind, error)
     WHERE u.kind IN ('failed', 'rejected') AND m.message_id = u.id AND m.status = 'pending'
    RETURNING m.message_id, m.user_id, m.cost
  )
  SELECT array_agg(message_id), array_agg(user_id), array_agg(cost) INTO v_done_ids, v_done_users, v_done_costs FROM done;

  IF v_done_ids IS NOT NULL THEN
    PERFORM 1 FROM wallets WHERE user_id = ANY (v_done_users) ORDER BY user_id FOR UPDATE;
    WITH refunds AS (
      INSERT INTO ledger (user_id, message_id, kind, amount)
      SELECT d.user_id, d.message_id, 'refund', d.cost FROM unnest(v_done_ids, v_done_users, v_done_costs) AS d(message_id, user_id, cost)
      ON CONFLICT DO NOTHING
      RETURNING user_id, amount
    )
    UPDATE wallets w SET balance = w.balance + r.total, updated_at = now()
      FROM (SELECT user_id, sum(amount) AS total FROM refunds GROUP BY user_id) r
     WHERE w.user_id = r.user_id;
  END IF;
  RETURN coalesce(array_length(p_ids, 1), 0);
END
$$;
