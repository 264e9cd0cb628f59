-- Database roles (rules.md section 9: full personal data readable only by the roles
-- that need it). Three group roles; people and services log in as their own users
-- and are made members, e.g. GRANT recon_reviewer TO alice:
--   recon_loader    runs ingest, process, report and retain: reads and writes the
--                   working tables, but cannot delete history, change the schema or
--                   touch schema_version
--   recon_reviewer  reads what the reports show: personal data only masked, through
--                   recon.policies_masked and recon.receipts_masked; writes nothing
--   recon_auditor   reads everything, history included; writes nothing
-- Roles belong to the cluster, not the database, so they are created only if
-- missing (another database of the same cluster may have created them) and NOLOGIN.
SET LOCAL search_path = recon, pg_catalog;

DO $roles$
DECLARE
    r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['recon_loader', 'recon_reviewer', 'recon_auditor'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = r) THEN
            BEGIN
                EXECUTE format('CREATE ROLE %I NOLOGIN', r);
            EXCEPTION
                -- a concurrent `recon init` in another database created it first
                WHEN duplicate_object OR unique_violation THEN NULL;
                WHEN insufficient_privilege THEN
                    RAISE EXCEPTION 'role % does not exist and this user cannot create it', r
                        USING HINT = 'have a superuser run CREATE ROLE ' || r ||
                                     ' NOLOGIN, or run recon init as a user with CREATEROLE';
            END;
        END IF;
    END LOOP;
END
$roles$;

-- Masking as core/mask.c does it, counted in characters (the database is UTF-8):
-- name: first character + '*'; account/card: first 4 and last 4 kept when longer
-- than 8, last 4 when 5-8, else all '*'; ID number: first 3 and last 4 kept when
-- longer than 7, else all '*'. The fixed search_path stops a caller from shadowing
-- left()/right() with functions of their own that would receive the full value.
CREATE FUNCTION mask_name(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    AS $$ SELECT CASE WHEN s = '' THEN '' ELSE left(s, 1) || '*' END $$;

CREATE FUNCTION mask_account(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    AS $$ SELECT CASE
        WHEN char_length(s) > 8 THEN left(s, 4) || repeat('*', char_length(s) - 8) || right(s, 4)
        WHEN char_length(s) > 4 THEN repeat('*', char_length(s) - 4) || right(s, 4)
        ELSE repeat('*', char_length(s)) END $$;

CREATE FUNCTION mask_id_number(s text) RETURNS text
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE SET search_path = pg_catalog, pg_temp
    AS $$ SELECT CASE
        WHEN char_length(s) > 7 THEN left(s, 3) || repeat('*', char_length(s) - 7) || right(s, 4)
        ELSE repeat('*', char_length(s)) END $$;

-- The reviewer's windows on the two tables that hold personal data. Columns are
-- listed, not *, so that a column added later stays hidden until someone decides
-- how to show it. Remittance text is left out: it is free text that may carry
-- names or phone numbers and cannot be masked reliably (the reports omit it too).
-- security_barrier keeps a reviewer's own functions in WHERE from seeing rows
-- before the view's expressions are applied.
CREATE VIEW policies_masked WITH (security_barrier) AS
    SELECT policy_no, mask_name(holder_name) AS holder_name,
           mask_id_number(holder_id_no) AS holder_id_no, payment_mode, start_date, end_date,
           premium, net_premium, currency, mask_account(payer_account) AS payer_account,
           loaded_at
    FROM policies;

CREATE VIEW receipts_masked WITH (security_barrier) AS
    SELECT receipt_id, source, transaction_key, file_id, position, booking_date, value_date,
           amount, currency, direction, reversal, reversal_of, mask_name(payer) AS payer,
           mask_account(payer_account) AS payer_account, end_to_end_id, creditor_reference,
           merchant_order_no, provider_txn_id, fee, policy_no, business_date, match_result,
           match_note, duplicate_of
    FROM receipts;

GRANT USAGE ON SCHEMA recon TO recon_loader, recon_reviewer, recon_auditor;

-- auditor: everything, read-only; also tables later migrations add (when the same
-- user runs them, which `recon init` does).
GRANT SELECT ON ALL TABLES IN SCHEMA recon TO recon_auditor;
ALTER DEFAULT PRIVILEGES IN SCHEMA recon GRANT SELECT ON TABLES TO recon_auditor;

-- loader: reads everything and writes the working tables. Rows are deleted only
-- where a run recomputes them (allocations, snapshot, refunds, the schedule of a
-- reloaded policy, settlement checks); register, receipts, files and status
-- history are never deleted, and schema_version is the migrations' own.
GRANT SELECT ON ALL TABLES IN SCHEMA recon TO recon_loader;
GRANT INSERT, UPDATE ON policies, installments, statement_files, statements, receipts,
    allocations, reinstatement_agreements, cancellation_requests, status_events, job_runs,
    policy_status, refunds_due, settlement_checks TO recon_loader;
GRANT DELETE ON allocations, policy_status, refunds_due, installments, settlement_checks
    TO recon_loader;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA recon TO recon_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA recon GRANT SELECT ON TABLES TO recon_loader;
ALTER DEFAULT PRIVILEGES IN SCHEMA recon GRANT USAGE, SELECT ON SEQUENCES TO recon_loader;

-- reviewer: the masked views and the tables that hold no personal data (what the
-- reports are made of). Nothing by default: a new table is hidden until granted.
GRANT SELECT ON policies_masked, receipts_masked, installments, statement_files, statements,
    allocations, reinstatement_agreements, cancellation_requests, status_events, job_runs,
    policy_status, refunds_due, settlement_checks TO recon_reviewer;
