-- The summary's provider settlements of the receipts known on the report
-- date (credited = provider gross - fees): settlement, verdict, difference in
-- fen.
SELECT c.provider || ' ' || c.settled_day || ' receipt ' || c.receipt_id,
       CASE WHEN c.provider_rows = 0 THEN 'no statement'
            WHEN c.difference = 0 THEN 'agrees'
            ELSE 'DIFFERENCE' END,
       c.difference::text
FROM settlement_checks c
JOIN receipts_known_on(current_setting('recon.as_of')::date) r USING (receipt_id)
ORDER BY c.receipt_id
