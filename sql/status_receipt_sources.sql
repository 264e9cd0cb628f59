-- Where each receipt of policy $1 booked by $2 came from: the statement file
-- (or manual entry) and the line or element in it, its match note, and the
-- other files that repeated the same transaction.
SELECT r.receipt_id::text, r.booking_date::text, r.amount::text, r.currency,
       coalesce(f.file_name, 'manual entry'), r.position,
       CASE WHEN r.reversal THEN 'reversal; ' ELSE '' END || r.match_note,
       coalesce((SELECT string_agg(df.file_name || ' ' || d.position, '; ' ORDER BY d.receipt_id)
                 FROM receipts d LEFT JOIN statement_files df ON df.file_id = d.file_id
                 WHERE d.duplicate_of = r.receipt_id), '')
FROM receipts r LEFT JOIN statement_files f USING (file_id)
WHERE r.policy_no = $1 AND r.booking_date <= $2::date
ORDER BY r.booking_date, r.receipt_id
