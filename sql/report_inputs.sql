-- INPUTS.sha256: the statement files of the report date, by name.
SELECT sha256, file_name
FROM statement_files
WHERE business_date = (SELECT current_setting('recon.as_of')::date)
ORDER BY file_name, sha256
