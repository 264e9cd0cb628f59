-- The summary's balance checks of the statements of the report date's files
-- (opening + credits - debits = closing): statement, verdict, difference in
-- fen. Ties (one account, many statements) by file and position, never by
-- where the rows happen to lie on disk.
SELECT s.source || ' ' || s.statement_id,
       CASE WHEN s.opening_balance IS NULL OR s.closing_balance IS NULL THEN 'no balances'
            WHEN s.opening_balance::numeric + s.credit_total - s.debit_total = s.closing_balance
            THEN 'balanced'
            ELSE 'DIFFERENCE' END,
       (coalesce(s.opening_balance, 0)::numeric + s.credit_total - s.debit_total
        - coalesce(s.closing_balance, 0))::text
FROM statements s JOIN statement_files f USING (file_id)
WHERE f.business_date = (SELECT current_setting('recon.as_of')::date)
ORDER BY 1, f.file_name, f.sha256, s.seq
