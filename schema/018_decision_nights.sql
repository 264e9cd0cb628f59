-- A decisions file takes effect on a night not yet processed: each night's
-- INPUTS.sha256 lists the files decided for it, and a replay applies them
-- before that night's run, so a file dated for a night already processed would
-- change reports already published and be missing from the night that first
-- used it. recon decide refuses such a file; the decider cannot read job_runs,
-- so the latest processed night is read through this function (matching
-- asks it too: a rerun of an earlier night re-matches nothing).
CREATE FUNCTION last_processed_night() RETURNS date
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
    SELECT max(as_of) FROM job_runs
    WHERE command IN ('process', 'nightly', 'replay') AND outcome IN ('ok', 'partial')
$$;
REVOKE ALL ON FUNCTION last_processed_night() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION last_processed_night() TO recon_decider, recon_loader, recon_reviewer;
