-- The installments table goes (issue 12).
--
-- `recon policies load` wrote every policy's due-date schedule here, and nothing
-- read it: no query, view, report or test. The schedule is computed from the
-- policy's terms by core/schedule wherever it is needed (evaluation, reports,
-- `recon status`), so a stored copy could only disagree with it. Writing it cost
-- about 40 s per load at 1M policies (12M rows).
SET LOCAL search_path = recon, pg_catalog;

DROP TABLE installments;
