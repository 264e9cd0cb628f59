-- The one place a named policy number the register lacks is settled: a new
-- receipt (receipts_known, not yet known on any night) matched by its
-- references to such a number leaves the money unidentified, in suspense until
-- the register has the number (kept in named_policy). $1 is the result and $2
-- the note's prefix (core/match.h); ingest matched without the register, so
-- these are the few rows rewritten.
UPDATE receipts r
SET match_result = $1, match_note = $2 || r.policy_no, named_policy = r.policy_no,
    suspense = 'unknown_policy', policy_no = NULL
FROM receipts_new() n
WHERE n.receipt_id = r.receipt_id
  AND r.policy_no IS NOT NULL
  AND r.match_result IN ('identified', 'reversal')
  AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.policy_no = r.policy_no)
