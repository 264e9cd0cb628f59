-- The rows of an events file (agreements, cancellation requests), staged for this transaction.
CREATE TEMP TABLE events_in (line int, policy_no text, event text, d date) ON COMMIT DROP
