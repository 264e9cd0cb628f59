-- The first night that sees a statement file owns it and its receipts.
UPDATE statement_files SET business_date = $1::date WHERE business_date IS NULL
