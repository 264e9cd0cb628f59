-- For each key of the file being stored that is already stored from another
-- file: its place in the file and the receipt first seen with it. Looked up by
-- index per key (LATERAL ... LIMIT 1): a hash join would read every stored
-- receipt for each file.
SELECT k.ord, o.receipt_id
FROM receipts_keys k
CROSS JOIN LATERAL (
    SELECT o.receipt_id
    FROM receipts o
    WHERE o.source = k.source
      AND o.transaction_key = k.transaction_key
      AND o.duplicate_of IS NULL
    LIMIT 1) o
ORDER BY k.ord
