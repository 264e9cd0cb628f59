#!/usr/bin/env bash
# init, policies/events/receipts load and status against the real server.
. "$(dirname "$0")/lib.sh"
FIX=fixtures/register
# The newest migration's number is the schema version this build expects; numbers may
# have gaps (each helper of an issue takes its own), so the count is separate.
V=$(ls schema/*.sql | sed -n 's|^schema/0*\([0-9][0-9]*\)_.*|\1|p' | sort -n | tail -1)
N=$(ls schema/*.sql | wc -l)

new_db it_register
run init
check "init creates the schema" [ "$rc" -eq 0 ]
check "init reports the version" contains "$out" "schema at version $V ($N migrations applied)"
run init
check "init is idempotent" contains "$out" "schema at version $V (0 migrations applied)"

new_db it_upgrade
RECON_SCHEMA_TARGET=1 run init
check "an older schema can exist" contains "$out" "schema at version 1 (1 migration applied)"
run policies load "$FIX/policies.csv"
check "commands refuse an old schema with a hint" [ "$rc" -eq 69 ]
check "the hint names recon init" contains "$err" "database schema is at version 1, this recon needs $V; hint: run recon init"
run init
check "init upgrades an older schema" contains "$out" "schema at version $V ($((N - 1)) migrations applied)"

# A database from before 012 holds stored schedules; upgrading drops them, keeps the register.
new_db it_upgrade
RECON_SCHEMA_TARGET=11 run init
sql "INSERT INTO recon.policies (policy_no, holder_name, payment_mode, start_date, end_date, premium, net_premium) VALUES ('P1', 'a', 'single', '2026-01-01', '2026-12-31', 100, 100); INSERT INTO recon.installments VALUES ('P1', 1, '2026-01-01', '2026-12-31', 100)"
run init
check "a database from 011 upgrades" contains "$out" "schema at version $V"
check "upgrading past 012 drops the stored schedules" [ "$(sql "SELECT to_regclass('recon.installments') IS NULL")" = t ]
check "and keeps the register" [ "$(sql "SELECT count(*) FROM recon.policies")" = 1 ]

new_db it_register
run init
run policies load "$FIX/policies.csv"
check "register loads" [ "$rc" -eq 0 ]
check "register counts" contains "$out" "14 policies loaded (14 new, 0 updated or unchanged)"
# The schedule is not stored: status shows the one the core computes from the terms.
run status P2026000000003 --as-of 2026-01-01
due=$(printf '%s\n' "$out" | awk '/^installments$/ {on = 1; next} /^$/ {on = 0} on && $1 ~ /^[0-9]+$/ {printf "%s%s", sep, $2; sep = " "}')
check "installments per 释义7 (a 31st start)" [ "$due" = "2026-01-31 2026-03-01 2026-03-31 2026-05-01 2026-05-31 2026-07-01 2026-07-31 2026-08-31 2026-10-01 2026-10-31 2026-12-01 2026-12-31" ]
check "no schedule table is written" [ "$(sql "SELECT to_regclass('recon.installments') IS NULL")" = t ]
check "default end date for a 29 February start" [ "$(sql "SELECT end_date FROM recon.policies WHERE policy_no = 'P2024000000009'")" = "2025-02-28" ]
run policies load "$FIX/policies.csv"
check "reloading the register upserts" contains "$out" "14 policies loaded (0 new, 14 updated or unchanged)"

cat >"$T_TMP/bad.csv" <<'CSV'
policy_no,holder_name,holder_id_no,payment_mode,start_date,end_date,premium,net_premium,currency,payer_account
P2026000000099,甲,1,monthly,2026-01-15,,30.00,,CNY,
P2026000000098,乙,2,monthly,2026-02-30,,30.00,,CNY,
P2026000000097,丙,3,monthly,2026-01-15,,30.005,,CNY,
P2026000000096,丁,4,weekly,2026-01-15,,30.00,,CNY,
CSV
run policies load "$T_TMP/bad.csv"
check "a bad register is rejected with 65" [ "$rc" -eq 65 ]
check "bad date named with file and line" contains "$err" "recon: error: $T_TMP/bad.csv: line 3: start_date '2026-02-30': not a valid date (YYYY-MM-DD)"
check "bad amount named" contains "$err" "$T_TMP/bad.csv: line 4: premium '30.005': not a decimal amount"
check "bad mode named" contains "$err" "$T_TMP/bad.csv: line 5: payment_mode 'weekly': expected monthly or single"
check "summary line" contains "$err" "recon: $T_TMP/bad.csv: 3 bad rows; file rejected, nothing stored"
check "nothing stored from a rejected register" [ "$(sql "SELECT count(*) FROM recon.policies")" = "14" ]

printf 'policy_no,holder_name,holder_id_no,payment_mode,start_date,end_date,premium,net_premium,currency,payer_account\nP1,a,,monthly,2026-01-01,,1.00,,CNY,\nP1,b,,monthly,2026-01-01,,1.00,,CNY,\n' >"$T_TMP/dup.csv"
run policies load "$T_TMP/dup.csv"
check "duplicate policy in one file rejected" contains "$err" "$T_TMP/dup.csv: line 3: policy_no 'P1' already on line 2"
check "no partial register after a duplicate" [ "$(sql "SELECT count(*) FROM recon.policies WHERE policy_no = 'P1'")" = "0" ]

printf 'policy_no,event\nP1,x\n' >"$T_TMP/hdr.csv"
run events load "$T_TMP/hdr.csv"
check "wrong header named" contains "$err" "$T_TMP/hdr.csv: line 1: expected header policy_no,event,date"

printf 'policy_no,event,date\nP2026000000001,cancellation_request,2026-05-01\nPNOPE,reinstatement_agreement,2026-05-01\n' >"$T_TMP/ev.csv"
run events load "$T_TMP/ev.csv"
check "unknown policy in events rejected" [ "$rc" -eq 65 ]
check "unknown policy named with line" contains "$err" "$T_TMP/ev.csv: line 3: unknown policy 'PNOPE'"
check "nothing stored from rejected events" [ "$(sql "SELECT count(*) FROM recon.cancellation_requests")" = "0" ]

run events load "$FIX/events.csv"
check "events load" contains "$out" "2 new agreements, 2 new cancellation requests"
run events load "$FIX/events.csv"
check "events reload is idempotent" contains "$out" "0 new agreements, 0 new cancellation requests"
run receipts load "$FIX/receipts.csv"
check "receipts load" contains "$out" "33 receipts, 33 new, 0 already stored"
run receipts load "$FIX/receipts.csv"
check "the same receipt twice counts once" contains "$out" "33 receipts, 0 new, 33 already stored"

run status P2026000000002 --as-of 2026-04-30
check "status runs" [ "$rc" -eq 0 ]
check "status line" contains "$out" "as of 2026-04-30: suspended since 2026-04-15  arrears 60.00  credit 0.00  paid 2 of 12"
check "grace event with reason" contains "$out" "2026-03-16  in_force -> grace: installment 3 due 2026-03-15 unpaid (received 0.00 of 30.00)"
check "suspension event with reason" contains "$out" "2026-04-15  grace -> suspended: installment 3 due 2026-03-15 not paid in full by 2026-04-14"
check "holder name masked" contains "$out" "holder 李*  payer account 6222********3210"
check "full name not shown" lacks "$out" "李四"
run status P2026000000002 --as-of 2026-04-30 --unmasked
check "--unmasked shows the name" contains "$out" "holder 李四"

run status P2026000000006 --as-of 2026-05-31
check "reinstatement explained" contains "$out" "2026-05-10  suspended -> in_force: reinstated: back premium for installments 3-4 (60.00) covered by receipt"
run status P2026000000005 --as-of 2026-04-01
check "cancellation refund 21.00 due 2026-04-23" contains "$out" "cancellation 21.00 by 2026-04-23"
run status P2026000000004 --as-of 2026-07-02
check "single premium refund 197.00" contains "$out" "cancellation 197.00 by 2026-07-31"
run status P2026000000013 --as-of 2026-04-20
check "reinstated on D+31 has both events" contains "$out" "2026-04-15  grace -> suspended"
check "... and the reinstatement the same day" contains "$out" "2026-04-15  suspended -> in_force"

run status PNOPE --as-of 2026-04-30
check "unknown policy" [ "$rc" -eq 65 ]
check "unknown policy message" contains "$err" "recon: policy PNOPE not found in the register"
run status "P1'; DROP TABLE recon.policies; --" --as-of 2026-04-30
check "an SQL-looking policy number is just an unknown policy" [ "$rc" -eq 65 ]
check "and is named byte for byte" contains "$err" "recon: policy P1'; DROP TABLE recon.policies; -- not found in the register"
check "register intact" [ "$(sql "SELECT count(*) FROM recon.policies")" = "14" ]

run status P2026000000002 --as-of 2026-02-30
check "bad --as-of is a usage error" [ "$rc" -eq 64 ]
check "bad --as-of message" contains "$err" "recon: --as-of: '2026-02-30' is not a valid date (YYYY-MM-DD)"
run frobnicate
check "unknown command is 64" [ "$rc" -eq 64 ]
run --db "host=/nonexistent dbname=x" init
check "unreachable database is 69" [ "$rc" -eq 69 ]
check "unreachable database message is one line" [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]

unset RECON_DB
run db status
check "db status reports the suite's cluster" contains "$out" ": running"
finish
