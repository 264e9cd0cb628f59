-- Events naming a policy the register does not hold: (line, message).
SELECT e.line, 'unknown policy ''' || e.policy_no || ''''
FROM events_in e
WHERE NOT EXISTS (SELECT 1 FROM policies p WHERE p.policy_no = e.policy_no)
ORDER BY e.line
