-- Every statement transaction is kept as a row, so the day's report can show a
-- repeat as `duplicate`; only the first sighting counts as money. Identifiers
-- are assigned by ingest in file order (not from sequences), so an interrupted
-- run, a rerun and a replay all give the same receipt numbers.
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE receipts ADD COLUMN duplicate_of bigint REFERENCES receipts;
ALTER TABLE receipts DROP CONSTRAINT receipts_source_transaction_key_key;
CREATE UNIQUE INDEX receipts_transaction ON receipts (source, transaction_key)
    WHERE duplicate_of IS NULL;
ALTER TABLE receipts DROP CONSTRAINT receipts_match_result_check;
ALTER TABLE receipts ADD CONSTRAINT receipts_match_result_check CHECK (match_result IN
    ('identified', 'unidentified', 'ambiguous', 'currency', 'settlement', 'reversal', 'manual',
     'duplicate'));
ALTER TABLE receipts ADD CONSTRAINT receipts_duplicate_marked
    CHECK ((duplicate_of IS NULL) = (match_result IS DISTINCT FROM 'duplicate'));

-- The receipt a reversal takes back, once found (paired by process in one
-- hash join over every reference of the originals, instead of a search per
-- receipt).
ALTER TABLE receipts ADD COLUMN reverses bigint REFERENCES receipts;
CREATE INDEX receipts_reverses ON receipts (reverses) WHERE reverses IS NOT NULL;

-- A provider settlement credited to the bank account, checked against that
-- provider's own statement for the settled day: gross minus fees = credited.
CREATE TABLE settlement_checks (
    receipt_id    bigint PRIMARY KEY REFERENCES receipts,
    provider      text NOT NULL,
    settled_day   date NOT NULL,
    credited      bigint NOT NULL,
    provider_rows int NOT NULL,
    gross         bigint NOT NULL,
    fees          bigint NOT NULL,
    difference    bigint NOT NULL  -- credited - (gross - fees); 0 when it agrees
);

-- Identifiers come from ingest (max + file order), never from a sequence that a
-- rolled-back or killed run would have advanced.
ALTER TABLE receipts ALTER COLUMN receipt_id DROP DEFAULT;
ALTER TABLE statement_files ALTER COLUMN file_id DROP DEFAULT;

-- Reports look up each receipt's allocations.
CREATE INDEX allocations_receipt ON allocations (receipt_id);
