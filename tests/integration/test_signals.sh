#!/usr/bin/env bash
# Signals and dead runs. SIGTERM and SIGINT sent to `recon nightly` at increasing
# delays (ingest, process and report phases): every trial exits 130/143 (or 0 when
# the run had already finished), leaves no temporary file, and records its job_runs
# row 'interrupted' with the code; reruns then give the uninterrupted run's bytes.
# A run killed with SIGKILL, or whose server is stopped under it, is reported and
# marked 'abandoned' by the next run; a live session's row never is.
. "$(dirname "$0")/lib.sh"
night=2026-03-31
world="$T_TMP/world"
if ! env --default-signal=INT true 2>/dev/null; then
    echo "ok 1 - # skip env --default-signal (coreutils 8.31+) is needed to signal a background job"
    finish
fi
if ! cc -O1 -o "$T_TMP/gen" fixtures/gen/gen.c 2>"$T_TMP/gen.err"; then
    echo "ok 1 - # skip no C compiler for the fixture generator"
    finish
fi
"$T_TMP/gen" --out "$world" --policies 3000 --receipts 6000 --month 2026-03 >/dev/null
rm -f "$world"/inbox/*_icbc.csv # needs a bank profile; the other formats suffice
inbox="$world/inbox"

setup() {
    new_db "$1"
    run init
    run policies load "$world/policies.csv"
    run events load "$world/events.csv"
    run receipts load "$world/history.csv"
}

# A background job of a script inherits SIGINT ignored (and recon keeps it so, as
# nohup expects); env restores the default so that the signal reaches recon.
start_nightly() {
    env --default-signal=INT,TERM "$RECON_BIN" nightly --as-of "$night" --inbox "$inbox" \
        --out "$1" >"$T_TMP/bg.out" 2>"$T_TMP/bg.err" &
    pid=$!
}

# Reruns until the night completes; 75 (a killed session's lock not yet released
# by the server) is what a scheduler retries on, so this does too.
complete_night() {
    local tries=0
    while :; do
        run nightly --as-of "$night" --inbox "$inbox" --out "$1"
        [ "$rc" -ne 75 ] || [ "$tries" -ge 40 ] && break
        tries=$((tries + 1))
        sleep 0.25
    done
}

# all 'TEST' ...: true when every test (shell text) holds; for checks of several facts.
all() {
    local c
    for c in "$@"; do eval "$c" || return 1; done
}

temporaries() { find "$1" \( -name '.*' -o -name '*.tmp' -o -name '*.part' \) 2>/dev/null | head -3; }
last_run() { sql "SELECT outcome || ' ' || coalesce(exit_code::text, '-') FROM recon.job_runs ORDER BY run_id DESC LIMIT 1"; }

setup it_signals_ref
complete_night "$T_TMP/ref"
check "the uninterrupted night completes" [ "$rc" -eq 0 ]
ref_reports=$(cat "$T_TMP/ref/$night/MANIFEST.sha256" "$T_TMP/ref/$night/INPUTS.sha256" | sha256sum)

# A night held on a lock (process waits for policy_status), so that a signal or a kill
# lands inside a recorded run however fast the machine is.
hold_night() {
    psql -X -qAt "$RECON_DB" -c "BEGIN" -c "LOCK TABLE recon.policy_status IN ACCESS EXCLUSIVE MODE" \
        -c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
    holder=$!
    start_nightly "$1"
    for _ in $(seq 1 600); do
        [ "$(sql "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND application_name = 'recon'")" -gt 0 ] && break
        sleep 0.05
    done
}
release_night() {
    sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(30)%' AND pid <> pg_backend_pid()" >/dev/null
    wait "$holder" 2>/dev/null
}

# Trials: the signal, then every invariant. Returns through globals: stopped
# (trials that exited 130/143), bad (descriptions of broken invariants).
stopped=0
bad=""
report_hits=0
trial() { # SIG OUT DELAY
    local sig=$1 out=$2 delay=$3 want
    [ "$sig" = INT ] && want=130 || want=143
    local before
    before=$(sql "SELECT coalesce(max(run_id), 0) FROM recon.job_runs")
    start_nightly "$out"
    sleep "$delay"
    kill -s "$sig" "$pid" 2>/dev/null
    wait "$pid"
    local code=$?
    local row
    row=$(last_run)
    local t
    t=$(temporaries "$out")
    [ -z "$t" ] || bad="$bad [$sig $delay: temporary files left: $t]"
    if [ "$code" -eq "$want" ] && [ "$(sql "SELECT coalesce(max(run_id), 0) FROM recon.job_runs")" = "$before" ]; then
        # nothing begun: the signal came before recon set its handlers (the default action,
        # nothing said), or before the run recorded its row (connecting, waiting for the lock:
        # stopped there with the interrupted line)
        [ ! -s "$T_TMP/bg.err" ] || tail -n 1 "$T_TMP/bg.err" | grep -Eq "^recon: interrupted by SIG$sig; " ||
            bad="$bad [$sig $delay: no run recorded, last line '$(tail -n 1 "$T_TMP/bg.err")']"
    elif [ "$code" -eq "$want" ]; then
        stopped=$((stopped + 1))
        [ "$row" = "interrupted $want" ] || bad="$bad [$sig $delay: job_runs says '$row']"
        tail -n 1 "$T_TMP/bg.err" | grep -Eq "^recon: interrupted by SIG$sig; " ||
            bad="$bad [$sig $delay: last line '$(tail -n 1 "$T_TMP/bg.err")']"
        # a report directory without its manifest: the stop came while writing reports
        if [ -d "$out/$night" ] && [ ! -e "$out/$night/MANIFEST.sha256" ]; then
            report_hits=$((report_hits + 1))
        fi
    elif [ "$code" -ne 0 ] || [ "$row" != "ok 0" ]; then
        bad="$bad [$sig $delay: exit $code, job_runs '$row']"
    fi
    return "$code"
}

# The first night: mostly ingest (one transaction per file) and processing.
setup it_signals
sig_out="$T_TMP/first"
n=0
# One stop held inside the run (a fast machine can finish the night before a timed
# signal), then stops at growing delays.
held_before=$(sql "SELECT coalesce(max(run_id), 0) FROM recon.job_runs")
hold_night "$sig_out"
kill -s TERM "$pid"
wait "$pid"
held_code=$?
release_night
[ "$held_code" -eq 143 ] && [ "$(sql "SELECT max(run_id) FROM recon.job_runs")" != "$held_before" ] &&
    [ "$(last_run)" = "interrupted 143" ] && stopped=$((stopped + 1)) ||
    bad="$bad [held TERM: exit $held_code, job_runs '$(last_run)']"
t=$(temporaries "$sig_out")
[ -z "$t" ] || bad="$bad [held TERM: temporary files left: $t]"
for delay in 0.5 1.5 3; do
    n=$((n + 1))
    [ $((n % 2)) -eq 0 ] && s=INT || s=TERM
    trial "$s" "$sig_out" "$delay"
done
[ -z "$bad" ] || echo "# broken: $bad"
complete_night "$sig_out"
check "the night's first runs stop on SIGTERM/SIGINT (130/143), no temporaries, rows interrupted" \
    all '[ "$stopped" -ge 1 ]' '[ -z "$bad" ]'
check "after the interruptions the night completes" all '[ "$rc" -eq 0 ]' '[ "$(last_run)" = "ok 0" ]'
check "with the uninterrupted run's bytes" \
    [ "$(cat "$sig_out/$night/MANIFEST.sha256" "$sig_out/$night/INPUTS.sha256" | sha256sum)" = "$ref_reports" ]

# Reruns of the night (process and reports only), each into a fresh folder, the
# delay growing until a run finishes before the signal: some trials must land
# while the reports are being written.
bad=""
stopped=0
n=0
delay_ms=300
while [ "$delay_ms" -le 6000 ]; do
    n=$((n + 1))
    [ $((n % 2)) -eq 0 ] && s=INT || s=TERM
    d=$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))
    trial "$s" "$T_TMP/rerun$n" "$d" && break
    delay_ms=$((delay_ms + 150))
done
[ -z "$bad" ] || echo "# broken: $bad"
check "reruns stopped at growing delays keep every invariant ($stopped stopped, $report_hits while writing reports)" \
    all '[ "$stopped" -ge 2 ]' '[ -z "$bad" ]'
check "some stops landed while the reports were being written" [ "$report_hits" -ge 1 ]
complete_night "$T_TMP/rerun1"
check "a rerun into an interrupted folder gives the uninterrupted bytes" \
    all '[ "$rc" -eq 0 ]' '[ "$(cat "$T_TMP/rerun1/$night/MANIFEST.sha256" "$T_TMP/rerun1/$night/INPUTS.sha256" | sha256sum)" = "$ref_reports" ]'

# A replay stops between nights or inside one; the nights it finished keep their
# manifests, and no report is left half-written under its name.
setup it_signals_replay
env --default-signal=INT,TERM "$RECON_BIN" replay --from 2026-03-02 --to 2026-03-20 \
    --inbox "$inbox" --out "$T_TMP/replay" >"$T_TMP/bg.out" 2>"$T_TMP/bg.err" &
pid=$!
for _ in $(seq 1 200); do # until the first night is complete
    [ -e "$T_TMP/replay/2026-03-02/MANIFEST.sha256" ] && break
    sleep 0.05
done
kill -TERM "$pid"
wait "$pid"
code=$?
intact=1
for f in "$T_TMP"/replay/20*/*.gz; do gzip -t "$f" 2>/dev/null || intact=0; done
check "an interrupted replay exits 143 with its row interrupted" \
    all '[ "$code" -eq 143 ]' \
    '[ "$(sql "SELECT outcome || '"' '"' || exit_code FROM recon.job_runs WHERE command = '"'replay'"'")" = "interrupted 143" ]'
check "its finished nights are complete, nothing half-written, no temporaries" \
    all '[ -e "$T_TMP/replay/2026-03-02/MANIFEST.sha256" ]' '[ "$intact" -eq 1 ]' \
    '[ -z "$(temporaries "$T_TMP/replay")" ]' \
    '(cd "$T_TMP/replay/2026-03-02" && sha256sum -c --quiet MANIFEST.sha256)'
check "and it did not run to the end" [ ! -e "$T_TMP/replay/2026-03-20" ]

# Holds recon.policy_status so that a night started now is surely running (waiting on that
# lock) when the test acts on it, however fast the machine; every file is known by now, so
# the night itself is short.

# SIGKILL: nothing can be recorded; the next run finds the session gone.
hold_night "$T_TMP/killed"
kill -9 "$pid"
wait "$pid" 2>/dev/null
release_night
killed=$(sql "SELECT max(run_id) FROM recon.job_runs")
check "a killed run's row is left running" \
    [ "$(sql "SELECT outcome FROM recon.job_runs WHERE run_id = $killed")" = running ]
complete_night "$T_TMP/killed"
check "the next run completes" [ "$rc" -eq 0 ]
check "and says the killed run did not finish" \
    grep -Eq "^recon: warning: run $killed \(nightly $night, started [0-9T:-]+Z by [^ ]+:[0-9]+\) did not finish; marked abandoned$" <<<"$err"
check "its row is now abandoned, with no exit code" \
    [ "$(sql "SELECT outcome || ' ' || coalesce(exit_code::text, '-') || ' ' || (finished_at IS NOT NULL) FROM recon.job_runs WHERE run_id = $killed")" = "abandoned - true" ]

# The server stopped under a run (recon db stop): 69, then the next run reports it.
hold_night "$T_TMP/stopped"
"$RECON_BIN" db stop >/dev/null 2>&1
wait "$holder" 2>/dev/null
wait "$pid"
code=$?
"$RECON_BIN" db start >/dev/null 2>&1
lost=$(sql "SELECT max(run_id) FROM recon.job_runs")
check "a run losing its server exits 69 and its row stays running" \
    all '[ "$code" -eq 69 ]' '[ "$(sql "SELECT outcome FROM recon.job_runs WHERE run_id = $lost")" = running ]'
complete_night "$T_TMP/stopped"
check "the next run reports it abandoned" \
    all '[ "$rc" -eq 0 ]' 'contains "$err" "run $lost (nightly $night, started"' \
    '[ "$(sql "SELECT outcome FROM recon.job_runs WHERE run_id = $lost")" = abandoned ]'

# A live run is never marked: while one run holds the lock, a second gets 75 and
# leaves the first's row alone; and a 'running' row whose session is alive (here a
# psql session standing in for a run) survives a sweep, while a dead one does not.
psql -X -qAt "$RECON_DB" -c "BEGIN" -c "LOCK TABLE recon.policy_status IN ACCESS EXCLUSIVE MODE" \
    -c "SELECT pg_sleep(4)" >/dev/null 2>&1 &
holder=$!
sleep 0.5
start_nightly "$T_TMP/live"
first=$pid
for _ in $(seq 1 40); do
    [ "$(sql "SELECT count(*) FROM recon.job_runs WHERE outcome = 'running'")" = 1 ] && break
    sleep 0.1
done
live=$(sql "SELECT max(run_id) FROM recon.job_runs")
run nightly --as-of "$night" --inbox "$inbox" --out "$T_TMP/live2"
check "a second run while one is live gets 75" [ "$rc" -eq 75 ]
check "and leaves the live run's row running" \
    all '[ "$(sql "SELECT outcome FROM recon.job_runs WHERE run_id = $live")" = running ]' \
    '[ "$(sql "SELECT max(run_id) FROM recon.job_runs")" = "$live" ]'
wait "$holder" 2>/dev/null
wait "$first"
code=$?
check "the live run then finishes ok" \
    all '[ "$code" -eq 0 ]' '[ "$(sql "SELECT outcome FROM recon.job_runs WHERE run_id = $live")" = ok ]'

psql -X -qAt "$RECON_DB" -c "SELECT pg_sleep(5)" >/dev/null 2>&1 &
other=$!
sleep 0.5
sql "INSERT INTO recon.job_runs (command, backend_pid, backend_start)
     SELECT 'nightly', pid, backend_start FROM pg_stat_activity
     WHERE query = 'SELECT pg_sleep(5)' AND pid <> pg_backend_pid()" >/dev/null
sql "INSERT INTO recon.job_runs (command, backend_pid, backend_start) VALUES ('nightly', 1, now())" >/dev/null
alive=$(sql "SELECT min(run_id) FROM recon.job_runs WHERE outcome = 'running'")
dead=$(sql "SELECT max(run_id) FROM recon.job_runs WHERE outcome = 'running'")
run process --as-of "$night"
check "a sweep keeps a row whose session lives and marks the dead one" \
    all '[ "$rc" -eq 0 ]' '[ "$alive" != "$dead" ]' \
    '[ "$(sql "SELECT outcome FROM recon.job_runs WHERE run_id = $alive")" = running ]' \
    '[ "$(sql "SELECT outcome FROM recon.job_runs WHERE run_id = $dead")" = abandoned ]' \
    'lacks "$err" "run $alive "' 'contains "$err" "run $dead (nightly, started"'
wait "$other" 2>/dev/null
run process --as-of "$night"
check "once that session has ended, its row is marked too" \
    [ "$(sql "SELECT outcome FROM recon.job_runs WHERE run_id = $alive")" = abandoned ]
finish
