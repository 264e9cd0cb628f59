-- A person's decisions on receipts in suspense (issue 14, rules.md section 10).
--
-- Decisions move money, so they are kept as evidence: the file they came in
-- (its bytes, SHA-256, name, who stored it and when) and each row with its
-- line, every field as written and the session user that stored it. Rows are
-- never changed or removed: a person undoes a decision with a later `release`
-- row, so the history of who decided what stays readable.
SET LOCAL search_path = recon, pg_catalog;

DO $roles$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'recon_decider') THEN
        BEGIN
            CREATE ROLE recon_decider NOLOGIN;
        EXCEPTION
            WHEN duplicate_object OR unique_violation THEN NULL;
            WHEN insufficient_privilege THEN
                RAISE EXCEPTION 'role recon_decider does not exist and this user cannot create it'
                    USING HINT = 'have a superuser run CREATE ROLE recon_decider NOLOGIN, or run '
                                 'recon init as a user with CREATEROLE';
        END;
    END IF;
END
$roles$;

CREATE TABLE decision_files (
    file_id       bigserial PRIMARY KEY,
    sha256        text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    file_name     text NOT NULL,
    content       bytea NOT NULL,
    decided_on    date NOT NULL,
    stored_by     text NOT NULL DEFAULT session_user,
    stored_at     timestamptz NOT NULL DEFAULT now()
);

-- needs_approval is settled when the row is stored (RECON_FOUR_EYES_BELOW of
-- that run), so that a later change of the setting never rewrites a past
-- night. approves names the refund or write-off an `approve` row approves.
CREATE TABLE decisions (
    decision_id      bigserial PRIMARY KEY,
    file_id          bigint NOT NULL REFERENCES decision_files,
    line             int NOT NULL,
    decided_on       date NOT NULL,
    receipt_id       bigint REFERENCES receipts,
    source           text NOT NULL DEFAULT '',
    transaction_key  text NOT NULL DEFAULT '',
    action           text NOT NULL CHECK (action IN ('assign', 'refund', 'write_off', 'release',
                                                      'approve')),
    policy_no        text REFERENCES policies,
    amount           bigint CHECK (amount > 0),
    reason           text NOT NULL CHECK (reason <> ''),
    decided_by       text NOT NULL CHECK (decided_by <> ''),
    needs_approval   boolean NOT NULL DEFAULT false,
    approves         bigint REFERENCES decisions,
    stored_by        text NOT NULL DEFAULT session_user,
    UNIQUE (file_id, line),
    CHECK ((action = 'approve') = (approves IS NOT NULL)),
    CHECK (action = 'write_off' OR receipt_id IS NOT NULL OR action = 'approve'),
    CHECK (action NOT IN ('assign', 'write_off') OR policy_no IS NOT NULL),
    CHECK (action <> 'write_off' OR amount IS NOT NULL)
);
CREATE INDEX decisions_receipt ON decisions (receipt_id) WHERE receipt_id IS NOT NULL;
CREATE INDEX decisions_policy ON decisions (policy_no) WHERE policy_no IS NOT NULL;

-- Who stored a row is the session's login, never what the row claims; a login
-- that is not a superuser (the embedded cluster's owner) decides only in its
-- own name. Rows are never updated or deleted, by anyone.
CREATE FUNCTION decisions_guard() RETURNS trigger
    LANGUAGE plpgsql SET search_path = recon, pg_catalog AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING HINT = 'undo a decision with a release row in a new decisions file';
    END IF;
    NEW.stored_by := session_user;
    IF TG_TABLE_NAME = 'decisions' THEN
        IF NEW.decided_by <> session_user
           AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user) THEN
            RAISE EXCEPTION 'decided_by ''%'' is not the login role ''%''', NEW.decided_by,
                session_user;
        END IF;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER decisions_append_only BEFORE INSERT OR UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION decisions_guard();
CREATE TRIGGER decision_files_append_only BEFORE INSERT OR UPDATE OR DELETE ON decision_files
    FOR EACH ROW EXECUTE FUNCTION decisions_guard();
CREATE TRIGGER decisions_no_truncate BEFORE TRUNCATE ON decisions
    FOR EACH STATEMENT EXECUTE FUNCTION decisions_guard();
CREATE TRIGGER decision_files_no_truncate BEFORE TRUNCATE ON decision_files
    FOR EACH STATEMENT EXECUTE FUNCTION decisions_guard();

-- Decisions on a receipt that no later release undid, whatever their night:
-- the receipt is governed by a person, and automatic matching leaves it alone.
CREATE VIEW decisions_active AS
    SELECT d.*
    FROM decisions d
    WHERE d.action IN ('assign', 'refund')
      AND NOT EXISTS (SELECT 1 FROM decisions x
                      WHERE x.action = 'release' AND x.receipt_id = d.receipt_id
                        AND x.decision_id > d.decision_id);

CREATE FUNCTION receipt_decided(receipt bigint) RETURNS boolean
    LANGUAGE sql STABLE SET search_path = recon, pg_catalog
    AS $$ SELECT EXISTS (SELECT 1 FROM decisions_active a WHERE a.receipt_id = receipt) $$;

-- The assignments, refunds and write-offs in effect on night as_of: stored for
-- that night or an earlier one, approved by then when they needed it, and not
-- released by then. effective_on is the night they took effect (the approval's,
-- when approved later); amount empty on an assignment or refund is the whole
-- receipt. A decision for a later night is invisible here, so replaying an
-- earlier night sees what that night saw.
CREATE FUNCTION decisions_in_effect(as_of date)
    RETURNS TABLE (decision_id bigint, receipt_id bigint, action text, policy_no text,
                   amount bigint, effective_on date)
    LANGUAGE sql STABLE SET search_path = recon, pg_catalog AS $$
    SELECT d.decision_id, d.receipt_id, d.action, d.policy_no, coalesce(d.amount, r.amount),
           greatest(d.decided_on, a.approved_on)
    FROM decisions d
    LEFT JOIN receipts r ON r.receipt_id = d.receipt_id
    LEFT JOIN LATERAL (SELECT min(x.decided_on) AS approved_on FROM decisions x
                       WHERE x.approves = d.decision_id AND x.decided_on <= as_of) a ON true
    WHERE d.action IN ('assign', 'refund', 'write_off') AND d.decided_on <= as_of
      AND (NOT d.needs_approval OR a.approved_on IS NOT NULL)
      AND NOT EXISTS (SELECT 1 FROM decisions x
                      WHERE x.action = 'release' AND x.receipt_id = d.receipt_id
                        AND x.decision_id > d.decision_id AND x.decided_on <= as_of)
$$;

-- Refunds decided by a person and in effect on as_of, as refunds.csv.gz lists
-- them: due 30 days after the night they took effect.
CREATE FUNCTION decision_refunds(as_of date)
    RETURNS TABLE (decision_id bigint, policy_no text, receipt_id bigint, amount bigint,
                   due_by date)
    LANGUAGE sql STABLE SET search_path = recon, pg_catalog AS $$
    SELECT e.decision_id, coalesce(e.policy_no, ''), e.receipt_id, e.amount, e.effective_on + 30
    FROM decisions_in_effect(as_of) e
    WHERE e.action = 'refund'
$$;

GRANT USAGE ON SCHEMA recon TO recon_decider;
GRANT SELECT ON schema_version, decision_files, decisions, decisions_active TO recon_decider;
GRANT SELECT (policy_no) ON policies TO recon_decider;
GRANT SELECT (receipt_id, source, transaction_key, amount, currency, direction, reversal,
              reverses, duplicate_of, booking_date) ON receipts TO recon_decider;
GRANT INSERT ON decision_files, decisions TO recon_decider;
GRANT USAGE ON SEQUENCE decision_files_file_id_seq, decisions_decision_id_seq TO recon_decider;
GRANT SELECT ON decision_files, decisions, decisions_active TO recon_reviewer;
-- The loader and reviewer read decisions (the nightly applies them) but never
-- write one: the default privileges of 005 gave the loader SELECT only.
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON decision_files, decisions FROM recon_loader;
