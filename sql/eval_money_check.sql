-- The receipts known by $1 (receipts_known; not yet processed counts as known):
-- how many, and whether the magnitudes of their amounts and fees add up beyond
-- $2. Sums of magnitudes without abs(), which fails on -2^63: sum(bigint) is
-- exact (numeric).
SELECT count(*),
       coalesce(sum(r.amount) FILTER (WHERE r.amount > 0), 0)
       - coalesce(sum(r.amount) FILTER (WHERE r.amount < 0), 0)
       + coalesce(sum(r.fee) FILTER (WHERE r.fee > 0), 0)
       - coalesce(sum(r.fee) FILTER (WHERE r.fee < 0), 0) > $2::numeric
FROM receipts_known r
WHERE r.known_on IS NULL OR r.known_on <= $1::date
