-- The receipts of a stored file: ids and file id, then the row
-- store_receipt_row spooled while parsing, then duplicate_of.
COPY receipts (receipt_id, file_id, position, source, transaction_key, booking_date,
               value_date, amount, currency, direction, reversal, reversal_of, payer,
               payer_account, end_to_end_id, creditor_reference, merchant_order_no,
               provider_txn_id, remittance, fee, parse_note, policy_no, match_result,
               match_note, duplicate_of)
FROM STDIN
