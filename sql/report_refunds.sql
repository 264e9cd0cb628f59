-- refunds.csv.gz: every refund due, by policy and reason.
COPY (
    SELECT policy_no, reason, amount, due_by
    FROM refunds_due
    ORDER BY policy_no, reason
) TO STDOUT
