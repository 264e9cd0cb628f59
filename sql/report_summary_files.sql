-- The summary's statement files of the report date: name, format (or
-- REJECTED), what was stored (or why it was refused), and lines to show under
-- it: each statement the file delivers again (same account, id, date and
-- period as one of a file stored before it) with how many of its entries were
-- already stored, then the tolerances its parse applied. "Before" is the order
-- the files were stored in (night, then time), which a file rejected once and
-- stored later keeps too.
SELECT f.file_name,
       CASE WHEN f.status = 'stored' THEN f.format ELSE 'REJECTED' END,
       CASE WHEN f.status = 'stored'
            THEN f.receipt_count || ' receipts, ' || f.duplicate_count || ' duplicates'
            ELSE f.rejection_reason END,
       concat_ws(E'\n',
                 (SELECT string_agg(format('repeats statement %s of %s: %s entries already '
                                           'stored, %s new', s.statement_id, p.file_name,
                                           c.repeated, c.added),
                                    E'\n' ORDER BY s.seq)
                  FROM statements s
                  CROSS JOIN LATERAL (
                      SELECT pf.file_name
                      FROM statements ps JOIN statement_files pf USING (file_id)
                      WHERE ps.source = s.source
                        AND ps.statement_id = s.statement_id
                        AND ps.statement_date IS NOT DISTINCT FROM s.statement_date
                        AND ps.period_from IS NOT DISTINCT FROM s.period_from
                        AND ps.period_to IS NOT DISTINCT FROM s.period_to
                        AND pf.status = 'stored'
                        AND (pf.business_date, pf.ingested_at, pf.file_id)
                            < (f.business_date, f.ingested_at, f.file_id)
                      ORDER BY pf.business_date DESC, pf.ingested_at DESC, pf.file_id DESC
                      LIMIT 1) p
                  CROSS JOIN LATERAL (
                      SELECT count(*) FILTER (WHERE r.duplicate_of IS NOT NULL) AS repeated,
                             count(*) FILTER (WHERE r.duplicate_of IS NULL) AS added
                      FROM receipts r
                      WHERE r.receipt_id BETWEEN s.receipts_from AND s.receipts_to) c
                  WHERE s.file_id = f.file_id AND s.statement_id <> ''),
                 CASE WHEN f.warnings <> '' THEN 'warnings: ' || f.warnings END)
FROM statement_files f
WHERE f.business_date = (SELECT current_setting('recon.as_of')::date)
ORDER BY f.file_name, f.sha256
