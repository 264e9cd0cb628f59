-- The first and last receipt_id known on the report date (NULLs when none), so
-- that the allocations stream reads that range instead of joining with the
-- day's receipts (the merge skips receipts of other nights inside the range).
SELECT min(r.receipt_id)::text, max(r.receipt_id)::text
FROM receipts_known_on(current_setting('recon.as_of')::date) r
