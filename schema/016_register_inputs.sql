-- The register (policies) and events files the nightly takes from its register
-- inbox (issue 14): one row per file, applied or refused, found by the SHA-256
-- of its bytes, so a file is applied once, a refusal is remembered like a
-- statement file's, and INPUTS.sha256 lists each on the night that found it
-- (business_date) for a replay to feed it again on that night.
SET LOCAL search_path = recon, pg_catalog;

CREATE TABLE register_files (
    register_file_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sha256           text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    file_name        text NOT NULL,
    kind             text NOT NULL CHECK (kind IN ('policies', 'events', 'unknown')),
    status           text NOT NULL CHECK (status IN ('applied', 'rejected')),
    rejection_reason text,
    row_count        bigint NOT NULL DEFAULT 0 CHECK (row_count >= 0),
    business_date    date NOT NULL,
    recorded_by      text NOT NULL DEFAULT session_user,
    recorded_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
    CHECK (status = 'rejected' OR kind <> 'unknown')
);
CREATE INDEX register_files_night ON register_files (business_date);

-- Kept like statement_files: the loader adds rows, nobody rewrites history.
GRANT INSERT ON register_files TO recon_loader;
GRANT SELECT ON register_files TO recon_reviewer;

-- The decisions files stored for night $1 (`recon decide`, schema 014: the
-- night a file's rows take effect is its decided_on): their SHA-256, the name
-- their copy gets under OUT/DATE/decisions/ (the stored name's last component;
-- when two files of the night share it, each gets "~" and 12 hex digits of its
-- SHA-256) and their bytes. Read through EXECUTE and nothing while the
-- decisions tables do not exist, so this migration stands on its own.
CREATE FUNCTION night_decision_files(night date)
    RETURNS TABLE (sha256 text, file_name text, content bytea)
    LANGUAGE plpgsql STABLE SET search_path = recon, pg_catalog AS $$
BEGIN
    IF to_regclass('recon.decision_files') IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE $q$
        SELECT f.sha256,
               CASE WHEN count(*) OVER (PARTITION BY n.base) > 1
                    THEN n.base || '~' || left(f.sha256, 12) ELSE n.base END,
               f.content
        FROM recon.decision_files f,
             LATERAL (SELECT CASE WHEN b IN ('', '.', '..') THEN f.sha256 ELSE b END AS base
                      FROM regexp_replace(f.file_name, '^.*/', '') AS b) n
        WHERE f.decided_on = $1
        ORDER BY 2, 1
    $q$ USING night;
END
$$;

-- The night a policy first came through the register inbox; NULL for one loaded
-- by hand (`recon policies load`), which every night knows. A night run again
-- after a later register file evaluates the register it had, as it sees only
-- the receipts it knew (receipts_known): its reports stay byte for byte.
ALTER TABLE policies ADD COLUMN known_on date;
