-- Speed for the nightly run over every policy (issue 5).
--
-- Foreign keys are checked by a trigger call per row: 60 s for the 2M rows of
-- allocations at 1M policies, 72 s for the 12M installments of 1M policies.
-- The tables below are computed by recon itself (the schedule by `policies
-- load`, the rest by `recon process` and matching) from policies it reads in
-- the same transaction, and recon never deletes a policy (retention
-- anonymises it), so those checks protect nothing the writer does not already
-- guarantee. Tables loaded from outside files (agreements, cancellations) keep
-- theirs.
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE allocations DROP CONSTRAINT allocations_policy_no_fkey;
ALTER TABLE allocations DROP CONSTRAINT allocations_receipt_id_fkey;
ALTER TABLE policy_status DROP CONSTRAINT policy_status_policy_no_fkey;
ALTER TABLE refunds_due DROP CONSTRAINT refunds_due_policy_no_fkey;
ALTER TABLE status_events DROP CONSTRAINT status_events_policy_no_fkey;
ALTER TABLE installments DROP CONSTRAINT installments_policy_no_fkey;

-- A receipt from a statement file belongs to the night that first stored its
-- file: statement_files.business_date, stamped once per file instead of once
-- per receipt (a mass UPDATE of every new receipt cost 10 s per 1M). Only
-- receipts entered by hand (no file) carry their own business_date.
CREATE INDEX receipts_unstamped ON receipts (receipt_id)
    WHERE business_date IS NULL AND file_id IS NULL;

-- Ingest matches a receipt by its references as it stores it (a mass UPDATE
-- of every new receipt at process time cost 41 s per 1M); process then checks
-- the named policies against the register in one anti-join, so receipts can
-- briefly name a policy the register lacks.
ALTER TABLE receipts DROP CONSTRAINT receipts_policy_no_fkey;

-- Allocations are keyed by receipt (a receipt pays one policy): a bigint key
-- instead of one led by the policy's text number, which also serves the
-- reports' lookups by receipt.
ALTER TABLE allocations DROP CONSTRAINT allocations_pkey;
ALTER TABLE allocations ADD PRIMARY KEY (receipt_id, installment);
DROP INDEX allocations_receipt;

-- Receipts with the night they became known: their own business_date when
-- entered by hand, else their file's. Every "as known on D" question reads this.
CREATE VIEW receipts_known AS
    SELECT r.*, coalesce(r.business_date, f.business_date) AS known_on
    FROM receipts r LEFT JOIN statement_files f ON f.file_id = r.file_id;

COMMENT ON TABLE allocations IS
    'how the receipts first known on as_of were allocated by that evaluation';

-- process replaces these whole each run; TRUNCATE is cheaper than deleting
-- every row and lets the COPY that refills them skip the WAL.
GRANT TRUNCATE ON allocations, policy_status, refunds_due, settlement_checks TO recon_loader;

-- The reversals still looking for their original, found without a scan.
CREATE INDEX receipts_unpaired ON receipts (receipt_id)
    WHERE reversal AND reverses IS NULL AND duplicate_of IS NULL AND reversal_of <> '';
