-- Whether so many receipts are new since the last process (night $1, time $2:
-- the files and hand-entered receipts process_mark_dirty.sql calls fresh) that
-- evaluating every policy is cheaper than finding the ones they touch: at least
-- 10,000 and a quarter of the book. A catch-up or a first month loaded at once
-- is such a night (finding the touched policies of 1M new receipts took 15 s,
-- longer than the evaluation it saves). The reports are the same either way.
SELECT n >= 10000 AND n * 4 >= (SELECT greatest(c.reltuples, 0) FROM pg_class c
                                WHERE c.oid = 'policies'::regclass)
FROM (SELECT coalesce((SELECT sum(f.receipt_count) FROM statement_files f
                       WHERE f.business_date IS NULL OR f.business_date >= $1::date
                          OR f.ingested_at > $2::timestamptz), 0)
             + (SELECT count(*) FROM receipts r
                WHERE r.file_id IS NULL AND (r.business_date IS NULL OR r.business_date >= $1::date))
             AS n) fresh
