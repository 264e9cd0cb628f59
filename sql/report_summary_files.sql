-- The summary's statement files of the report date: name, format (or
-- REJECTED), and what was stored (or why it was refused).
SELECT file_name,
       CASE WHEN status = 'stored' THEN format ELSE 'REJECTED' END,
       CASE WHEN status = 'stored'
            THEN receipt_count || ' receipts, ' || duplicate_count || ' duplicates'
            ELSE rejection_reason END
FROM statement_files
WHERE business_date = (SELECT current_setting('recon.as_of')::date)
ORDER BY file_name, sha256
