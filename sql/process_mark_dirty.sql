-- The policies night $1 must evaluate again, the last process having been for
-- night $2 at time $3 (an earlier night is never processed incrementally): those
-- whose state can change by the calendar by $1 (next_change), those without a
-- stored state, and those whose inputs are new or changed since: receipts known
-- from night $2 on or not yet (late data included: a receipt counts from its
-- booking date but is new on the night it becomes known), re-matches, reversals
-- (the policy of the receipt reversed and of the reversal), decisions (the policy
-- named, the receipt's match they override, the other decisions on the receipt
-- and the one approved), register rows and events recorded after $3. When in
-- doubt a policy is listed: listing one too many costs an evaluation, one too few
-- a wrong report. The originals of the few fresh reversals are probed by key
-- (OFFSET 0): joined as a set, every receipt was hashed for them (1.2 s at a
-- million receipts).
WITH fresh AS (
    SELECT n.receipt_id, n.policy_no, n.reverses
    FROM receipts_fresh($2::date, $3::timestamptz) n
    UNION ALL
    SELECT r.receipt_id, r.policy_no, r.reverses
    FROM receipt_rematches x JOIN receipts r ON r.receipt_id = x.receipt_id
    WHERE x.night >= $2::date
),
changed_decisions AS (
    SELECT d.decision_id, d.receipt_id, d.policy_no, d.approves
    FROM decisions d
    WHERE d.decided_on >= $2::date OR d.recorded_at > $3::timestamptz
),
touched AS (
    SELECT policy_no FROM fresh
    UNION ALL SELECT o.policy_no FROM fresh c
              CROSS JOIN LATERAL (SELECT o.policy_no FROM receipts o
                                  WHERE o.receipt_id = c.reverses OFFSET 0) o
              WHERE c.reverses IS NOT NULL
    UNION ALL SELECT v.policy_no FROM fresh c JOIN receipts v ON v.reverses = c.receipt_id
    UNION ALL SELECT d.policy_no FROM fresh c JOIN decisions d ON d.receipt_id = c.receipt_id
    UNION ALL SELECT x.policy_no FROM receipt_rematches x WHERE x.night >= $2::date
    UNION ALL SELECT policy_no FROM changed_decisions
    UNION ALL SELECT r.policy_no FROM changed_decisions d JOIN receipts r ON r.receipt_id = d.receipt_id
    UNION ALL SELECT o.policy_no FROM changed_decisions d JOIN decisions o ON o.receipt_id = d.receipt_id
    UNION ALL SELECT o.policy_no FROM changed_decisions d JOIN decisions o ON o.decision_id = d.approves
    UNION ALL SELECT r.policy_no FROM changed_decisions d JOIN decisions o ON o.decision_id = d.approves
                                 JOIN receipts r ON r.receipt_id = o.receipt_id
    UNION ALL SELECT policy_no FROM reinstatement_agreements WHERE recorded_at > $3::timestamptz
    UNION ALL SELECT policy_no FROM cancellation_requests WHERE recorded_at > $3::timestamptz
    UNION ALL SELECT policy_no FROM payment_holidays WHERE recorded_at > $3::timestamptz
    UNION ALL SELECT policy_no FROM policies
              WHERE loaded_at > $3::timestamptz OR known_on >= $2::date
    UNION ALL SELECT policy_no FROM policy_state WHERE next_change <= $1::date
)
INSERT INTO eval_dirty
SELECT DISTINCT t.policy_no FROM touched t
WHERE t.policy_no IS NOT NULL
