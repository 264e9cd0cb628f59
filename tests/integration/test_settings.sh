#!/usr/bin/env bash
# Every rule setting through the commands: each changes what process or status
# decides (a status, a match result, a settlement check), and a bad value of
# each stops the command with 64 naming the variable, before anything is stored.
. "$(dirname "$0")/lib.sh"
unset RECON_TOLERANCE RECON_FIRST_PAYMENT_WINDOW RECON_PAYMENT_IS_AGREEMENT \
    RECON_POLICY_PATTERN RECON_SETTLEMENT_ACCOUNTS RECON_SETTLEMENT_LAG_DAYS

# P1 paid 29.95 of its first 30.00; P2 paid its first installment 5 days late;
# P3 was suspended and then paid its back premium without an agreement.
cat >"$T_TMP/policies.csv" <<'CSV'
policy_no,holder_name,holder_id_no,payment_mode,start_date,end_date,premium,net_premium,currency,payer_account
P2026000000001,张三,110101199003071234,monthly,2026-01-15,,30.00,,CNY,
P2026000000002,李四,310101198512125678,monthly,2026-01-15,,30.00,,CNY,
P2026000000003,王五,440101197001011111,monthly,2026-01-15,,30.00,,CNY,
CSV
cat >"$T_TMP/receipts.csv" <<'CSV'
source,transaction_key,booking_date,amount,currency,policy_no,payer,remittance
counter,C1,2026-01-15,29.95,CNY,P2026000000001,张三,premium 1
counter,C2,2026-01-20,30.00,CNY,P2026000000002,李四,premium 1
counter,C3,2026-01-15,30.00,CNY,P2026000000003,王五,premium 1
counter,C4,2026-03-20,60.00,CNY,P2026000000003,王五,back premium
counter,C5,2026-01-16,30.00,CNY,,赵六,for P2026000000001 and P2026000000002
CSV

# A bank statement of 03-02 with the WeChat settlement of 03-01 (the bill's
# gross 251.00 - refunds - fees), from the account TENPAY0001.
cat >"$T_TMP/bank.sta" <<'STA'
:20:STMT0302
:25:6222000011119999
:28C:1/1
:60F:C260301CNY1000,00
:61:2603020302C150,09NTRFNONREF//N0202
:86:166?00SETTLEMENT?20TENPAY 20260301?31TENPAY0001?32TENPAY
:62F:C260302CNY1150,09
-
STA

fresh() {
    new_db it_settings
    run init
    run policies load "$T_TMP/policies.csv"
    run receipts load "$T_TMP/receipts.csv"
}
status_of() { sql "SELECT status FROM recon.policy_status WHERE policy_no = '$1'"; }
fresh
check "the register loads" [ "$rc" -eq 0 ]

# RECON_TOLERANCE: a shortfall within it still counts as paid.
run process --as-of 2026-01-20
check "without a tolerance 29.95 of 30.00 leaves P1 not effective" [ "$(status_of P2026000000001)" = not_effective ]
RECON_TOLERANCE=0.05 run process --as-of 2026-01-20
check "with RECON_TOLERANCE=0.05 P1 is in force" [ "$(status_of P2026000000001)" = in_force ]
RECON_TOLERANCE=0.05 run status P2026000000001 --as-of 2026-01-20
check "status applies the tolerance too" contains "$out" "as of 2026-01-20: in_force"

# RECON_FIRST_PAYMENT_WINDOW: days after the start to pay installment 1.
run process --as-of 2026-01-25
check "without a window P2's late first payment leaves it not effective" [ "$(status_of P2026000000002)" = not_effective ]
RECON_FIRST_PAYMENT_WINDOW=7 run process --as-of 2026-01-25
check "with RECON_FIRST_PAYMENT_WINDOW=7 P2 is in force" [ "$(status_of P2026000000002)" = in_force ]

# RECON_PAYMENT_IS_AGREEMENT: the full back premium alone reinstates.
run process --as-of 2026-03-25
check "without an agreement P3 stays suspended" [ "$(status_of P2026000000003)" = suspended ]
RECON_PAYMENT_IS_AGREEMENT=1 run process --as-of 2026-03-25
check "with RECON_PAYMENT_IS_AGREEMENT=1 P3 is reinstated" [ "$(status_of P2026000000003)" = in_force ]

# RECON_POLICY_PATTERN: what counts as a policy number in the references.
match_of() { sql "SELECT coalesce(policy_no, '-') || ' ' || match_result FROM recon.receipts WHERE transaction_key = '$1'"; }
fresh
run process --as-of 2026-01-20
check "two numbers in the remittance are ambiguous" [ "$(match_of C5)" = "- ambiguous" ]
fresh
RECON_POLICY_PATTERN='P[0-9]{12}1' run process --as-of 2026-01-20
check "a pattern naming only one of them identifies it" [ "$(match_of C5)" = "P2026000000001 identified" ]

# RECON_SETTLEMENT_ACCOUNTS: a credit from a settlement account is not a premium,
# and one named with its provider is checked against the provider's bill.
settle() {
    fresh
    run ingest fixtures/statements/wechat/all_mixed.csv "$T_TMP/bank.sta"
    run process --as-of 2026-03-02
}
credit_match() { sql "SELECT match_result FROM recon.receipts WHERE transaction_key LIKE '%N0202%' OR provider_txn_id = 'N0202' OR end_to_end_id = 'N0202' LIMIT 1"; }
settle
check "without settlement accounts the credit is unidentified" [ "$(credit_match)" = unidentified ]
check "and nothing is checked" [ "$(sql "SELECT count(*) FROM recon.settlement_checks")" = 0 ]
export RECON_SETTLEMENT_ACCOUNTS=TENPAY0001
settle
check "an account without provider makes the credit a settlement" [ "$(credit_match)" = settlement ]
check "which no bill can check" [ "$(sql "SELECT count(*) FROM recon.settlement_checks")" = 0 ]
export RECON_SETTLEMENT_ACCOUNTS=wechat:TENPAY0001
settle
check "wechat:ACCOUNT is checked against the WeChat bill of the day before" \
    [ "$(sql "SELECT provider || ' ' || settled_day || ' ' || provider_rows || ' ' || difference FROM recon.settlement_checks")" = "wechat 2026-03-01 3 0" ]

# RECON_SETTLEMENT_LAG_DAYS: how many days before the credit the bill is.
RECON_SETTLEMENT_LAG_DAYS=0 run process --as-of 2026-03-02
check "with RECON_SETTLEMENT_LAG_DAYS=0 the credit looks for a bill of its own day" \
    [ "$(sql "SELECT settled_day || ' ' || provider_rows FROM recon.settlement_checks")" = "2026-03-02 0" ]
check "and process counts it as a difference" contains "$out" "1 settlement differences"
unset RECON_SETTLEMENT_ACCOUNTS

# A bad value of each setting: 64 naming it, nothing run.
for bad in RECON_TOLERANCE=abc RECON_TOLERANCE=-0.01 RECON_FIRST_PAYMENT_WINDOW=28 \
    RECON_PAYMENT_IS_AGREEMENT=yes 'RECON_POLICY_PATTERN=P[0-9' RECON_SETTLEMENT_ACCOUNTS=paypal:X \
    RECON_SETTLEMENT_ACCOUNTS=wechat: RECON_SETTLEMENT_LAG_DAYS=32 RECON_SETTLEMENT_LAG_DAYS=x \
    RECON_FOUR_EYES_BELOW=-1 RECON_FOUR_EYES_BELOW=lots \
    RECON_NOTICE_DAYS=0 RECON_NOTICE_DAYS=31 RECON_EVALUATION=fast; do
    name=${bad%%=*}
    runs=$(sql "SELECT count(*) FROM recon.job_runs")
    env "$bad" "$RECON_BIN" process --as-of 2026-03-03 >"$T_TMP/stdout" 2>"$T_TMP/stderr"
    rc=$?
    out=$(cat "$T_TMP/stdout")
    err=$(cat "$T_TMP/stderr")
    check "$bad: exit 64" [ "$rc" -eq 64 ]
    check "$bad: the message names $name" contains "$err" "$name"
    check "$bad: no run recorded" [ "$(sql "SELECT count(*) FROM recon.job_runs")" = "$runs" ]
done
finish
