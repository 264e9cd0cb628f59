-- The registered policies without a stored state (never evaluated, or not known
-- on the night last processed): evaluated whenever they are known.
INSERT INTO eval_dirty
SELECT p.policy_no FROM policies p
WHERE NOT EXISTS (SELECT 1 FROM policy_state s WHERE s.policy_no = p.policy_no)
ON CONFLICT DO NOTHING
