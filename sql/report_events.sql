-- events.csv.gz: the status changes first known on the report date.
COPY (
    SELECT policy_no, effective_date, from_status, to_status, reason
    FROM status_events
    WHERE known_from = (SELECT current_setting('recon.as_of')::date)
    ORDER BY policy_no, seq, effective_date
) TO STDOUT
