-- A fully parsed file, with its parse warnings ($10) and its count of receipts
-- already stored from another file ($11), stored under the next
-- file id, replacing an earlier rejection of the same bytes; no row when a
-- concurrent run stored them first (this one waited for it to commit). The caller holds statement_files and
-- receipts in SHARE ROW EXCLUSIVE mode (last_file_id), so the highest receipt id
-- returned beside the file id is where the file's receipts start.
INSERT INTO statement_files (file_id, sha256, file_name, format, statement_date,
                             period_from, period_to, status, receipt_count, credit_total,
                             debit_total, warnings, duplicate_count)
SELECT last_file_id() + 1, $1, $2, $3, $4::date, $5::date, $6::date,
       'stored', $7::int, $8::bigint, $9::bigint, $10, $11::int
ON CONFLICT (sha256) DO UPDATE
SET file_name = excluded.file_name,
    format = excluded.format,
    statement_date = excluded.statement_date,
    period_from = excluded.period_from,
    period_to = excluded.period_to,
    status = 'stored',
    rejection_reason = NULL,
    receipt_count = excluded.receipt_count,
    credit_total = excluded.credit_total,
    debit_total = excluded.debit_total,
    warnings = excluded.warnings,
    duplicate_count = excluded.duplicate_count,
    ingested_at = now()
WHERE statement_files.status = 'rejected'
RETURNING file_id, last_receipt_id()
