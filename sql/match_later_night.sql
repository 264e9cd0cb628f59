-- Whether a night after $1 was already processed or re-matched receipts: a
-- rerun of an earlier night then matches nothing again (the register of today
-- would rewrite that night's past).
SELECT EXISTS (SELECT 1 FROM receipt_rematches WHERE night > $1::date)
    OR EXISTS (SELECT 1 FROM job_runs
               WHERE command IN ('process', 'nightly', 'replay')
                 AND outcome IN ('ok', 'partial') AND as_of > $1::date)
