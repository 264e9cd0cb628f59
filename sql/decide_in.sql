-- The rows of a decisions file, validated, staged for this transaction; rid is
-- the receipt they name (by receipt_id, or by source and transaction_key),
-- filled in by sql/decide_resolve.sql.
CREATE TEMP TABLE decisions_in (
    line int, decided_on date, receipt_id bigint, source text, transaction_key text,
    action text, policy_no text, amount bigint, reason text, decided_by text, rid bigint
) ON COMMIT DROP
