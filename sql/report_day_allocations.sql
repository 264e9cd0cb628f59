-- receipts.csv.gz, second stream: the allocations of the receipts in the range
-- recon.first_receipt..recon.last_receipt, in receipt order (a receipt's rows
-- add up in any order): receipt_id, installment (0: unapplied), amount (fen),
-- and the policy's paid installments and terms (payment_mode, start_date,
-- end_date), from which core/outcome computes the due dates it paid.
COPY (
    SELECT x.receipt_id, x.installment, x.amount, ps.paid_installments,
           p.payment_mode, p.start_date, p.end_date
    FROM allocations x
    LEFT JOIN policy_status ps ON ps.policy_no = x.policy_no
    LEFT JOIN policies p ON p.policy_no = x.policy_no
    WHERE x.receipt_id BETWEEN (SELECT current_setting('recon.first_receipt')::bigint)
                           AND (SELECT current_setting('recon.last_receipt')::bigint)
    ORDER BY x.receipt_id
) TO STDOUT
