-- The staged approvals of file $1, each of the oldest refund (on its receipt)
-- or write-off (on its policy) not approved and not released yet.
INSERT INTO decisions (file_id, line, decided_on, receipt_id, source, transaction_key, action,
                       policy_no, amount, reason, decided_by, approves)
SELECT $1::bigint, i.line, i.decided_on, i.rid, i.source, i.transaction_key, i.action,
       i.policy_no, i.amount, i.reason, i.decided_by,
       (SELECT min(x.decision_id) FROM decisions x
        WHERE CASE WHEN i.rid IS NOT NULL THEN x.action = 'refund' AND x.receipt_id = i.rid
                   ELSE x.action = 'write_off' AND x.policy_no = i.policy_no END
          AND NOT EXISTS (SELECT 1 FROM decisions a WHERE a.approves = x.decision_id)
          AND NOT EXISTS (SELECT 1 FROM decisions y WHERE y.action = 'release'
                          AND y.receipt_id = x.receipt_id AND y.decision_id > x.decision_id))
FROM decisions_in i
WHERE i.action = 'approve'
ORDER BY i.line
