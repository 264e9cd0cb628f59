#!/usr/bin/env bash
# The work list for finance (issue 14, item 4): ageing in policies.csv.gz and the summary,
# notices.csv.gz on the demo scenario, RECON_NOTICE_DAYS, and payment holidays
# (grace_extension events) end to end.
. "$(dirname "$0")/lib.sh"

# notices.csv.gz of a report directory, without its header
notices() { zcat "$1/notices.csv.gz" | tail -n +2; }

new_db it_worklist
run init
out_dir="$T_TMP/demo"
run demo --out "$out_dir"
check "demo runs: exit 0" [ "$rc" -eq 0 ]
last="$out_dir/2026-07-15"
check "policies.csv.gz ends with ageing" \
    [ "$(zcat "$last/policies.csv.gz" | head -1)" = "policy_no,status,status_since,next_due_date,oldest_unpaid_due_date,days_overdue,arrears,credit,paid_installments,total_installments,ageing" ]
check "a policy suspended 40 days overdue is 31-60" \
    contains "$(zcat "$last/policies.csv.gz")" "P2026100000008,suspended,2026-07-06,2026-08-05,2026-06-05,40,60.00,0.00,1,12,31-60"
check "a paid-up policy is current" \
    contains "$(zcat "$last/policies.csv.gz")" "P2026100000001,in_force,2026-04-01,2026-08-01,,0,0.00,0.00,4,12,current"
check "exceptions carry transaction_key and age_days" \
    contains "$(zcat "$out_dir/2026-06-30/exceptions.csv.gz")" "ambiguous,25,,60.00,remittance text names P2026100000011 and P2026100000012,B2606060002,24"
check "a refund a person decided names the decision, its receipt's key and age" \
    contains "$(zcat "$last/exceptions.csv.gz")" "refund_due,22,,20.00,decision: the rest was paid by mistake: returned at the payer's request (by alice),20260606CN000502,39"
check "a refund's age counts from the day it arose" \
    contains "$(zcat "$last/exceptions.csv.gz")" "refund_due,,P2026100000005,12.60,"
check "receipts.csv.gz ends with transaction_key" \
    contains "$(zcat "$last/receipts.csv.gz" | head -1)" ",unapplied,note,transaction_key"
summary=$(zcat "$last/summary.txt.gz")
check "the summary gives policies and arrears per ageing bucket" \
    contains "$summary" "policies by ageing (days overdue; arrears)
  current                                          12             0.00
  1-30                                              0             0.00
  31-60                                             1            60.00"
check "the summary gives suspense by age, the USD receipt's apart" \
    contains "$(zcat "$out_dir/2026-06-30/summary.txt.gz")" "money in suspense by age (days since booking)
  0-7                                               0             0.00
  8-30                                              2           110.00
  31-90                                             0             0.00
  90+                                               0             0.00
  8-30 USD                                          1           100.00"
# The scenario's decisions (fixtures/scenario/decisions/): on 07-01 receipts 22 and 25 leave
# suspense (split between policies, part refunded); the USD receipt's refund waits for a
# second person's approval, which comes on 07-03.
check "suspense shrinks on the night of the decisions: the refund awaiting approval stays" \
    contains "$(zcat "$out_dir/2026-07-01/summary.txt.gz")" "money in suspense (unidentified, ambiguous, other currency)
  currency USD                                      1           100.00
"
check "... and is gone once the refund is approved" \
    contains "$summary" "money in suspense (unidentified, ambiguous, other currency)
  none"
check "notices.csv.gz is in the manifest" contains "$(cat "$last/MANIFEST.sha256")" "  notices.csv.gz"
check "notices header" [ "$(zcat "$last/notices.csv.gz" | head -1)" = "policy_no,notice,effective_date,due_date,amount,deadline,detail" ]
check "grace_started: pay by D+30" [ "$(notices "$out_dir/2026-06-11")" = "P2026100000003,grace_started,2026-06-11,2026-06-10,30.00,2026-07-10,pay by 2026-07-10 to stay covered" ]
check "suspension_soon 7 days before D+31" [ "$(notices "$out_dir/2026-06-29")" = "P2026100000008,suspension_soon,2026-07-06,2026-06-05,30.00,2026-07-05,pay by 2026-07-05 to stay covered; suspended from 2026-07-06 otherwise" ]
check "suspended" contains "$(notices "$out_dir/2026-07-11")" "P2026100000003,suspended,2026-07-11,2026-06-10,50.00,2027-04-09,not covered from 2026-07-11;"
check "reinstated" contains "$(notices "$out_dir/2026-07-15")" "P2026100000003,reinstated,2026-07-14,,,,reinstated: back premium"
check "not_effective" contains "$(notices "$out_dir/2026-06-01")" "P2026100000006,not_effective,2026-06-01,2026-06-01,,,"
check "refund_due with its deadline" contains "$(notices "$out_dir/2026-07-05")" 'P2026100000005,refund_due,2026-07-05,,12.60,2026-08-04,"cancellation:' 
check "a grace already notified is not notified again" [ -z "$(notices "$out_dir/2026-06-12")" ]
all=$(for d in "$out_dir"/20*; do notices "$d"; done | awk -F, '{print $2}' | sort -u | tr '\n' ' ')
check "every notice kind shows in the scenario" [ "$all" = "grace_started not_effective refund_due reinstated suspended suspension_soon " ]

# RECON_NOTICE_DAYS: the night 3 days before P...008's suspension on 2026-07-06.
run process --as-of 2026-07-03
check "process an earlier night" [ "$rc" -eq 0 ]
run report --as-of 2026-07-03 --out "$T_TMP/n7"
check "7 days (default): no suspension_soon on 2026-07-03" lacks "$(notices "$T_TMP/n7/2026-07-03")" "suspension_soon"
RECON_NOTICE_DAYS=3 run report --as-of 2026-07-03 --out "$T_TMP/n3"
check "RECON_NOTICE_DAYS=3: suspension_soon on 2026-07-03" contains "$(notices "$T_TMP/n3/2026-07-03")" "P2026100000008,suspension_soon,2026-07-06,2026-06-05,"
RECON_NOTICE_DAYS=3 run report --as-of 2026-07-03 --out "$T_TMP/n3b"
check "notices are byte-identical on rerun" cmp -s "$T_TMP/n3/2026-07-03/MANIFEST.sha256" "$T_TMP/n3b/2026-07-03/MANIFEST.sha256"
for bad in 0 31 seven; do
    RECON_NOTICE_DAYS=$bad run report --as-of 2026-07-03 --out "$T_TMP/bad"
    check "RECON_NOTICE_DAYS=$bad: exit 64" [ "$rc" -eq 64 ]
    check "RECON_NOTICE_DAYS=$bad: named" contains "$err" "recon: RECON_NOTICE_DAYS: '$bad' is not a number of days 1-30"
done
check "a bad setting writes nothing" [ ! -e "$T_TMP/bad" ]

# Payment holidays end to end: two policies paid through February, installment 3 (due
# 03-15) unpaid; P...001 has a holiday 04-10..04-30 over its D+31 (04-15).
new_db it_holiday
run init
cat >"$T_TMP/policies.csv" <<'CSV'
policy_no,holder_name,holder_id_no,payment_mode,start_date,end_date,premium,net_premium,currency,payer_account
P2026000000001,甲,1,monthly,2026-01-15,,30.00,,CNY,
P2026000000002,乙,2,monthly,2026-01-15,,30.00,,CNY,
CSV
cat >"$T_TMP/receipts.csv" <<'CSV'
source,transaction_key,booking_date,amount,currency,policy_no,payer,remittance
counter,C1,2026-01-15,30.00,CNY,P2026000000001,甲,premium
counter,C2,2026-02-15,30.00,CNY,P2026000000001,甲,premium
counter,C3,2026-01-15,30.00,CNY,P2026000000002,乙,premium
counter,C4,2026-02-15,30.00,CNY,P2026000000002,乙,premium
CSV
run policies load "$T_TMP/policies.csv"
run receipts load "$T_TMP/receipts.csv"
check "register and receipts load" [ "$rc" -eq 0 ]

cat >"$T_TMP/bad_events.csv" <<'CSV'
policy_no,event,date,until
P2026000000001,grace_extension,2026-04-10,
P2026000000001,reinstatement_agreement,2026-04-10,2026-04-30
P2026000000001,grace_extension,2026-04-10,2026-04-09
P2026000000001,grace_extension,2026-04-10,2026-04-31
P2026000000001,grace_extension,2025-04-10,2025-04-30
CSV
run events load "$T_TMP/bad_events.csv"
check "bad grace_extension rows: exit 65" [ "$rc" -eq 65 ]
check "until is required for grace_extension" contains "$err" "bad_events.csv: line 2: until '': a grace_extension needs the last day of the payment holiday"
check "until is refused for other events" contains "$err" "bad_events.csv: line 3: until '2026-04-30': only a grace_extension has an until date; hint: leave it empty"
check "until before the date" contains "$err" "bad_events.csv: line 4: until '2026-04-09': before the grace_extension's date"
check "until must be a date" contains "$err" "bad_events.csv: line 5: until '2026-04-31': not a valid date (YYYY-MM-DD)"
check "nothing stored from a bad file" [ "$(sql "SELECT count(*) FROM recon.payment_holidays")" = 0 ]
printf 'policy_no,event,date,until\nP2026000000001,grace_extension,2025-04-10,2025-04-30\n' >"$T_TMP/outside.csv"
run events load "$T_TMP/outside.csv"
check "a holiday outside the policy period is refused" contains "$err" "outside.csv: line 2: grace_extension from 2025-04-10 outside the policy period 2026-01-15..2027-01-14"

printf 'policy_no,event,date,until\nP2026000000001,grace_extension,2026-04-10,2026-04-30\n' >"$T_TMP/events.csv"
run events load "$T_TMP/events.csv"
check "grace_extension loads" contains "$out" "1 rows; 0 new agreements, 0 new cancellation requests, 1 new payment holidays"
printf 'policy_no,event,date\nP2026000000002,reinstatement_agreement,2026-05-20\n' >"$T_TMP/plain.csv"
run events load "$T_TMP/plain.csv"
check "an events file without until still loads" [ "$rc" -eq 0 ]

run status P2026000000001 --as-of 2026-05-10
check "with the holiday: suspended from until + 1" contains "$out" "2026-05-01  grace -> suspended"
check "the reason names the holiday" contains "$out" "payment holiday to 2026-04-30"
run status P2026000000002 --as-of 2026-05-10
check "without: suspended from D+31" contains "$out" "2026-04-15  grace -> suspended"

run process --as-of 2026-04-24
run report --as-of 2026-04-24 --out "$T_TMP/hol"
hol=$(notices "$T_TMP/hol/2026-04-24")
check "suspension_soon moves with the holiday" contains "$hol" "P2026000000001,suspension_soon,2026-05-01,2026-03-15,60.00,2026-04-30,pay by 2026-04-30 to stay covered; suspended from 2026-05-01 otherwise"
check "grace_started's deadline moves with the holiday" contains "$hol" "P2026000000001,grace_started,2026-03-16,2026-03-15,60.00,2026-04-30,pay by 2026-04-30 to stay covered"
check "and stays D+30 without one" contains "$hol" "P2026000000002,grace_started,2026-03-16,2026-03-15,60.00,2026-04-14,pay by 2026-04-14 to stay covered"
check "P...002 has no suspension_soon tonight" lacks "$hol" "P2026000000002,suspension_soon"
check "in grace through the holiday, 40 days overdue: 31-60" \
    contains "$(zcat "$T_TMP/hol/2026-04-24/policies.csv.gz")" "P2026000000001,grace,2026-03-16,2026-05-15,2026-03-15,40,60.00,0.00,2,12,31-60"
run process --as-of 2026-05-01
run report --as-of 2026-05-01 --out "$T_TMP/hol"
check "suspended notice on until + 1" contains "$(notices "$T_TMP/hol/2026-05-01")" "P2026000000001,suspended,2026-05-01,2026-03-15,"
finish
