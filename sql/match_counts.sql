-- The matching outcomes of the receipts no night has yet processed.
SELECT count(*) FILTER (WHERE match_result = 'identified'),
       count(*) FILTER (WHERE match_result = 'unidentified'),
       count(*) FILTER (WHERE match_result = 'ambiguous'),
       count(*) FILTER (WHERE match_result = 'currency'),
       count(*) FILTER (WHERE match_result = 'settlement'),
       count(*) FILTER (WHERE match_result = 'reversal')
FROM receipts_new()
