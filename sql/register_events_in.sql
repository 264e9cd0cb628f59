-- The rows of an events file (agreements, cancellation requests, payment holidays with
-- their until date, else NULL), staged for this transaction.
CREATE TEMP TABLE events_in (line int, policy_no text, event text, d date, until date)
ON COMMIT DROP
