-- What recon read past in a statement file, kept where a person can see it
-- (issue 13): the file's warnings (one line, the tally by kind that `recon
-- parse` prints) and each receipt's own note. Existing rows read as ''.
--
-- A statement also keeps its period and the receipt ids it yielded, so that a
-- statement delivered again in a later file (same account, id, date and
-- period, often with entries added) is named as such in the summary with how
-- many of its entries were already stored.
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE statement_files ADD COLUMN warnings text NOT NULL DEFAULT '';
ALTER TABLE receipts ADD COLUMN parse_note text NOT NULL DEFAULT '';
ALTER TABLE statements
    ADD COLUMN period_from date,
    ADD COLUMN period_to date,
    ADD COLUMN receipts_from bigint,
    ADD COLUMN receipts_to bigint,
    ADD CHECK ((receipts_from IS NULL) = (receipts_to IS NULL) AND receipts_from <= receipts_to);

-- The summary looks for an earlier delivery of each statement of the day.
CREATE INDEX statements_identity ON statements (source, statement_id);

-- r.* was expanded when the view was made: made again, it carries parse_note
-- (a column cannot be added in the middle of a view by CREATE OR REPLACE).
DROP VIEW receipts_known;
CREATE VIEW receipts_known AS
    SELECT r.*, coalesce(r.business_date, f.business_date) AS known_on, f.file_name
    FROM receipts r LEFT JOIN statement_files f ON f.file_id = r.file_id;
GRANT SELECT ON receipts_known TO recon_loader, recon_auditor;

-- The reviewer sees the note as receipts.csv.gz shows it: clauses about how the
-- file was read, not the payer's data.
CREATE OR REPLACE VIEW receipts_masked WITH (security_barrier) AS
    SELECT receipt_id, source, transaction_key, file_id, position, booking_date, value_date,
           amount, currency, direction, reversal, reversal_of, mask_name(payer) AS payer,
           mask_account(payer_account) AS payer_account, end_to_end_id, creditor_reference,
           merchant_order_no, provider_txn_id, fee, policy_no, business_date, match_result,
           match_note, duplicate_of, parse_note
    FROM receipts;
