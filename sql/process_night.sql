-- The night just processed ($1), when, with which rules ($2), and how many
-- policies have a state now: $3 stored tonight, $4 of the old ones dropped to be
-- stored again; everything when $5 (a full evaluation). NULL stays NULL until
-- process_policies_kept counts it.
INSERT INTO evaluation_night (night, evaluated_at, rules, policies)
VALUES ($1::date, now(), $2, CASE WHEN $5::boolean THEN $3::bigint END)
ON CONFLICT (one) DO UPDATE SET
    night = excluded.night,
    evaluated_at = excluded.evaluated_at,
    rules = excluded.rules,
    policies = CASE WHEN $5::boolean THEN $3::bigint
                    ELSE evaluation_night.policies + $3::bigint - $4::bigint END
