-- Before a register file's rows are merged: the policies it adds, which the
-- night that applies it will stamp as first known then.
CREATE TEMP TABLE policies_new ON COMMIT DROP AS
SELECT DISTINCT policy_no FROM policies_in
WHERE policy_no NOT IN (SELECT policy_no FROM policies)
