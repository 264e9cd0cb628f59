-- receipts.csv.gz, first stream: the receipts known on the report date
-- (recon.as_of) in receipt order: receipt_id, source, file, booking_date,
-- amount (fen), currency, direction, payer, policy_no, the outcome when
-- matching alone decides it (else ''), whether the policy has an excess refund
-- due, note (how the file was read, then how it was matched), transaction_key. The outcome
-- of the rest comes from their allocations
-- (report_day_allocations.sql), merged in receipt order by reports/merge.c.
COPY (
    SELECT r.receipt_id, r.source, coalesce(r.file_name, 'manual'), r.booking_date,
           r.amount, r.currency, r.direction, r.payer, coalesce(r.policy_no, ''),
           CASE WHEN r.duplicate_of IS NOT NULL THEN 'duplicate'
                WHEN r.reversal THEN 'reversal'
                WHEN r.match_result IN ('unidentified', 'ambiguous', 'currency', 'settlement')
                THEN r.match_result
                ELSE '' END,
           ex.policy_no IS NOT NULL,
           concat_ws('; ', nullif(r.parse_note, ''), nullif(r.match_note, '')),
           r.transaction_key
    FROM receipts_known r
    LEFT JOIN refunds_due ex ON ex.policy_no = r.policy_no AND ex.reason = 'excess'
    WHERE r.known_on = (SELECT current_setting('recon.as_of')::date)
    ORDER BY r.receipt_id
) TO STDOUT
