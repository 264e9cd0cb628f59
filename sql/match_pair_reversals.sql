-- Each unpaired reversal takes back the receipt of the same source whose
-- transaction key, provider transaction id, end-to-end id or merchant order
-- number equals its reversal_of. One join per reference column, on both the
-- source and the reference, so it hashes the few reversals and reads receipts
-- once. The lowest receipt number wins when a reference is shared, which keeps
-- reruns and replays alike.
UPDATE receipts v
SET reverses = p.original
FROM (SELECT DISTINCT ON (c.receipt_id) c.receipt_id, c.original
      FROM (SELECT w.receipt_id, o.receipt_id AS original
            FROM unpaired w JOIN receipts o ON o.source = w.source AND o.transaction_key = w.reversal_of
            WHERE NOT o.reversal AND o.duplicate_of IS NULL
            UNION ALL
            SELECT w.receipt_id, o.receipt_id AS original
            FROM unpaired w JOIN receipts o ON o.source = w.source AND o.provider_txn_id = w.reversal_of
            WHERE NOT o.reversal AND o.duplicate_of IS NULL
            UNION ALL
            SELECT w.receipt_id, o.receipt_id AS original
            FROM unpaired w JOIN receipts o ON o.source = w.source AND o.end_to_end_id = w.reversal_of
            WHERE NOT o.reversal AND o.duplicate_of IS NULL
            UNION ALL
            SELECT w.receipt_id, o.receipt_id AS original
            FROM unpaired w JOIN receipts o ON o.source = w.source AND o.merchant_order_no = w.reversal_of
            WHERE NOT o.reversal AND o.duplicate_of IS NULL) c
      ORDER BY c.receipt_id, c.original) p
WHERE v.receipt_id = p.receipt_id
