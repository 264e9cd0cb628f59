-- Id allocation, written once (issue 12).
--
-- File and receipt numbers are taken in file order from the highest stored,
-- never from a sequence: a rolled-back or killed run would have advanced a
-- sequence, and a rerun must give the same numbers (reports carry them). The
-- caller holds the table in SHARE ROW EXCLUSIVE mode for its transaction, so
-- two writers never take the same number.
SET LOCAL search_path = recon, pg_catalog;

CREATE FUNCTION last_file_id() RETURNS bigint
    LANGUAGE sql STABLE SET search_path = recon, pg_catalog
    AS $$ SELECT coalesce(max(file_id), 0) FROM statement_files $$;

CREATE FUNCTION last_receipt_id() RETURNS bigint
    LANGUAGE sql STABLE SET search_path = recon, pg_catalog
    AS $$ SELECT coalesce(max(receipt_id), 0) FROM receipts $$;
