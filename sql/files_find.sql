-- The statement file stored under a SHA-256 ($1), or with $2 also one rejected:
-- its id, whether it was rejected, the night that reported it and the reason.
SELECT file_id, status = 'rejected', business_date, coalesce(rejection_reason, '')
FROM statement_files
WHERE sha256 = $1
  AND (status = 'stored' OR $2::boolean)
