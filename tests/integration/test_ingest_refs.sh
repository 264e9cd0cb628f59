#!/usr/bin/env bash
# The references of receipts (file_id -> statement_files, duplicate_of and reverses ->
# receipts) hold although they are checked once per statement (schema 021) instead of by
# per-row foreign keys: no INSERT, COPY or UPDATE can make a receipt name a missing file or
# receipt, no DELETE, key change or TRUNCATE can take away a file or receipt still named,
# and a file named by an open ingest cannot be deleted under it (the check locks it).
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

new_db it_ingest_refs
run init
check "init" test "$rc" = 0
run ingest "$root/fixtures/statements/camt/reversal_pair.xml"
check "a statement file ingests" test "$rc" = 0
file=$(sql "SELECT max(file_id) FROM recon.statement_files WHERE status = 'stored'")
first=$(sql "SELECT min(receipt_id) FROM recon.receipts WHERE file_id = $file")
check "its receipts name it" test -n "$first"

# fails SQL...: the statement is refused as a foreign key refuses (SQLSTATE 23503), nothing kept
fails() {
    local before after
    before=$(sql "SELECT count(*) FROM recon.receipts")
    err=$(psql -X -qAt -v ON_ERROR_STOP=1 -v VERBOSITY=verbose "$RECON_DB" -c "$1" 2>&1)
    rc=$?
    out=$err
    after=$(sql "SELECT count(*) FROM recon.receipts")
    [ "$rc" != 0 ] && contains "$err" "23503" && [ "$before" = "$after" ]
}
row() { # ID FILE DUPLICATE_OF REVERSES: a receipt row for VALUES
    local result=NULL
    [ "$3" != NULL ] && result="'duplicate'"
    echo "($1, 'refs-test', 'k$1', $2, DATE '2026-06-01', 100, 'CNY', 'credit', $3, $4, $result)"
}
cols="(receipt_id, source, transaction_key, file_id, booking_date, amount, currency, direction, duplicate_of, reverses, match_result)"
ins="INSERT INTO recon.receipts $cols VALUES"

check "an insert naming a missing file is refused" fails "$ins $(row 900001 999999 NULL NULL)"
check "one missing file among many rows is refused" \
    fails "$ins $(row 900001 "$file" NULL NULL), $(row 900002 999999 NULL NULL), $(row 900003 "$file" NULL NULL)"
check "a duplicate of a missing receipt is refused" fails "$ins $(row 900001 "$file" 888888 NULL)"
check "a reversal of a missing receipt is refused" fails "$ins $(row 900001 "$file" NULL 888888)"
printf '900004\trefs-test\tk900004\t999999\t2026-06-01\t100\tCNY\tcredit\n' >"$T_TMP/bad.copy"
check "a COPY naming a missing file is refused" \
    fails "\\copy recon.receipts (receipt_id, source, transaction_key, file_id, booking_date, amount, currency, direction) FROM '$T_TMP/bad.copy'"
check "an update to a missing file is refused" \
    fails "UPDATE recon.receipts SET file_id = 999999 WHERE receipt_id = $first"
check "an update to a missing reversed receipt is refused" \
    fails "UPDATE recon.receipts SET reverses = 888888 WHERE receipt_id = $first"

# rows that name what exists, in the same statement too, are kept
sql "$ins $(row 900010 "$file" NULL NULL), $(row 900011 "$file" 900010 NULL), $(row 900012 NULL NULL 900010)" >/dev/null 2>&1
check "valid references are stored, also to a row of the same statement" \
    test "$(sql "SELECT count(*) FROM recon.receipts WHERE source = 'refs-test'")" = 3

check "a file still named cannot be deleted" fails "DELETE FROM recon.statement_files WHERE file_id = $file"
check "a file still named cannot change its id" \
    fails "UPDATE recon.statement_files SET file_id = 999999 WHERE file_id = $file"
check "statement files cannot be truncated under their receipts" \
    fails "TRUNCATE recon.statement_files, recon.statements"
check "a receipt still named as first sighting cannot be deleted" \
    fails "DELETE FROM recon.receipts WHERE receipt_id = 900010"
check "a receipt still named cannot change its id" \
    fails "UPDATE recon.receipts SET receipt_id = 900099 WHERE receipt_id = 900010"
sql "DELETE FROM recon.receipts WHERE source = 'refs-test'" >/dev/null 2>&1
check "a receipt goes together with the receipts that name it" \
    test "$(sql "SELECT count(*) FROM recon.receipts WHERE source = 'refs-test'")" = 0

# An open transaction whose receipts name a file holds that file: a delete of it waits
# (without the lock it would go through, the other transaction's rows unseen, and leave
# them naming nothing once that one commits).
sql "INSERT INTO recon.statement_files (file_id, sha256, file_name, format, status) VALUES (777777, repeat('7', 64), 'held.xml', 'camt053', 'stored')" >/dev/null
psql -X -q "$RECON_DB" -c "BEGIN" -c "$ins $(row 900020 777777 NULL NULL)" \
    -c "SELECT pg_sleep(4)" -c "ROLLBACK" >/dev/null 2>&1 &
holder=$!
sleep 1.5
err=$(psql -X -qAt "$RECON_DB" -c "SET lock_timeout = '500ms'" \
    -c "DELETE FROM recon.statement_files WHERE file_id = 777777" 2>&1)
rc=$?
out=$err
wait "$holder"
check "a file named by an open transaction's receipts is locked against delete" \
    contains "$err" "lock timeout"
sql "DELETE FROM recon.statement_files WHERE file_id = 777777" >/dev/null

finish
