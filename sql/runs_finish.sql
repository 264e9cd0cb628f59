-- A run ends: its outcome, exit code and what it did.
UPDATE job_runs
SET finished_at = now(),
    outcome = $2,
    exit_code = $3::int,
    files_ingested = $4::int,
    files_rejected = $5::int,
    receipts = $6::int,
    policies = $7::int,
    events = $8::int,
    message = $9
WHERE run_id = $1::bigint
