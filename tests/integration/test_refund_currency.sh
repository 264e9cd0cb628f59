#!/usr/bin/env bash
# Money in another currency than CNY is never added to yuan: a refund a person
# decided on a USD receipt is listed in refunds.csv.gz with USD, and the summary,
# the workbook's summary sheet and the page tally it as "decision USD", apart
# from the CNY refunds; money in suspense in USD and EUR stays apart too.
. "$(dirname "$0")/lib.sh"
unset RECON_FOUR_EYES_BELOW
HEADER=decided_on,receipt_id,source,transaction_key,action,policy_no,amount,reason,decided_by

cat >"$T_TMP/policies.csv" <<'CSV'
policy_no,holder_name,holder_id_no,payment_mode,start_date,end_date,premium,net_premium,currency,payer_account
P2026000000001,张三,110101199003071234,single,2026-01-15,2026-12-31,30.00,,CNY,
CSV
# M1 pays P1 20.00 beyond its premium (an excess refund, the rules'); U1 (USD) and
# U2 (CNY) are refunded by a person; E1 (EUR) and U3 (USD) stay in suspense.
cat >"$T_TMP/receipts.csv" <<'CSV'
source,transaction_key,booking_date,amount,currency,policy_no,payer,remittance
counter,M1,2026-01-15,50.00,CNY,P2026000000001,张三,premium
counter,U1,2026-01-20,80.00,USD,,赵六,no reference
counter,U2,2026-01-20,20.00,CNY,,钱七,unknown
counter,E1,2026-01-21,30.00,EUR,,孙八,unknown
counter,U3,2026-01-21,5.00,USD,,吴十,unknown
CSV
printf '%s\n' "$HEADER" \
    "2026-02-01,,counter,U1,refund,,,a USD payment cannot pay a CNY policy,alice" \
    "2026-02-01,,counter,U2,refund,,,not ours,alice" >"$T_TMP/decisions.csv"
report() { gzip -dc "$T_TMP/out/2026-02-01/$1"; }

new_db it_refund_currency
run init
run policies load "$T_TMP/policies.csv"
run receipts load "$T_TMP/receipts.csv"
run process --as-of 2026-01-31
run decide "$T_TMP/decisions.csv"
check "the refunds are decided" [ "$rc" -eq 0 ]
run process --as-of 2026-02-01
run report --as-of 2026-02-01 --out "$T_TMP/out"
check "the night reports" [ "$rc" -eq 0 ]

refunds=$(report refunds.csv.gz)
check "refunds.csv.gz ends its header with currency" \
    [ "$(head -1 <<<"$refunds")" = "policy_no,reason,amount,due_by,currency" ]
check "the refund decided on the USD receipt is listed with USD" \
    grep -qx ',decision,80.00,2026-03-03,USD' <<<"$refunds"
check "the one on the CNY receipt with CNY" grep -qx ',decision,20.00,2026-03-03,CNY' <<<"$refunds"
check "a refund the rules make is in the policy's currency" \
    grep -qE '^P2026000000001,excess,20\.00,[0-9-]+,CNY$' <<<"$refunds"
check "every row names a currency" [ "$(tail -n +2 <<<"$refunds" | grep -cvE ',[A-Z]{3}$')" = 0 ]

exceptions=$(report exceptions.csv.gz)
check "exceptions.csv.gz ends its header with currency" \
    [ "$(head -1 <<<"$exceptions")" = "kind,receipt_id,policy_no,amount,detail,transaction_key,age_days,currency" ]
check "its USD refund row says USD, the CNY one CNY" \
    [ "$(grep -E '^refund_due,[0-9]+,' <<<"$exceptions" | grep -oE ',(80|20)\.00,.*,[A-Z]{3}$' | sed -E 's/^,([0-9]+)\.00,.*,([A-Z]{3})$/\1 \2/' | sort)" = "20 CNY
80 USD" ]
check "every exception names a currency" \
    [ "$(tail -n +2 <<<"$exceptions" | grep -cvE ',[A-Z]{3}$')" = 0 ]

summary=$(report summary.txt.gz)
section() { sed -n "/^$1/,/^\$/p" <<<"$summary"; }
check "the summary tallies the USD refund apart" \
    grep -qE '^  decision USD +1 +80\.00$' <<<"$(section 'refunds due')"
check "and never sums it with the CNY one" \
    [ "$(section 'refunds due' | grep -E '^  decision ' | tr -s ' ')" = " decision 1 20.00
 decision USD 1 80.00" ]
check "suspense in USD and in EUR stays apart" \
    [ "$(section 'money in suspense .unidentified' | grep '^  currency' | tr -s ' ')" = " currency EUR 1 30.00
 currency USD 1 5.00" ]
check "so does their age" \
    [ "$(section 'money in suspense by age' | grep -E 'EUR|USD' | tr -s ' ')" = " 8-30 EUR 1 30.00
 8-30 USD 1 5.00" ]
check "the largest exceptions name a foreign currency" \
    grep -qE '^  refund_due USD +80\.00$' <<<"$(section 'top exceptions')"

page=$(cat "$T_TMP/out/2026-02-01/index.html")
check "the page's refunds figure is the yuan ones: 20.00 + 20.00" contains "$page" $'\nrefunds 4000\n'
check "its suspense figure leaves the USD and EUR out" contains "$page" $'\nsuspense 0\n'
check "the page lists the USD refund among the other currencies" \
    contains "$page" '<th scope="row">应退款 refunds due · decision</th><td>USD</td><td class="n">1</td><td class="n">80.00</td>'
# the workbook read back with openpyxl, as test_workbook.sh does: one line per row of a sheet
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
sheet() {
    "$PY" -c 'import sys, openpyxl
for r in openpyxl.load_workbook(sys.argv[1])[sys.argv[2]].iter_rows(values_only=True):
    print("|".join("" if c is None else str(c) for c in r).rstrip("|"))' \
        "$T_TMP/out/2026-02-01/recon-2026-02-01.xlsx" "$1"
}
book=$(sheet "摘要 Summary")
check "the workbook's summary sheet tallies the USD refund apart" \
    [ "$(grep -E '^decision' <<<"$book")" = "decision|1|20
decision USD|1|80" ]
check "and its suspense" [ "$(grep -E '^currency [A-Z]{3}[|]' <<<"$book")" = "currency EUR|1|30
currency USD|1|5" ]
check "the Refunds sheet has the currency column (币种)" \
    grep -qx '|decision|80|2026-03-03 00:00:00|USD' <<<"$(sheet Refunds)"
finish
