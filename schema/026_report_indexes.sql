-- Indexes for the day's reports (issue 16): on a quiet night each report query
-- reads what the night changed or what its file lists, not the whole book.
-- Each is partial, so it holds only the few rows it finds and costs the
-- nightly's writes next to nothing.
SET LOCAL search_path = recon, pg_catalog;

-- notices.csv.gz asks, for each status change first known tonight, whether an
-- earlier night already knew it. The current history has an index by policy
-- (status_events_current); this one finds the closed rows of a policy, so the
-- question is two index probes instead of a hash of every status event.
CREATE INDEX status_events_closed ON status_events (policy_no) WHERE known_until IS NOT NULL;

-- notices.csv.gz's suspension_soon candidates: the policies in grace whose
-- oldest unpaid installment is due early enough to be suspended within the
-- notice days, found without reading every stored evaluation.
CREATE INDEX policy_state_grace ON policy_state (oldest_unpaid_due_date) WHERE status = 'grace';

-- exceptions.csv.gz's receipts in suspense (a re-match since the report's night
-- is found through receipt_rematches): without it, every receipt was read to
-- find the few thousand that no policy took.
CREATE INDEX receipts_exceptions ON receipts (receipt_id)
    WHERE match_result IN ('unidentified', 'ambiguous', 'currency');
