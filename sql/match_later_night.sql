-- Whether a night after $1 was already processed or re-matched receipts: a
-- rerun of an earlier night then matches nothing again (the register of today
-- would rewrite that night's past).
SELECT EXISTS (SELECT 1 FROM receipt_rematches WHERE night > $1::date)
    OR coalesce(last_processed_night() > $1::date, false)
