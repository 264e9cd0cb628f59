-- INPUTS.sha256: every input of the report date, by name: its statement files
-- as they are named, the register and events files of the register inbox under
-- register/, and the decisions files of the night under decisions/ (where the
-- night's folder keeps their copies), so a replay knows where to find each.
SELECT sha256, file_name
FROM statement_files
WHERE business_date = (SELECT current_setting('recon.as_of')::date)
UNION ALL
SELECT sha256, 'register/' || file_name
FROM register_files
WHERE business_date = (SELECT current_setting('recon.as_of')::date)
UNION ALL
SELECT sha256, 'decisions/' || file_name
FROM night_decision_files((SELECT current_setting('recon.as_of')::date))
ORDER BY 2, 1
