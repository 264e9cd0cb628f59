-- New reinstatement agreements of the staged events.
INSERT INTO reinstatement_agreements (policy_no, agreed_on)
SELECT DISTINCT policy_no, d FROM events_in WHERE event = 'reinstatement_agreement'
ON CONFLICT DO NOTHING
