-- A rejected file remembered with its reason, under the next file id; a row
-- already stored under the same hash (a concurrent run) is left alone, an
-- earlier rejection is restated. The caller holds statement_files in SHARE ROW
-- EXCLUSIVE mode (last_file_id).
INSERT INTO statement_files (file_id, sha256, file_name, format, status, rejection_reason)
SELECT last_file_id() + 1, $1, $2, $3, 'rejected', $4
ON CONFLICT (sha256) DO UPDATE
SET file_name = excluded.file_name,
    format = excluded.format,
    rejection_reason = excluded.rejection_reason,
    ingested_at = now()
WHERE statement_files.status = 'rejected'
