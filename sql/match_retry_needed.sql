-- Whether the money in suspense can match otherwise on this night than when the
-- last process tried it: match_retry.sql and the payer account step read only
-- the register (policies, whose loads and changes set loaded_at, and rows that
-- take effect on a night, known_on) and the decisions that exclude a receipt
-- from the retry (decided_on, recorded_at), beside the receipts themselves,
-- which do not change once stored. No process yet: yes. The register is asked
-- for its latest load and night, which the indexes of schema 025 answer at once.
SELECT NOT EXISTS (SELECT 1 FROM evaluation_night)
    OR EXISTS (SELECT 1 FROM evaluation_night n
               WHERE (SELECT max(p.loaded_at) FROM policies p) > n.evaluated_at
                  OR (SELECT max(p.known_on) FROM policies p) >= n.night)
    OR EXISTS (SELECT 1 FROM decisions d CROSS JOIN evaluation_night n
               WHERE d.decided_on >= n.night OR d.recorded_at > n.evaluated_at)
