-- The keys of the file being parsed, in file order (ord from 1), streamed in
-- while it is read; gone with the transaction.
CREATE TEMP TABLE receipts_keys (ord bigint, source text, transaction_key text) ON COMMIT DROP
