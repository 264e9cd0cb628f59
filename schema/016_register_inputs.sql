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
