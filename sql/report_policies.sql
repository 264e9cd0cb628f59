-- policies.csv.gz: every policy's stored evaluation, by policy number.
COPY (
    SELECT policy_no, status, status_since, next_due_date, oldest_unpaid_due_date,
           days_overdue, arrears, credit, paid_installments, total_installments
    FROM policy_status
    ORDER BY policy_no
) TO STDOUT
