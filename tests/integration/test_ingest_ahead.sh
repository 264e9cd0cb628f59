#!/usr/bin/env bash
# recon ingest parses the next file on a thread of its own while the current one is
# stored (jobs/ingest_ahead.c). The store of a file is held up here by a lock another
# session holds on statement_files, so the parse ahead has happened by the time it is
# looked at: what it logs waits for its file's turn (messages keep the files' order), a
# file rejected while the next is parsed is reported first and the rest still load, the
# same bytes under a second name are still skipped, and a stop request while a file is
# being stored and the next parsed ends the run cleanly (143, nothing half-stored) and a
# rerun stores every file as one uninterrupted run does.
. "$(dirname "$0")/lib.sh"
fx=fixtures/statements/mt940
bad=$T_TMP/a_bad.sta        # refused by the parser (a malformed amount)
warned=$T_TMP/b_warned.sta  # stored, with two parse warnings
good=$T_TMP/c_good.sta
twin=$T_TMP/d_twin.sta      # the bytes of c_good.sta under another name
cp "$fx/err_amount.sta" "$bad"
cp "$fx/fragments.sta" "$warned"
cp "$fx/cny_rollover_envelope.sta" "$good"
cp "$good" "$twin"

# hold MODE: another session takes statement_files in MODE until release; a file's
# store (or a rejection's record) waits for it.
hold() {
    mkfifo "$T_TMP/holder"
    psql -X -q "$RECON_DB" <"$T_TMP/holder" >/dev/null 2>&1 &
    holder=$!
    exec 3>"$T_TMP/holder"
    echo "BEGIN; LOCK TABLE recon.statement_files IN $1 MODE;" >&3
    local i
    for i in $(seq 600); do # until the lock is held (at most a minute)
        [ "$(sql "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
                  WHERE c.relname = 'statement_files' AND l.granted
                    AND l.pid <> pg_backend_pid()")" -gt 0 ] && return 0
        sleep 0.1
    done
}
release() {
    echo "COMMIT;" >&3
    exec 3>&-
    wait "$holder"
    rm -f "$T_TMP/holder"
}
# Until recon's session waits for the lock (at most a minute).
blocked() {
    local i
    for i in $(seq 600); do
        [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()
                  AND wait_event_type = 'Lock'")" -gt 0 ] && return 0
        sleep 0.1
    done
    return 1
}
start() {
    env --default-signal=INT,TERM "$RECON_BIN" ingest "$@" >"$T_TMP/bg.out" 2>"$T_TMP/bg.err" &
    pid=$!
}
finish_bg() {
    wait "$pid"
    rc=$?
    out=$(cat "$T_TMP/bg.out")
    err=$(cat "$T_TMP/bg.err")
}
# all 'TEST' ...: true when every test (shell text) holds.
all() {
    local c
    for c in "$@"; do eval "$c" || return 1; done
}
line_of() { grep -n -F -- "$2" <<<"$1" | head -1 | cut -d: -f1; }

if ! env --default-signal=INT true 2>/dev/null; then
    echo "ok 1 - # skip env --default-signal (coreutils 8.31+) is needed to signal a background job"
    finish
fi

# A stop request while the first file waits to be stored and the second is parsed ahead.
new_db it_ingest_ahead
run init
hold "SHARE ROW EXCLUSIVE"
start "$good" "$warned" "$bad"
check "the first file's store waits for the lock" blocked
sleep 1
opened=$(ls -l "/proc/$pid/fd" 2>/dev/null | grep -c -F "$warned")
kill -TERM "$pid"
finish_bg
release
check "the next file was opened ahead while the first one was stored" test "$opened" -ge 1
check "SIGTERM mid-pipeline: exit 143, said so" \
    all "[ $rc -eq 143 ]" 'contains "$err" "SIGTERM"'
check "nothing of the interrupted run is stored, nothing rejected" \
    test "$(sql "SELECT count(*) FROM recon.statement_files") $(sql "SELECT count(*) FROM recon.receipts")" = "0 0"
check "the parse ahead's warnings are not written for a file the run never reached" \
    lacks "$err" "no :25: account"

# The same files in one uninterrupted run, for reference.
new_db it_ingest_ahead_ref
run init
run ingest "$good" "$warned" "$bad"
ref_out=$out
ref_err=$err
ref_rows=$(sql "SELECT string_agg(concat_ws('|', receipt_id, file_id, source, transaction_key,
                amount, duplicate_of, match_result), ',' ORDER BY receipt_id) FROM recon.receipts")
check "reference run: two stored, one rejected (65)" \
    all "[ $rc -eq 65 ]" 'contains "$out" "stored as file 2"'

new_db it_ingest_ahead
run init
hold "SHARE ROW EXCLUSIVE"
hold_rc=0
start "$good" "$warned" "$bad"
blocked || hold_rc=1
sleep 1
early=$(cat "$T_TMP/bg.err")
release
finish_bg
check "rerun after the stop: the first file's store waited for the lock" test "$hold_rc" = 0
check "a parse ahead's warnings wait for their file's turn" lacks "$early" "no :25: account"
check "rerun after the stop: the same output, exit and rows as one uninterrupted run" \
    all "[ $rc -eq 65 ]" '[ "$out" = "$ref_out" ]' '[ "$err" = "$ref_err" ]' \
    "[ \"\$(sql \"SELECT string_agg(concat_ws('|', receipt_id, file_id, source, transaction_key,
                amount, duplicate_of, match_result), ',' ORDER BY receipt_id) FROM recon.receipts\")\" = \"\$ref_rows\" ]"

# A file rejected (its record waits for the lock) while the next one is parsed ahead.
new_db it_ingest_ahead_reject
run init
hold SHARE
hold_rc=0
start "$bad" "$warned" "$good" "$twin"
blocked || hold_rc=1
sleep 1
early=$(cat "$T_TMP/bg.err")
release
finish_bg
check "the rejection's record waited for the lock" test "$hold_rc" = 0
check "nothing of the next file is said before the rejection is reported" test -z "$early"
check "rejected first, the next file's warnings after it" \
    all "[ -n \"\$(line_of \"\$err\" a_bad.sta)\" ]" \
    "[ \"\$(line_of \"\$err\" a_bad.sta)\" -lt \"\$(line_of \"\$err\" 'no :25: account')\" ]"
check "the rest of the run loads in order, exit 65" \
    all "[ $rc -eq 65 ]" 'contains "$out" "b_warned.sta: mt940, 4 receipts (0 duplicates), stored as file 2"' \
    'contains "$out" "c_good.sta: mt940"' 'contains "$out" "stored as file 3"'
check "the same bytes under a second name, parsed ahead before the first was stored, are skipped" \
    contains "$out" "d_twin.sta: already ingested (file 3), skipped"
check "the rejected file is kept with its reason" \
    test "$(sql "SELECT status || ' ' || file_name FROM recon.statement_files WHERE file_id = 1")" = "rejected a_bad.sta"

finish
