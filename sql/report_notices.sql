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
-- installment, due by recon.notice_due_by: a later one cannot be suspended that soon):
-- those whose suspension day is the notice days away (core/worklist).
-- The night is a setting, unknown when the statement is planned, so the planner guesses
-- a night's events at a fraction of the whole history and joined them by hashing every
-- status event and every policy. OFFSET 0 keeps a subquery from being flattened into
-- such a join: it then runs once per row of the night, through its index (schema/026).
COPY (
    WITH night AS (SELECT current_setting('recon.as_of')::date AS d),
    ev AS (
        SELECT e.policy_no, e.effective_date, e.from_status, e.to_status, e.reason,
               substring(e.reason FROM 'due ([0-9]{4}-[0-9]{2}-[0-9]{2})')::date AS due
        FROM status_events e
        WHERE e.known_from = (SELECT d FROM night)
          AND NOT EXISTS (SELECT 1 FROM status_events o
                          WHERE o.known_until IS NULL
                            AND o.policy_no = e.policy_no AND o.known_from < e.known_from
                            AND o.effective_date = e.effective_date
                            AND o.from_status = e.from_status AND o.to_status = e.to_status
                          OFFSET 0)
          AND NOT EXISTS (SELECT 1 FROM status_events o
                          WHERE o.known_until IS NOT NULL
                            AND o.policy_no = e.policy_no AND o.known_from < e.known_from
                            AND o.effective_date = e.effective_date
                            AND o.from_status = e.from_status AND o.to_status = e.to_status
                          OFFSET 0)
    ),
    -- the policy's stored evaluation and register row, looked up per row of the night
    st AS (
        SELECT ev.*, s.arrears
        FROM ev CROSS JOIN LATERAL (SELECT s.arrears FROM policy_status s
                                    WHERE s.policy_no = ev.policy_no OFFSET 0) s
        WHERE ev.to_status IN ('grace', 'suspended')
    ),
    n AS (
        SELECT st.policy_no, 1 AS rank, 'grace_started' AS notice, st.effective_date, st.due,
               st.arrears AS amount, NULL::date AS deadline, '' AS detail
        FROM st
        WHERE st.to_status = 'grace'
        UNION ALL
        SELECT s.policy_no, 2, 'suspension_soon', NULL, s.oldest_unpaid_due_date, s.arrears,
               NULL, ''
        FROM policy_status s
        WHERE s.status = 'grace'
          AND s.oldest_unpaid_due_date <= (SELECT current_setting('recon.notice_due_by')::date)
        UNION ALL
        SELECT st.policy_no, 3, 'suspended', st.effective_date, st.due, st.arrears, p.end_date,
               'not covered from ' || st.effective_date || '; reinstatement possible until '
               || p.end_date || ': ' || st.reason
        FROM st CROSS JOIN LATERAL (SELECT p.end_date FROM policies p
                                    WHERE p.policy_no = st.policy_no OFFSET 0) p
        WHERE st.to_status = 'suspended'
        UNION ALL
        SELECT ev.policy_no, 4, 'reinstated', ev.effective_date, NULL, NULL, NULL, ev.reason
        FROM ev
        WHERE ev.from_status = 'suspended' AND ev.to_status = 'in_force'
        UNION ALL
        SELECT ev.policy_no, 5, 'not_effective', ev.effective_date, p.start_date, NULL, NULL,
               ev.reason
        FROM ev CROSS JOIN LATERAL (SELECT p.start_date FROM policies p
                                    WHERE p.policy_no = ev.policy_no OFFSET 0) p
        WHERE ev.to_status = 'not_effective'
        UNION ALL
        SELECT f.policy_no, 6, 'refund_due', f.due_by - 30, NULL, f.amount, f.due_by,
               f.reason || ': ' || f.detail
        FROM (SELECT ev.policy_no FROM ev
              UNION
              SELECT r.policy_no FROM night, receipts_known_on(night.d) r) c
        CROSS JOIN LATERAL (SELECT f.* FROM refunds_due f
                            WHERE f.policy_no = c.policy_no OFFSET 0) f
    )
    SELECT n.policy_no, n.notice, n.effective_date, n.due, n.amount, n.deadline, n.detail,
           p.end_date,
           coalesce((SELECT string_agg(h.from_date || ':' || h.until_date, ','
                                       ORDER BY h.from_date, h.until_date)
                     FROM payment_holidays h WHERE h.policy_no = n.policy_no), '')
    FROM n CROSS JOIN LATERAL (SELECT p.end_date FROM policies p
                               WHERE p.policy_no = n.policy_no OFFSET 0) p
    ORDER BY n.policy_no, n.rank, n.effective_date, n.detail COLLATE "C"
) TO STDOUT
