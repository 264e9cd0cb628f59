-- notices.csv.gz: the contact events first known on the report date, for the SMS/WeChat
-- senders, read off the status history the evaluation stored (status_events) rather than
-- recomputed: policy_no, notice, effective_date, due_date, amount (fen), deadline, detail,
-- then two columns the file does not show: the policy's end date and its payment holidays
-- (FROM:UNTIL joined by ','). A status change counts once: one already known on an earlier
-- night (the same change on the same day, its history only renumbered or reworded by later
-- data) is no news. The due date is the installment the event's reason names. Refunds are
-- news on a night that brought the policy a status change or a receipt. The writer dates
-- grace_started (pay by the day before the suspension day, core/policy) and picks the
-- suspension_soon rows among the candidates here (each policy in grace, its oldest unpaid
-- installment): those whose suspension day is the notice days away (core/worklist).
COPY (
    WITH night AS (SELECT current_setting('recon.as_of')::date AS d),
    ev AS (
        SELECT e.policy_no, e.effective_date, e.from_status, e.to_status, e.reason,
               substring(e.reason FROM 'due ([0-9]{4}-[0-9]{2}-[0-9]{2})')::date AS due
        FROM status_events e
        WHERE e.known_from = (SELECT d FROM night)
          AND NOT EXISTS (SELECT 1 FROM status_events o
                          WHERE o.policy_no = e.policy_no AND o.known_from < e.known_from
                            AND o.effective_date = e.effective_date
                            AND o.from_status = e.from_status AND o.to_status = e.to_status)
    ),
    n AS (
        SELECT ev.policy_no, 1 AS rank, 'grace_started' AS notice, ev.effective_date, ev.due,
               s.arrears AS amount, NULL::date AS deadline, '' AS detail
        FROM ev JOIN policy_status s USING (policy_no)
        WHERE ev.to_status = 'grace'
        UNION ALL
        SELECT s.policy_no, 2, 'suspension_soon', NULL, s.oldest_unpaid_due_date, s.arrears,
               NULL, ''
        FROM policy_status s
        WHERE s.status = 'grace' AND s.oldest_unpaid_due_date IS NOT NULL
        UNION ALL
        SELECT ev.policy_no, 3, 'suspended', ev.effective_date, ev.due, s.arrears, p.end_date,
               'not covered from ' || ev.effective_date || '; reinstatement possible until '
               || p.end_date || ': ' || ev.reason
        FROM ev JOIN policy_status s USING (policy_no) JOIN policies p USING (policy_no)
        WHERE ev.to_status = 'suspended'
        UNION ALL
        SELECT ev.policy_no, 4, 'reinstated', ev.effective_date, NULL, NULL, NULL, ev.reason
        FROM ev
        WHERE ev.from_status = 'suspended' AND ev.to_status = 'in_force'
        UNION ALL
        SELECT ev.policy_no, 5, 'not_effective', ev.effective_date, p.start_date, NULL, NULL,
               ev.reason
        FROM ev JOIN policies p USING (policy_no)
        WHERE ev.to_status = 'not_effective'
        UNION ALL
        SELECT f.policy_no, 6, 'refund_due', f.due_by - 30, NULL, f.amount, f.due_by,
               f.reason || ': ' || f.detail
        FROM refunds_due f
        WHERE f.policy_no IN (SELECT ev.policy_no FROM ev
                              UNION
                              SELECT r.policy_no FROM night, receipts_known_on(night.d) r)
    )
    SELECT n.policy_no, n.notice, n.effective_date, n.due, n.amount, n.deadline, n.detail,
           p.end_date,
           coalesce((SELECT string_agg(h.from_date || ':' || h.until_date, ','
                                       ORDER BY h.from_date, h.until_date)
                     FROM payment_holidays h WHERE h.policy_no = n.policy_no), '')
    FROM n JOIN policies p USING (policy_no)
    ORDER BY n.policy_no, n.rank, n.effective_date, n.detail COLLATE "C"
) TO STDOUT
