-- Each settlement credit known by $4 from a provider account ($1 providers and
-- $2 accounts, parallel arrays) against that provider's bill rows booked $3
-- days earlier: the credit must equal gross minus fees.
WITH bills AS (
    SELECT f.format, p.booking_date, count(*)::int AS n, sum(p.amount) AS gross, sum(p.fee) AS fees
    FROM receipts p JOIN statement_files f ON f.file_id = p.file_id
    WHERE f.format IN ('wechat', 'alipay') AND p.currency = 'CNY' AND p.duplicate_of IS NULL
      AND f.business_date <= $4::date
    GROUP BY 1, 2)
INSERT INTO settlement_checks (receipt_id, provider, settled_day, credited, provider_rows, gross,
                               fees, difference)
SELECT r.receipt_id, m.provider, r.booking_date - $3::int, r.amount, coalesce(b.n, 0),
       coalesce(b.gross, 0), coalesce(b.fees, 0),
       r.amount - (coalesce(b.gross, 0) - coalesce(b.fees, 0))
FROM receipts_known r
JOIN unnest($1::text[], $2::text[]) AS m(provider, account) ON r.payer_account = m.account
LEFT JOIN bills b ON b.format = m.provider AND b.booking_date = r.booking_date - $3::int
WHERE r.match_result = 'settlement' AND r.duplicate_of IS NULL AND r.known_on <= $4::date
