-- A policy number given twice in one file: (line, message) per later line.
SELECT b.line, 'policy_no ''' || b.policy_no || ''' already on line ' || a.line
FROM policies_in a JOIN policies_in b USING (policy_no)
WHERE a.line < b.line
ORDER BY b.line
