-- Runs that stop on a signal, and runs whose process died (issue 11).
--
-- A run records the database session it works in (backend pid and start time:
-- a pid alone is reused after a restart) and the host and pid of the recon
-- process, for the operator. A later run marks a 'running' row whose session
-- no longer exists 'abandoned': no live run can hold a session that is gone.
-- 'interrupted' is a run that SIGINT or SIGTERM stopped at a safe point
-- (exit code 130 or 143), its unfinished step rolled back.
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE job_runs
    ADD COLUMN backend_pid int,
    ADD COLUMN backend_start timestamptz,
    ADD COLUMN host text,
    ADD COLUMN pid int;

ALTER TABLE job_runs DROP CONSTRAINT job_runs_outcome_check;
ALTER TABLE job_runs ADD CONSTRAINT job_runs_outcome_check
    CHECK (outcome IN ('running', 'ok', 'partial', 'failed', 'interrupted', 'abandoned'));

-- The sweep for abandoned runs reads only the few rows still 'running'.
CREATE INDEX job_runs_running ON job_runs (run_id) WHERE outcome = 'running';
