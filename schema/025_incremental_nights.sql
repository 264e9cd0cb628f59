-- The highest receipt number the pairing of reversals has seen (store_pair_reversals):
-- a reversal still unpaired after a night can only find its original among receipts
-- stored later, so the next night tries the old unpaired ones against the new
-- receipts alone, and only the new reversals against every receipt. Without it every
-- night read all receipts three times for the reversals whose original never came
-- (2.2 s a night at a million receipts, quiet nights too). Receipt numbers only grow
-- (store_file_lock), so "later" is "numbered higher". No row: nothing checked yet.
SET LOCAL search_path = recon, pg_catalog;

CREATE TABLE reversal_pairing (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    checked_through bigint NOT NULL CHECK (checked_through >= 0)
);
-- process, which pairs, runs as recon_loader (schema 005)
GRANT SELECT, INSERT, UPDATE ON reversal_pairing TO recon_loader;
GRANT SELECT ON reversal_pairing TO recon_reviewer, recon_auditor;

-- policy_no_now: the policy the receipt is matched to today, whatever night
-- recon.as_of names (policy_no shows the match as of that night, which differs
-- only for a receipt re-matched since). The evaluation of an incremental night
-- picks its policies' receipts by it, plus those ever re-matched to them, in the
-- scan of receipts itself: by the view's policy_no, a CASE over the re-match
-- join, the whole table went through both joins first (1.4 s more at a million
-- receipts). Columns as in schema 015, the new one last.
CREATE OR REPLACE VIEW receipts_known AS
    SELECT r.receipt_id, r.source, r.transaction_key, r.file_id, r.position, r.booking_date,
           r.value_date, r.amount, r.currency, r.direction, r.reversal, r.reversal_of,
           r.payer, r.payer_account, r.end_to_end_id, r.creditor_reference,
           r.merchant_order_no, r.provider_txn_id, r.remittance, r.fee,
           CASE WHEN h.receipt_id IS NULL THEN r.policy_no ELSE h.policy_no END AS policy_no,
           r.business_date,
           CASE WHEN h.receipt_id IS NULL THEN r.match_result ELSE h.match_result END
               AS match_result,
           CASE WHEN h.receipt_id IS NULL THEN r.match_note ELSE h.match_note END AS match_note,
           r.duplicate_of, r.reverses, r.parse_note, r.named_policy, r.suspense,
           coalesce(r.business_date, f.business_date) AS known_on, f.file_name,
           r.policy_no AS policy_no_now
    FROM receipts r
    LEFT JOIN statement_files f ON f.file_id = r.file_id
    LEFT JOIN (SELECT DISTINCT ON (x.receipt_id) x.receipt_id, x.policy_no, x.match_result,
                      x.match_note
               FROM receipt_rematches x
               WHERE x.night > (SELECT nullif(current_setting('recon.as_of', true), '')::date)
               ORDER BY x.receipt_id, x.night) h ON h.receipt_id = r.receipt_id;

-- What changed in the register since the last process (process_mark_dirty.sql,
-- match_retry_needed.sql) and whether history was recorded after a night
-- (process_later_known.sql) were answered by reading every policy and every
-- status row each night (0.2-0.7 s each at a million policies). The register is
-- loaded whole rarely and changed a little on most nights; a policy known from a
-- later night and a closed history row are few.
CREATE INDEX policies_loaded_at ON policies (loaded_at);
CREATE INDEX policies_known_on ON policies (known_on) WHERE known_on IS NOT NULL;
CREATE INDEX status_events_closed_on ON status_events (known_until) WHERE known_until IS NOT NULL;
