-- The references of receipts (file_id -> statement_files, duplicate_of and
-- reverses -> receipts) checked once per statement instead of once per row
-- (issue 16). A foreign key queues a trigger event per inserted row and checks
-- each by a query that locks the referenced row: for ingest's COPY of a file's
-- thousands of receipts, all naming the same file, that was 1.4-1.9x the cost of
-- the COPY itself. The same guarantees, set-wise:
-- - an INSERT (COPY) locks the referenced rows it names FOR KEY SHARE, as a
--   foreign key does (a concurrent DELETE of them waits for this transaction, and
--   this one waits for a concurrent DELETE and then sees the row gone), and
--   fails if any is missing;
-- - an UPDATE that changes a reference does the same for that row (WHEN: no
--   other update of receipts pays anything);
-- - a DELETE of statement_files or receipts, or a change of their key, fails
--   while a receipt still refers to the row; TRUNCATE of statement_files fails
--   while receipts name a file.
-- Errors keep the foreign key's SQLSTATE (23503) and constraint names.
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE receipts DROP CONSTRAINT receipts_file_id_fkey,
                     DROP CONSTRAINT receipts_duplicate_of_fkey,
                     DROP CONSTRAINT receipts_reverses_fkey;

-- Locks the statement files and receipts that ids name (FOR KEY SHARE) and
-- fails on the first that does not exist. Security definer: the check runs with
-- the tables' owner's rights, as a foreign key's does.
CREATE FUNCTION receipts_refs_check(files bigint[], refs bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
DECLARE
    missing bigint;
BEGIN
    IF cardinality(files) > 0 THEN
        PERFORM 1 FROM statement_files f WHERE f.file_id = ANY (files) FOR KEY SHARE;
        SELECT w INTO missing FROM unnest(files) w
        WHERE NOT EXISTS (SELECT 1 FROM statement_files f WHERE f.file_id = w) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'receipts_file_id_fkey',
                MESSAGE = 'insert or update on table "receipts" violates foreign key constraint "receipts_file_id_fkey"',
                DETAIL = format('Key (file_id)=(%s) is not present in table "statement_files".', missing);
        END IF;
    END IF;
    IF cardinality(refs) > 0 THEN
        PERFORM 1 FROM receipts r WHERE r.receipt_id = ANY (refs) FOR KEY SHARE;
        SELECT w INTO missing FROM unnest(refs) w
        WHERE NOT EXISTS (SELECT 1 FROM receipts r WHERE r.receipt_id = w) LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
                CONSTRAINT = 'receipts_duplicate_of_fkey',
                MESSAGE = 'insert or update on table "receipts" violates foreign key constraint "receipts_duplicate_of_fkey" or "receipts_reverses_fkey"',
                DETAIL = format('Key (receipt_id)=(%s) is not present in table "receipts".', missing);
        END IF;
    END IF;
END $$;

CREATE FUNCTION receipts_refs_inserted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
BEGIN
    PERFORM receipts_refs_check(
        ARRAY(SELECT DISTINCT n.file_id FROM new_receipts n WHERE n.file_id IS NOT NULL),
        ARRAY(SELECT n.duplicate_of FROM new_receipts n WHERE n.duplicate_of IS NOT NULL
              UNION SELECT n.reverses FROM new_receipts n WHERE n.reverses IS NOT NULL));
    RETURN NULL;
END $$;

CREATE TRIGGER receipts_refs_inserted AFTER INSERT ON receipts
    REFERENCING NEW TABLE AS new_receipts
    FOR EACH STATEMENT EXECUTE FUNCTION receipts_refs_inserted();

CREATE FUNCTION receipts_refs_updated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
BEGIN
    PERFORM receipts_refs_check(
        ARRAY(SELECT NEW.file_id WHERE NEW.file_id IS NOT NULL),
        ARRAY(SELECT NEW.duplicate_of WHERE NEW.duplicate_of IS NOT NULL
              UNION SELECT NEW.reverses WHERE NEW.reverses IS NOT NULL));
    RETURN NULL;
END $$;

CREATE TRIGGER receipts_refs_updated AFTER UPDATE OF file_id, duplicate_of, reverses ON receipts
    FOR EACH ROW
    WHEN (NEW.file_id IS DISTINCT FROM OLD.file_id
          OR NEW.duplicate_of IS DISTINCT FROM OLD.duplicate_of
          OR NEW.reverses IS DISTINCT FROM OLD.reverses)
    EXECUTE FUNCTION receipts_refs_updated();

-- The referenced side: a statement file or receipt that receipts still name
-- cannot go, nor change its key.
CREATE FUNCTION statement_files_still_named(gone bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
DECLARE
    named bigint;
BEGIN
    SELECT r.file_id INTO named FROM receipts r
    WHERE r.file_id = ANY (gone)
      AND NOT EXISTS (SELECT 1 FROM statement_files f WHERE f.file_id = r.file_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'receipts_file_id_fkey',
            MESSAGE = 'update or delete on table "statement_files" violates foreign key constraint "receipts_file_id_fkey" on table "receipts"',
            DETAIL = format('Key (file_id)=(%s) is still referenced from table "receipts".', named);
    END IF;
END $$;

CREATE FUNCTION receipts_still_named(gone bigint[]) RETURNS void
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
DECLARE
    named bigint;
BEGIN
    -- one pass over receipts whatever the number of rows gone (no index on duplicate_of)
    SELECT x.ref INTO named
    FROM (SELECT r.duplicate_of AS ref FROM receipts r JOIN unnest(gone) w ON r.duplicate_of = w
          UNION ALL
          SELECT r.reverses FROM receipts r JOIN unnest(gone) w ON r.reverses = w) x
    WHERE NOT EXISTS (SELECT 1 FROM receipts k WHERE k.receipt_id = x.ref)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'receipts_duplicate_of_fkey',
            MESSAGE = 'update or delete on table "receipts" violates foreign key constraint "receipts_duplicate_of_fkey" or "receipts_reverses_fkey" on table "receipts"',
            DETAIL = format('Key (receipt_id)=(%s) is still referenced from table "receipts".', named);
    END IF;
END $$;

CREATE FUNCTION statement_files_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
BEGIN
    PERFORM statement_files_still_named(ARRAY(SELECT o.file_id FROM old_files o));
    RETURN NULL;
END $$;

CREATE TRIGGER statement_files_deleted AFTER DELETE ON statement_files
    REFERENCING OLD TABLE AS old_files
    FOR EACH STATEMENT EXECUTE FUNCTION statement_files_deleted();

CREATE FUNCTION statement_files_rekeyed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
BEGIN
    PERFORM statement_files_still_named(ARRAY[OLD.file_id]);
    RETURN NULL;
END $$;

CREATE TRIGGER statement_files_rekeyed AFTER UPDATE OF file_id ON statement_files
    FOR EACH ROW WHEN (NEW.file_id IS DISTINCT FROM OLD.file_id)
    EXECUTE FUNCTION statement_files_rekeyed();

CREATE FUNCTION statement_files_truncated() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM receipts r WHERE r.file_id IS NOT NULL) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            CONSTRAINT = 'receipts_file_id_fkey',
            MESSAGE = 'cannot truncate statement_files: receipts name its files',
            HINT = 'delete the receipts that name the files first';
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER statement_files_truncated BEFORE TRUNCATE ON statement_files
    FOR EACH STATEMENT EXECUTE FUNCTION statement_files_truncated();

CREATE FUNCTION receipts_deleted() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
BEGIN
    PERFORM receipts_still_named(ARRAY(SELECT o.receipt_id FROM old_receipts o));
    RETURN NULL;
END $$;

CREATE TRIGGER receipts_deleted AFTER DELETE ON receipts
    REFERENCING OLD TABLE AS old_receipts
    FOR EACH STATEMENT EXECUTE FUNCTION receipts_deleted();

CREATE FUNCTION receipts_rekeyed() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = recon, pg_catalog AS $$
BEGIN
    PERFORM receipts_still_named(ARRAY[OLD.receipt_id]);
    RETURN NULL;
END $$;

CREATE TRIGGER receipts_rekeyed AFTER UPDATE OF receipt_id ON receipts
    FOR EACH ROW WHEN (NEW.receipt_id IS DISTINCT FROM OLD.receipt_id)
    EXECUTE FUNCTION receipts_rekeyed();

REVOKE ALL ON FUNCTION receipts_refs_check(bigint[], bigint[]), statement_files_still_named(bigint[]),
    receipts_still_named(bigint[]) FROM PUBLIC;

-- The keys of the file being ingested (sql/receipts_first_sightings.sql) go to
-- a temporary table made once per session and emptied at each commit, instead
-- of one created and dropped per file (catalog rows written and removed, and
-- the drop's work at every commit). Made here, not with CREATE ... IF NOT
-- EXISTS, whose notice would reach the log at every file after the first.
CREATE FUNCTION receipts_keys_ready() RETURNS void
    LANGUAGE plpgsql AS $$
BEGIN
    IF to_regclass('pg_temp.receipts_keys') IS NULL THEN
        CREATE TEMP TABLE receipts_keys (ord bigint, source text, transaction_key text)
            ON COMMIT DELETE ROWS;
    END IF;
END $$;
GRANT EXECUTE ON FUNCTION receipts_keys_ready() TO recon_loader;
