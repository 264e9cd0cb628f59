-- The stored due-date schedule goes (issue 12).
--
-- `recon policies load` wrote every policy's schedule here (12 rows a monthly
-- policy: about 40 s of a load at 1M policies, and a DELETE of the old rows on
-- every reload), yet nothing read it: the rules core computes the schedule from
-- the policy's terms whenever it evaluates, and `recon status` shows that one.
-- Two copies of one rule could only drift apart. The grants of 005 on it go
-- with the table; no view or function depends on it.
SET LOCAL search_path = recon, pg_catalog;

DROP TABLE installments;
