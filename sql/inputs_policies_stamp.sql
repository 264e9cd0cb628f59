-- After the merge: the policies the file added are known from night $1.
UPDATE policies p SET known_on = $1::date
FROM policies_new n
WHERE p.policy_no = n.policy_no
