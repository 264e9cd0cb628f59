-- The receipt each staged decision names: by receipt_id, else by source and
-- transaction_key as `recon parse` and the reports show them.
UPDATE decisions_in i
SET rid = coalesce(i.receipt_id,
                   (SELECT r.receipt_id FROM receipts r
                    WHERE r.source = i.source AND r.transaction_key = i.transaction_key))
WHERE i.receipt_id IS NOT NULL OR i.source <> ''
