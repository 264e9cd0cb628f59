-- receipts_fresh (schema 020) found the hand-entered receipts of a night and the
-- unstamped ones with one condition (business_date IS NULL OR >= night) that no
-- index answers: every quiet night read the whole receipts_by_hand index, 2 s
-- at 900k hand-entered receipts for none found. One branch each now, the
-- unstamped through receipts_unstamped, the stamped through receipts_by_hand;
-- the same rows (a receipt's business_date is either NULL or not).
SET LOCAL search_path = recon, pg_catalog;

CREATE OR REPLACE FUNCTION receipts_fresh(night date, at timestamptz)
    RETURNS TABLE (receipt_id bigint, policy_no text, reverses bigint)
    LANGUAGE sql STABLE AS $$
    SELECT r.receipt_id, r.policy_no, r.reverses
    FROM recon.statement_files f JOIN recon.receipts r ON r.file_id = f.file_id
    WHERE f.business_date IS NULL OR f.business_date >= night OR f.ingested_at > at
    UNION ALL
    SELECT r.receipt_id, r.policy_no, r.reverses
    FROM recon.receipts r
    WHERE r.file_id IS NULL AND r.business_date IS NULL
    UNION ALL
    SELECT r.receipt_id, r.policy_no, r.reverses
    FROM recon.receipts r
    WHERE r.file_id IS NULL AND r.business_date >= night
$$;
