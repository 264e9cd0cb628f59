-- The register file recorded under a SHA-256 ($1): its id, whether it was
-- refused, the night that found it and the reason.
SELECT register_file_id, status = 'rejected', business_date, coalesce(rejection_reason, '')
FROM register_files
WHERE sha256 = $1
