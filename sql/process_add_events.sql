-- The events of the new evaluation not currently known, known from night $1.
INSERT INTO status_events (policy_no, effective_date, seq, from_status, to_status, reason,
                           known_from)
SELECT n.policy_no, n.effective_date, n.seq, n.from_status, n.to_status, n.reason, $1::date
FROM events_new n
WHERE NOT EXISTS (SELECT 1 FROM status_events s
                  WHERE s.known_until IS NULL AND s.policy_no = n.policy_no AND s.seq = n.seq)
ORDER BY n.policy_no, n.seq
