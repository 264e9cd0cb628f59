-- INPUTS.sha256: every input of the report date, by name: its statement files
-- as they are named, and the register and events files of the register inbox
-- under register/, so a replay knows which inbox holds each.
SELECT sha256, file_name
FROM statement_files
WHERE business_date = (SELECT current_setting('recon.as_of')::date)
UNION ALL
SELECT sha256, 'register/' || file_name
FROM register_files
WHERE business_date = (SELECT current_setting('recon.as_of')::date)
ORDER BY 2, 1
