-- refunds.csv.gz: every refund due, by policy and reason; a refund a person
-- decided (schema/014) is in effect from its night, due 30 days after it, with
-- the policy it names ('' for money that never reached one).
COPY (
    SELECT policy_no, reason, amount, due_by FROM (
        SELECT policy_no, reason, amount, due_by, 0::bigint AS receipt_id
        FROM refunds_due
        UNION ALL
        SELECT policy_no, 'decision', amount, due_by, receipt_id
        FROM decision_refunds((SELECT current_setting('recon.as_of')::date))
    ) f
    ORDER BY policy_no, reason, receipt_id
) TO STDOUT
