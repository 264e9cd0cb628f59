-- exceptions.csv.gz: money in suspense known on or before the report date,
-- refunds due, and provider settlements that disagree or were not received.
-- Amounts are fen; settlement details spell yuan (numeric is exact). Ordered by
-- kind, receipt_id, policy_no and then detail: a policy can owe a cancellation
-- and an excess refund, rows that tie on the first three keys and would
-- otherwise come in whatever order the plan left them. A receipt a person
-- assigned or refunded (schema/014) is in suspense only for what they left.
-- age_days: days since the receipt's booking date as of the report date; for a refund
-- (a policy's row, no receipt), days since the refund arose (its due_by less the 30 days
-- it is due within).
-- currency: the amount's (the receipt's; the policy's for a refund the rules make), the
-- file's last column, which the summary also reads to keep currencies apart.
-- The receipts in suspense are looked for where they can be (schema/026: the receipts
-- whose match is in suspense now, and those re-matched since the report's night, which
-- receipts_known shows as they were), not in every receipt; a refund's currency is
-- looked up per refund (OFFSET 0 keeps that from becoming a hash of every policy).
COPY (
    SELECT kind, receipt_id, policy_no, amount, detail, transaction_key,
           (SELECT current_setting('recon.as_of')::date) - since AS age_days, currency FROM (
        SELECT r.match_result AS kind, r.receipt_id::text AS receipt_id, '' AS policy_no,
               r.amount - coalesce(d.amount, 0) AS amount, r.match_note AS detail,
               r.transaction_key, r.booking_date AS since, r.currency
        FROM receipts_known r
        LEFT JOIN (SELECT e.receipt_id, sum(e.amount) AS amount
                   FROM decisions_in_effect((SELECT current_setting('recon.as_of')::date)) e
                   WHERE e.receipt_id IS NOT NULL GROUP BY e.receipt_id) d
            ON d.receipt_id = r.receipt_id
        WHERE r.match_result IN ('unidentified', 'ambiguous', 'currency')
          AND r.receipt_id IN (SELECT x.receipt_id FROM receipts x
                               WHERE x.match_result IN ('unidentified', 'ambiguous', 'currency')
                               UNION ALL
                               SELECT m.receipt_id FROM receipt_rematches m
                               WHERE m.night > (SELECT current_setting('recon.as_of')::date))
          AND r.known_on <= (SELECT current_setting('recon.as_of')::date)
          AND r.amount > coalesce(d.amount, 0)
        UNION ALL
        SELECT 'refund_due', '', f.policy_no, f.amount, f.reason || ': ' || f.detail, '',
               f.due_by - 30, p.currency
        FROM refunds_due f
        CROSS JOIN LATERAL (SELECT p.currency FROM policies p
                            WHERE p.policy_no = f.policy_no OFFSET 0) p
        UNION ALL
        SELECT 'refund_due', f.receipt_id::text, f.policy_no, f.amount,
               'decision: ' || d.reason || ' (by ' || d.decided_by || ')',
               rr.transaction_key, rr.booking_date, rr.currency
        FROM decision_refunds((SELECT current_setting('recon.as_of')::date)) f
        JOIN decisions d ON d.decision_id = f.decision_id
        JOIN receipts rr ON rr.receipt_id = f.receipt_id
        UNION ALL
        SELECT 'settlement', c.receipt_id::text, '', c.difference,
               c.provider || ' statement for ' || c.settled_day ||
               CASE WHEN c.provider_rows = 0 THEN ' not received'
                    ELSE ': gross ' || ((c.gross)::numeric / 100)::numeric(20, 2)::text ||
                         ' - fees ' || ((c.fees)::numeric / 100)::numeric(20, 2)::text ||
                         ', credited ' || ((c.credited)::numeric / 100)::numeric(20, 2)::text
               END,
               r.transaction_key, r.booking_date, r.currency
        FROM settlement_checks c JOIN receipts_known r USING (receipt_id)
        WHERE (c.difference <> 0 OR c.provider_rows = 0)
          AND r.known_on <= (SELECT current_setting('recon.as_of')::date)
    ) e
    ORDER BY kind, receipt_id, policy_no, detail
) TO STDOUT
