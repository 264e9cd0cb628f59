-- A second cancellation request of a policy on another day within one file: (line, message).
SELECT b.line, 'second cancellation request for ' || b.policy_no || ' (line ' || a.line || ')'
FROM events_in a JOIN events_in b USING (policy_no)
WHERE a.event = 'cancellation_request' AND b.event = 'cancellation_request'
  AND a.line < b.line AND a.d <> b.d
ORDER BY b.line
