#!/usr/bin/env bash
# nightly and replay against the real server: the inbox by statement date,
# quarantine, reruns writing identical bytes, the job lock, settlement and
# balance checks, duplicates, and replay reproducing (or naming differences
# from) an archive.
. "$(dirname "$0")/lib.sh"
FIX=fixtures/register
inbox="$T_TMP/inbox"
mkdir -p "$inbox"

# A bank statement for 2026-03-02: a premium, the WeChat settlement of 03-01
# (gross 151.00 - fees 0.91 = 150.09), and an Alipay settlement with no bill.
mt940() { # id date(yymmdd) closing
    cat <<STA
:20:$1
:25:6222000011119999
:28C:1/1
:60F:C260301CNY1000,00
:61:${2}${2:2:4}C30,00NTRFNONREF//N0201
:86:PREMIUM P2026000000002 MARCH
:61:${2}${2:2:4}C150,09NTRFNONREF//N0202
:86:166?00SETTLEMENT?20TENPAY 20260301?31TENPAY0001?32TENPAY
:61:${2}${2:2:4}C10,00NTRFNONREF//N0203
:86:166?00SETTLEMENT?20ALIPAY 20260301?31ALIPAY0001?32ALIPAY
:62F:C${2}CNY$3
-
STA
}
cp fixtures/statements/wechat/all_mixed.csv "$inbox/wechat_2026-03-01.csv"
mt940 STMT0302 260302 1190,09 >"$inbox/bank_2026-03-02.sta"
mt940 STMT0302X 260302 1190,19 >"$inbox/bank_2026-03-02_unbalanced.sta"
sed -e 's/STMT0302/STMT0305/' -e 's/260302/260305/g' -e 's/0302C/0305C/g' -e 's/N02/N05/' \
    "$inbox/bank_2026-03-02.sta" >"$inbox/bank_2026-03-05.sta"
touch "$inbox/.hidden" "$inbox/arriving.part"
export RECON_SETTLEMENT_ACCOUNTS="wechat:TENPAY0001,alipay:ALIPAY0001"

new_db it_nightly
run init
run policies load "$FIX/policies.csv"
run receipts load "$FIX/receipts.csv"

run nightly --as-of 2026-03-01 --inbox "$inbox"
check "nightly without --out is a usage error" [ "$rc" -eq 64 ]
check "usage names the options" contains "$err" "usage: recon nightly --as-of DATE --inbox DIR --out DIR"
run nightly --as-of 2026-03-01 --inbox "$T_TMP/nope" --out "$T_TMP/out"
check "missing inbox: exit 66" [ "$rc" -eq 66 ]

out1="$T_TMP/out"
run nightly --as-of 2026-03-01 --inbox "$inbox" --out "$out1"
check "a night with a rejected file exits 65" [ "$rc" -eq 65 ]
check "the rejection names file, statement and figures" contains "$err" \
    "bank_2026-03-02_unbalanced.sta: line 1: statement STMT0302X does not balance: opening 1000.00 + credits 190.09 - debits 0.00 = 1190.09, but the closing balance is 1190.19"
check "the rejected file is kept in quarantine" cmp -s "$inbox/bank_2026-03-02_unbalanced.sta" "$out1/quarantine/bank_2026-03-02_unbalanced.sta"
check "with its reason" contains "$(cat "$out1/quarantine/bank_2026-03-02_unbalanced.sta.reason" 2>/dev/null)" "does not balance"
check "files dated after the night wait" contains "$out" "1 file stored, 1 rejected, 2 waiting for a later date"
check "the bill is stored" contains "$out" "wechat_2026-03-01.csv: wechat, 3 receipts"
check "partial files and hidden files are left alone" lacks "$out$err" "arriving.part"
check "the rejection stored nothing" [ "$(sql "SELECT count(*) FROM recon.receipts r JOIN recon.statement_files f USING (file_id) WHERE f.file_name LIKE '%unbalanced%'")" = 0 ]
check "the manifest verifies" bash -c "cd '$out1/2026-03-01' && sha256sum -c --quiet MANIFEST.sha256"
check "INPUTS lists the night's files, the refused one too" \
    [ "$(cut -c67- "$out1/2026-03-01/INPUTS.sha256" | tr '\n' ' ')" = "bank_2026-03-02_unbalanced.sta wechat_2026-03-01.csv " ]
check "the summary lists the refused file and why" contains "$(zcat "$out1/2026-03-01/summary.txt.gz")" "bank_2026-03-02_unbalanced.sta             REJECTED  bank_2026-03-02_unbalanced.sta: line 1: statement STMT0302X does not balance"
check "the run is recorded" [ "$(sql "SELECT outcome || ' ' || exit_code || ' ' || files_ingested || ' ' || files_rejected FROM recon.job_runs WHERE command = 'nightly' ORDER BY run_id DESC LIMIT 1")" = "partial 65 1 1" ]

run nightly --as-of 2026-03-02 --inbox "$inbox" --out "$out1"
check "next night: exit 0 (the refused bytes are not retried)" [ "$rc" -eq 0 ]
check "next night stores the bank file" contains "$out" "bank_2026-03-02.sta: mt940, 3 receipts (0 duplicates)"
receipts=$(zcat "$out1/2026-03-02/receipts.csv.gz")
check "premium for 03-15 paid early is prepaid" contains "$receipts" ",P2026000000002,prepaid,30.00,0.00,policy number in remittance text"
check "settlement credit is not a premium" contains "$receipts" "2026-03-02,150.09,CNY,credit,T*,,settlement,0.00,0.00,credit from a payment-provider settlement account"
summary=$(zcat "$out1/2026-03-02/summary.txt.gz")
check "settlement agreeing with the WeChat bill" grep -Eq "^  wechat 2026-03-01 receipt [0-9]+ +agrees +0.00$" <<<"$summary"
check "settlement without a provider bill is flagged" grep -Eq "^  alipay 2026-03-01 receipt [0-9]+ +no statement +10.00$" <<<"$summary"
exceptions=$(zcat "$out1/2026-03-02/exceptions.csv.gz")
check "the missing bill is an exception" grep -Eq "^settlement,[0-9]+,,10.00,alipay statement for 2026-03-01 not received,[^,]*,[0-9]+,CNY$" <<<"$exceptions"
check "balanced statement in the summary" contains "$summary" "6222000011119999 STMT0302                  balanced"

before=$(cat "$out1"/2026-03-02/MANIFEST.sha256)
run nightly --as-of 2026-03-02 --inbox "$inbox" --out "$out1"
check "rerunning the night: exit 0" [ "$rc" -eq 0 ]
check "rerunning finds nothing new" contains "$out" "0 files stored, 0 rejected, 1 waiting for a later date, 3 already known"
check "rerunning rewrites identical reports" [ "$(cat "$out1"/2026-03-02/MANIFEST.sha256)" = "$before" ]

# The 03-05 statement repeats nothing, but a copy of the 03-02 one under a new
# name with one more line shows the duplicate outcome.
run nightly --as-of 2026-03-05 --inbox "$inbox" --out "$out1"
check "03-05 night" [ "$rc" -eq 0 ]
{ head -n -2 "$inbox/bank_2026-03-02.sta" | sed 's/:20:STMT0302/:20:STMT0302R/'
  echo ":61:2603020302C5,00NTRFNONREF//N0209"; echo ":86:NO REFERENCE"; echo ":62F:C260302CNY1195,09"; echo "-"; } \
    >"$inbox/bank_2026-03-02_resent.sta"
run nightly --as-of 2026-03-06 --inbox "$inbox" --out "$out1"
check "a re-sent statement is stored" contains "$out" "bank_2026-03-02_resent.sta: mt940, 4 receipts (3 duplicates)"
receipts=$(zcat "$out1/2026-03-06/receipts.csv.gz")
first=$(sql "SELECT receipt_id FROM recon.receipts WHERE transaction_key = 'N0201' AND duplicate_of IS NULL")
check "its repeats show as duplicates" contains "$receipts" "duplicate,0.00,0.00,duplicate of receipt $first"
check "the repeat is stored but counted once" [ "$(sql "SELECT count(*) || ' ' || count(policy_no) FROM recon.receipts WHERE transaction_key = 'N0201'")" = "2 1" ]

run status P2026000000002 --as-of 2026-03-06
check "status lists each receipt with its file and line" grep -Eq "^  receipt $first  2026-03-02 +30.00 CNY  bank_2026-03-02.sta line 5  policy number in remittance text$" <<<"$out"
check "and the files that repeated it" contains "$out" "    also in bank_2026-03-02_resent.sta line 5 (counted once)"

# The job lock: a second run while one holds it exits 75 at once.
key=$((0x7265636f6e4a4f42))
psql -X -qAt "$RECON_DB" -c "SELECT pg_advisory_lock($key)" -c "SELECT pg_sleep(4)" >/dev/null &
holder=$!
sleep 1
start=$(date +%s)
run nightly --as-of 2026-03-06 --inbox "$inbox" --out "$out1"
elapsed=$(( $(date +%s) - start ))
check "a concurrent nightly exits 75" [ "$rc" -eq 75 ]
check "and says why" contains "$err" "another recon run holds the lock; try later"
check "without waiting for the lock" [ "$elapsed" -lt 3 ]
wait $holder

# Replay on a fresh database reproduces every night from the archive.
new_db it_replay
run init
run policies load "$FIX/policies.csv"
run receipts load "$FIX/receipts.csv"
out2="$T_TMP/replay"
run replay --from 2026-03-01 --to 2026-03-06 --inbox "$inbox" --out "$out2" --archive "$out1"
check "replay from the archive: exit 65 (the refused file is refused again)" [ "$rc" -eq 65 ]
check "replay finds no differences" contains "$out" "replay 2026-03-01..2026-03-06: 0 differences from the archive"
same=1
for d in 2026-03-01 2026-03-02 2026-03-05 2026-03-06; do
    cmp -s "$out1/$d/MANIFEST.sha256" "$out2/$d/MANIFEST.sha256" || same=0
done
check "replayed reports are byte-identical" [ "$same" -eq 1 ]
run replay --from 2026-03-01 --to 2026-03-06 --inbox "$inbox" --out "$out2"
check "replay refuses a database with statements" [ "$rc" -eq 65 ]
check "with a hint" contains "$err" "replay needs a database without statement files"

# A tampered archive: the difference is named and the exit code says so.
cp -r "$out1" "$T_TMP/tampered"
sed -i 's/^[0-9a-f]\{8\}/00000000/' "$T_TMP/tampered/2026-03-02/MANIFEST.sha256"
new_db it_replay2
run init
run policies load "$FIX/policies.csv"
run receipts load "$FIX/receipts.csv"
run replay --from 2026-03-01 --to 2026-03-02 --inbox "$inbox" --out "$T_TMP/replay2" --archive "$T_TMP/tampered"
check "a differing archive: exit 1" [ "$rc" -eq 1 ]
check "each difference is named" contains "$out" "2026-03-02: events.csv.gz differs from the archive"
run replay --from 2026-03-02 --to 2026-03-01 --inbox "$inbox" --out "$T_TMP/replay2"
check "reversed range is a usage error" [ "$rc" -eq 64 ]
finish
