-- Manual receipts naming a policy the register does not hold: (line, message).
SELECT line, 'unknown policy ''' || policy_no || ''''
FROM receipts_in r
WHERE policy_no IS NOT NULL
  AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.policy_no = r.policy_no)
ORDER BY line
