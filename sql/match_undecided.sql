-- The receipts no decision was stored for (entered by hand, or left to the
-- payer account), with the fields the core's match decision reads.
COPY (SELECT receipt_id, currency, reversal, creditor_reference, end_to_end_id,
             merchant_order_no, remittance, payer_account
      FROM receipts
      WHERE match_result IS NULL
      ORDER BY receipt_id) TO STDOUT
