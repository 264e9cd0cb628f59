-- The receipts known on night d, as receipts_known shows them (issue 16). The
-- view's known_on is coalesce(receipt's own night, its file's night), which no
-- index can answer, so every report of a night read the whole table to find
-- that night's few thousand receipts (1.2 s at 100k receipts, 10x that at 1M).
-- Only receipts entered by hand carry a night of their own (schema 006), so the
-- night's receipts are those of the files stored that night (statement_files_night,
-- receipts_file) and those entered by hand that night (receipts_by_hand).
-- Plain SQL with qualified names and no SET clause, so the planner inlines it
-- into the calling query like the view itself.
SET LOCAL search_path = recon, pg_catalog;

CREATE FUNCTION receipts_known_on(d date) RETURNS SETOF recon.receipts_known
    LANGUAGE sql STABLE AS $$
    SELECT r.* FROM recon.receipts_known r
    WHERE r.file_id IN (SELECT f.file_id FROM recon.statement_files f WHERE f.business_date = d)
    UNION ALL
    SELECT r.* FROM recon.receipts_known r
    WHERE r.file_id IS NULL AND r.business_date = d
$$;
GRANT EXECUTE ON FUNCTION receipts_known_on(date) TO recon_loader, recon_auditor;

-- The receipts no night has processed yet (receipts_known's known_on IS NULL),
-- found the same way: files not yet stamped with a night, receipts entered by
-- hand not yet stamped (receipts_unstamped).
CREATE FUNCTION receipts_new() RETURNS SETOF recon.receipts_known
    LANGUAGE sql STABLE AS $$
    SELECT r.* FROM recon.receipts_known r
    WHERE r.file_id IN (SELECT f.file_id FROM recon.statement_files f WHERE f.business_date IS NULL)
    UNION ALL
    SELECT r.* FROM recon.receipts_known r
    WHERE r.file_id IS NULL AND r.business_date IS NULL
$$;
GRANT EXECUTE ON FUNCTION receipts_new() TO recon_loader, recon_auditor;

-- The receipts new to a night since the last process (for night night, started
-- at at): those of the files not yet owned by a night, owned by that night or a
-- later one, or stored after it started, and those entered by hand alike. What
-- the dirty-policy search (sql/process_mark_dirty.sql) starts from and what
-- sql/process_many_fresh.sql counts, written once.
CREATE FUNCTION receipts_fresh(night date, at timestamptz)
    RETURNS TABLE (receipt_id bigint, policy_no text, reverses bigint)
    LANGUAGE sql STABLE AS $$
    SELECT r.receipt_id, r.policy_no, r.reverses
    FROM recon.statement_files f JOIN recon.receipts r ON r.file_id = f.file_id
    WHERE f.business_date IS NULL OR f.business_date >= night OR f.ingested_at > at
    UNION ALL
    SELECT r.receipt_id, r.policy_no, r.reverses
    FROM recon.receipts r
    WHERE r.file_id IS NULL AND (r.business_date IS NULL OR r.business_date >= night)
$$;
GRANT EXECUTE ON FUNCTION receipts_fresh(date, timestamptz) TO recon_loader, recon_auditor;
