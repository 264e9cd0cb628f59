-- A run begins: its command, night, and the database session, host and pid
-- that a later run checks to tell a live run from a dead one.
INSERT INTO job_runs (command, as_of, backend_pid, backend_start, host, pid)
SELECT $1, $2::date, a.pid, a.backend_start, $3, $4::int
FROM pg_stat_activity a
WHERE a.pid = pg_backend_pid()
RETURNING run_id
