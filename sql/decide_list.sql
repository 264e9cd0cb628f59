-- The decisions of policy $1 (those naming it, and every decision on a receipt
-- one of them named) or of receipt $2, in the order they were stored, each with
-- where it came from and what became of it (approval, release).
SELECT d.decided_on::text, d.action, coalesce(d.receipt_id::text, ''), coalesce(d.policy_no, ''),
       coalesce(d.amount::text, ''), d.decided_by, d.reason, f.file_name, d.line::text,
       concat_ws('; ',
           CASE WHEN d.approves IS NOT NULL THEN
               (SELECT 'approves line ' || t.line || ' of ' || tf.file_name
                FROM decisions t JOIN decision_files tf USING (file_id)
                WHERE t.decision_id = d.approves) END,
           CASE WHEN d.needs_approval THEN
               coalesce((SELECT 'approved by ' || a.decided_by || ' on ' || a.decided_on
                         FROM decisions a WHERE a.approves = d.decision_id
                         ORDER BY a.decision_id LIMIT 1), 'waiting for approval') END,
           (SELECT 'released on ' || y.decided_on FROM decisions y
            WHERE y.action = 'release' AND y.receipt_id = d.receipt_id
              AND y.decision_id > d.decision_id AND d.action IN ('assign', 'refund')
            ORDER BY y.decision_id LIMIT 1))
FROM decisions d JOIN decision_files f USING (file_id)
WHERE d.policy_no = $1
   OR d.receipt_id IN (SELECT x.receipt_id FROM decisions x WHERE x.policy_no = $1)
   OR d.receipt_id = nullif($2, '')::bigint
ORDER BY d.decision_id
