-- Incremental evaluation (issue 16): a night evaluates only the policies whose
-- inputs changed since the last night or whose state can change by the calendar
-- alone by tonight; the rest keep their stored state.
--
-- The stored state of each policy is policy_state (the snapshot table that was
-- policy_status), with the night it was evaluated for and next_change: the first
-- date on which its evaluation can differ without new input (a due date, the day
-- after it, D+31, end + 1, a holiday's end + 1, an agreement, a receipt's date).
-- The figures that move with the calendar alone (as_of, days_overdue) are no
-- longer stored: the view policy_status derives them from the night of the
-- last process (evaluation_night), so every reader keeps its columns.
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE policy_status RENAME TO policy_state;
ALTER TABLE policy_state DROP COLUMN as_of, DROP COLUMN days_overdue,
    ADD COLUMN evaluated_on date, ADD COLUMN next_change date;
CREATE INDEX policy_state_next_change ON policy_state (next_change);

-- The night of the last process, when it ran (inputs recorded after it are new
-- to the next night), and the rules it evaluated with (other rules: everything
-- is evaluated again). One row at most.
CREATE TABLE evaluation_night (
    one           boolean PRIMARY KEY DEFAULT true CHECK (one),
    night         date NOT NULL,
    evaluated_at  timestamptz NOT NULL,
    rules         text NOT NULL
);
-- A database processed before this migration has snapshot rows of no known night:
-- the next process evaluates everything (no evaluation_night row).

CREATE VIEW policy_status AS
    SELECT s.policy_no, n.night AS as_of, s.status, s.status_since, s.next_due_date,
           s.oldest_unpaid_due_date,
           CASE WHEN s.oldest_unpaid_due_date IS NULL THEN 0
                ELSE n.night - s.oldest_unpaid_due_date END AS days_overdue,
           s.arrears, s.credit, s.paid_installments, s.total_installments
    FROM policy_state s CROSS JOIN evaluation_night n;

-- Inputs without a night of their own say when they were recorded, so that one
-- recorded after the last process marks its policy for the next.
ALTER TABLE reinstatement_agreements ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE cancellation_requests ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE payment_holidays ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE decisions ADD COLUMN recorded_at timestamptz NOT NULL DEFAULT now();

-- Receipts entered by hand, found by their night without a scan of every receipt.
CREATE INDEX receipts_by_hand ON receipts (business_date) WHERE file_id IS NULL;
CREATE INDEX statement_files_night ON statement_files (business_date);

GRANT SELECT, INSERT, UPDATE, DELETE ON evaluation_night TO recon_loader;
GRANT SELECT ON evaluation_night, policy_status TO recon_reviewer, recon_loader, recon_auditor;
