-- Retention (rules.md section 9): the personal data of policies whose last day
-- of cover is before the cutoff $1 becomes empty strings, in the register and
-- in the receipts matched to them. The last day of cover is end_date, or the
-- day before a cancellation took effect when that is earlier
-- (cancellation_requests, or a cancelled snapshot in policy_status). A receipt
-- seen again in a later file is kept as a row of its own pointing at the first
-- (duplicate_of) and carries the same payer, so it goes too. Both updates see
-- the same policies: neither changes a column the rule reads. Returns how many
-- policies and receipts changed (none on a second run).
WITH past AS (
    SELECT p.policy_no
    FROM policies p
    LEFT JOIN cancellation_requests c ON c.policy_no = p.policy_no
    LEFT JOIN policy_status s ON s.policy_no = p.policy_no
    WHERE LEAST(p.end_date, c.received_on - 1,
                CASE WHEN s.status = 'cancelled' THEN s.status_since - 1 END) < $1::date
), anonymised_policies AS (
    UPDATE policies
    SET holder_name = '', holder_id_no = '', payer_account = ''
    WHERE policy_no IN (SELECT policy_no FROM past)
      AND (holder_name <> '' OR holder_id_no <> '' OR payer_account <> '')
    RETURNING 1
), anonymised_receipts AS (
    UPDATE receipts
    SET payer = '', payer_account = '', remittance = ''
    WHERE (policy_no IN (SELECT policy_no FROM past)
           OR duplicate_of IN (SELECT receipt_id FROM receipts
                               WHERE policy_no IN (SELECT policy_no FROM past)))
      AND (payer <> '' OR payer_account <> '' OR remittance <> '')
    RETURNING 1
)
SELECT (SELECT count(*) FROM anonymised_policies), (SELECT count(*) FROM anonymised_receipts)
