-- Payment holidays starting outside their policy's period: (line, message).
SELECT e.line, 'grace_extension from ' || e.d || ' outside the policy period '
               || p.start_date || '..' || p.end_date
FROM events_in e JOIN policies p USING (policy_no)
WHERE e.event = 'grace_extension' AND (e.d < p.start_date OR e.d > p.end_date)
ORDER BY e.line
