-- The five largest receipts known by $1, for the message refusing the day.
SELECT r.receipt_id, r.source, r.transaction_key, r.amount
FROM receipts_known r
WHERE r.known_on IS NULL OR r.known_on <= $1::date
ORDER BY abs(r.amount::numeric) + abs(r.fee::numeric) DESC, r.receipt_id
LIMIT 5
