#!/usr/bin/env bash
# Catch-up of missed nights: after nightly D1, nightly D4 first runs D2 and D3
# (each with its own reports and job_runs row, each taking only the files
# dated on or before it), with reports byte-identical to nights run one by
# one; --no-catch-up runs D4 alone; a gap over a year is refused; --as-of
# yesterday/today name China-time days.
. "$(dirname "$0")/lib.sh"
SC=fixtures/scenario
export RECON_SETTLEMENT_ACCOUNTS="wechat:TENPAY0001,alipay:ALIPAY0001"
inbox="$T_TMP/inbox"
mkdir -p "$inbox"
# Every scenario file but the bad one, which arrives while the server is down.
for f in "$SC"/inbox/*; do
    case "$f" in *_bad.sta) ;; *) cp "$f" "$inbox/" ;; esac
done

setup() {
    new_db "$1"
    run init
    run policies load "$SC/policies.csv"
    run events load "$SC/events.csv"
}
night() { run nightly --as-of "$1" --inbox "$inbox" --out "$2" --profile icbc "${@:3}"; }
runs() { sql "SELECT string_agg(as_of || ' ' || outcome || ' ' || exit_code || ' ' || files_ingested || ' ' || files_rejected, ', ' ORDER BY run_id) FROM recon.job_runs WHERE command = 'nightly'"; }

# Database A: the timer fires on 06-05, then not until 06-08.
setup it_catchup_a
outa="$T_TMP/a"
night 2026-06-05 "$outa"
check "the first nightly has nothing to catch up" [ "$rc" -eq 0 ]
check "... and says nothing about it" lacks "$out" "catching up"
check "... and writes its night only" [ "$(ls "$outa" | tr "\n" " ")" = "2026-06-05 index.html " ]
cp "$SC/inbox/mt940_2026-06-30_bad.sta" "$inbox/"
night 2026-06-08 "$outa"
check "a caught-up night that rejected a file makes the run exit 65" [ "$rc" -eq 65 ]
check "the missed nights are named" contains "$out" "catching up 2 missed nights before 2026-06-08: 2026-06-06 to 2026-06-07"
check "the nights run in order" [ "$(grep '^nightly ' <<<"$out" | tr '\n' ' ')" = "nightly 2026-06-06 nightly 2026-06-07 nightly 2026-06-08 " ]
check "every missed night has its reports" [ "$(ls "$outa" | tr '\n' ' ')" = "2026-06-05 2026-06-06 2026-06-07 2026-06-08 index.html quarantine " ]
ok=1
for d in 2026-06-06 2026-06-07 2026-06-08; do
    (cd "$outa/$d" && sha256sum -c --quiet MANIFEST.sha256) || ok=0
done
check "... and each manifest verifies" [ "$ok" -eq 1 ]
runs_a=$(runs)
check "each night is its own job_runs row (the rejection on the first missed night)" \
    [ "$runs_a" = "2026-06-05 ok 0 15 0, 2026-06-06 partial 65 2 1, 2026-06-07 ok 0 0 0, 2026-06-08 ok 0 0 0" ]
check "a caught-up night takes only the files dated on or before it" \
    [ "$(cut -c67- "$outa/2026-06-06/INPUTS.sha256" | tr '\n' ' ')" = "camt053_2026-06-06.xml mt940_2026-06-06.sta mt940_2026-06-30_bad.sta " ]
check "the rejection is reported once, with its quarantine" contains "$err" "1 inbox file rejected; see $outa/quarantine"

night 2026-06-08 "$outa"
check "rerunning the asked night catches nothing up" lacks "$out" "catching up"
# 06-06 refused a file: its rerun says so again (65), and runs no other night
night 2026-06-06 "$outa"
check "an earlier night rerun catches nothing up" lacks "$out" "catching up"
check "... and, having refused a file, exits 65 again" [ "$rc" -eq 65 ]

# Database B: the same nights run one by one, on time.
setup it_catchup_b
outb="$T_TMP/b"
mv "$inbox/mt940_2026-06-30_bad.sta" "$T_TMP/"
night 2026-06-05 "$outb"
mv "$T_TMP/mt940_2026-06-30_bad.sta" "$inbox/"
for d in 2026-06-06 2026-06-07 2026-06-08; do night "$d" "$outb"; done
check "caught-up reports are byte-identical to nights run one by one" \
    diff -r "$outa/2026-06-06" "$outb/2026-06-06"
check "... 06-07" diff -r "$outa/2026-06-07" "$outb/2026-06-07"
check "... 06-08" diff -r "$outa/2026-06-08" "$outb/2026-06-08"
check "... and the same quarantine" diff -r "$outa/quarantine" "$outb/quarantine"

# Database C: --no-catch-up runs the asked night alone.
setup it_catchup_c
outc="$T_TMP/c"
mv "$inbox/mt940_2026-06-30_bad.sta" "$T_TMP/"
night 2026-06-05 "$outc"
mv "$T_TMP/mt940_2026-06-30_bad.sta" "$inbox/"
night 2026-06-08 "$outc" --no-catch-up
check "--no-catch-up: exit 65 (its night rejects the file)" [ "$rc" -eq 65 ]
check "--no-catch-up: no missed night is run" [ "$(ls "$outc" | tr '\n' ' ')" = "2026-06-05 2026-06-08 index.html quarantine " ]
check "--no-catch-up: one job row for the night" [ "$(runs)" = "2026-06-05 ok 0 15 0, 2026-06-08 partial 65 2 1" ]

# More than a year missed: refused before any night is run, with a way out.
night 2027-06-11 "$outc"
check "a gap over 366 nights is refused as usage (64)" [ "$rc" -eq 64 ]
check "... naming the gap and the way out" contains "$err" "367 nights missed between the last completed nightly (2026-06-08) and 2027-06-11, more than 366; hint: run an earlier night first (each catches up at most 366), or add --no-catch-up"
check "... and nothing is written" [ ! -e "$outc/2026-06-09" ] && [ ! -e "$outc/2027-06-11" ]
night 2027-06-09 "$outc" --no-catch-up
check "with --no-catch-up the far night runs alone" [ "$rc" -eq 0 ] && [ -d "$outc/2027-06-09" ]
night 2027-06-10 "$outc"
check "after it, the next night has nothing to catch up" [ "$rc" -eq 0 ] && lacks "$out" "catching up"

# A failed night is not completed: the next run catches it up.
sql "UPDATE recon.job_runs SET outcome = 'failed', exit_code = 70 WHERE as_of = '2027-06-10'" >/dev/null
night 2027-06-11 "$outc"
check "a night whose run failed is caught up by the next run" \
    contains "$out" "catching up 1 missed night before 2027-06-11: 2027-06-10"

# --as-of yesterday and today are China-local days (UTC+8).
y1=$(TZ=Asia/Shanghai date -d yesterday +%F)
run nightly --as-of yesterday --inbox "$inbox" --out "$outc" --profile icbc --no-catch-up
y2=$(TZ=Asia/Shanghai date -d yesterday +%F)
check "--as-of yesterday is yesterday in China" [ -d "$outc/$y1" ] || [ -d "$outc/$y2" ]
check "... recorded as that night" contains "$y1 $y2" "$(sql "SELECT as_of FROM recon.job_runs ORDER BY run_id DESC LIMIT 1")"
t1=$(TZ=Asia/Shanghai date +%F)
run process --as-of today
t2=$(TZ=Asia/Shanghai date +%F)
check "--as-of today is today in China" contains "$t1 $t2" "$(sql "SELECT as_of FROM recon.job_runs ORDER BY run_id DESC LIMIT 1")"
run process --as-of tomorrow
check "other words are refused (64)" [ "$rc" -eq 64 ]
check "... with the accepted forms" contains "$err" "--as-of: 'tomorrow' is not a valid date (YYYY-MM-DD); hint: today and yesterday (China time) are accepted too"
run retain --before yesterday
check "retain --before takes yesterday" [ "$rc" -eq 0 ]
finish
