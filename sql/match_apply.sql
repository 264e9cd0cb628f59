-- The decisions of match_in stored on their receipts.
UPDATE receipts r
SET policy_no = m.candidate, match_result = m.result, match_note = m.note, suspense = m.suspense
FROM match_in m
WHERE r.receipt_id = m.receipt_id
