#!/usr/bin/env bash
# recon retain --before DATE: personal data of policies whose cover ended more than
# RECON_RETENTION_YEARS (default 5) years before DATE is gone from every table,
# amounts and dates stay (a new evaluation and the day's reports come out the same
# but for the masked payer), policies still inside retention are untouched, the
# boundaries are exact, a second run changes nothing, usage errors exit 64.
. "$(dirname "$0")/lib.sh"
FIX=fixtures/register

# Fixture register (fixtures/register/policies.csv), cover ends:
#   P2024000000010 冯十二 2025-01-29 (default period from 2024-01-30)
#   P2024000000009 郑十一 2025-02-28 (from 29 February 2024)
#   P2026000000005 钱七   cancelled 2026-03-24: last day of cover 2026-03-23
#   P2025000000012 褚十四 2026-06-14
#   P2026000000004 赵六   cancelled 2026-07-01
# everything else ends in 2027.

dump() { # every row of schema recon, as text
    pg_dump --data-only --schema=recon "$RECON_DB" 2>/dev/null
}
absent_everywhere() { # VALUE...: none of them in any table
    local d v
    d=$(dump)
    [ -n "$d" ] || return 1
    for v in "$@"; do
        if contains "$d" "$v"; then
            echo "#   still stored: $v"
            return 1
        fi
    done
}
snapshot() { # the non-personal figures a replay or report is made of
    sql "SELECT policy_no, status, status_since, next_due_date, oldest_unpaid_due_date, days_overdue, arrears, credit, paid_installments, total_installments FROM recon.policy_status ORDER BY policy_no"
    sql "SELECT policy_no, receipt_id, installment, amount FROM recon.allocations ORDER BY 1, 2, 3"
    sql "SELECT policy_no, reason, amount, due_by FROM recon.refunds_due ORDER BY 1, 2"
    sql "SELECT policy_no, seq, effective_date, from_status, to_status, reason FROM recon.status_events WHERE known_until IS NULL ORDER BY 1, 2"
    sql "SELECT receipt_id, source, transaction_key, booking_date, amount, currency, direction, policy_no, match_result, duplicate_of FROM recon.receipts ORDER BY receipt_id"
}
# receipts.csv.gz without its payer column (8th), the one column retain changes
# (no field of these fixtures holds a comma, so cut splits the CSV correctly)
receipts_report_sans_payer() {
    gzip -dc "$1/2026-06-30/receipts.csv.gz" | cut -d, -f1-7,9-
}

# --- usage errors: exit 64, nothing changed
new_db it_retain
run init
run policies load "$FIX/policies.csv"
run events load "$FIX/events.csv"
run receipts load "$FIX/receipts.csv"
check "register, events and receipts load" [ "$rc" -eq 0 ]

run retain
check "retain without --before is a usage error (64)" [ "$rc" -eq 64 ]
check "... and says how to call it" contains "$err" "usage: recon retain --before DATE"
run retain --before 2031-02-30
check "an impossible --before date is 64" [ "$rc" -eq 64 ]
check "... naming the option" contains "$err" "--before: '2031-02-30' is not a valid date"
run retain --before 2031-06-01 P2024000000009
check "a stray argument is 64" [ "$rc" -eq 64 ]
for bad in abc -1 101 5y; do
    RECON_RETENTION_YEARS=$bad run retain --before 2031-06-01
    check "RECON_RETENTION_YEARS=$bad is 64" [ "$rc" -eq 64 ]
done
check "the setting is named" contains "$err" "RECON_RETENTION_YEARS: '5y' is not a number of years 0-100"
check "usage errors changed nothing" \
    [ "$(sql "SELECT count(*) FROM recon.policies WHERE holder_name <> ''")" = 14 ]

# --- statements as well as the register: a bank credit from 郑十一 naming the
# policy, and the same transaction again in a later file (kept as a duplicate row)
cat >"$T_TMP/old.sta" <<'EOF'
:20:RETAIN1
:25:CN0001RETAIN
:28C:1/1
:60F:C240301CNY0,00
:61:2403010301C200,00NTRFNONREF//RT0001
:86:/CNTP/6222029999000011/ICBKCNBJ/郑十一///REMI/USTD//P2024000000009 郑十一 premium/
:62F:C240301CNY200,00
EOF
sed 's/^:20:RETAIN1$/:20:RETAIN2/' "$T_TMP/old.sta" >"$T_TMP/old_again.sta"
run ingest "$T_TMP/old.sta"
check "statement naming 郑十一 ingested" [ "$rc" -eq 0 ]
run ingest "$T_TMP/old_again.sta"
check "the same transaction in a second file ingested" [ "$rc" -eq 0 ]
check "stored twice, the second as a duplicate of the first" \
    [ "$(sql "SELECT count(*) FILTER (WHERE duplicate_of IS NOT NULL) || '/' || count(*) FROM recon.receipts WHERE source = 'CN0001RETAIN'")" = "1/2" ]

run process --as-of 2026-06-30
check "process before retain" [ "$rc" -eq 0 ]
check "the statement credit matched P2024000000009" \
    [ "$(sql "SELECT policy_no FROM recon.receipts WHERE source = 'CN0001RETAIN' AND duplicate_of IS NULL")" = P2024000000009 ]
run report --as-of 2026-06-30 --out "$T_TMP/before"
check "report before retain" [ "$rc" -eq 0 ]
snapshot >"$T_TMP/figures_before"
totals_before=$(sql "SELECT policy_no, count(*), sum(amount) FROM recon.receipts GROUP BY 1 ORDER BY 1")

# --- the 5-year boundary: cover ending on the cutoff day itself is kept
run retain --before 2030-01-29
check "retain exits 0" [ "$rc" -eq 0 ]
check "nothing ended before 2025-01-29 (P...010 ends that day)" \
    contains "$out" "retain: anonymised 0 policies and 0 receipts whose cover ended before 2025-01-29 (5 years before 2030-01-29)"
check "one line of output" [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]

# --- the main run: cutoff 2026-06-01
run retain --before 2031-06-01
check "retain --before 2031-06-01 exits 0" [ "$rc" -eq 0 ]
check "3 policies and their 8 receipts anonymised" \
    contains "$out" "retain: anonymised 3 policies and 8 receipts whose cover ended before 2026-06-01 (5 years before 2031-06-01)"
check "names, ID numbers and accounts of ended policies are in no table" \
    absent_everywhere 郑十一 冯十二 钱七 370101198402292468 410101199301303579 \
    320101199911117890 6222029999000011 6222021212343456 6222020000111122 \
    "P2024000000009 郑十一 premium"
check "register rows keep their numbers, dates and amounts" \
    [ "$(sql "SELECT policy_no || ' ' || holder_name || '|' || holder_id_no || '|' || payer_account || ' ' || start_date || ' ' || end_date || ' ' || premium FROM recon.policies WHERE policy_no = 'P2024000000009'")" = "P2024000000009 || 2024-02-29 2025-02-28 20000" ]
check "receipt amounts and counts per policy unchanged" \
    [ "$(sql "SELECT policy_no, count(*), sum(amount) FROM recon.receipts GROUP BY 1 ORDER BY 1")" = "$totals_before" ]
check "the duplicate row lost its payer too" \
    [ "$(sql "SELECT count(*) FROM recon.receipts WHERE source = 'CN0001RETAIN' AND payer = '' AND payer_account = '' AND remittance = ''")" = 2 ]
check "a policy ending after the cutoff keeps its data (褚十四, ends 2026-06-14)" \
    [ "$(sql "SELECT holder_name || '|' || holder_id_no || '|' || payer_account FROM recon.policies WHERE policy_no = 'P2025000000012'")" = "褚十四|430101199006155791|6222029090121234" ]
check "... and so do its receipts" \
    [ "$(sql "SELECT count(*) FROM recon.receipts WHERE policy_no = 'P2025000000012' AND payer = '褚十四'")" = 3 ]
check "a policy cancelled after the cutoff keeps its data (赵六)" \
    [ "$(sql "SELECT holder_name FROM recon.policies WHERE policy_no = 'P2026000000004'")" = 赵六 ]
check "policies still in cover untouched (11 names left)" \
    [ "$(sql "SELECT count(*) FROM recon.policies WHERE holder_name <> '' AND holder_id_no <> '' AND payer_account <> ''")" = 11 ]
check "the run is recorded in job_runs" \
    [ "$(sql "SELECT command || ' ' || as_of || ' ' || outcome || ' ' || policies || ' ' || receipts FROM recon.job_runs WHERE command = 'retain' ORDER BY run_id DESC LIMIT 1")" = "retain 2031-06-01 ok 3 8" ]

# --- the non-personal figures are what they were
run process --as-of 2026-06-30
check "process after retain" [ "$rc" -eq 0 ]
snapshot >"$T_TMP/figures_after"
check "evaluation, allocations, refunds, history and receipt figures identical" \
    cmp -s "$T_TMP/figures_before" "$T_TMP/figures_after"
run report --as-of 2026-06-30 --out "$T_TMP/after"
check "report after retain" [ "$rc" -eq 0 ]
same_reports=1
for f in policies events exceptions refunds; do
    cmp -s "$T_TMP/before/2026-06-30/$f.csv.gz" "$T_TMP/after/2026-06-30/$f.csv.gz" || {
        echo "#   $f.csv.gz differs"
        same_reports=0
    }
done
check "policies, events, exceptions and refunds reports byte-identical" [ "$same_reports" = 1 ]
check "summary report identical" \
    cmp -s <(gzip -dc "$T_TMP/before/2026-06-30/summary.txt.gz") <(gzip -dc "$T_TMP/after/2026-06-30/summary.txt.gz")
check "receipts report identical but for the payer column" \
    [ "$(receipts_report_sans_payer "$T_TMP/before")" = "$(receipts_report_sans_payer "$T_TMP/after")" ]

# --- idempotent
run retain --before 2031-06-01
check "a second run changes nothing" \
    contains "$out" "retain: anonymised 0 policies and 0 receipts whose cover ended before 2026-06-01"

# --- exact boundaries with RECON_RETENTION_YEARS=0 (DATE is then the cutoff)
new_db it_retain_edge
run init
run policies load "$FIX/policies.csv"
run events load "$FIX/events.csv"
RECON_RETENTION_YEARS=0 run retain --before 2025-02-28
check "years=0: cover ending 2025-01-29 is before 2025-02-28" \
    contains "$out" "anonymised 1 policies and 0 receipts whose cover ended before 2025-02-28 (0 years before 2025-02-28)"
check "... and cover ending on 2025-02-28 itself is kept (郑十一)" \
    [ "$(sql "SELECT holder_name FROM recon.policies WHERE policy_no = 'P2024000000009'")" = 郑十一 ]
RECON_RETENTION_YEARS=0 run retain --before 2026-03-23
check "a cancellation on 2026-03-24 covers through 03-23: kept at 03-23" \
    [ "$(sql "SELECT holder_name FROM recon.policies WHERE policy_no = 'P2026000000005'")" = 钱七 ]
RECON_RETENTION_YEARS=0 run retain --before 2026-03-24
check "... and anonymised at 03-24" \
    [ "$(sql "SELECT holder_name FROM recon.policies WHERE policy_no = 'P2026000000005'")" = "" ]
check "the cancelled policy keeps its dates and premium" \
    [ "$(sql "SELECT end_date || ' ' || premium FROM recon.policies WHERE policy_no = 'P2026000000005'")" = "2027-01-14 3100" ]
RECON_RETENTION_YEARS=1 run retain --before 2028-02-29
check "a 29 February reference date counts back to 28 February" \
    contains "$out" "whose cover ended before 2027-02-28 (1 years before 2028-02-29)"

# --- the job lock: a retain while another run holds it exits 75 and changes nothing
new_db it_retain_lock
run init
run policies load "$FIX/policies.csv"
run events load "$FIX/events.csv"
names_before=$(sql "SELECT policy_no || '|' || holder_name || '|' || holder_id_no || '|' || payer_account FROM recon.policies ORDER BY 1")
# a psql session stands in for a running recon: it holds the job lock ("reconJOB")
PGAPPNAME=retain_lock_holder psql -X -qAt "$RECON_DB" \
    -c "SELECT pg_advisory_lock(8243104023214444354)" -c "SELECT pg_sleep(60)" >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 100); do
    [ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -gt 0 ] && break
    sleep 0.05
done
run retain --before 2031-06-01
check "retain while another run holds the job lock exits 75" [ "$rc" -eq 75 ]
check "... saying so" contains "$err" "another recon run holds the lock"
check "... anonymises nothing" \
    [ "$(sql "SELECT policy_no || '|' || holder_name || '|' || holder_id_no || '|' || payer_account FROM recon.policies ORDER BY 1")" = "$names_before" ]
check "... and records no run" [ "$(sql "SELECT count(*) FROM recon.job_runs")" = 0 ]
sql "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'retain_lock_holder'" >/dev/null
wait "$holder" 2>/dev/null
for _ in $(seq 1 100); do
    [ "$(sql "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted")" -eq 0 ] && break
    sleep 0.05
done

# --- RECON_RETENTION_YEARS through the command: 6 years keeps what 5 years takes
RECON_RETENTION_YEARS=6 run retain --before 2031-06-01
check "RECON_RETENTION_YEARS=6 after the lock is free: 2 policies ended before 2025-06-01" \
    contains "$out" "retain: anonymised 2 policies and 0 receipts whose cover ended before 2025-06-01 (6 years before 2031-06-01)"
check "... 钱七 (cover to 2026-03-23) kept at 6 years" \
    [ "$(sql "SELECT holder_name FROM recon.policies WHERE policy_no = 'P2026000000005'")" = 钱七 ]
run retain --before 2031-06-01
check "the default (5 years) takes it as well" \
    contains "$out" "retain: anonymised 1 policies and 0 receipts whose cover ended before 2026-06-01 (5 years before 2031-06-01)"
RECON_RETENTION_YEARS=x run retain --before 2040-06-01
check "a bad RECON_RETENTION_YEARS is 64" [ "$rc" -eq 64 ]
check "... and changes nothing (3 anonymised, as before)" \
    [ "$(sql "SELECT count(*) FROM recon.policies WHERE holder_name = ''")" = 3 ]
finish
