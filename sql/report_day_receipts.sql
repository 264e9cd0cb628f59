-- receipts.csv.gz, first stream: the receipts known on the report date
-- (recon.as_of) in receipt order: receipt_id, source, file, booking_date,
-- amount (fen), currency, direction, payer, policy_no, the outcome when
-- matching alone decides it (else ''), whether the policy has an excess refund
-- due, note (how the file was read, how it was matched, then the decisions in
-- effect on it), transaction_key. The outcome of the rest comes from their
-- allocations (report_day_allocations.sql), merged in receipt order by
-- reports/merge.c. A person's decision in effect beats the match: a receipt
-- assigned to policies takes its outcome from its allocations, one refunded is
-- refund_due, and one assigned to a single policy names it.
COPY (
    WITH night AS (SELECT current_setting('recon.as_of')::date AS d),
    decided AS (
        SELECT e.receipt_id, bool_or(e.action = 'refund') AS refund,
               bool_or(e.action = 'assign') AS assign,
               min(e.policy_no) FILTER (WHERE e.action = 'assign') AS assigned,
               count(DISTINCT e.policy_no) FILTER (WHERE e.action = 'assign') AS assigned_n,
               string_agg(e.action || ' ' || (e.amount / 100) || '.'
                          || lpad((e.amount % 100)::text, 2, '0')
                          || coalesce(' to ' || e.policy_no, '') || ' decided for '
                          || e.effective_on, ', ' ORDER BY e.decision_id) AS note
        FROM night, decisions_in_effect(night.d) e
        WHERE e.receipt_id IS NOT NULL
        GROUP BY e.receipt_id
    )
    SELECT r.receipt_id, r.source, coalesce(r.file_name, 'manual'), r.booking_date,
           r.amount, r.currency, r.direction, r.payer,
           CASE WHEN dec.assigned_n = 1 THEN dec.assigned ELSE coalesce(r.policy_no, '') END,
           CASE WHEN r.duplicate_of IS NOT NULL THEN 'duplicate'
                WHEN r.reversal THEN 'reversal'
                WHEN dec.assign THEN ''
                WHEN dec.refund THEN 'refund_due'
                WHEN r.match_result IN ('unidentified', 'ambiguous', 'currency', 'settlement')
                THEN r.match_result
                ELSE '' END,
           ex.policy_no IS NOT NULL,
           concat_ws('; ', nullif(r.parse_note, ''), nullif(r.match_note, ''), dec.note),
           r.transaction_key
    FROM night, receipts_known_on(night.d) r
    LEFT JOIN refunds_due ex ON ex.policy_no = r.policy_no AND ex.reason = 'excess'
    LEFT JOIN decided dec ON dec.receipt_id = r.receipt_id
    ORDER BY r.receipt_id
) TO STDOUT
