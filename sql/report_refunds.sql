-- refunds.csv.gz: every refund due, by policy and reason; a refund a person
-- decided (schema/014) is in effect from its night, due 30 days after it, with
-- the policy it names ('' for money that never reached one). currency: a refund
-- the rules make returns the policy's money, in the policy's currency; a decided
-- one returns its receipt, in the receipt's. The currency is looked up per refund:
-- OFFSET 0 keeps that from becoming a hash of every policy.
COPY (
    SELECT policy_no, reason, amount, due_by, currency FROM (
        SELECT f.policy_no, f.reason, f.amount, f.due_by, p.currency, 0::bigint AS receipt_id
        FROM refunds_due f
        CROSS JOIN LATERAL (SELECT p.currency FROM policies p
                            WHERE p.policy_no = f.policy_no OFFSET 0) p
        UNION ALL
        SELECT d.policy_no, 'decision', d.amount, d.due_by, r.currency, d.receipt_id
        FROM decision_refunds((SELECT current_setting('recon.as_of')::date)) d
        JOIN receipts r ON r.receipt_id = d.receipt_id
    ) f
    ORDER BY policy_no, reason, receipt_id
) TO STDOUT
