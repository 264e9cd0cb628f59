-- Whether the money of every receipt, known by any night, certainly adds up
-- within $1 fen (magnitudes of amounts and fees): a receipt outside
-- receipts_large (schema/021; the same condition, so the planner reads that
-- index) adds at most 2 x 10^9 fen, and there are no more such receipts than
-- the highest receipt number. False means "maybe not": the exact check follows.
SELECT (SELECT coalesce(max(receipt_id), 0) FROM receipts)::numeric * 2000000000
       + coalesce((SELECT sum(abs(amount::numeric) + abs(fee::numeric)) FROM receipts
                   WHERE amount > 1000000000 OR amount < -1000000000
                      OR fee > 1000000000 OR fee < -1000000000), 0)
       <= $1::numeric
