-- Matching results (receipt -> policy) and the day's receipt outcomes.
SET LOCAL search_path = recon, pg_catalog;

ALTER TABLE receipts
    ADD COLUMN match_result text CHECK (match_result IN ('identified', 'unidentified',
        'ambiguous', 'currency', 'settlement', 'reversal', 'manual')),
    ADD COLUMN match_note text NOT NULL DEFAULT '';

-- Receipts loaded by hand already name their policy.
UPDATE receipts SET match_result = 'manual' WHERE policy_no IS NOT NULL AND file_id IS NULL;

CREATE INDEX receipts_unmatched ON receipts (receipt_id) WHERE match_result IS NULL;
