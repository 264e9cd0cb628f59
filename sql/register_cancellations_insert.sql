-- New cancellation requests of the staged events.
INSERT INTO cancellation_requests (policy_no, received_on)
SELECT DISTINCT policy_no, d FROM events_in WHERE event = 'cancellation_request'
ON CONFLICT DO NOTHING
