-- Policies of the file not yet in the register (the stored ones were updated just before).
-- ON CONFLICT instead of an anti-join with the register: a join planned while the register
-- was still empty scanned it once per row, seeing every row this statement had inserted
-- (minutes for 100k policies); the primary key answers each row in one step instead.
INSERT INTO policies (policy_no, holder_name, holder_id_no, payment_mode, start_date, end_date,
                      premium, net_premium, currency, payer_account)
SELECT policy_no, holder_name, holder_id_no, payment_mode, start_date, end_date, premium,
       net_premium, currency, payer_account
FROM policies_in
ON CONFLICT (policy_no) DO NOTHING
