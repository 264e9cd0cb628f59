-- The latest evaluation of each policy (what `recon process` computed), so that
-- reports and dashboards read a snapshot instead of re-evaluating.
SET LOCAL search_path = recon, pg_catalog;

CREATE TABLE policy_status (
    policy_no               text PRIMARY KEY REFERENCES policies ON DELETE CASCADE,
    as_of                   date NOT NULL,
    status                  text NOT NULL CHECK (status IN ('pending', 'in_force', 'grace',
                                'suspended', 'terminated', 'expired', 'not_effective',
                                'cancelled')),
    status_since            date,
    next_due_date           date,
    oldest_unpaid_due_date  date,
    days_overdue            int NOT NULL DEFAULT 0 CHECK (days_overdue >= 0),
    arrears                 bigint NOT NULL DEFAULT 0 CHECK (arrears >= 0),
    credit                  bigint NOT NULL DEFAULT 0 CHECK (credit >= 0),
    paid_installments       int NOT NULL DEFAULT 0 CHECK (paid_installments >= 0),
    total_installments      int NOT NULL CHECK (total_installments >= 1),
    CHECK (paid_installments <= total_installments),
    CHECK ((status = 'pending') = (status_since IS NULL))
);

-- Refunds due (rules.md section 6 and 8), one row per policy and reason.
CREATE TABLE refunds_due (
    policy_no  text NOT NULL REFERENCES policies ON DELETE CASCADE,
    reason     text NOT NULL CHECK (reason IN ('cancellation', 'excess')),
    amount     bigint NOT NULL CHECK (amount > 0),
    due_by     date NOT NULL,
    detail     text NOT NULL,
    as_of      date NOT NULL,
    PRIMARY KEY (policy_no, reason)
);
