-- Policies of the file not yet in the register.
INSERT INTO policies (policy_no, holder_name, holder_id_no, payment_mode, start_date, end_date,
                      premium, net_premium, currency, payer_account)
SELECT policy_no, holder_name, holder_id_no, payment_mode, start_date, end_date, premium,
       net_premium, currency, payer_account
FROM policies_in
WHERE policy_no NOT IN (SELECT policy_no FROM policies)
