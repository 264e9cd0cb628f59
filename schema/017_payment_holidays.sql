-- Payment holidays (issue 14, rules.md section 11): the insurer's grace_extension
-- events from the events file. No suspension takes effect on a day in
-- [from_date, until_date]; one still due at its end takes effect on until_date + 1.
SET LOCAL search_path = recon, pg_catalog;

CREATE TABLE payment_holidays (
    policy_no   text NOT NULL REFERENCES policies ON DELETE CASCADE,
    from_date   date NOT NULL,
    until_date  date NOT NULL,
    CHECK (from_date <= until_date),
    PRIMARY KEY (policy_no, from_date, until_date)
);

GRANT SELECT, INSERT ON payment_holidays TO recon_loader;
GRANT SELECT ON payment_holidays TO recon_reviewer;
