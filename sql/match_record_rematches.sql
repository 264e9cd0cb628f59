-- The retried receipts whose match changes this night ($1): the match they
-- had until now is recorded with the night (receipts_known shows it to earlier
-- nights), and the unchanged ones leave match_in untouched.
WITH gone AS (
    DELETE FROM match_in m
    USING receipts r
    WHERE m.retry AND r.receipt_id = m.receipt_id
      AND (m.candidate, m.result, m.note) IS NOT DISTINCT FROM
          (r.policy_no, r.match_result, r.match_note)
    RETURNING m.receipt_id)
INSERT INTO receipt_rematches (receipt_id, night, policy_no, match_result, match_note)
SELECT r.receipt_id, $1::date, r.policy_no, r.match_result, r.match_note
FROM match_in m JOIN receipts r ON r.receipt_id = m.receipt_id
WHERE m.retry
  AND NOT EXISTS (SELECT 1 FROM gone g WHERE g.receipt_id = m.receipt_id)
ORDER BY r.receipt_id
