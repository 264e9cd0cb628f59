-- A register file applied or refused on night $7; a row already there under the
-- same SHA-256 (a concurrent run) is left alone.
INSERT INTO register_files (sha256, file_name, kind, status, rejection_reason, row_count,
                            business_date)
VALUES ($1, $2, $3, $4, $5, $6::bigint, $7::date)
ON CONFLICT (sha256) DO NOTHING
