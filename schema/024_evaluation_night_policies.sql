-- How many policies have a stored state after the last process, kept with it:
-- the summary line's count took a read of every policy_state row a night (over
-- a second at a million policies). NULL (a database processed before this
-- migration) is counted once by the next process and kept from then on.
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE evaluation_night ADD COLUMN policies bigint;
