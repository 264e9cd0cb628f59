#!/usr/bin/env bash
# Register, events and manual receipt files at their edges (issue 11): a UTF-8
# byte order mark is accepted; an amount of zero, thousands separators or other
# digit forms, and control characters in any field are refused naming file,
# line (and column), with nothing stored.
. "$(dirname "$0")/lib.sh"
FIX=fixtures/register
BOM=$(printf '\357\273\277')
HEAD=source,transaction_key,booking_date,amount,currency,policy_no,payer,remittance

new_db it_load_edges
run init

# ---- BOM ----------------------------------------------------------------------------------
{ printf '%s' "$BOM"; cat "$FIX/policies.csv"; } >"$T_TMP/policies.csv"
run policies load "$T_TMP/policies.csv"
check "policies.csv with a BOM loads" [ "$rc" -eq 0 ]
check "... every row" contains "$out" "14 policies loaded (14 new"
check "... the first policy number has no BOM" \
    [ "$(sql "SELECT count(*) FROM recon.policies WHERE policy_no = 'P2026000000001'")" = "1" ]
{ printf '%s' "$BOM"; cat "$FIX/events.csv"; } >"$T_TMP/events.csv"
run events load "$T_TMP/events.csv"
check "events.csv with a BOM loads" [ "$rc" -eq 0 ]
{ printf '%s' "$BOM"; cat "$FIX/receipts.csv"; } >"$T_TMP/receipts.csv"
run receipts load "$T_TMP/receipts.csv"
check "receipts.csv with a BOM loads" [ "$rc" -eq 0 ]
check "... the first receipt's source has no BOM" \
    [ "$(sql "SELECT source FROM recon.receipts WHERE transaction_key = 'C0001'")" = "counter" ]
{ printf '%s%s' "$BOM" "$BOM"; cat "$FIX/events.csv"; } >"$T_TMP/two_boms.csv"
run events load "$T_TMP/two_boms.csv"
check "only one BOM is skipped: a second is a wrong header" [ "$rc" -eq 65 ]

stored() { sql "SELECT count(*) FROM recon.receipts"; }
before=$(stored)

# load_one NAME ROW: a receipts file of one data row (line 2) is refused, nothing stored.
load_one() {
    printf '%s\n%s\n' "$HEAD" "$2" >"$T_TMP/$1.csv"
    run receipts load "$T_TMP/$1.csv"
}

# ---- zero amounts ----------------------------------------------------------------------------
for z in 0.00 0 -0.00 +0 .0; do
    load_one zero "counter,Z1,2026-01-15,$z,CNY,P2026000000001,x,y"
    check "a receipt of $z is refused (65)" [ "$rc" -eq 65 ]
    check "... naming file and line ($z)" contains "$err" "zero.csv: line 2: amount '$z': a receipt of zero records no money"
done
check "no zero receipt stored" [ "$(stored)" = "$before" ]

# ---- thousands separators and other digit forms ----------------------------------------------
for a in '"1,000.00"' '1 000.00' "1'000.00" '1_000.00' '"1.000,00"'; do
    load_one sep "counter,S1,2026-01-15,$a,CNY,P2026000000001,x,y"
    check "amount $a is refused (65)" [ "$rc" -eq 65 ]
    check "... naming file, line and why ($a)" contains "$err" "sep.csv: line 2: amount"
    check "... thousands separators ($a)" contains "$err" "thousands separators are not accepted"
done
load_one fullwidth "counter,S2,2026-01-15,１０００.00,CNY,P2026000000001,x,y"
check "full-width digits are refused (65)" [ "$rc" -eq 65 ]
check "... naming file, line and why" contains "$err" "fullwidth.csv: line 2: amount '１０００.00': only the ASCII digits 0-9 are accepted"
sed -n 1p "$FIX/policies.csv" >"$T_TMP/pol_sep.csv"
echo 'P2026000000050,甲,1,monthly,2026-01-15,,"1,000.00",,CNY,' >>"$T_TMP/pol_sep.csv"
run policies load "$T_TMP/pol_sep.csv"
check "a premium with a thousands separator is refused (65)" [ "$rc" -eq 65 ]
check "... naming file and line" contains "$err" "pol_sep.csv: line 2: premium '1,000.00': thousands separators are not accepted"
check "no separated amount stored" [ "$(stored)" = "$before" ]

# ---- control characters ----------------------------------------------------------------------
ctrl_case() { # DESC BYTES COLUMN-TEXT
    load_one ctrl "$(printf "counter,K1,2026-01-15,10.00,CNY,P2026000000001,a$2b,y")"
    check "payer with $1 is refused (65)" [ "$rc" -eq 65 ]
    check "... naming file, line and column ($1)" contains "$err" "ctrl.csv: line 2: column 7 (payer): control character $3 at character 2"
    check "... and never echoing it ($1)" lacks "$err" "$(printf "a$2b")"
}
ctrl_case "a bell (C0)" '\007' U+0007
ctrl_case "a tab (C0)" '\t' U+0009
ctrl_case "an escape (C0)" '\033' U+001B
ctrl_case "DEL" '\177' U+007F
ctrl_case "NEL (C1)" '\302\205' U+0085
ctrl_case "CSI (C1)" '\302\233' U+009B
printf '%s\n%s\n' "$HEAD" 'counter,K2,2026-01-15,10.00,CNY,P2026000000001,x,"two
lines"' >"$T_TMP/newline.csv"
run receipts load "$T_TMP/newline.csv"
check "a line break inside a quoted remittance is refused (65)" [ "$rc" -eq 65 ]
check "... naming file, line and column" contains "$err" "newline.csv: line 3: column 8 (remittance): control character U+000A"
check "no receipt with a control character stored" [ "$(stored)" = "$before" ]

sed -n 1p "$FIX/policies.csv" >"$T_TMP/pol_ctrl.csv"
printf 'P2026000000051,张\033[31m三,1,monthly,2026-01-15,,30.00,,CNY,\n' >>"$T_TMP/pol_ctrl.csv"
run policies load "$T_TMP/pol_ctrl.csv"
check "a holder name with an escape sequence is refused (65)" [ "$rc" -eq 65 ]
check "... naming file, line and column" contains "$err" "pol_ctrl.csv: line 2: column 2 (holder_name): control character U+001B at character 2"
check "... nothing stored" [ "$(sql "SELECT count(*) FROM recon.policies WHERE policy_no = 'P2026000000051'")" = "0" ]
printf 'policy_no,event,date\nP2026000000004,cancellation_request\001,2026-07-01\n' >"$T_TMP/ev_ctrl.csv"
run events load "$T_TMP/ev_ctrl.csv"
check "an events field with a control character is refused (65)" [ "$rc" -eq 65 ]
check "... naming file, line and column" contains "$err" "ev_ctrl.csv: line 2: column 2 (event): control character U+0001"

# One bad row rejects the whole file: good rows around it are not stored either.
printf '%s\n%s\n%s\n' "$HEAD" "counter,G1,2026-01-15,10.00,CNY,P2026000000001,x,y" \
    "counter,G2,2026-01-15,0.00,CNY,P2026000000001,x,y" >"$T_TMP/mixed.csv"
run receipts load "$T_TMP/mixed.csv"
check "a file with one zero row is rejected whole" [ "$rc" -eq 65 ]
check "... the error counts the bad row" contains "$err" "mixed.csv: 1 bad row; file rejected, nothing stored"
check "... and its good row is not stored" [ "$(stored)" = "$before" ]
finish
