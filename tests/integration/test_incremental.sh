#!/usr/bin/env bash
# Incremental evaluation (issue 16): a night evaluates only the policies whose
# inputs changed or whose state the calendar moves, and its reports are byte for
# byte those of a night that evaluates every policy (RECON_EVALUATION=full,
# process --full). Two worlds are replayed night by night both ways: the demo
# scenario and a generated world (fixtures/gen: statements arriving daily, late
# and reversed money, reinstatements and cancellations).
. "$(dirname "$0")/lib.sh"

# same_reports A B: every night's files under A and B are identical (the .gz
# ones decompressed, so that a difference names its line).
same_reports() {
    local a=$1 b=$2 bad="" n=0
    for d in "$a"/20*; do
        day=$(basename "$d")
        n=$((n + 1))
        for f in "$d"/*; do
            name=$(basename "$f")
            [ -f "$f" ] || continue
            case "$name" in
                *.gz) cmp -s <(zcat "$f") <(zcat "$b/$day/$name" 2>/dev/null) || bad="$bad $day/$name" ;;
                *) cmp -s "$f" "$b/$day/$name" || bad="$bad $day/$name" ;;
            esac
        done
    done
    [ "$n" -gt 0 ] && [ -z "$bad" ] && return 0
    echo "# nights: $n; differing:$bad"
    return 1
}

# --- the demo, incremental and full --------------------------------------------
# The two demos run side by side (one core each), each on its own database.
demo_mode() { # DATABASE MODE OUT
    export RECON_DB="host=$PG_SOCKET_DIR dbname=$1 user=postgres" RECON_EVALUATION=$2
    { "$RECON_BIN" init && "$RECON_BIN" demo --out "$T_TMP/$3"; } >"$T_TMP/$3.log" 2>&1
    echo $? >"$T_TMP/$3.rc"
}
new_db it_incr_demo_full
new_db it_incr_demo
demo_mode it_incr_demo_full full demo_full &
demo_mode it_incr_demo incremental demo_incr &
wait
check "demo with every policy evaluated each night: exit 0" [ "$(cat "$T_TMP/demo_full.rc")" = 0 ]
check "demo, incremental: exit 0" [ "$(cat "$T_TMP/demo_incr.rc")" = 0 ]
check "every night of the demo: incremental reports equal full ones" \
    same_reports "$T_TMP/demo_incr" "$T_TMP/demo_full"
check "and the nights are the same ones" \
    [ "$(ls "$T_TMP/demo_incr" | grep -c '^20')" = "$(ls "$T_TMP/demo_full" | grep -c '^20')" ]

# --- unchanged policies are not evaluated; a grace end with no input is --------
last=$(sql "SELECT night FROM recon.evaluation_night")
total=$(sql "SELECT count(*) FROM recon.policies")
next=$(date -d "$last + 1 day" +%F)
run process --as-of "$next"
check "the night after the demo: exit 0" [ "$rc" -eq 0 ]
check "  reports the policies evaluated" contains "$out" "processed $total policies as of $next ("
check "  the count kept night by night (register loads, incremental nights) is the table's" \
    [ "$(sql "SELECT policies FROM recon.evaluation_night")" = "$(sql "SELECT count(*) FROM recon.policy_state")" ]
run process --as-of "$next"
check "the same night again with nothing new evaluates no policy" \
    contains "$out" "processed $total policies as of $next (0 evaluated)"
# A policy in grace whose suspension day (due + 31) is its next change: the nights
# after the demo bring one (its next premium falls due unpaid).
grace_policy() {
    sql "SELECT policy_no || ' ' || oldest_unpaid_due_date || ' ' || next_change
        FROM recon.policy_state WHERE status = 'grace' AND next_change = oldest_unpaid_due_date + 31
        ORDER BY policy_no LIMIT 1"
}
d=$next
pol=""
for _ in $(seq 1 40); do
    read -r pol due change <<<"$(grace_policy)"
    [ -n "$pol" ] && break
    d=$(date -d "$d + 1 day" +%F)
    "$RECON_BIN" process --as-of "$d" >/dev/null 2>&1 || break
done
check "the nights after the demo bring a policy into grace, to suspend later" [ -n "$pol" ]
before=$(date -d "$change - 1 day" +%F)
run process --as-of "$before"
check "the day before its grace ends: exit 0" [ "$rc" -eq 0 ]
check "  not every policy is evaluated" lacks "$out" "($total evaluated"
check "  yet its days overdue are tonight's" \
    [ "$(sql "SELECT days_overdue FROM recon.policy_status WHERE policy_no = '$pol'")" = \
      "$(( ($(date -d "$before" +%s) - $(date -d "$due" +%s)) / 86400 ))" ]
run process --as-of "$change"
check "its grace ends with no new input: exit 0" [ "$rc" -eq 0 ]
check "  $pol is evaluated" \
    [ "$(sql "SELECT evaluated_on FROM recon.policy_state WHERE policy_no = '$pol'")" = "$change" ]
check "  and suspended from that day" \
    [ "$(sql "SELECT status || ' ' || status_since FROM recon.policy_status WHERE policy_no = '$pol'")" = "suspended $change" ]
run report --as-of "$change" --out "$T_TMP/after_incr"
run process --as-of "$change" --full
check "process --full: every policy evaluated" contains "$out" "($total evaluated, all)"
run report --as-of "$change" --out "$T_TMP/after_full"
check "  and its reports equal the incremental night's" \
    same_reports "$T_TMP/after_incr" "$T_TMP/after_full"
# An earlier night processed again sees what that night saw: everything evaluated.
run process --as-of "$before"
check "an earlier night again evaluates every policy" contains "$out" "($total evaluated, all)"
# Other rules: everything evaluated again.
run process --as-of "$change"
RECON_TOLERANCE=0.01 run process --as-of "$change"
check "other rules evaluate every policy" contains "$out" "($total evaluated, all)"

# --- a generated world, night by night ----------------------------------------
gen="$T_TMP/gen"
cc -O1 -o "$gen" fixtures/gen/gen.c 2>"$T_TMP/gen.err"
check "the world generator builds" [ -x "$gen" ]
"$gen" --seed 7 --policies 400 --receipts 600 --month 2026-03 --out "$T_TMP/world" >/dev/null
world="$T_TMP/world"
first=$(sed -n 's/^first_day //p' "$world/world.txt")
lastday=$(sed -n 's/^last_day //p' "$world/world.txt")
month_end=$(date -d "$first - 1 day" +%F)
# Both databases see the same files on the same nights: every night's inbox holds
# every file, and nightly takes those whose date has come; 33 nights after the last
# file, so grace ends (due + 31) pass with no input. The two replays run side
# by side (one core each); each writes its own log and list of failed steps.
world_replay() {
    local mode=$1 log="$T_TMP/world_$1.log" bad="$T_TMP/world_$1.failed" d end
    export RECON_DB="host=$PG_SOCKET_DIR dbname=it_incr_world_$mode user=postgres"
    export RECON_EVALUATION=$mode
    : >"$bad"
    step() { "$RECON_BIN" "$@" >>"$log" 2>&1 || echo "$*" >>"$bad"; }
    step init
    step policies load "$world/policies.csv"
    step events load "$world/events.csv"
    step receipts load "$world/history.csv"
    step process --as-of "$month_end"
    d=$first
    end=$(date -d "$lastday + 33 days" +%F)
    while [[ "$d" < "$end" ]] || [ "$d" = "$end" ]; do
        step nightly --as-of "$d" --no-catch-up --inbox "$world/inbox" --out "$T_TMP/world_$mode"
        d=$(date -d "$d + 1 day" +%F)
    done
}
for mode in incremental full; do
    new_db "it_incr_world_$mode"
done
world_replay incremental &
world_replay full &
wait
for mode in incremental full; do
    check "generated world, $mode: every step and night runs" [ ! -s "$T_TMP/world_$mode.failed" ]
    [ -s "$T_TMP/world_$mode.failed" ] && sed 's/^/# failed: /' "$T_TMP/world_$mode.failed" | head -5
done
check "generated world: every night's incremental reports equal full ones" \
    same_reports "$T_TMP/world_incremental" "$T_TMP/world_full"
evaluated() { grep -o '[0-9]* policies evaluated' "$1" | awk '{s += $1} END {print s + 0}'; }
incr=$(evaluated "$T_TMP/world_incremental.log")
full=$(evaluated "$T_TMP/world_full.log")
echo "# policies evaluated over the nights: incremental $incr, full $full"
fewer() { [ "$1" -gt 0 ] && [ "$1" -lt "$2" ]; }
check "  with fewer evaluations than every policy every night" fewer "$incr" "$full"

# --- a month of statements at once: too much new money to look for its policies --
# At least 10,000 new receipts and a quarter of the book (sql/process_many_fresh.sql):
# the night evaluates every policy, as --full would, and says so.
"$gen" --seed 9 --policies 300 --receipts 12000 --month 2026-03 --out "$T_TMP/bulk" >/dev/null
bulk_end=$(date -d "$(sed -n 's/^first_day //p' "$T_TMP/bulk/world.txt") - 1 day" +%F)
bulk_last=$(sed -n 's/^last_day //p' "$T_TMP/bulk/world.txt")
new_db it_incr_bulk
run init
run policies load "$T_TMP/bulk/policies.csv"
run process --as-of "$bulk_end"
check "a register with its first night processed: exit 0" [ "$rc" -eq 0 ]
run ingest "$T_TMP/bulk/inbox"/*
check "a month of statements stored at once" [ "$rc" -eq 0 ] || [ "$rc" -eq 65 ]
fresh=$(sql "SELECT count(*) FROM recon.receipts")
check "  more than 10,000 new receipts ($fresh)" [ "$fresh" -ge 10000 ]
run process --as-of "$bulk_last"
check "the night after them evaluates every policy" \
    contains "$out" "processed 300 policies as of $bulk_last (300 evaluated, all)"
# What the last night evaluated is not new to the next one (store_mark_dirty): the night
# after the month evaluates only some policies, and the same night run again only those of
# its own receipts, whose allocations it stores again.
run process --as-of "$(date -d "$bulk_last + 1 day" +%F)"
check "  and the next night, only some" lacks "$out" "evaluated, all)"
check "  (and not none: the calendar moves some)" lacks "$out" "(0 evaluated"
finish
