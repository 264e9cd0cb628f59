-- The receipts_known view also names the receipt's file (issue 12).
--
-- The reports read "known on night D" through the view, which already joins
-- each receipt with its file; a report that also shows the file's name would
-- otherwise join statement_files a second time over every receipt ever
-- stored (twice the cost of the day's receipts query). file_name is NULL for a
-- receipt entered by hand. The rule itself (known_on) is unchanged.
SET LOCAL search_path = recon, pg_catalog;

CREATE OR REPLACE VIEW receipts_known AS
    SELECT r.*, coalesce(r.business_date, f.business_date) AS known_on, f.file_name
    FROM receipts r LEFT JOIN statement_files f ON f.file_id = r.file_id;
