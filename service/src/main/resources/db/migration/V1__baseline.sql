-- The gateway's schema, as one baseline: the tables first (accounts, wallets and the ledger, messages), then the
-- functions by capability (accounts, the accept path, the outbox, sending, settlement).
--
-- Conventions that hold throughout:
--   * Money is an integer count of the smallest currency unit (Rials), never a float.
--   * messages.user_id and ledger.user_id have no foreign key to users: with one, every inserted row ran a trigger
--     that locked its user's row (FOR KEY SHARE, shared through a multixact by concurrent batches of one user), and
--     a 160-message accept batch took 24 ms instead of 17.5. The only writers guarantee the reference instead: the
--     accept and settlement paths insert only for users whose wallet exists (wallets keeps its foreign key), refunds
--     copy the message's user, top-ups insert only when the wallet row was updated. ops/InvariantCheck verifies it on
--     the live data ("message or ledger entry of an unknown user").
--   * Every hot statement runs inside a function declared SET enable_seqscan = off. They touch rows only through an
--     index, but statistics lag behind a table that grows by thousands of rows a second, and a generic plan once chose
--     a sequential scan of messages (25 ms a call instead of 1). Off makes a sequential scan a last resort, not
--     impossible.
--   * Whoever locks several wallets locks them in user_id order (accept, settlement, refunds), so they never deadlock.


-- =====================================================================================================================
-- TABLES
-- =====================================================================================================================

-- ---------------------------------------------------------------------------------------------------------------------
-- Accounts, API keys, rate limits
-- ---------------------------------------------------------------------------------------------------------------------

CREATE TABLE users (
  user_id    uuid PRIMARY KEY,
  name       text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Several keys per user, so a key can be rotated and revoked. A revocation is announced to every gateway pod by the
-- trigger api_key_revoked (see the functions).
CREATE TABLE api_keys (
  key_id     uuid PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (user_id),
  key_hash   bytea NOT NULL UNIQUE,             -- SHA-256 of the key; the key itself is shown once
  created_at timestamptz NOT NULL DEFAULT now(),
  revoked_at timestamptz
);
CREATE INDEX api_keys_user ON api_keys (user_id);

-- A user's override of conf rate_limit.default_* (PUT /admin/users/{user_id}/limits). A removed override (DELETE)
-- stays as a row with NULLs, so that the gateways' incremental reload (WHERE updated_at > last, with an overlap for
-- transactions that committed late) sees the removal too.
CREATE TABLE user_rate_limits (
  user_id             uuid PRIMARY KEY REFERENCES users (user_id),
  messages_per_second int CHECK (messages_per_second BETWEEN 1 AND 100000),
  burst               int CHECK (burst BETWEEN 1 AND 1000000),
  updated_at          timestamptz NOT NULL DEFAULT clock_timestamp(),
  CHECK ((messages_per_second IS NULL) = (burst IS NULL))
);
CREATE INDEX user_rate_limits_by_updated_at ON user_rate_limits (updated_at);

-- ---------------------------------------------------------------------------------------------------------------------
-- Wallets, the ledger, top-ups
-- ---------------------------------------------------------------------------------------------------------------------

-- The balance a charge is guarded by: a debit that would make it negative fails the CHECK.
CREATE TABLE wallets (
  user_id    uuid PRIMARY KEY REFERENCES users (user_id),
  balance    bigint NOT NULL CHECK (balance >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Append-only: one row per money movement. Analyzed after 50,000 new rows plus 5% of the table, a moderate pace: the
-- plans do not depend on fresh statistics (enable_seqscan = off), and analyzing after 1% growth ran ANALYZE every
-- second or two at a few thousand messages a second, competing with the accept path for the same cores.
CREATE TABLE ledger (
  entry_id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id    uuid NOT NULL,                    -- no foreign key: see the conventions above
  message_id uuid,
  kind       text NOT NULL CHECK (kind IN ('topup', 'charge', 'refund')),
  amount     bigint NOT NULL CHECK (amount > 0),
  created_at timestamptz NOT NULL DEFAULT now(),
  -- A client-chosen id of a top-up: an admin tool that retries after a timeout (or a 503) with the same id cannot
  -- credit the wallet twice. Top-ups without an id still work (NULLs never conflict).
  topup_id   uuid,
  CHECK ((kind = 'topup') = (message_id IS NULL))
) WITH (autovacuum_analyze_scale_factor = 0.05, autovacuum_analyze_threshold = 50000);
-- A message is charged at most once and refunded at most once, by construction; the unique index decides under
-- concurrency (the refund's ON CONFLICT DO NOTHING relies on it).
CREATE UNIQUE INDEX ledger_one_per_message_and_kind ON ledger (message_id, kind) WHERE message_id IS NOT NULL;
CREATE UNIQUE INDEX ledger_one_per_topup ON ledger (topup_id) WHERE topup_id IS NOT NULL;
CREATE INDEX ledger_by_user ON ledger (user_id);
-- NOT VALID, as the constraint has always been (it was added to a ledger that might have held rows): enforced for
-- every new row all the same. Kept so that this baseline is exactly the schema the migrations it replaces built.
ALTER TABLE ledger ADD CONSTRAINT ledger_topup_id_only_on_topups CHECK (topup_id IS NULL OR kind = 'topup') NOT VALID;

-- ---------------------------------------------------------------------------------------------------------------------
-- Messages (also the Kafka outbox, the sending state and the settlement record)
-- ---------------------------------------------------------------------------------------------------------------------

-- One row per accepted message. Status only moves forward (every write out of 'pending' is guarded by
-- status = 'pending'). Vacuumed after 5% churn and analyzed like the ledger (see there).
CREATE TABLE messages (
  message_id             uuid PRIMARY KEY,
  user_id                uuid NOT NULL,        -- no foreign key: see the conventions above
  phone_number           text NOT NULL,
  body                   text NOT NULL,
  priority               text NOT NULL CHECK (priority IN ('normal', 'vip')),   -- also the sending lane
  encoding               text NOT NULL CHECK (encoding IN ('GSM7', 'UCS2')),
  segments               int NOT NULL CHECK (segments > 0),
  cost                   bigint NOT NULL CHECK (cost > 0),
  status                 text NOT NULL DEFAULT 'pending'
                           CHECK (status IN ('pending', 'sent', 'delivered', 'failed', 'rejected')),
  -- The time of the 200 (in async mode too, where PostgreSQL charges later: see settled_at).
  accepted_at            timestamptz NOT NULL DEFAULT now(),
  -- Outbox: NULL until Kafka acknowledged the record, or a worker claimed the message (it read the record).
  published_at           timestamptz,
  sent_at                timestamptz,
  provider_message_id    text,
  attempts               int NOT NULL DEFAULT 0,
  last_error             text,
  updated_at             timestamptz NOT NULL DEFAULT now(),
  -- Sending: a message is claimed before it goes to the provider, so a redelivered Kafka record, a rebalance or a
  -- second worker cannot send it again while the claim holds. claimed_until is also the time of the next attempt
  -- (a backoff, a due lookup): a pending row whose claim ran out is due, whatever the reason.
  claimed_until          timestamptz,
  -- Settlement (async balance mode): when PostgreSQL charged or rejected the message; NULL for a message charged on
  -- the request path (sync). settled_at - accepted_at is the settlement lag.
  settled_at             timestamptz,
  -- Answered 200 in async mode but not payable at settlement (the Redis cache was wrong, or async without
  -- reservation): stored as rejected, never charged and so never refunded. The flag tells the invariant check these
  -- rows from every other rejected message, which must have its refund.
  rejected_at_settlement boolean NOT NULL DEFAULT false,
  -- Fenced claims: every claim takes the next token (claim_seq + 1) and every write that ends or changes a claim
  -- presents it, so a holder whose claim ran out while it was still alive (a long GC, a partition, a frozen VM)
  -- changes nothing (Kleppmann's fencing tokens).
  claim_seq              int NOT NULL DEFAULT 0,
  -- Refund only when certain. attempt_open: the current claim may send and has recorded no outcome yet (a claim
  -- that ends that way may have reached the provider). send_in_doubt: some attempt may have reached the provider
  -- without our knowing its answer. confirming: no more sends; the message waits for the provider's lookup, due
  -- after its maximum processing time since last_attempt_at. outcome_unknown: its fate could not be learnt; final
  -- failed and not refunded (a refund is never a guess).
  attempt_open           boolean NOT NULL DEFAULT false,
  send_in_doubt          boolean NOT NULL DEFAULT false,
  confirming             boolean NOT NULL DEFAULT false,
  last_attempt_at        timestamptz,
  outcome_unknown        boolean NOT NULL DEFAULT false,
  -- The outbox relay's lease on the row (lease_unpublished), instead of a row lock held while Kafka is waited for.
  relay_until            timestamptz,
  CONSTRAINT rejected_at_settlement_is_rejected CHECK (NOT rejected_at_settlement OR status = 'rejected'),
  CONSTRAINT outcome_unknown_is_failed CHECK (NOT outcome_unknown OR status = 'failed')
) WITH (autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.05,
        autovacuum_analyze_threshold = 50000);

-- Outbox: the relay's work list stays small, only rows Kafka has not acknowledged yet.
CREATE INDEX messages_unpublished ON messages (accepted_at) WHERE published_at IS NULL;
-- Sending: claims that ran out (retries, lookups, a dead worker's sends), for claim_due.
CREATE INDEX messages_due_for_retry ON messages (claimed_until) WHERE status = 'pending' AND claimed_until IS NOT NULL;
-- Sending: nothing pending forever. Pending messages nobody ever claimed (their Kafka record is gone, or never came),
-- for the sweeper (claim_orphans). A row is here from its insert until its first claim: small, at the right edge.
CREATE INDEX messages_unclaimed ON messages (priority, accepted_at) WHERE status = 'pending' AND claimed_until IS NULL;
-- Settlement: the invariant check's way to the rows that must have no refund.
CREATE INDEX messages_rejected_at_settlement ON messages (user_id) WHERE rejected_at_settlement;


-- =====================================================================================================================
-- FUNCTIONS
-- =====================================================================================================================

-- ---------------------------------------------------------------------------------------------------------------------
-- Accounts
-- ---------------------------------------------------------------------------------------------------------------------

-- A revocation tells every gateway pod (LISTEN smsgw_api_key_revoked) which hash to drop from its caches. The
-- notification is delivered when the revoking transaction commits, whoever revokes (the admin API or plain SQL).
CREATE FUNCTION notify_api_key_revoked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('smsgw_api_key_revoked', encode(NEW.key_hash, 'base64'));
  RETURN NEW;
END $$;

CREATE TRIGGER api_key_revoked AFTER UPDATE OF revoked_at ON api_keys
  FOR EACH ROW WHEN (NEW.revoked_at IS NOT NULL AND OLD.revoked_at IS NULL)
  EXECUTE FUNCTION notify_api_key_revoked();

-- ---------------------------------------------------------------------------------------------------------------------
-- Charging a batch of messages: the rules shared by the accept path (sync) and settlement (async)
-- ---------------------------------------------------------------------------------------------------------------------

-- The one home of the charging rules, for accept_messages and settle_messages. One call per batch, never per message:
-- every step is one set-based statement over the whole batch, as it was when each caller had its own copy. The
-- callers add only what differs: the answer per message, and (settlement) the rows stored as rejected.
--
-- The rules, for a batch in batch order (arrays: one per column, position = batch order):
--   1. Lock the batch's wallets in one order (user_id), so concurrent batches queue instead of deadlocking.
--      p_wait = false (the request path): take only the wallets that are free (SKIP LOCKED). One wallet held by
--      someone else (an operator's transaction, a stuck client, another pod's long batch) must stall only its own
--      requests, not the whole batch; its messages are the caller's 'busy'. p_wait = true (settlement): wait.
--   2. New messages: the first occurrence of each message id that is not stored yet. A repeat within the batch, or an
--      id stored before, is a duplicate.
--   3. Of those, the ones whose wallet can pay, in batch order: a running sum per user within the wallet's balance.
--      With p_wait = false only messages of the wallets locked in step 1 count.
--   4. Store them, debit each wallet once by their total, and append one charge each. Once per wallet, not per
--      message: per-message updates grew a version chain on a hot wallet's row within each batch (~250 µs a message).
--      An id that a concurrent transaction inserts at the same moment is not inserted here (ON CONFLICT) and so not
--      charged: the caller reports it as a duplicate.
-- p_accepted_at_ms: NULL on the request path (accepted now, not settled); otherwise the time of each 200 (epoch ms),
-- and the messages are settled now.
--
-- Returns positions (1-based) and ids: o_locked the wallets step 1 holds, o_new the positions of step 2, o_charged
-- the positions of step 3, o_inserted the ids of step 4 (o_charged minus concurrent inserts).
CREATE FUNCTION charge_new_messages(
  p_wait boolean, p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_accepted_at_ms bigint[],
  OUT o_locked uuid[], OUT o_new bigint[], OUT o_charged bigint[], OUT o_inserted uuid[])
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  -- 1. The batch's wallets, locked in user_id order.
  IF p_wait THEN
    SELECT coalesce(array_agg(l.user_id), '{}') INTO o_locked
    FROM (SELECT w.user_id FROM wallets w WHERE w.user_id = ANY (p_user_ids) ORDER BY w.user_id FOR UPDATE) l;
  ELSE
    SELECT coalesce(array_agg(l.user_id), '{}') INTO o_locked
    FROM (SELECT w.user_id FROM wallets w WHERE w.user_id = ANY (p_user_ids) ORDER BY w.user_id FOR UPDATE SKIP LOCKED) l;
  END IF;

  -- 2 and 3 in one statement. A new message without a (locked) wallet gets no balance, so it is new but never
  -- charged; it is alone in its user's partition, so it changes no other user's running sum.
  SELECT coalesce(array_agg(c.ord), '{}'), coalesce(array_agg(c.ord) FILTER (WHERE c.running <= c.balance), '{}')
    INTO o_new, o_charged
  FROM (
    SELECT n.ord, sum(n.cost) OVER (PARTITION BY n.user_id ORDER BY n.ord) AS running, w.balance
    FROM (
      SELECT DISTINCT ON (u.id) u.id, u.user_id, u.cost, u.ord
      FROM unnest(p_message_ids, p_user_ids, p_costs) WITH ORDINALITY AS u(id, user_id, cost, ord)
      ORDER BY u.id, u.ord
    ) n
    LEFT JOIN wallets w ON w.user_id = n.user_id AND (p_wait OR w.user_id = ANY (o_locked))
    WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.message_id = n.id)
  ) c;

  -- 4. Store, debit once per wallet, one charge per message.
  WITH ins AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at, settled_at)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o],
           CASE WHEN p_accepted_at_ms IS NULL THEN now() ELSE to_timestamp(p_accepted_at_ms[o] / 1000.0) END,
           CASE WHEN p_accepted_at_ms IS NULL THEN NULL ELSE now() END
    FROM unnest(o_charged) AS o
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
  SELECT coalesce(array_agg(message_id), '{}') INTO o_inserted FROM ins;
END
$$;

-- The accept path (sync balance mode): one batch in one statement and one transaction (group commit). Outcomes, one
-- per input in input order: accepted; duplicate (with the stored message's status and owner); busy (the wallet is
-- held by someone else: the caller keeps the message queued and tries it again in a later batch until its deadline);
-- insufficient_balance. Nothing is stored or charged for anything but 'accepted'.
CREATE FUNCTION accept_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[])
RETURNS TABLE (o_message_id uuid, o_outcome text, o_status text, o_owner uuid)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_locked uuid[];
  v_charged bigint[];
  v_inserted uuid[];
BEGIN
  SELECT c.o_locked, c.o_charged, c.o_inserted INTO v_locked, v_charged, v_inserted
  FROM charge_new_messages(false, p_message_ids, p_user_ids, p_phones, p_bodies, p_priorities, p_encodings,
                           p_segments, p_costs, NULL) c;

  -- A duplicate is told even when its wallet is busy (no lock needed).
  RETURN QUERY
  SELECT u.id,
         CASE
           WHEN u.ord = ANY (v_charged) AND u.id = ANY (v_inserted) THEN 'accepted'
           WHEN u.ord = ANY (v_charged) OR m.message_id IS NOT NULL THEN 'duplicate'
           WHEN NOT (u.user_id = ANY (v_locked)) AND EXISTS (SELECT 1 FROM wallets w WHERE w.user_id = u.user_id) THEN 'busy'
           ELSE 'insufficient_balance'
         END,
         CASE WHEN u.ord = ANY (v_charged) AND u.id = ANY (v_inserted) THEN NULL ELSE m.status END,
         CASE WHEN u.ord = ANY (v_charged) AND u.id = ANY (v_inserted) THEN NULL ELSE m.user_id END
  FROM unnest(p_message_ids, p_user_ids) WITH ORDINALITY AS u(id, user_id, ord)
  LEFT JOIN messages m ON m.message_id = u.id
  ORDER BY u.ord;
END
$$;

-- ---------------------------------------------------------------------------------------------------------------------
-- The outbox
-- ---------------------------------------------------------------------------------------------------------------------

-- Kafka acknowledged these records: they leave the outbox.
CREATE FUNCTION mark_published(p_ids uuid[]) RETURNS void
LANGUAGE sql SET enable_seqscan = off AS $$
  UPDATE messages SET published_at = now() WHERE message_id = ANY (p_ids) AND published_at IS NULL
$$;

-- The relay's round: it holds no row lock while it waits for Kafka (a worker claiming the same message would block
-- behind it, up to Kafka's delivery timeout). It takes a lease instead, in a statement of its own: rows leased by one
-- pod's relay are skipped by the others until the lease runs out; the row leaves the outbox when Kafka acknowledged
-- it (mark_published) or a worker claimed it.
CREATE FUNCTION lease_unpublished(p_min_age_ms bigint, p_limit int, p_lease_ms bigint)
RETURNS TABLE (message_id uuid, user_id uuid, phone_number text, body text, priority text, encoding text, segments int,
               cost bigint, accepted_at_ms bigint)
LANGUAGE sql AS $$
  UPDATE messages m SET relay_until = now() + p_lease_ms * interval '1 millisecond'
   WHERE m.message_id IN (
     SELECT x.message_id FROM messages x
      WHERE x.published_at IS NULL AND x.status = 'pending' AND x.accepted_at < now() - p_min_age_ms * interval '1 millisecond'
        AND (x.relay_until IS NULL OR x.relay_until < now())
      ORDER BY x.accepted_at LIMIT p_limit FOR UPDATE SKIP LOCKED)
  RETURNING m.message_id, m.user_id, m.phone_number, m.body, m.priority, m.encoding, m.segments, m.cost,
            (extract(epoch FROM m.accepted_at) * 1000)::bigint
$$;

-- The end of a relay round for the rows Kafka did not acknowledge: their lease is given back at once, so the next
-- round (of any pod) tries them again instead of waiting for the lease to run out.
CREATE FUNCTION release_relay_lease(p_ids uuid[]) RETURNS void
LANGUAGE sql SET enable_seqscan = off AS $$
  UPDATE messages SET relay_until = NULL WHERE message_id = ANY (p_ids) AND published_at IS NULL
$$;

-- ---------------------------------------------------------------------------------------------------------------------
-- Sending: claims and outcomes
-- ---------------------------------------------------------------------------------------------------------------------

-- Takes the claims on these messages that are pending and free (never claimed, or their claim ran out), each with the
-- next fencing token. One claim is one attempt to send, or, for a confirming message, one lookup (not counted in
-- attempts). A claim whose predecessor ended with no outcome recorded (attempt_open) puts the message in doubt: that
-- send may have happened. A record read from Kafka is published: a claim also takes the message out of the outbox.
CREATE FUNCTION take_claims(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  UPDATE messages m SET claimed_until = now() + p_claim_ms * interval '1 millisecond',
         claim_seq = m.claim_seq + 1,
         send_in_doubt = m.send_in_doubt OR m.attempt_open,
         attempt_open = NOT m.confirming,
         attempts = m.attempts + CASE WHEN m.confirming THEN 0 ELSE 1 END,
         last_attempt_at = CASE WHEN m.confirming THEN m.last_attempt_at ELSE now() END,
         updated_at = now(), published_at = coalesce(m.published_at, now())
   WHERE m.message_id IN (
     -- Rows another transaction holds (a claim, an outcome write of a redelivered record's message) are skipped, not
     -- waited for: whoever holds them is deciding them now. Without SKIP LOCKED, a Kafka claim and an outcome write
     -- over the same messages locked them in different orders and deadlocked after a broker restart (bench chaos).
     SELECT x.message_id FROM messages x
      WHERE x.message_id = ANY (p_ids) AND x.status = 'pending' AND (x.claimed_until IS NULL OR x.claimed_until < now())
      ORDER BY x.message_id FOR UPDATE SKIP LOCKED)
  RETURNING m.message_id, m.attempts, m.claim_seq, m.confirming, m.send_in_doubt,
            (extract(epoch FROM m.last_attempt_at) * 1000)::bigint
$$;

-- The worker's claim on the messages of a Kafka batch.
CREATE FUNCTION claim_messages(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  SELECT * FROM take_claims(p_ids, p_claim_ms)
$$;

-- take_claims with the whole message, for the scanners: they have no Kafka record to rebuild it from.
CREATE FUNCTION take_claims_of_whole_messages(p_ids uuid[], p_claim_ms bigint)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               user_id uuid, phone_number text, body text, priority text, encoding text, segments int, cost bigint, accepted_at_ms bigint)
LANGUAGE sql SET enable_seqscan = off AS $$
  SELECT c.*, m.user_id, m.phone_number, m.body, m.priority, m.encoding, m.segments, m.cost,
         (extract(epoch FROM m.accepted_at) * 1000)::bigint
    FROM take_claims(p_ids, p_claim_ms) c JOIN messages m ON m.message_id = c.message_id
$$;

-- Claims of one lane that are due: a retry whose backoff is over, a lookup that is due, a claim that ran out.
CREATE FUNCTION claim_due(p_lane text, p_claim_ms bigint, p_limit int)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               user_id uuid, phone_number text, body text, priority text, encoding text, segments int, cost bigint, accepted_at_ms bigint)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_ids uuid[];
BEGIN
  SELECT array_agg(d.message_id) INTO v_ids FROM (
    SELECT x.message_id FROM messages x WHERE x.status = 'pending' AND x.claimed_until < now() AND x.priority = p_lane
     ORDER BY x.claimed_until LIMIT p_limit FOR UPDATE SKIP LOCKED) d;
  RETURN QUERY SELECT * FROM take_claims_of_whole_messages(coalesce(v_ids, '{}'), p_claim_ms);
END
$$;

-- The sweeper: pending messages of one lane that nobody has claimed p_older_than_ms after their acceptance, whatever
-- happened to their Kafka record. Claiming one also takes it out of the outbox.
CREATE FUNCTION claim_orphans(p_lane text, p_older_than_ms bigint, p_claim_ms bigint, p_limit int)
RETURNS TABLE (message_id uuid, attempts int, claim_seq int, confirming boolean, send_in_doubt boolean, last_attempt_at_ms bigint,
               user_id uuid, phone_number text, body text, priority text, encoding text, segments int, cost bigint, accepted_at_ms bigint)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_ids uuid[];
BEGIN
  SELECT array_agg(d.message_id) INTO v_ids FROM (
    SELECT x.message_id FROM messages x WHERE x.status = 'pending' AND x.claimed_until IS NULL AND x.priority = p_lane
       AND x.accepted_at < now() - p_older_than_ms * interval '1 millisecond'
     ORDER BY x.accepted_at LIMIT p_limit FOR UPDATE SKIP LOCKED) d;
  RETURN QUERY SELECT * FROM take_claims_of_whole_messages(coalesce(v_ids, '{}'), p_claim_ms);
END
$$;

-- The outcomes of many sends in one transaction (batched status writes), one UPDATE per kind of outcome. Every write is
-- guarded by status = 'pending' (status only moves forward) and by claim_seq = the token of the claim that made the
-- attempt. Returns the outcomes that changed nothing (their claim was no longer current), by message id and token.
-- Kinds:
--   sent                 the provider took it
--   retry                a transient failure; due again after the delay
--   release              the claim ended without a send (the worker gave it back); due at once, attempt not counted
--   confirm              no more sends; due after the delay for a lookup (the provider's processing time)
--   failed / rejected    final, refunded in the same transaction (at most once: the ledger's unique key)
--   unknown              final failed with outcome_unknown, not refunded: the provider may have delivered it
-- p_doubts: this attempt may have reached the provider (its answer is unknown).
CREATE FUNCTION record_outcomes(
  p_ids uuid[], p_seqs int[], p_kinds text[], p_provider_ids text[], p_errors text[], p_at_ms bigint[], p_delays_ms bigint[],
  p_doubts boolean[])
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
           last_error = NULL, claimed_until = NULL, attempt_open = false, confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_provider_ids, p_at_ms) AS u(id, seq, kind, provider_id, at_ms)
     WHERE u.kind = 'sent' AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT coalesce(array_agg(k), '{}') INTO v_applied FROM s;

  WITH r AS (
    UPDATE messages m SET claimed_until = now() + u.delay_ms * interval '1 millisecond',
           last_error = CASE WHEN u.kind = 'release' THEN m.last_error ELSE u.error END,
           attempt_open = false,
           send_in_doubt = m.send_in_doubt OR coalesce(u.doubt, true),
           confirming = m.confirming OR u.kind = 'confirm',
           attempts = m.attempts - CASE WHEN u.kind = 'release' AND NOT m.confirming THEN 1 ELSE 0 END,
           updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors, p_delays_ms, p_doubts) AS u(id, seq, kind, error, delay_ms, doubt)
     WHERE u.kind IN ('retry', 'release', 'confirm') AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT v_applied || coalesce(array_agg(k), '{}') INTO v_applied FROM r;

  WITH x AS (
    UPDATE messages m SET status = 'failed', outcome_unknown = true, last_error = u.error, claimed_until = NULL,
           attempt_open = false, confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors) AS u(id, seq, kind, error)
     WHERE u.kind = 'unknown' AND m.message_id = u.id AND m.status = 'pending' AND m.claim_seq = u.seq
    RETURNING m.message_id::text || ':' || m.claim_seq AS k
  )
  SELECT v_applied || coalesce(array_agg(k), '{}') INTO v_applied FROM x;

  WITH done AS (
    UPDATE messages m SET status = u.kind, last_error = u.error, claimed_until = NULL, attempt_open = false,
           confirming = false, updated_at = now()
      FROM unnest(p_ids, p_seqs, p_kinds, p_errors) AS u(id, seq, kind, error)
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

-- ---------------------------------------------------------------------------------------------------------------------
-- Settlement (async balance mode)
-- ---------------------------------------------------------------------------------------------------------------------

-- One settlement batch, in one transaction: the gateway answered 200 once the message was durable in Kafka
-- (sms.accepted), and the settlement consumer charges it here shortly after. The charging rules are
-- charge_new_messages' (waiting for held wallets: nobody waits on a request here), keeping the time of the 200.
-- Unlike the request path, a new message the wallet cannot pay for is stored as rejected (no charge) instead of
-- dropped, so a redelivered record finds it and the customer sees a final status. Outcomes, one per input in input
-- order: accepted, rejected, duplicate (also a message of a user with no wallet here: nothing is stored for it).
CREATE FUNCTION settle_messages(
  p_message_ids uuid[], p_user_ids uuid[], p_phones text[], p_bodies text[],
  p_priorities text[], p_encodings text[], p_segments int[], p_costs bigint[], p_accepted_at_ms bigint[])
RETURNS TABLE (o_message_id uuid, o_outcome text)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_new bigint[];
  v_charged bigint[];
  v_inserted uuid[];
  v_rejected uuid[];
BEGIN
  SELECT c.o_new, c.o_charged, c.o_inserted INTO v_new, v_charged, v_inserted
  FROM charge_new_messages(true, p_message_ids, p_user_ids, p_phones, p_bodies, p_priorities, p_encodings,
                           p_segments, p_costs, p_accepted_at_ms) c;

  -- Nothing to publish for a rejected row: published_at is set so it never counts as outbox backlog.
  WITH rej AS (
    INSERT INTO messages (message_id, user_id, phone_number, body, priority, encoding, segments, cost, accepted_at,
                          settled_at, status, last_error, published_at, rejected_at_settlement)
    SELECT p_message_ids[o], p_user_ids[o], p_phones[o], p_bodies[o], p_priorities[o], p_encodings[o],
           p_segments[o], p_costs[o], to_timestamp(p_accepted_at_ms[o] / 1000.0), now(),
           'rejected', 'insufficient_balance_at_settlement', now(), true
    FROM unnest(v_new) AS o
    WHERE NOT (o = ANY (v_charged))
      AND EXISTS (SELECT 1 FROM wallets w WHERE w.user_id = p_user_ids[o])  -- no such user here: skipped
    ORDER BY o
    ON CONFLICT (message_id) DO NOTHING
    RETURNING message_id
  )
  SELECT coalesce(array_agg(message_id), '{}') INTO v_rejected FROM rej;

  RETURN QUERY
  SELECT u.id,
         CASE
           WHEN u.ord = ANY (v_charged) AND u.id = ANY (v_inserted) THEN 'accepted'
           WHEN u.ord = ANY (v_new) AND NOT (u.ord = ANY (v_charged)) AND u.id = ANY (v_rejected) THEN 'rejected'
           ELSE 'duplicate'
         END
  FROM unnest(p_message_ids) WITH ORDINALITY AS u(id, ord)
  ORDER BY u.ord;
END
$$;
