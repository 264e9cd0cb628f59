-- The first night that sees a receipt entered by hand owns it in its reports
-- (a file's receipts take their file's night: receipts_known).
UPDATE receipts SET business_date = $1::date WHERE business_date IS NULL AND file_id IS NULL
