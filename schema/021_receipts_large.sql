-- The receipts whose amount or fee is beyond 10^7 yuan (10^9 fen) either way,
-- for the nightly money check (sql/eval_money_bound.sql): every other receipt
-- adds at most 2 x 10^9 fen, so the receipt numbers and these few rows bound
-- the night's sum without reading every receipt (a full read of receipts per
-- night, 2 s at two million). Almost no premium is that large, so the index
-- is nearly empty and costs the load nothing.
SET LOCAL search_path = recon, pg_catalog;

CREATE INDEX receipts_large ON receipts (receipt_id)
    WHERE amount > 1000000000 OR amount < -1000000000 OR fee > 1000000000 OR fee < -1000000000;
