-- History rows of the policies evaluated tonight (eval_dirty) that the new
-- evaluation (events_new) no longer produces are closed as of night $1; they
-- are never rewritten.
UPDATE status_events s
SET known_until = $1::date
WHERE known_until IS NULL
  AND s.policy_no IN (SELECT d.policy_no FROM eval_dirty d)
  AND NOT EXISTS (SELECT 1 FROM events_new n
                  WHERE n.policy_no = s.policy_no AND n.seq = s.seq
                    AND n.effective_date = s.effective_date AND n.from_status = s.from_status
                    AND n.to_status = s.to_status AND n.reason = s.reason)
