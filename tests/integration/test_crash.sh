#!/usr/bin/env bash
# Crashes: `recon nightly` killed with SIGKILL at many points (while ingesting,
# processing and reporting), and the database restarted under a run. Each time
# a rerun must leave the same database state and byte-identical reports as an
# uninterrupted run, and no report may ever sit half-written under its name.
. "$(dirname "$0")/lib.sh"
FIX=fixtures/register
inbox="$T_TMP/inbox"
mkdir -p "$inbox"
cp fixtures/statements/e2e/bank_cny_2026-06-01.sta fixtures/statements/wechat/all_mixed.csv \
    fixtures/statements/camt/cny_v08_midnight.xml fixtures/statements/mt940/cny_rollover_envelope.sta \
    fixtures/statements/mt940/err_feb30.sta "$inbox/"
nights="2026-05-31 2026-06-01"

setup() {
    new_db "$1"
    run init
    run policies load "$FIX/policies.csv"
    run events load "$FIX/events.csv"
    run receipts load "$FIX/receipts.csv"
}

# Everything a run decides, minus wall-clock columns and the job log.
state() {
    sql "SELECT md5(string_agg(x, '|' ORDER BY x)) FROM (
      SELECT concat_ws(',', receipt_id, source, transaction_key, file_id, amount, policy_no,
        match_result, match_note, duplicate_of, business_date) x FROM recon.receipts
      UNION ALL SELECT concat_ws(',', file_id, sha256, status, business_date, receipt_count,
        duplicate_count, rejection_reason) FROM recon.statement_files
      UNION ALL SELECT concat_ws(',', policy_no, seq, effective_date, from_status, to_status,
        reason, known_from, known_until) FROM recon.status_events
      UNION ALL SELECT concat_ws(',', policy_no, as_of, status, status_since, arrears, credit)
        FROM recon.policy_status
      UNION ALL SELECT concat_ws(',', policy_no, receipt_id, installment, amount)
        FROM recon.allocations) s"
}

# Reruns a night until it completes; 75 (the killed session's lock not yet
# released by the server) is what a scheduler retries on, so this does too.
complete_night() {
    local tries=0
    while :; do
        run nightly --as-of "$1" --inbox "$inbox" --out "$2"
        [ "$rc" -ne 75 ] || [ "$tries" -ge 20 ] && break
        tries=$((tries + 1))
        sleep 0.2
    done
}

no_half_written() {
    local f
    for f in "$1"/20*/*.gz; do
        [ -e "$f" ] || continue
        gzip -t "$f" 2>/dev/null || return 1
    done
    return 0
}

setup it_crash_ref
ref="$T_TMP/ref"
for d in $nights; do complete_night "$d" "$ref"; done
check "uninterrupted nights complete (65: one refused file)" [ "$rc" -eq 0 ]
ref_state=$(state)
ref_reports=$(cat "$ref"/20*/MANIFEST.sha256 | sha256sum)

setup it_crash
crash_out="$T_TMP/crashed"
delays="0.05 0.1 0.15 0.2 0.25 0.3 0.35 0.4 0.5 0.6"
intact=1
for d in $nights; do
    for delay in $delays; do
        "$RECON_BIN" nightly --as-of "$d" --inbox "$inbox" --out "$crash_out" >/dev/null 2>&1 &
        pid=$!
        sleep "$delay"
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        no_half_written "$crash_out" || intact=0
    done
    complete_night "$d" "$crash_out"
done
check "no report is ever half-written under its final name" [ "$intact" -eq 1 ]
check "after the kills, the reruns complete" [ "$rc" -eq 0 ]
check "the database state equals the uninterrupted run's" [ "$(state)" = "$ref_state" ]
check "the reports are byte-identical to the uninterrupted run's" \
    [ "$(cat "$crash_out"/20*/MANIFEST.sha256 | sha256sum)" = "$ref_reports" ]
check "killed runs stay visible in the job log, marked abandoned by the next run" \
    [ "$(sql "SELECT count(*) > 0 FROM recon.job_runs WHERE outcome = 'abandoned'")" = t ]

# The database restarted under a run: a clear failure (69), then a clean rerun.
setup it_crash_restart
out3="$T_TMP/restarted"
# Hold the evaluation table so the run is caught inside its process step.
psql -X -qAt "$RECON_DB" -c "BEGIN" -c "LOCK TABLE recon.policy_status IN ACCESS EXCLUSIVE MODE" \
    -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
holder=$!
sleep 0.5
"$RECON_BIN" nightly --as-of 2026-05-31 --inbox "$inbox" --out "$out3" >"$T_TMP/r.out" 2>"$T_TMP/r.err" &
pid=$!
sleep 1.5
"$RECON_BIN" db stop >/dev/null 2>&1
wait "$pid"
rc=$?
err=$(cat "$T_TMP/r.err")
wait "$holder" 2>/dev/null
"$RECON_BIN" db start >/dev/null 2>&1
check "a run losing its database exits 69" [ "$rc" -eq 69 ]
check "ending with one line naming the database failure" \
    grep -Eq '^recon: database error: .*terminating connection' <<<"$(tail -n 1 "$T_TMP/r.err")"
for d in $nights; do complete_night "$d" "$out3"; done
check "after the restart the reruns complete" [ "$rc" -eq 0 ]
check "and reach the uninterrupted state" [ "$(state)" = "$ref_state" ]
check "and the same reports" [ "$(cat "$out3"/20*/MANIFEST.sha256 | sha256sum)" = "$ref_reports" ]
finish
