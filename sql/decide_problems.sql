-- The staged decisions that cannot be stored: (line, message), the first
-- problem of each bad line (one line per bad row, like a statement file).
WITH d AS (
    SELECT i.*, r.receipt_id AS found, r.amount AS receipt_amount, r.source AS r_source,
           r.transaction_key AS r_key, r.direction, r.reversal, r.duplicate_of, r.currency,
           (SELECT v.receipt_id FROM receipts v WHERE v.reverses = r.receipt_id LIMIT 1)
               AS reversed_by
    FROM decisions_in i LEFT JOIN receipts r ON r.receipt_id = i.rid
),
night AS (SELECT decided_on, line FROM decisions_in ORDER BY line LIMIT 1),
-- what an approve row can approve: a refund or write-off not approved yet and not
-- released, stored earlier or on an earlier line of this file
waiting AS (
    SELECT x.receipt_id, x.policy_no, x.action, x.decided_by,
           'line ' || x.line || ' of ' || f.file_name AS place, 0 AS line
    FROM decisions x JOIN decision_files f USING (file_id)
    WHERE x.action IN ('refund', 'write_off')
      AND NOT EXISTS (SELECT 1 FROM decisions a WHERE a.approves = x.decision_id)
      AND NOT EXISTS (SELECT 1 FROM decisions y WHERE y.action = 'release'
                      AND y.receipt_id = x.receipt_id AND y.decision_id > x.decision_id)
    UNION ALL
    SELECT rid, policy_no, action, decided_by, 'line ' || line, line
    FROM decisions_in WHERE action IN ('refund', 'write_off')
),
problems AS (
    SELECT line, 1 AS prio,
           CASE WHEN receipt_id IS NOT NULL THEN 'unknown receipt ' || receipt_id
                ELSE 'unknown receipt: source ''' || source || ''' transaction_key '''
                     || transaction_key || '''' END AS msg
    FROM d WHERE (receipt_id IS NOT NULL OR source <> '') AND found IS NULL
    UNION ALL
    SELECT line, 2, 'receipt_id ' || receipt_id || ' is source ''' || r_source ||
           ''' transaction_key ''' || r_key || ''', not the ''' || source || ''' '''
           || transaction_key || ''' this row names'
    FROM d WHERE found IS NOT NULL AND receipt_id IS NOT NULL AND source <> ''
      AND (source <> r_source OR transaction_key <> r_key)
    UNION ALL
    SELECT line, 3, 'unknown policy ''' || policy_no || ''''
    FROM d WHERE policy_no IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM policies p WHERE p.policy_no = d.policy_no)
    UNION ALL
    SELECT line, 4, 'receipt ' || found || ' is a reversal (money going out); hint: decide on '
           || 'the receipt it reverses'
    FROM d WHERE found IS NOT NULL AND (reversal OR direction = 'debit')
    UNION ALL
    SELECT line, 5, 'receipt ' || found || ' was reversed by receipt ' || reversed_by
           || ': there is no money left to decide on'
    FROM d WHERE reversed_by IS NOT NULL
    UNION ALL
    SELECT line, 6, 'receipt ' || found || ' repeats receipt ' || duplicate_of
           || ' (counted once); hint: decide on receipt ' || duplicate_of
    FROM d WHERE duplicate_of IS NOT NULL
    UNION ALL
    SELECT line, 7, 'receipt ' || found || ' is in ' || currency || ', not CNY: it cannot '
           || 'pay a premium; hint: refund it'
    FROM d WHERE action = 'assign' AND currency <> 'CNY'
    UNION ALL
    SELECT d.line, 8, 'receipt ' || d.found || ' already decided (' || a.action || ' on line '
           || a.line || ' of ' || f.file_name || '); hint: release it first'
    FROM d JOIN LATERAL (SELECT * FROM decisions_active x WHERE x.receipt_id = d.found
                         ORDER BY x.decision_id LIMIT 1) a ON true
    JOIN decision_files f ON f.file_id = a.file_id
    WHERE d.action IN ('assign', 'refund')
      AND NOT EXISTS (SELECT 1 FROM decisions_in e WHERE e.action = 'release'
                      AND e.rid = d.found AND e.line < d.line)
    UNION ALL
    SELECT line, 9, 'assigned and refunded amounts of receipt ' || found || ' come to '
           || to_char(total / 100.0, 'FM999999999999990.00') || ' by this line, more than its '
           || to_char(receipt_amount / 100.0, 'FM999999999999990.00')
    FROM (SELECT d.*, sum(coalesce(amount, receipt_amount))
                      OVER (PARTITION BY found ORDER BY line) AS total
          FROM d WHERE action IN ('assign', 'refund') AND found IS NOT NULL) s
    WHERE total > receipt_amount
    UNION ALL
    SELECT line, 10, 'nothing to release: receipt ' || found || ' has no decision in effect'
    FROM d WHERE action = 'release' AND found IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM decisions_active x WHERE x.receipt_id = d.found)
      AND NOT EXISTS (SELECT 1 FROM decisions_in e WHERE e.rid = d.found AND e.line < d.line
                      AND e.action IN ('assign', 'refund'))
    UNION ALL
    SELECT d.line, 11,
           CASE WHEN d.found IS NOT NULL
                THEN 'nothing to approve: receipt ' || d.found || ' has no refund waiting'
                ELSE 'nothing to approve: policy ''' || d.policy_no || ''' has no write-off '
                     || 'waiting' END
    FROM d WHERE d.action = 'approve'
      AND NOT EXISTS (SELECT 1 FROM waiting w WHERE (w.line < d.line OR w.line = 0)
                      AND CASE WHEN d.found IS NOT NULL
                               THEN w.action = 'refund' AND w.receipt_id = d.found
                               ELSE w.action = 'write_off' AND w.policy_no = d.policy_no END)
    UNION ALL
    SELECT d.line, 12, 'self-approval: the ' || w.action || ' on ' || w.place
           || ' was decided by ''' || w.decided_by || '''; hint: someone else approves it'
    FROM d JOIN waiting w ON (w.line < d.line OR w.line = 0)
                         AND CASE WHEN d.found IS NOT NULL
                                  THEN w.action = 'refund' AND w.receipt_id = d.found
                                  ELSE w.action = 'write_off' AND w.policy_no = d.policy_no END
    WHERE d.action = 'approve' AND w.decided_by = d.decided_by
    UNION ALL
    SELECT d.line, 13, 'decided_on ' || d.decided_on || ' differs from line ' || n.line
           || '''s ' || n.decided_on || '; hint: one file holds the decisions of one night'
    FROM d, night n WHERE d.decided_on <> n.decided_on
    UNION ALL
    SELECT line, 14, 'decided_by ''' || decided_by || ''' is not the login role '''
           || session_user || '''; hint: a person decides in their own name'
    FROM d WHERE decided_by <> session_user
      AND NOT (SELECT rolsuper FROM pg_roles WHERE rolname = session_user)
    UNION ALL
    SELECT n.line, 15, 'decided_on ' || n.decided_on || ' is a night already processed (the '
           || 'latest is ' || p.night || '); hint: date the file ' || (p.night + 1)
           || ' or later: a decision takes effect on a night not yet run, and the money '
           || 'still counts from its booking date'
    FROM night n, (SELECT last_processed_night() AS night) p WHERE n.decided_on <= p.night
)
SELECT DISTINCT ON (line) line, msg FROM problems ORDER BY line, prio, msg
