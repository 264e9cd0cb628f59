-- Reinstatement agreements dated outside their policy's period: (line, message).
SELECT e.line, 'reinstatement agreement ' || e.d || ' outside the policy period '
               || p.start_date || '..' || p.end_date
FROM events_in e JOIN policies p USING (policy_no)
WHERE e.event = 'reinstatement_agreement' AND (e.d < p.start_date OR e.d > p.end_date)
ORDER BY e.line
