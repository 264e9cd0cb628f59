-- Manual receipts not stored yet. The same transaction seen twice counts once; receipt
-- numbers continue from the highest stored, in file order (the caller holds receipts in
-- SHARE ROW EXCLUSIVE mode, shared with ingest), so they never depend on a sequence.
-- The base is taken once (MATERIALIZED): inlined, last_receipt_id() ran for every row and
-- each run stepped past every id this statement had inserted so far, so a load of n rows
-- cost n^2/2 index steps (10 minutes for 90k history rows).
WITH b AS MATERIALIZED (SELECT last_receipt_id() AS base)
INSERT INTO receipts (receipt_id, source, transaction_key, position, booking_date, amount,
                      currency, direction, payer, remittance, policy_no, match_result)
SELECT b.base + row_number() OVER (ORDER BY d.line), source, transaction_key, 'line ' || line,
       booking_date, amount, currency, CASE WHEN amount < 0 THEN 'debit' ELSE 'credit' END,
       payer, remittance, policy_no, CASE WHEN policy_no IS NOT NULL THEN 'manual' END
FROM (SELECT DISTINCT ON (source, transaction_key) *
      FROM receipts_in
      ORDER BY source, transaction_key, line) d
CROSS JOIN b
WHERE NOT EXISTS (SELECT 1 FROM receipts x
                  WHERE x.source = d.source AND x.transaction_key = d.transaction_key
                    AND x.duplicate_of IS NULL)
ORDER BY d.line
