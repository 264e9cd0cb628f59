-- Receipt $1 as recon knows it: its file and position, when it became known,
-- its match result and note, the reversal that undid it or that it is, the
-- file it repeats, and the policies it counts for on night $2 (a person's
-- decisions in effect then, else the automatic match).
SELECT r.receipt_id::text, r.source, r.transaction_key, r.booking_date::text, r.amount::text,
       r.currency, r.direction, coalesce(r.file_name, 'manual entry'), r.position,
       coalesce(r.known_on::text, ''), coalesce(r.match_result, 'not matched yet'),
       concat_ws('; ', nullif(r.match_note, ''), nullif(r.parse_note, '')),
       coalesce(r.policy_no, ''),
       concat_ws('; ',
           CASE WHEN r.reversal THEN 'a reversal' ||
               coalesce(' of receipt ' || r.reverses, ' whose original is not stored') END,
           (SELECT 'reversed by receipt ' || v.receipt_id || ' on ' || v.booking_date
            FROM receipts v WHERE v.reverses = r.receipt_id LIMIT 1),
           'repeats receipt ' || r.duplicate_of),
       coalesce((SELECT string_agg(e.action || ' ' || coalesce(e.policy_no, '-') || ' '
                                   || to_char(e.amount / 100.0, 'FM999999999999990.00') || ' from ' || e.effective_on, ', '
                                   ORDER BY e.decision_id)
                 FROM decisions_in_effect($2::date) e WHERE e.receipt_id = r.receipt_id), ''),
       coalesce((SELECT string_agg(DISTINCT e.policy_no, ',')
                 FROM decisions_in_effect($2::date) e
                 WHERE e.receipt_id = r.receipt_id AND e.action = 'assign'),
                CASE WHEN NOT EXISTS (SELECT 1 FROM decisions_in_effect($2::date) e
                                      WHERE e.receipt_id = r.receipt_id)
                     THEN r.policy_no END, '')
FROM receipts_known r
WHERE r.receipt_id = $1::bigint
