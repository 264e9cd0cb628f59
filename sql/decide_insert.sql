-- The staged decisions of file $1 other than approvals, in line order; a refund
-- or write-off of $2 fen or more waits for a second person's approval.
INSERT INTO decisions (file_id, line, decided_on, receipt_id, source, transaction_key, action,
                       policy_no, amount, reason, decided_by, needs_approval)
SELECT $1::bigint, i.line, i.decided_on, i.rid, i.source, i.transaction_key, i.action,
       i.policy_no, i.amount, i.reason, i.decided_by,
       i.action IN ('refund', 'write_off')
       AND coalesce(i.amount, (SELECT r.amount FROM receipts r WHERE r.receipt_id = i.rid))
           >= $2::bigint
FROM decisions_in i
WHERE i.action <> 'approve'
ORDER BY i.line
