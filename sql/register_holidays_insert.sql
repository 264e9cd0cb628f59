-- New payment holidays (grace_extension) of the staged events.
INSERT INTO payment_holidays (policy_no, from_date, until_date)
SELECT DISTINCT policy_no, d, until FROM events_in WHERE event = 'grace_extension'
ON CONFLICT DO NOTHING
