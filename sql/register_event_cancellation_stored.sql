-- A cancellation request of a policy that already has one stored on another day: (line, message).
SELECT e.line, 'policy ' || e.policy_no || ' already has a cancellation request on '
               || c.received_on
FROM events_in e JOIN cancellation_requests c USING (policy_no)
WHERE e.event = 'cancellation_request' AND c.received_on <> e.d
ORDER BY e.line
