-- The decisions file itself ($1 SHA-256, $2 name, $3 bytes in hex), for the
-- night its rows name; nothing when the same bytes were stored before.
INSERT INTO decision_files (sha256, file_name, content, decided_on)
SELECT $1, $2, decode($3, 'hex'), (SELECT decided_on FROM decisions_in ORDER BY line LIMIT 1)
ON CONFLICT (sha256) DO NOTHING
RETURNING file_id
