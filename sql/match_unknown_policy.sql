-- The one place a named policy number the register lacks is settled: a new
-- receipt (receipts_known, not yet known on any night) matched by its
-- references to such a number leaves the money unidentified, in suspense until
-- the register has the number (kept in named_policy). $1 is the result and $2
-- the note's prefix (core/match.h); ingest matched without the register, so
-- these are the few rows rewritten. Each new receipt's policy is probed in the
-- register by key and the few found missing are updated by key (OFFSET 0 and the
-- array keep both lookups probes): joined as sets, every matched receipt was
-- checked against every policy (1.9-2.9 s at a million receipts for 145 rows).
UPDATE receipts r
SET match_result = $1, match_note = $2 || r.policy_no, named_policy = r.policy_no,
    suspense = 'unknown_policy', policy_no = NULL
WHERE r.receipt_id = ANY (ARRAY(
        SELECT n.receipt_id FROM receipts_new() n
        WHERE n.policy_no_now IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.policy_no = n.policy_no_now
                          OFFSET 0)))
  AND r.policy_no IS NOT NULL
  AND r.match_result IN ('identified', 'reversal')
