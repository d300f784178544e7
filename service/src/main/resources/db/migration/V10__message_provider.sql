-- Routing across providers (issue 15): which provider a message went to.
--
-- messages.provider is the id (conf routing.providers) of the provider that took the message, or that may have taken
-- it: once an attempt may have reached a provider unheard (send_in_doubt), the message is pinned to it, so its retries
-- (the same idempotency key) and its lookup go there and nowhere else; a failover to another provider happens only
-- after a definite "not taken". A final failure records the provider whose verdict it was. NULL: no provider was
-- reached yet, or the message was sent before V10.
--
-- record_outcomes and record_outcomes_with_reports gain p_providers (one per outcome; NULL: none). The 8-argument
-- versions stay, unchanged, for the workers of the previous release during a rolling upgrade (they record no provider).

ALTER TABLE messages ADD COLUMN provider text;

-- V1's record_outcomes (kinds as documented there), recording the provider as above.
CREATE FUNCTION record_outcomes(
  p_ids uuid[], p_seqs int[], p_kinds text[], p_provider_ids text[], p_errors text[], p_at_ms bigint[], p_delays_ms bigint[],
  p_doubts boolean[], p_providers text[])
RETURNS TABLE (o_message_id uuid, o_claim_seq int)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_bad text;
  v_applied text[];
  v_part text[];
  v_done_ids uuid[];
  v_done_users uuid[];
  v_done_costs bigint[];
BEGIN
  SELECT k INTO v_bad FROM unnest(p_kinds) AS k
   WHERE k NOT IN ('sent', 'retry', 'release', 'confirm', 'failed', 'rejected', 'unknown') LIMIT 1;
  IF v_bad IS NOT NULL THEN
    RAISE EXCEPTION 'unknown outcome %', v_bad;
  END IF;

  WITH s AS (
    UPDATE messages m SET status = 'sent', sent_at = to_timestamp(u.at_ms / 1000.0), provider_message_id = u.provider_id,
           provider = coalesce(u.provider, m.provider),
           last_error = NULL, claimed_until = NULL, attempt_open = false, confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_provider_ids, p_at_ms, p_providers) AS u(id, seq, kind, provider_id, at_ms, provider)
     WHERE u.kind = 'sent' AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT coalesce(array_agg(k), '{}') INTO v_applied FROM s;

  WITH r AS (
    UPDATE messages m SET claimed_until = now() + u.delay_ms * interval '1 millisecond',
           last_error = CASE WHEN u.kind = 'release' THEN m.last_error ELSE u.error END,
           attempt_open = false,
           send_in_doubt = m.send_in_doubt OR coalesce(u.doubt, true),
           -- Pinned once an attempt may have reached a provider: its retries and its lookup go there and nowhere else.
           provider = CASE WHEN m.provider IS NULL AND coalesce(u.doubt, true) THEN u.provider ELSE m.provider END,
           confirming = m.confirming OR u.kind = 'confirm',
           attempts = m.attempts - CASE WHEN u.kind = 'release' AND NOT m.confirming THEN 1 ELSE 0 END,
           updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors, p_delays_ms, p_doubts, p_providers) AS u(id, seq, kind, error, delay_ms, doubt, provider)
     WHERE u.kind IN ('retry', 'release', 'confirm') AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT v_applied || coalesce(array_agg(k), '{}') INTO v_applied FROM r;

  WITH x AS (
    UPDATE messages m SET status = 'failed', outcome_unknown = true, last_error = u.error, claimed_until = NULL,
           provider = coalesce(m.provider, u.provider),
           attempt_open = false, confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors, p_providers) AS u(id, seq, kind, error, provider)
     WHERE u.kind = 'unknown' AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT v_applied || coalesce(array_agg(k), '{}') INTO v_applied FROM x;

  WITH done AS (
    UPDATE messages m SET status = u.kind, last_error = u.error, claimed_until = NULL, attempt_open = false,
           provider = coalesce(m.provider, u.provider),
           confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors, p_providers) AS u(id, seq, kind, error, provider)
     WHERE u.kind IN ('failed', 'rejected') AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id, m.user_id, m.cost, m.claim_seq
  )
  SELECT array_agg(message_id), array_agg(user_id), array_agg(cost), v_applied || coalesce(array_agg(message_id::text || ':' || claim_seq), '{}')
    INTO v_done_ids, v_done_users, v_done_costs, v_applied FROM done;

  IF v_done_ids IS NOT NULL THEN
    -- Same lock order as the accept path (wallets by user id), so refunds and charges never deadlock.
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

  RETURN QUERY SELECT u.id, u.seq FROM unnest(p_ids, p_seqs) AS u(id, seq)
   WHERE NOT ((u.id::text || ':' || u.seq) = ANY (v_applied));
END
$$;

-- V9's record_outcomes_with_reports (one lock order), with the providers.
CREATE FUNCTION record_outcomes_with_reports(
  p_ids uuid[], p_seqs int[], p_kinds text[], p_provider_ids text[], p_errors text[], p_at_ms bigint[], p_delays_ms bigint[],
  p_doubts boolean[], p_providers text[])
RETURNS TABLE (o_message_id uuid, o_claim_seq int)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  PERFORM 1 FROM messages m WHERE m.message_id = ANY (p_ids) ORDER BY m.user_id, m.message_id FOR UPDATE;
  RETURN QUERY SELECT r.o_message_id, r.o_claim_seq
    FROM record_outcomes(p_ids, p_seqs, p_kinds, p_provider_ids, p_errors, p_at_ms, p_delays_ms, p_doubts, p_providers) AS r;
  PERFORM finalize_deliveries(ARRAY(SELECT u.id FROM unnest(p_ids, p_kinds) AS u(id, kind) WHERE u.kind = 'sent'));
END
$$;

-- The providers pinned to messages in doubt (the sender reads them before routing such a message again).
CREATE FUNCTION message_providers(p_ids uuid[])
RETURNS TABLE (message_id uuid, provider text)
LANGUAGE sql STABLE SET enable_seqscan = off AS $$
  SELECT m.message_id, m.provider FROM messages m WHERE m.message_id = ANY (p_ids) AND m.provider IS NOT NULL
$$;
