-- The latest night a nightly run completed (ok, or partial: files refused but
-- reported); NULL before the first. Nights after it were missed.
SELECT max(as_of)::text
FROM job_runs
WHERE command = 'nightly'
  AND outcome IN ('ok', 'partial')
