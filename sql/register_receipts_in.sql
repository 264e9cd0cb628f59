-- The rows of a manual receipts file, staged for this transaction.
CREATE TEMP TABLE receipts_in (
    line int, source text, transaction_key text, booking_date date, amount bigint,
    currency text, policy_no text, payer text, remittance text
) ON COMMIT DROP
