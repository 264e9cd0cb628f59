-- The rows of a policy register file, validated, staged for this transaction.
CREATE TEMP TABLE policies_in (
    line int, policy_no text, holder_name text, holder_id_no text, payment_mode text,
    start_date date, end_date date, premium bigint, net_premium bigint, currency text,
    payer_account text
) ON COMMIT DROP
