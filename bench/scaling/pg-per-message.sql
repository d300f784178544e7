-- The per-message PostgreSQL cost of the sync path, without the JVM: WAL bytes, WAL records, full-page images,
-- backend CPU and rows/bytes on disk per message for each write of a message's life (accept, published mark,
-- claim, outcome), called the way the pods call them (one function call per batch, one commit per call).
-- Run by bench/scaling/pg-per-message.sh in a database of its own (V1__baseline.sql applied first).
-- psql variables: n (messages), accept_batch, poll_batch, mark_share (1 in mark_share messages is marked
-- before its claim, as when the workers lag behind the outbox), burst (messages accepted right after a CHECKPOINT).

\set ON_ERROR_STOP on
\pset footer off

-- 1,000 users with wallets that never run out, and the bench's traffic mix (bench/.../TrafficMix.java):
-- text i%5==4 Persian[i%2] else GSM[i%3], user i%1000, VIP when i%20==3, phone +98912 and 7 digits.
CREATE TEMP TABLE u AS SELECT g - 1 AS k, gen_random_uuid() AS user_id FROM generate_series(1, 1000) g;
INSERT INTO users (user_id, name) SELECT user_id, 'user ' || k FROM u;
INSERT INTO wallets (user_id, balance) SELECT user_id, 1000000000000000 FROM u;

CREATE TEMP TABLE gen AS
SELECT i AS seq, gen_random_uuid() AS id, u.user_id,
       '+98912' || lpad((i % 10000000)::text, 7, '0') AS phone,
       CASE WHEN i % 5 = 4 THEN
              CASE i % 2 WHEN 0 THEN 'کد تایید شما ' || (100000 + i % 900000) || ' است'
                         ELSE 'مشتری گرامی، سفارش ' || (100000 + i % 900000) || ' شما ارسال شد و فردا تحویل داده می‌شود. با تشکر از خرید شما' END
            ELSE
              CASE i % 3 WHEN 0 THEN 'Your code is ' || (100000 + i % 900000) || '. It expires in 2 minutes.'
                         WHEN 1 THEN 'Dear customer, your order ' || (100000 + i % 900000) || ' has shipped and will arrive tomorrow between 9:00 and 12:00.'
                         ELSE 'Payment of 1,250,000 IRR received. Ref ' || (100000 + i % 900000) || '. Thank you for your purchase!' END
       END AS body,
       CASE WHEN i % 20 = 3 THEN 'vip' ELSE 'normal' END AS priority,
       CASE WHEN i % 5 = 4 THEN 'UCS2' ELSE 'GSM7' END AS encoding
FROM generate_series(0, :n + :burst - 1) i JOIN u ON u.k = i % 1000;
ALTER TABLE gen ADD COLUMN segments int, ADD COLUMN cost bigint;
UPDATE gen SET segments = CASE WHEN encoding = 'UCS2' THEN CASE WHEN length(body) <= 70 THEN 1 ELSE ceil(length(body) / 67.0) END
                               ELSE CASE WHEN length(body) <= 160 THEN 1 ELSE ceil(length(body) / 153.0) END END;
UPDATE gen SET cost = segments * CASE priority WHEN 'vip' THEN 150 ELSE 100 END;
CREATE INDEX ON gen (seq);
ANALYZE gen;

-- One call per batch, one commit per call, as the pods do (ChargeBatcher: sorted by user_id, message_id).
CREATE PROCEDURE p_accept(p_from bigint, p_to bigint, p_batch int) LANGUAGE plpgsql AS $$
DECLARE b bigint := p_from; ids uuid[]; us uuid[]; ph text[]; bo text[]; pr text[]; en text[]; se int[]; co bigint[];
BEGIN
  WHILE b < p_to LOOP
    SELECT array_agg(id ORDER BY user_id, id), array_agg(user_id ORDER BY user_id, id), array_agg(phone ORDER BY user_id, id),
           array_agg(body ORDER BY user_id, id), array_agg(priority ORDER BY user_id, id), array_agg(encoding ORDER BY user_id, id),
           array_agg(segments ORDER BY user_id, id), array_agg(cost ORDER BY user_id, id)
      INTO ids, us, ph, bo, pr, en, se, co FROM gen WHERE seq >= b AND seq < least(b + p_batch, p_to);
    PERFORM count(*) FROM accept_messages(ids, us, ph, bo, pr, en, se, co);
    COMMIT;
    b := b + p_batch;
  END LOOP;
END $$;

-- PublishedMarker: the Kafka acks of one interval, one UPDATE (only rows still unpublished change).
CREATE PROCEDURE p_mark(p_from bigint, p_to bigint, p_every int, p_batch int) LANGUAGE plpgsql AS $$
DECLARE b bigint := p_from; ids uuid[];
BEGIN
  WHILE b < p_to LOOP
    SELECT array_agg(id) INTO ids FROM gen WHERE seq >= b AND seq < least(b + p_batch, p_to) AND seq % p_every = 0;
    PERFORM mark_published(ids);
    COMMIT;
    b := b + p_batch;
  END LOOP;
END $$;

-- SenderVerticle: one claim per Kafka poll.
CREATE PROCEDURE p_claim(p_from bigint, p_to bigint, p_batch int) LANGUAGE plpgsql AS $$
DECLARE b bigint := p_from; ids uuid[];
BEGIN
  WHILE b < p_to LOOP
    SELECT array_agg(id ORDER BY seq) INTO ids FROM gen WHERE seq >= b AND seq < least(b + p_batch, p_to);
    PERFORM count(*) FROM claim_messages(ids, 30000);
    COMMIT;
    b := b + p_batch;
  END LOOP;
END $$;

-- StatusWriter: one record_outcomes per flush, sorted by (user_id, message_id); every message 'sent' (claim_seq 1).
CREATE PROCEDURE p_outcome(p_from bigint, p_to bigint, p_batch int) LANGUAGE plpgsql AS $$
DECLARE b bigint := p_from; ids uuid[]; seqs int[]; kinds text[]; pids text[]; errs text[]; ats bigint[]; dls bigint[]; dbs boolean[];
BEGIN
  WHILE b < p_to LOOP
    SELECT array_agg(id ORDER BY user_id, id), array_agg(1::int ORDER BY user_id, id), array_agg('sent'::text ORDER BY user_id, id),
           array_agg('sim-' || seq ORDER BY user_id, id), array_agg(NULL::text ORDER BY user_id, id),
           array_agg((extract(epoch FROM clock_timestamp()) * 1000)::bigint ORDER BY user_id, id),
           array_agg(0::bigint ORDER BY user_id, id), array_agg(false ORDER BY user_id, id)
      INTO ids, seqs, kinds, pids, errs, ats, dls, dbs FROM gen WHERE seq >= b AND seq < least(b + p_batch, p_to);
    PERFORM count(*) FROM record_outcomes(ids, seqs, kinds, pids, errs, ats, dls, dbs);
    COMMIT;
    b := b + p_batch;
  END LOOP;
END $$;

SELECT pg_backend_pid() AS backend_pid \gset
\echo backend_pid :backend_pid
\o /dev/null

-- A checkpoint first, so the phases below pay full-page images as a steady flow would: each page once after the
-- checkpoint that preceded its first change. (A 5 min checkpoint_timeout is longer than this run.)
CHECKPOINT;
\setenv BPID :backend_pid
-- After each phase: its LSN range goes through pg_waldump (exact bytes, records, FPIs), at once, before a later
-- checkpoint can recycle the segments; and this backend's CPU ticks.
\set phase start
\ir pg-phase-end.sql
CALL p_accept(0, :n, :accept_batch);
\set phase accept
\ir pg-phase-end.sql
CALL p_mark(0, :n, :mark_share, :poll_batch);
\set phase mark
\ir pg-phase-end.sql
CALL p_claim(0, :n, :poll_batch);
\set phase claim
\ir pg-phase-end.sql
CALL p_outcome(0, :n, :poll_batch);
\set phase outcome
\ir pg-phase-end.sql

-- Sizes after the whole life of n messages, before and after a plain VACUUM (what autovacuum leaves).
\o
\echo '== sizes after the life of n messages (before VACUUM): relation, bytes, bytes per message'
SELECT c.relname, pg_relation_size(c.oid) AS bytes, round(pg_relation_size(c.oid)::numeric / :n, 1) AS per_message
  FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
 WHERE s.nspname = 'public' AND c.relname IN (SELECT relname FROM pg_class WHERE relkind IN ('r', 'i'))
   AND pg_relation_size(c.oid) > 0 AND c.relname NOT IN ('flyway_schema_history', 'flyway_schema_history_pk', 'flyway_schema_history_s_idx')
 ORDER BY 2 DESC;
VACUUM (ANALYZE) messages, ledger, wallets;
\echo '== the same after VACUUM (ANALYZE)'
SELECT c.relname, pg_relation_size(c.oid) AS bytes, round(pg_relation_size(c.oid)::numeric / :n, 1) AS per_message
  FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
 WHERE s.nspname = 'public' AND c.relkind IN ('r', 'i') AND pg_relation_size(c.oid) > 0
   AND c.relname NOT LIKE 'flyway%'
 ORDER BY 2 DESC;
\echo '== average stored row width (pg_column_size of the whole row), messages and ledger'
SELECT 'messages' AS t, round(avg(pg_column_size(m.*)), 1) AS avg_row_bytes, round(avg(length(body)), 1) AS avg_body_chars,
       round(avg(octet_length(body)), 1) AS avg_body_bytes FROM messages m
UNION ALL SELECT 'ledger', round(avg(pg_column_size(l.*)), 1), NULL, NULL FROM ledger l;

-- The burst: accepts right after a CHECKPOINT into indexes that already hold n messages. Each random uuid key
-- (messages_pkey, ledger_one_per_message_and_kind) lands on a leaf page not yet changed since the checkpoint,
-- which is the common case once an index is far larger than one checkpoint's worth of inserts (1e9 rows a day).
\o /dev/null
CHECKPOINT;
\set phase burst_start
\ir pg-phase-end.sql
CALL p_accept(:n, :n + :burst / 2, :accept_batch);
\set phase burst
\ir pg-phase-end.sql
CHECKPOINT;
SET wal_compression = lz4;
\set phase burst_lz4_start
\ir pg-phase-end.sql
CALL p_accept(:n + :burst / 2, :n + :burst, :accept_batch);
\set phase burst_lz4
\ir pg-phase-end.sql
\o

\echo '== sizes after the burst (n + burst messages, burst accepted only)'
SELECT c.relname, pg_relation_size(c.oid) AS bytes FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
 WHERE s.nspname = 'public' AND c.relkind = 'i' AND c.relname LIKE ANY (ARRAY['messages%', 'ledger%']) ORDER BY 2 DESC;

-- The pipeline, as the pods interleave it: per round, one accept batch of new messages, and every
-- poll_batch/accept_batch rounds a claim of the messages accepted one poll earlier and the outcomes of the poll
-- claimed before that. The partial indexes stay as small as in production (the phases above let them grow to n).
CREATE PROCEDURE p_pipeline(p_from bigint, p_to bigint, p_accept int, p_poll int) LANGUAGE plpgsql AS $$
DECLARE b bigint := p_from; c bigint := p_from; o bigint := p_from;
BEGIN
  WHILE b < p_to LOOP
    CALL p_accept(b, least(b + p_accept, p_to), p_accept);
    b := b + p_accept;
    IF b - c >= 2 * p_poll THEN CALL p_claim(c, c + p_poll, p_poll); c := c + p_poll; END IF;
    IF c - o >= 2 * p_poll THEN CALL p_outcome(o, o + p_poll, p_poll); o := o + p_poll; END IF;
  END LOOP;
  WHILE c < p_to LOOP CALL p_claim(c, least(c + p_poll, p_to), p_poll); c := c + p_poll; END LOOP;
  WHILE o < p_to LOOP CALL p_outcome(o, least(o + p_poll, p_to), p_poll); o := o + p_poll; END LOOP;
END $$;
\o /dev/null
SET wal_compression = off;
INSERT INTO gen (seq, id, user_id, phone, body, priority, encoding, segments, cost)
SELECT g + :n + :burst, gen_random_uuid(), user_id, phone, body, priority, encoding, segments, cost
  FROM generate_series(0, :pipeline - 1) g JOIN gen ON gen.seq = g % (:n + :burst);
ANALYZE gen;
\set phase pipeline_start
\ir pg-phase-end.sql
CALL p_pipeline(:n + :burst, :n + :burst + :pipeline, :accept_batch, :poll_batch);
\set phase pipeline
\ir pg-phase-end.sql
\o
