-- Policies of the file already in the register whose terms changed (run before the insert
-- of the new ones, so it joins only the policies stored before this file).
UPDATE policies p
SET holder_name = i.holder_name, holder_id_no = i.holder_id_no, payment_mode = i.payment_mode,
    start_date = i.start_date, end_date = i.end_date, premium = i.premium,
    net_premium = i.net_premium, currency = i.currency, payer_account = i.payer_account,
    loaded_at = now()
FROM policies_in i
WHERE p.policy_no = i.policy_no
  AND (p.holder_name, p.holder_id_no, p.payment_mode, p.start_date, p.end_date, p.premium,
       p.net_premium, p.currency, p.payer_account)
      IS DISTINCT FROM
      (i.holder_name, i.holder_id_no, i.payment_mode, i.start_date, i.end_date, i.premium,
       i.net_premium, i.currency, i.payer_account)
