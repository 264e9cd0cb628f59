-- The reversals still looking for their original, in a temporary table to be
-- analysed: planned from an estimate of one row, the pairing became a scan of
-- every receipt per reversal (minutes); with the true count it hashes them.
-- fresh: stored after receipt $1, the last one an earlier pairing saw (0: none), so
-- never tried against the receipts before it.
CREATE TEMP TABLE unpaired ON COMMIT DROP AS
SELECT receipt_id, source, reversal_of, receipt_id > $1::bigint AS fresh
FROM receipts
WHERE reversal AND reverses IS NULL AND duplicate_of IS NULL AND reversal_of <> ''
