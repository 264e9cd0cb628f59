#!/usr/bin/env bash
# Money never overflows silently (issue 11): amounts are bounded at load to
# 10^12 yuan; a day or a policy whose money could overflow a 64-bit sum is
# refused with 65 naming the receipts, never evaluated with a wrapped total, and
# no report is written for it. The overflow cases put money into the database
# directly, past the load bound, as a damaged or hand-edited database would.
. "$(dirname "$0")/lib.sh"
FIX=fixtures/register
HEAD=source,transaction_key,booking_date,amount,currency,policy_no,payer,remittance

new_db it_money
run init
run policies load "$FIX/policies.csv"

# ---- the load bound --------------------------------------------------------------
{
    echo "$HEAD"
    for i in $(seq 1 100); do echo "counter,H$i,2026-01-15,999999999999999.99,CNY,P2026000000001,x,big"; done
} >"$T_TMP/huge.csv"
run receipts load "$T_TMP/huge.csv"
check "the measured 100 x 999999999999999.99 are refused at load (65)" [ "$rc" -eq 65 ]
check "the refusal names the file, line and the bound" \
    contains "$err" "huge.csv: line 2: amount '999999999999999.99': beyond 1000000000000.00, the largest amount recon accepts (10^12 yuan)"
check "every line is named" contains "$err" "huge.csv: line 51: amount"
check "nothing stored" [ "$(sql "SELECT count(*) FROM recon.receipts")" = "0" ]

printf '%s\n%s\n%s\n' "$HEAD" "counter,B1,2026-01-15,1000000000000.00,CNY,P2026000000001,x,y" \
    "counter,B2,2026-01-15,-1000000000000.00,CNY,P2026000000001,x,y" >"$T_TMP/at_bound.csv"
run receipts load "$T_TMP/at_bound.csv"
check "amounts of exactly 10^12 yuan either way load" [ "$rc" -eq 0 ]
printf '%s\n%s\n' "$HEAD" "counter,B3,2026-01-15,-1000000000000.01,CNY,P2026000000001,x,y" >"$T_TMP/past_bound.csv"
run receipts load "$T_TMP/past_bound.csv"
check "one fen more is refused" [ "$rc" -eq 65 ]
check "... naming the line" contains "$err" "past_bound.csv: line 2: amount '-1000000000000.01': beyond 1000000000000.00"

sed -n 1p "$FIX/policies.csv" >"$T_TMP/big_policy.csv"
echo "PBIG1,甲,1,monthly,2026-01-15,,1000000000000.01,,CNY," >>"$T_TMP/big_policy.csv"
run policies load "$T_TMP/big_policy.csv"
check "a register premium beyond the bound is refused (65)" [ "$rc" -eq 65 ]
check "... naming file and line" contains "$err" "big_policy.csv: line 2: premium '1000000000000.01': beyond 1000000000000.00"
check "... and nothing stored" [ "$(sql "SELECT count(*) FROM recon.policies WHERE policy_no = 'PBIG1'")" = "0" ]

# Statement amounts: the file is rejected naming the element or line.
sed '0,/<Amt Ccy="CNY">[0-9.]*<\/Amt>/s//<Amt Ccy="CNY">1000000000000.01<\/Amt>/' \
    fixtures/statements/camt/reversal_pair.xml >"$T_TMP/big_camt.xml"
run ingest "$T_TMP/big_camt.xml"
check "a camt amount beyond the bound rejects the file (65)" [ "$rc" -eq 65 ]
check "... naming line and element" contains "$err" "big_camt.xml: line 21: Stmt[1]/Bal[1]: balance Amt \"1000000000000.01\": beyond 1000000000000.00"
sed 's/C60,00NTRFNONREF/C1000000000000,01NTRFNONREF/' fixtures/statements/e2e/bank_cny_2026-06-01.sta >"$T_TMP/big_bank.sta"
run ingest "$T_TMP/big_bank.sta"
check "an MT940 amount beyond the bound rejects the file (65)" [ "$rc" -eq 65 ]
check "... naming the line" contains "$err" "big_bank.sta: line 5: invalid amount 1000000000000,01 in :61:"
check "no receipt of a rejected file stored" [ "$(sql "SELECT count(*) FROM recon.receipts WHERE file_id IS NOT NULL")" = "0" ]

# ---- a day whose money would overflow ----------------------------------------------
new_db it_money_day
run init
run policies load "$FIX/policies.csv"
run receipts load "$FIX/receipts.csv"
sql "INSERT INTO recon.receipts (receipt_id, source, transaction_key, booking_date, amount, currency, direction, policy_no, match_result) SELECT 1000 + i, 'counter', 'H' || i, '2026-01-15', 99999999999999999, 'CNY', 'credit', 'P2026000000001', 'manual' FROM generate_series(1, 100) i"
run process --as-of 2026-06-30
check "process refuses a day whose money overflows (65, not a wrapped total)" [ "$rc" -eq 65 ]
check "the refusal names the receipts (id, source, transaction key, amount)" \
    contains "$err" "2026-06-30: the money of the "
check "... the largest first" contains "$err" "largest: receipt 1001 (counter H1, 999999999999999.99), receipt 1002 (counter H2, 999999999999999.99)"
check "... and says nothing was evaluated" contains "$err" "beyond 2^62 fen, more than recon sums safely; nothing evaluated"
check "nothing evaluated or stored" [ "$(sql "SELECT count(*) FROM recon.policy_status")" = "0" ]
check "the run is recorded as failed with the message" \
    contains "$(sql "SELECT outcome || ' ' || exit_code || ' ' || message FROM recon.job_runs ORDER BY run_id DESC LIMIT 1")" "65 2026-06-30: the money of the"
run report --as-of 2026-06-30 --out "$T_TMP/out"
check "report refuses the day too (65)" [ "$rc" -eq 65 ]
check "... with the same reason" contains "$err" "largest: receipt 1001 (counter H1"
check "... before writing any file" [ ! -e "$T_TMP/out/2026-06-30" ]
run status P2026000000001 --as-of 2026-06-30
check "status refuses the policy (65)" [ "$rc" -eq 65 ]
check "... naming its receipts" contains "$err" "policy P2026000000001: the money of its "
check "... largest first" contains "$err" "largest: receipts 1001 (999999999999999.99), 1002 (999999999999999.99)"
# Money known only on a later night does not refuse this one.
sql "UPDATE recon.receipts SET business_date = '2026-07-31' WHERE receipt_id > 1000"
run process --as-of 2026-06-30
check "the same money known after the day does not refuse it" [ "$rc" -eq 0 ]
run report --as-of 2026-06-30 --out "$T_TMP/out"
check "the day's report is then written" [ "$rc" -eq 0 ]
# Money changed behind recon's back after the day was processed: report refuses before
# writing anything rather than total a wrapped sum.
sql "UPDATE recon.receipts SET business_date = '2026-07-01' WHERE receipt_id > 1000"
run process --as-of 2026-07-01
check "the next night with that money is refused" [ "$rc" -eq 65 ]
check "its evaluation is not stored: the last good night stays" \
    [ "$(sql "SELECT DISTINCT as_of FROM recon.policy_status")" = "2026-06-30" ]
run report --as-of 2026-07-01 --out "$T_TMP/out"
check "its report refuses (65)" [ "$rc" -eq 65 ]
check "... and writes nothing" [ ! -e "$T_TMP/out/2026-07-01" ]

# Release build before issue 11: this night said not_effective, paid 0 of 12 and exit 0.
sql "DELETE FROM recon.receipts WHERE receipt_id > 1000"
run process --as-of 2026-07-01
check "without the money the night runs" [ "$rc" -eq 0 ]
check "and P1 is judged on its real money" \
    [ "$(sql "SELECT status FROM recon.policy_status WHERE policy_no = 'P2026000000001'")" != "not_effective" ]

# The most negative 64-bit amount, which has no absolute value in 64 bits.
sql "INSERT INTO recon.receipts (receipt_id, source, transaction_key, booking_date, amount, currency, direction, business_date) VALUES (2000, 'bank', 'MIN', '2026-07-02', -9223372036854775808, 'CNY', 'debit', '2026-07-02')"
run process --as-of 2026-07-02
check "a receipt of -2^63 fen is refused with 65, not a database error" [ "$rc" -eq 65 ]
check "... naming it" contains "$err" "largest: receipt 2000 (bank MIN, -92233720368547758.08)"
sql "DELETE FROM recon.receipts WHERE receipt_id = 2000"

# ---- a day whose arrears would overflow the report totals -------------------------------
# 400 policies of 10^12 yuan a month, suspended since 2016 with 119 installments in arrears
# each: every amount within the bound, their arrears together beyond 2^62 fen.
new_db it_money_arrears
run init
sql "INSERT INTO recon.policies (policy_no, holder_name, payment_mode, start_date, end_date, premium, net_premium) SELECT 'PA' || i, 'x', 'monthly', '2016-02-01', '2026-01-31', 100000000000000, 100000000000000 FROM generate_series(1, 400) i"
sql "INSERT INTO recon.receipts (receipt_id, source, transaction_key, booking_date, amount, currency, direction, policy_no, match_result) SELECT i, 'counter', 'A' || i, '2016-02-01', 100000000000000, 'CNY', 'credit', 'PA' || i, 'manual' FROM generate_series(1, 400) i"
run process --as-of 2026-01-15
check "process refuses a day whose arrears would overflow the totals (65)" [ "$rc" -eq 65 ]
check "... naming where they overflow" contains "$err" "the arrears, credit and refunds of the policies up to it add up beyond 2^62 fen"
check "... and stores nothing" [ "$(sql "SELECT count(*) FROM recon.policy_status")" = "0" ]
sql "DELETE FROM recon.receipts WHERE receipt_id > 380; DELETE FROM recon.policies WHERE policy_no IN (SELECT 'PA' || i FROM generate_series(381, 400) i)"
run process --as-of 2026-01-15
check "380 of them total within the bound and are processed" [ "$rc" -eq 0 ]
run report --as-of 2026-01-15 --out "$T_TMP/out"
check "and reported" [ "$rc" -eq 0 ]
check "the summary totals their arrears exactly" \
    contains "$(zcat "$T_TMP/out/2026-01-15/summary.txt.gz")" "45220000000000000.00"
finish
