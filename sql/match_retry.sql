-- The receipts in suspense, tried again against the register as it is now,
-- added to match_in beside the night's undecided receipts: a named policy now
-- registered matches it; a payer account is decided again by the payer
-- account step (result NULL). A receipt a person decided by night $1
-- (decisions_active) is governed by the decision and never tried again. retry
-- marks them, so only the ones whose match changes are stored and recorded.
INSERT INTO match_in (receipt_id, candidate, result, note, suspense, retry)
SELECT r.receipt_id,
       CASE WHEN r.suspense = 'unknown_policy' THEN r.named_policy END,
       CASE WHEN r.suspense = 'payer_account' THEN NULL
            WHEN r.reversal THEN 'reversal' ELSE 'identified' END,
       CASE WHEN r.suspense = 'unknown_policy' THEN 'policy ' || r.named_policy || ' registered later'
            ELSE '' END,
       NULL, true
FROM receipts r
WHERE r.suspense IS NOT NULL
  AND r.match_result IN ('unidentified', 'ambiguous')
  AND r.duplicate_of IS NULL
  AND (r.suspense = 'payer_account' AND r.payer_account <> ''
       OR EXISTS (SELECT 1 FROM policies p WHERE p.policy_no = r.named_policy))
  AND NOT EXISTS (SELECT 1 FROM decisions_active d
                  WHERE d.receipt_id = r.receipt_id AND d.decided_on <= $1::date)
