-- SMPP (issue 15): the parts a provider took, and its receipts joined to them.
--
-- An SMSC names each part by its own id (submit_sm_resp) and its receipts name only that id, while the gateway knows a
-- message by message_id and part. provider_parts is the join, written by the worker's SMPP provider as soon as parts
-- are answered (provider/smpp/SmppSmsProvider); and it is the per-part memory that keeps a resend from sending a part
-- twice: a part with a row is never submitted again, whoever retries the message.
CREATE TABLE provider_parts (
  message_id      uuid NOT NULL,
  part            int NOT NULL,           -- 1-based, as in delivery_reports
  parts           int NOT NULL,
  provider        text NOT NULL,          -- which configured provider took it (smpp.provider_id)
  smsc_message_id text,                   -- NULL: written but never answered (no submit_sm_resp): in doubt, never resent
  submitted_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (message_id, part)
);
CREATE UNIQUE INDEX provider_parts_by_smsc_id ON provider_parts (provider, smsc_message_id);

-- Receipts whose part is not known yet: the SMSC may send a receipt before the worker has written the part's row
-- (the receipt raced the submit_sm_resp's handling, or the write failed and is retried). Kept until the part arrives;
-- the ones that never match (another system's, a part whose resp was lost) stay for an operator to see.
CREATE TABLE provider_receipts_unmatched (
  provider        text NOT NULL,
  smsc_message_id text NOT NULL,
  status          text NOT NULL,
  error_code      text,
  done_at         timestamptz NOT NULL,
  received_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (provider, smsc_message_id)
);

-- A part's row and a receipt for it may be written at the same moment by two transactions that cannot see each other;
-- both take this lock on (provider, SMSC id) first, in the same order, so the later one sees the earlier one's row.
CREATE FUNCTION lock_smsc_ids(p_provider text, p_smsc_ids text[]) RETURNS void
LANGUAGE sql AS $$
  SELECT count(pg_advisory_xact_lock(hashtextextended(p_provider || ' ' || s.id, 15)))
    FROM (SELECT DISTINCT u.id FROM unnest(p_smsc_ids) AS u(id) WHERE u.id IS NOT NULL ORDER BY u.id) s
$$;

-- Records the parts a provider answered (p_smsc_ids NULL: no answer, in doubt) and feeds the receipts that were waiting
-- for them into the delivery-report path (store_delivery_reports, V2). A part already recorded is left as it is.
-- Returns how many waiting receipts were matched.
CREATE FUNCTION record_provider_parts(p_provider text, p_ids uuid[], p_parts int[], p_counts int[], p_smsc_ids text[])
RETURNS int
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_ids uuid[]; v_parts int[]; v_counts int[]; v_smsc text[]; v_statuses text[]; v_errors text[]; v_done timestamptz[];
BEGIN
  PERFORM lock_smsc_ids(p_provider, p_smsc_ids);
  INSERT INTO provider_parts (message_id, part, parts, provider, smsc_message_id)
  SELECT u.id, u.part, u.parts, p_provider, u.smsc_id
    FROM unnest(p_ids, p_parts, p_counts, p_smsc_ids) AS u(id, part, parts, smsc_id)
   ORDER BY u.id, u.part
  ON CONFLICT DO NOTHING;
  WITH waiting AS (
    DELETE FROM provider_receipts_unmatched r
     USING provider_parts p
     WHERE r.provider = p_provider AND r.smsc_message_id = ANY (p_smsc_ids)
       AND p.provider = p_provider AND p.smsc_message_id = r.smsc_message_id
    RETURNING p.message_id, p.part, p.parts, r.smsc_message_id, r.status, r.error_code, r.done_at
  )
  SELECT array_agg(w.message_id), array_agg(w.part), array_agg(w.parts), array_agg(w.smsc_message_id),
         array_agg(w.status), array_agg(w.error_code), array_agg(w.done_at)
    INTO v_ids, v_parts, v_counts, v_smsc, v_statuses, v_errors, v_done
    FROM waiting w;
  IF v_ids IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM store_delivery_reports(v_ids, v_parts, v_counts, v_smsc, v_statuses, v_errors, v_done);
  RETURN cardinality(v_ids);
END
$$;

-- A batch of a provider's receipts: those whose part is known go into the delivery-report path as a part's report
-- (duplicates and early ones handled there), the others wait in provider_receipts_unmatched. Returns as
-- store_delivery_reports does, with unmatched = receipts kept waiting.
CREATE FUNCTION store_provider_receipts(p_provider text, p_smsc_ids text[], p_statuses text[], p_errors text[],
                                        p_done_at timestamptz[])
RETURNS TABLE (stored int, duplicates int, unmatched int, finalized int)
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
  v_ids uuid[]; v_parts int[]; v_counts int[]; v_smsc text[]; v_statuses text[]; v_errors text[]; v_done timestamptz[];
  v_waiting int;
BEGIN
  PERFORM lock_smsc_ids(p_provider, p_smsc_ids);
  SELECT array_agg(p.message_id), array_agg(p.part), array_agg(p.parts), array_agg(u.smsc_id), array_agg(u.status),
         array_agg(u.error), array_agg(u.done_at)
    INTO v_ids, v_parts, v_counts, v_smsc, v_statuses, v_errors, v_done
    FROM unnest(p_smsc_ids, p_statuses, p_errors, p_done_at) AS u(smsc_id, status, error, done_at)
    JOIN provider_parts p ON p.provider = p_provider AND p.smsc_message_id = u.smsc_id;
  WITH kept AS (
    INSERT INTO provider_receipts_unmatched (provider, smsc_message_id, status, error_code, done_at)
    SELECT p_provider, u.smsc_id, u.status, u.error, u.done_at
      FROM unnest(p_smsc_ids, p_statuses, p_errors, p_done_at) AS u(smsc_id, status, error, done_at)
     WHERE NOT EXISTS (SELECT 1 FROM provider_parts p WHERE p.provider = p_provider AND p.smsc_message_id = u.smsc_id)
     ORDER BY u.smsc_id
    ON CONFLICT DO NOTHING
    RETURNING 1
  )
  SELECT count(*)::int INTO v_waiting FROM kept;
  IF v_ids IS NULL THEN
    RETURN QUERY SELECT 0, cardinality(p_smsc_ids) - v_waiting, v_waiting, 0;
    RETURN;
  END IF;
  RETURN QUERY SELECT r.stored, r.duplicates + (cardinality(p_smsc_ids) - cardinality(v_ids) - v_waiting), v_waiting, r.finalized
    FROM store_delivery_reports(v_ids, v_parts, v_counts, v_smsc, v_statuses, v_errors, v_done) AS r;
END
$$;
