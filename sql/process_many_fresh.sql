-- Whether so many receipts are new since the last process (night $1, time $2;
-- receipts_fresh, schema 020, as process_mark_dirty.sql starts from) that
-- evaluating every policy is cheaper than finding the ones they touch: at least
-- 10,000 and a quarter of the book. A catch-up or a first month loaded at once
-- is such a night (finding the touched policies of 1M new receipts took 15 s,
-- longer than the evaluation it saves). The reports are the same either way.
SELECT n >= 10000 AND n * 4 >= (SELECT greatest(c.reltuples, 0) FROM pg_class c
                                WHERE c.oid = 'policies'::regclass)
FROM (SELECT count(*) AS n FROM receipts_fresh($1::date, $2::timestamptz)) fresh
