#!/usr/bin/env bash
# ingest -> match -> process against the real server: outcomes, status changes,
# late data correcting history, reruns changing nothing, the job lock.
. "$(dirname "$0")/lib.sh"
FIX=fixtures/register
BANK=fixtures/statements/e2e/bank_cny_2026-06-01.sta

new_db it_process
run init
run policies load "$FIX/policies.csv"
run events load "$FIX/events.csv"
run receipts load "$FIX/receipts.csv"
run process
check "process needs --as-of" [ "$rc" -eq 64 ]

run process --as-of 2026-06-30
check "process runs" [ "$rc" -eq 0 ]
check "process summary" contains "$out" "processed 14 policies as of 2026-06-30"
check "P11 suspended on 06-29 before the bank file arrives" \
    [ "$(sql "SELECT status || ' ' || status_since FROM recon.policy_status WHERE policy_no = 'P2026000000011'")" = "suspended 2026-06-29" ]
run process --as-of 2026-06-30
check "rerunning the same night adds no events" contains "$out" "0 new events, 0 superseded"

# The bank file for 06-01 arrives late, after the 06-30 run.
run ingest "$BANK"
check "bank file ingested" [ "$rc" -eq 0 ]
run process --as-of 2026-07-01
check "matching counts" contains "$out" "5 receipts matched (2 identified, 2 unidentified, 1 ambiguous"
check "policy number in remittance matched" \
    [ "$(sql "SELECT policy_no || ' ' || match_result FROM recon.receipts WHERE transaction_key = 'B0001'")" = "P2026000000011 identified" ]
check "unknown policy number is unidentified" \
    [ "$(sql "SELECT coalesce(policy_no, '-') || ' ' || match_result || ' ' || match_note FROM recon.receipts WHERE transaction_key = 'B0002'")" = "- unidentified unknown policy P2026000000099" ]
check "two policy numbers are ambiguous" \
    [ "$(sql "SELECT coalesce(policy_no, '-') || ' ' || match_result FROM recon.receipts WHERE transaction_key = 'B0003'")" = "- ambiguous" ]
check "no reference and no known account is unidentified" \
    [ "$(sql "SELECT match_result FROM recon.receipts WHERE transaction_key = 'B0004'")" = "unidentified" ]
check "payer account held by one policy identifies it" \
    [ "$(sql "SELECT policy_no || ' ' || match_note FROM recon.receipts WHERE transaction_key = 'B0005'")" = "P2026000000003 payer account" ]
check "late money reinstates cover in the past: P11 in force since 06-01" \
    [ "$(sql "SELECT status || ' ' || status_since FROM recon.policy_status WHERE policy_no = 'P2026000000011'")" = "in_force 2026-06-01" ]
check "the old suspension is closed as of the run that learned better" \
    [ "$(sql "SELECT count(*) FROM recon.status_events WHERE policy_no = 'P2026000000011' AND to_status = 'suspended' AND known_until = '2026-07-01'")" = "1" ]
check "the correction is known from 07-01 with its true effective date" \
    [ "$(sql "SELECT effective_date || ' ' || from_status || '>' || to_status FROM recon.status_events WHERE policy_no = 'P2026000000011' AND known_from = '2026-07-01' AND known_until IS NULL")" = "2026-06-01 grace>in_force" ]
check "money after D+30 does not undo a suspension (P3 suspended 06-01)" \
    [ "$(sql "SELECT status || ' ' || status_since FROM recon.policy_status WHERE policy_no = 'P2026000000003'")" = "suspended 2026-06-01" ]
# allocations are kept for the night's own receipts (the ones its reports list):
# P11's late 60.00 pays installments 3 and 4, the ones open after its earlier money
check "allocations stored for the night's receipt" \
    [ "$(sql "SELECT string_agg(a.installment || ':' || a.amount, ' ' ORDER BY a.installment) FROM recon.allocations a JOIN recon.receipts r USING (receipt_id) WHERE r.transaction_key = 'B0001'")" = "3:3000 4:3000" ]
check "no allocations of receipts known before the night" \
    [ "$(sql "SELECT count(*) FROM recon.allocations a JOIN recon.receipts_known r USING (receipt_id) WHERE r.known_on IS DISTINCT FROM a.as_of")" = "0" ]
check "refunds stored (P5 cancellation 21.00)" \
    [ "$(sql "SELECT amount || ' ' || due_by FROM recon.refunds_due WHERE policy_no = 'P2026000000005' AND reason = 'cancellation'")" = "2100 2026-04-23" ]
check "runs recorded" [ "$(sql "SELECT count(*) FILTER (WHERE outcome = 'ok'), count(*) FROM recon.job_runs")" = "3|3" ]

run status P2026000000011 --as-of 2026-07-01
check "status explains the bank payment" contains "$out" "grace -> in_force: installment 3 due 2026-05-29 paid in full by receipt"

# Reports for the day: every file, stable bytes, verifiable manifest.
run report --as-of 2026-06-30 --out "$T_TMP/out"
check "report refuses an evaluation of another day" [ "$rc" -eq 65 ]
check "stale evaluation hint" contains "$err" "hint: run recon process --as-of 2026-06-30 first"
run report --as-of 2026-07-01 --out "$T_TMP/out"
check "report runs" [ "$rc" -eq 0 ]
for f in receipts.csv.gz policies.csv.gz events.csv.gz exceptions.csv.gz refunds.csv.gz summary.txt.gz MANIFEST.sha256 INPUTS.sha256; do
    check "report file $f written" [ -s "$T_TMP/out/2026-07-01/$f" ]
done
check "manifest verifies with sha256sum -c" sh -c "cd '$T_TMP/out/2026-07-01' && sha256sum -c --quiet MANIFEST.sha256"
check "inputs list the bank file" contains "$(cat "$T_TMP/out/2026-07-01/INPUTS.sha256")" "  bank_cny_2026-06-01.sta"
check "no timestamp in the gzip header" [ "$(od -An -tx1 -j4 -N4 "$T_TMP/out/2026-07-01/policies.csv.gz" | tr -d ' ')" = "00000000" ]
check "policies header per interface.md" [ "$(zcat "$T_TMP/out/2026-07-01/policies.csv.gz" | head -1)" = "policy_no,status,status_since,next_due_date,oldest_unpaid_due_date,days_overdue,arrears,credit,paid_installments,total_installments,ageing" ]
check "the day's events show the correction with its true date" contains "$(zcat "$T_TMP/out/2026-07-01/events.csv.gz")" "P2026000000011,2026-06-01,grace,in_force,installment 3 due 2026-05-29 paid in full by receipt"
check "receipts report masks payers" lacks "$(zcat "$T_TMP/out/2026-07-01/receipts.csv.gz")" "WANG WU"
check "ambiguous receipt is an exception" contains "$(zcat "$T_TMP/out/2026-07-01/exceptions.csv.gz")" "ambiguous,"
check "refund rows in yuan" contains "$(zcat "$T_TMP/out/2026-07-01/refunds.csv.gz")" "P2026000000005,cancellation,21.00,2026-04-23"
cp -r "$T_TMP/out/2026-07-01" "$T_TMP/first"
run report --as-of 2026-07-01 --out "$T_TMP/out"
check "rerunning the report gives identical bytes" diff -r "$T_TMP/first" "$T_TMP/out/2026-07-01"
check "no temporary files left" [ -z "$(find "$T_TMP/out" -name '.*.tmp')" ]

# A second run while one holds the lock exits 75 at once.
psql -X -q "$RECON_DB" -c "SELECT pg_advisory_lock(x'7265636f6e4a4f42'::bigint), pg_sleep(3)" >/dev/null 2>&1 &
locker=$!
sleep 1
run process --as-of 2026-07-01
check "a concurrent run is refused with 75" [ "$rc" -eq 75 ]
check "lock message" contains "$err" "recon: another recon run holds the lock; try later"
wait $locker
finish
