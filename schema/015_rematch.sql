-- Receipts in suspense are matched again every night (issue 14).
--
-- A receipt is in suspense when the register decided against it: the policy
-- number its references name is not registered (suspense 'unknown_policy',
-- the number kept in named_policy), or it names none and its payer account is
-- held by no policy or by several ('payer_account'). Every process tries these
-- again against the register as it is that night. A re-match changes the
-- receipt's match in place and is recorded here with its night and the match
-- it replaced, so that a night before it, processed or reported again, sees
-- the receipt as it was known then (receipts_known below).
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE receipts
    ADD COLUMN named_policy text,
    ADD COLUMN suspense text CHECK (suspense IN ('unknown_policy', 'payer_account'));

-- Receipts matched before this migration: their suspense is read from the
-- notes that matching wrote (core/match.h MATCH_UNKNOWN_NOTE and the payer
-- account step of store/match.c), once.
UPDATE receipts
SET suspense = 'unknown_policy', named_policy = substr(match_note, 16)
WHERE match_result = 'unidentified' AND match_note LIKE 'unknown policy %';
UPDATE receipts
SET suspense = 'payer_account'
WHERE (match_result = 'unidentified' AND match_note = 'no policy number or known payer account')
   OR (match_result = 'ambiguous' AND match_note = 'payer account held by several policies');

-- The few receipts still in suspense, found each night without a scan.
CREATE INDEX receipts_suspense ON receipts (receipt_id)
    WHERE suspense IS NOT NULL AND match_result IN ('unidentified', 'ambiguous');

-- One row per re-match: the night it happened and the match the receipt had
-- until then (policy_no, match_result, match_note as they were).
CREATE TABLE receipt_rematches (
    receipt_id    bigint NOT NULL REFERENCES receipts,
    night         date NOT NULL,
    policy_no     text,
    match_result  text NOT NULL,
    match_note    text NOT NULL,
    PRIMARY KEY (receipt_id, night)
);
GRANT INSERT ON receipt_rematches TO recon_loader;
GRANT SELECT ON receipt_rematches TO recon_reviewer;

-- A person's decision governs its receipt: automatic re-matching leaves alone
-- every receipt with a decision in decisions_active (schema 014: assignments
-- and refunds no later release undid). A database migrated without 014 has no
-- decisions: the view is then made empty, with the columns re-matching reads.
DO $decided$
BEGIN
    IF to_regclass('recon.decisions_active') IS NULL THEN
        CREATE VIEW decisions_active AS
            SELECT NULL::bigint AS receipt_id, NULL::date AS decided_on WHERE false;
    END IF;
END
$decided$;

-- Receipts as known on the night being processed or reported (the setting
-- recon.as_of; unset: today's match): a receipt re-matched on a later night
-- shows the match it had before, so a rerun of an earlier night sees what that
-- night saw. Columns as in schema 013, the new ones before known_on.
DROP VIEW receipts_known;
CREATE VIEW receipts_known AS
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
           coalesce(r.business_date, f.business_date) AS known_on, f.file_name
    FROM receipts r
    LEFT JOIN statement_files f ON f.file_id = r.file_id
    LEFT JOIN (SELECT DISTINCT ON (x.receipt_id) x.receipt_id, x.policy_no, x.match_result,
                      x.match_note
               FROM receipt_rematches x
               WHERE x.night > (SELECT nullif(current_setting('recon.as_of', true), '')::date)
               ORDER BY x.receipt_id, x.night) h ON h.receipt_id = r.receipt_id;
GRANT SELECT ON receipts_known TO recon_loader, recon_auditor;
