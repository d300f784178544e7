-- messages.user_id and ledger.user_id referenced users, so every inserted row ran a foreign-key trigger that
-- locked its user's row (FOR KEY SHARE; concurrent batches of one user then share the lock through a
-- multixact). Measured: a 160-message accept batch 24 → 17.5 ms. The references are guaranteed by the only
-- writers instead: accept_messages inserts only for users whose wallet it has locked (wallets keeps its foreign
-- key to users), refunds copy the message's user, top-ups insert only when the wallet row was updated. The
-- invariant check (ops/InvariantCheck) verifies it on the live data: "message or ledger entry of an unknown user".
ALTER TABLE messages DROP CONSTRAINT messages_user_id_fkey;
ALTER TABLE ledger DROP CONSTRAINT ledger_user_id_fkey;
