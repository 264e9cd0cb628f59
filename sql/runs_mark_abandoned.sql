-- Rows still 'running' whose database session no longer exists belong to runs
-- that died (SIGKILL, a crash, the server stopped under them): nothing can
-- finish them. A live run's session is in pg_stat_activity with the pid and
-- start time it recorded, so it is never touched; where this role may not see
-- another's start time (NULL), the pid alone keeps the row. Rows from before
-- sessions were recorded (backend_pid NULL) are proven dead by the job lock the
-- caller holds. $1 is the run marking them; each marked run is returned.
UPDATE job_runs j
SET outcome = 'abandoned',
    finished_at = now(),
    message = 'did not finish: its database session ended without recording an outcome (process killed, server stopped or crashed); marked by run ' || $1
WHERE j.outcome = 'running'
  AND (j.backend_pid IS NULL
       OR NOT EXISTS (SELECT 1
                      FROM pg_stat_activity a
                      WHERE a.pid = j.backend_pid
                        AND (a.backend_start = j.backend_start OR a.backend_start IS NULL)))
RETURNING j.run_id, j.command, coalesce(j.as_of::text, ''),
          to_char(j.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
          coalesce(j.host || ':' || j.pid, '')
