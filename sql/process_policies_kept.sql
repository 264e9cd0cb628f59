-- How many policies have a stored state, as process_night kept it; counted (and
-- kept) when unknown, once after the migration that added it.
UPDATE evaluation_night
SET policies = coalesce(policies, (SELECT count(*) FROM policy_state))
RETURNING policies
