#!/usr/bin/env bash
# Every tolerance recon applied can be seen after ingest (issue 13): a file's
# parse warnings and each receipt's note are stored, receipts.csv.gz's note
# carries the parse note before the matching note, the summary lists a file's
# warnings under it; and a statement delivered again with extra entries (MT940
# on a later night, camt.053 on the same night) stores only the new entries as
# money and is named in the summary with how many entries were already stored.
. "$(dirname "$0")/lib.sh"

mt940() { # FILE CLOSING ENTRY... (each entry: AMOUNT|BANKREF|TEXT, BANKREF may be empty)
    local file=$1 closing=$2
    shift 2
    {
        printf ':20:STMT1\n:25:6222000011119999\n:28C:7/1\n:60F:C260601CNY1000,00\n'
        for e in "$@"; do
            IFS='|' read -r amount ref text <<<"$e"
            printf ':61:2606010601C%sNTRFNONREF%s\n:86:%s\n' "$amount" "${ref:+//$ref}" "$text"
        done
        printf ':62F:C260601CNY%s\n-\n' "$closing"
    } >"$file"
}

camt053() { # FILE CLOSING ENTRY... (each entry: AMOUNT|ACCTSVCRREF|TEXT, the ref may be empty)
    local file=$1 closing=$2
    shift 2
    {
        cat <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-06-02T08:00:00+08:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>CAMT-0601</Id>
      <FrToDt><FrDtTm>2026-06-01T00:00:00+08:00</FrDtTm><ToDtTm>2026-06-01T23:59:59+08:00</ToDtTm></FrToDt>
      <Acct><Id><Othr><Id>6222000011118888</Id></Othr></Id><Ccy>CNY</Ccy></Acct>
      <Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">500.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-05-31</Dt></Dt></Bal>
      <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="CNY">$closing</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-06-01</Dt></Dt></Bal>
EOF
        for e in "$@"; do
            IFS='|' read -r amount ref text <<<"$e"
            printf '      <Ntry><Amt Ccy="CNY">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>' "$amount"
            printf '<BookgDt><Dt>2026-06-01</Dt></BookgDt>%s' "${ref:+<AcctSvcrRef>$ref</AcctSvcrRef>}"
            printf '<NtryDtls><TxDtls><Amt Ccy="CNY">%s</Amt><CdtDbtInd>CRDT</CdtDbtInd>' "$amount"
            printf '<RmtInf><Ustrd>%s</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\n' "$text"
        done
        printf '    </Stmt>\n  </BkToCstmrStmt>\n</Document>\n'
    } >"$file"
}

# The entry without a bank reference is keyed by its fingerprint, which must come
# out the same in the second delivery for it to count once.
mt940 "$T_TMP/a.sta" 1090,00 "60,00|B0001|PREMIUM ONE" "30,00||NO BANK REFERENCE"
mt940 "$T_TMP/b.sta" 1115,00 "60,00|B0001|PREMIUM ONE" "30,00||NO BANK REFERENCE" \
    "25,00|B0003|LATE ENTRY"
camt053 "$T_TMP/c1.xml" 580.00 "50.00|C0001|PREMIUM TWO" "30.00||NO REFERENCE"
camt053 "$T_TMP/c2.xml" 600.00 "20.00|C0002|LATE" "50.00|C0001|PREMIUM TWO" "30.00||NO REFERENCE"

new_db it_tolerances
run init
check "init" [ "$rc" -eq 0 ]

# night 1: the MT940 statement; night 2: it again with one entry more, and a
# camt.053 statement delivered twice, the second time with an entry more.
run ingest "$T_TMP/a.sta"
check "first delivery stored" [ "$rc" -eq 0 ]
run process --as-of 2026-06-01
check "night 1 processed" [ "$rc" -eq 0 ]
run ingest "$T_TMP/b.sta" "$T_TMP/c1.xml" "$T_TMP/c2.xml"
check "second deliveries stored" [ "$rc" -eq 0 ]
check "repeated entries are duplicates, the new ones stored" \
    [ "$(sql "SELECT string_agg(file_name || ':' || receipt_count || ':' || duplicate_count, ' ' ORDER BY file_id) FROM recon.statement_files")" = "a.sta:2:0 b.sta:3:2 c1.xml:2:0 c2.xml:3:2" ]
check "each transaction counts once as money" \
    [ "$(sql "SELECT count(*) || ':' || sum(amount) FROM recon.receipts WHERE duplicate_of IS NULL")" = "6:21500" ]
check "no warnings on clean files" [ "$(sql "SELECT count(*) FROM recon.statement_files WHERE warnings <> ''")" = "0" ]
run process --as-of 2026-06-02
check "night 2 processed" [ "$rc" -eq 0 ]

run report --as-of 2026-06-02 --out "$T_TMP/out"
check "report night 2" [ "$rc" -eq 0 ]
summary=$(zcat "$T_TMP/out/2026-06-02/summary.txt.gz")
out=$summary
check "the MT940 repeat is named under its file" contains "$summary" "$(printf '%s\n%s' \
    "  b.sta                                         mt940  3 receipts, 2 duplicates" \
    "    repeats statement STMT1 of a.sta: 2 entries already stored, 1 new")"
check "the camt.053 repeat of the same night is named" contains "$summary" "$(printf '%s\n%s' \
    "  c2.xml                                      camt053  3 receipts, 2 duplicates" \
    "    repeats statement CAMT-0601 of c1.xml: 2 entries already stored, 1 new")"
check "a first delivery has no line under it" contains "$summary" "$(printf '%s\n%s' \
    "  c1.xml                                      camt053  2 receipts, 0 duplicates" \
    "  c2.xml")"
check "money in counts the new entries only (25 + 80 + 20)" \
    contains "$summary" "  money in                                                      125.00"
check "each delivery's statement balances on its own" \
    [ "$(printf '%s\n' "$summary" | grep -c ' balanced ')" = "3" ]
check "no balance difference" lacks "$summary" "DIFFERENCE"
run report --as-of 2026-06-01 --out "$T_TMP/out"
out=$(zcat "$T_TMP/out/2026-06-01/summary.txt.gz")
check "night 1 names no repeat" lacks "$out" "repeats"

# The report side, with a note and warnings as a tolerant parse stores them.
sql "UPDATE recon.receipts SET parse_note = 'no booking date: value date used', match_note = ''
         WHERE transaction_key = 'C0002';
     UPDATE recon.receipts SET parse_note = 'clause one; clause two', match_note = 'unknown policy P1'
         WHERE transaction_key = 'B0003';
     UPDATE recon.statement_files SET warnings = 'dos end-of-file byte ignored (line 12)'
         WHERE file_name = 'c1.xml'"
run report --as-of 2026-06-02 --out "$T_TMP/out"
receipts=$(zcat "$T_TMP/out/2026-06-02/receipts.csv.gz")
out=$receipts
row_ends() { printf '%s\n' "$receipts" | grep -q -- "$1\$"; }
check "a parse note alone is the note" row_ends ",20.00,CNY,credit,,,unidentified,0.00,0.00,no booking date: value date used,C0002"
check "the parse note comes before the matching note" \
    row_ends ",25.00,CNY,credit,,,unidentified,0.00,0.00,clause one; clause two; unknown policy P1,B0003"
out=$(zcat "$T_TMP/out/2026-06-02/summary.txt.gz")
check "a file's warnings are listed under it" contains "$out" "$(printf '%s\n%s' \
    "  c1.xml                                      camt053  2 receipts, 0 duplicates" \
    "    warnings: dos end-of-file byte ignored (line 12)")"

# End to end with a tolerant MT940 parser: an amount without a decimal comma (a
# receipt's note) and a DOS end-of-file byte (a file warning).
mt940 "$T_TMP/w.sta" 1300,00 "300|B0009|PREMIUM P2026000000099"
sed -i 's/:20:STMT1/:20:STMT9/' "$T_TMP/w.sta"
printf '\032' >>"$T_TMP/w.sta"
run ingest "$T_TMP/w.sta"
if [ "$rc" -ne 0 ]; then
    # the MT940 tolerances (issue 13, another branch) are not merged yet
    for what in "file warnings stored" "receipt note stored" "note in receipts.csv.gz" \
        "warnings in the summary"; do
        t_n=$((t_n + 1))
        echo "ok $t_n - $what # SKIP waits on the MT940 tolerances: $(printf '%s' "$err" | head -1)"
    done
    finish
fi
check "file warnings stored" contains "$(sql "SELECT warnings FROM recon.statement_files WHERE file_name = 'w.sta'")" \
    "dos end-of-file byte ignored"
note=$(sql "SELECT parse_note FROM recon.receipts WHERE transaction_key = 'B0009'")
check "receipt note stored" [ -n "$note" ]
run process --as-of 2026-06-03
run report --as-of 2026-06-03 --out "$T_TMP/out"
out=$(zcat "$T_TMP/out/2026-06-03/receipts.csv.gz")
check "note in receipts.csv.gz" contains "$out" ",$note; unknown policy P2026000000099"
out=$(zcat "$T_TMP/out/2026-06-03/summary.txt.gz")
check "warnings in the summary" contains "$out" "    warnings: "
finish
