-- The stored schedules of the policies being loaded, rewritten by the load.
DELETE FROM installments WHERE policy_no IN (SELECT policy_no FROM policies_in)
