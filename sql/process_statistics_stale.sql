-- Whether receipts has grown by a tenth since its statistics were gathered (or
-- never had any), the rule autovacuum's analyze follows (scale factor 0.1): a
-- night that brings a few files keeps the statistics it has (ANALYZE samples
-- the whole table: 0.9 s a night at 100k receipts, for nothing), while a first
-- load or a large catch-up is planned with its real size. Receipt ids grow with
-- every row stored, so the highest one stands for the row count.
SELECT c.reltuples < 0
       OR coalesce((SELECT max(receipt_id) FROM receipts), 0) > c.reltuples * 1.1 + 1000
FROM pg_class c
WHERE c.oid = 'receipts'::regclass
