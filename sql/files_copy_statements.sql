-- The statement summaries of a stored file (store_statements_copy writes the
-- columns in this order).
COPY statements (file_id, seq, source, statement_id, currency, statement_date,
                 opening_balance, closing_balance, entry_count, credit_total, debit_total,
                 period_from, period_to, receipts_from, receipts_to)
FROM STDIN
