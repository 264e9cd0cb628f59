-- recon base schema. Money is bigint fen, dates are date (China-local calendar).
-- Every table that grows with policies carries policy_no so it can later be
-- distributed by policy.
CREATE SCHEMA IF NOT EXISTS recon;
SET LOCAL search_path = recon, pg_catalog;

CREATE TABLE policies (
    policy_no      text PRIMARY KEY CHECK (policy_no ~ '^[A-Za-z0-9_-]{1,40}$'),
    holder_name    text NOT NULL,
    holder_id_no   text NOT NULL DEFAULT '',
    payment_mode   text NOT NULL CHECK (payment_mode IN ('monthly', 'single')),
    start_date     date NOT NULL,
    end_date       date NOT NULL,
    premium        bigint NOT NULL CHECK (premium > 0),
    net_premium    bigint NOT NULL,
    currency       text NOT NULL DEFAULT 'CNY' CHECK (currency ~ '^[A-Z]{3}$'),
    payer_account  text NOT NULL DEFAULT '',
    loaded_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date >= start_date),
    CHECK (net_premium >= 0 AND net_premium <= premium)
);
CREATE INDEX policies_payer_account ON policies (payer_account) WHERE payer_account <> '';

-- The due-date schedule (rules.md section 2), written by `recon policies load`.
CREATE TABLE installments (
    policy_no   text NOT NULL REFERENCES policies ON DELETE CASCADE,
    number      int NOT NULL CHECK (number BETWEEN 1 AND 120),
    due_date    date NOT NULL,
    period_end  date NOT NULL,
    amount      bigint NOT NULL CHECK (amount > 0),
    PRIMARY KEY (policy_no, number),
    UNIQUE (policy_no, due_date),
    CHECK (period_end >= due_date)
);

CREATE TABLE statement_files (
    file_id          bigserial PRIMARY KEY,
    sha256           text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    file_name        text NOT NULL,
    format           text NOT NULL,
    statement_date   date,
    period_from      date,
    period_to        date,
    status           text NOT NULL CHECK (status IN ('stored', 'rejected')),
    rejection_reason text,
    receipt_count    int NOT NULL DEFAULT 0 CHECK (receipt_count >= 0),
    duplicate_count  int NOT NULL DEFAULT 0 CHECK (duplicate_count >= 0),
    credit_total     bigint NOT NULL DEFAULT 0,
    debit_total      bigint NOT NULL DEFAULT 0,
    business_date    date,
    ingested_at      timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'rejected') = (rejection_reason IS NOT NULL)),
    CHECK (period_from IS NULL OR period_to IS NULL OR period_from <= period_to)
);

-- One statement inside a file (camt Stmt, MT940 :20: block): balances for checks.
CREATE TABLE statements (
    file_id          bigint NOT NULL REFERENCES statement_files ON DELETE CASCADE,
    seq              int NOT NULL,
    source           text NOT NULL,
    statement_id     text NOT NULL DEFAULT '',
    currency         text NOT NULL DEFAULT '',
    statement_date   date,
    opening_balance  bigint,
    closing_balance  bigint,
    entry_count      int NOT NULL DEFAULT 0,
    credit_total     bigint NOT NULL DEFAULT 0,
    debit_total      bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (file_id, seq)
);

CREATE TABLE receipts (
    receipt_id          bigserial PRIMARY KEY,
    source              text NOT NULL,
    transaction_key     text NOT NULL,
    file_id             bigint REFERENCES statement_files,
    position            text NOT NULL DEFAULT '',
    booking_date        date NOT NULL,
    value_date          date,
    amount              bigint NOT NULL,
    currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    direction           text NOT NULL CHECK (direction IN ('credit', 'debit')),
    reversal            boolean NOT NULL DEFAULT false,
    reversal_of         text NOT NULL DEFAULT '',
    payer               text NOT NULL DEFAULT '',
    payer_account       text NOT NULL DEFAULT '',
    end_to_end_id       text NOT NULL DEFAULT '',
    creditor_reference  text NOT NULL DEFAULT '',
    merchant_order_no   text NOT NULL DEFAULT '',
    provider_txn_id     text NOT NULL DEFAULT '',
    remittance          text NOT NULL DEFAULT '',
    fee                 bigint NOT NULL DEFAULT 0,
    policy_no           text REFERENCES policies,   -- the policy it was matched to, if any
    business_date       date,                        -- the nightly run that first saw it
    -- The same transaction seen in two files counts once.
    UNIQUE (source, transaction_key),
    CHECK ((direction = 'credit' AND amount >= 0) OR (direction = 'debit' AND amount <= 0))
);
CREATE INDEX receipts_policy ON receipts (policy_no) WHERE policy_no IS NOT NULL;
CREATE INDEX receipts_file ON receipts (file_id);

-- Receipts allocated to installments as of the last evaluation; installment 0 is
-- money the policy holds as credit or must refund.
CREATE TABLE allocations (
    policy_no    text NOT NULL REFERENCES policies ON DELETE CASCADE,
    receipt_id   bigint NOT NULL REFERENCES receipts,
    installment  int NOT NULL CHECK (installment BETWEEN 0 AND 120),
    amount       bigint NOT NULL,
    as_of        date NOT NULL,
    PRIMARY KEY (policy_no, receipt_id, installment)
);

CREATE TABLE reinstatement_agreements (
    policy_no  text NOT NULL REFERENCES policies ON DELETE CASCADE,
    agreed_on  date NOT NULL,
    PRIMARY KEY (policy_no, agreed_on)
);

-- A policy is cancelled at most once (第二十九条).
CREATE TABLE cancellation_requests (
    policy_no    text PRIMARY KEY REFERENCES policies ON DELETE CASCADE,
    received_on  date NOT NULL
);

-- Status history (rules.md section 7). A row is known from the run that first
-- computed it until a later run (late data) no longer does.
CREATE TABLE status_events (
    policy_no       text NOT NULL REFERENCES policies ON DELETE CASCADE,
    effective_date  date NOT NULL,
    seq             int NOT NULL CHECK (seq >= 1),
    from_status     text NOT NULL CHECK (from_status IN ('pending', 'in_force', 'grace',
                        'suspended', 'terminated', 'expired', 'not_effective', 'cancelled')),
    to_status       text NOT NULL CHECK (to_status IN ('in_force', 'grace', 'suspended',
                        'terminated', 'expired', 'not_effective', 'cancelled')),
    reason          text NOT NULL,
    known_from      date NOT NULL,
    known_until     date,
    CHECK (from_status <> to_status),
    CHECK (known_until IS NULL OR known_until >= known_from),
    -- terminal statuses are never left
    CHECK (from_status NOT IN ('terminated', 'expired', 'not_effective', 'cancelled'))
);
CREATE UNIQUE INDEX status_events_current
    ON status_events (policy_no, seq) WHERE known_until IS NULL;
CREATE INDEX status_events_known ON status_events (known_from);

CREATE TABLE job_runs (
    run_id          bigserial PRIMARY KEY,
    command         text NOT NULL,
    as_of           date,
    started_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    outcome         text NOT NULL DEFAULT 'running'
                        CHECK (outcome IN ('running', 'ok', 'partial', 'failed')),
    exit_code       int,
    files_ingested  int NOT NULL DEFAULT 0,
    files_rejected  int NOT NULL DEFAULT 0,
    receipts        int NOT NULL DEFAULT 0,
    policies        int NOT NULL DEFAULT 0,
    events          int NOT NULL DEFAULT 0,
    message         text,
    CHECK ((outcome = 'running') = (finished_at IS NULL))
);
