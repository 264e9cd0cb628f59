-- No policy number at all: the payer account decides, when exactly one policy
-- holds it (looked up by index for each of the few receipts left; the index
-- covers only non-empty accounts). Held by several, the receipt waits in
-- suspense for the register to change.
UPDATE match_in m
SET candidate = CASE WHEN a.n = 1 THEN a.policy_no END,
    result = CASE WHEN a.n > 1 THEN 'ambiguous' WHEN r.reversal THEN 'reversal' ELSE 'identified' END,
    note = CASE WHEN a.n = 1 THEN 'payer account' ELSE 'payer account held by several policies' END,
    suspense = CASE WHEN a.n > 1 THEN 'payer_account' END
FROM receipts r
CROSS JOIN LATERAL (SELECT count(*) AS n, min(p.policy_no) AS policy_no
                    FROM policies p
                    WHERE p.payer_account = r.payer_account AND p.payer_account <> '') a
WHERE m.result IS NULL
  AND r.receipt_id = m.receipt_id
  AND r.payer_account <> ''
  AND a.n > 0
