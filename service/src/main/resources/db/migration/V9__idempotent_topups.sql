-- A top-up may carry a client-chosen topup_id: an admin tool that retries after a timeout (or a 503) with the
-- same id cannot credit the wallet twice. The unique index decides, under concurrency, as (message_id, kind)
-- does for charges and refunds. Top-ups without an id still work (NULLs never conflict).
ALTER TABLE ledger ADD COLUMN topup_id uuid;
CREATE UNIQUE INDEX ledger_one_per_topup ON ledger (topup_id) WHERE topup_id IS NOT NULL;
-- NOT VALID: enforced for every new row without scanning the ledger; old rows have no topup_id anyway.
ALTER TABLE ledger ADD CONSTRAINT ledger_topup_id_only_on_topups CHECK (topup_id IS NULL OR kind = 'topup') NOT VALID;
