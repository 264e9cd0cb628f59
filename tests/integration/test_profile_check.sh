#!/usr/bin/env bash
# `recon profile check` (issue 13): how a bank CSV profile reads a file, column by
# column and row by row, through the reader `recon parse` uses; every refused row is
# named with its reason (exit 65), broken profiles name file, line and key.
. "$(dirname "$0")/lib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
fixtures="$root/tests/parsers/fixtures/bankcsv"
samples=${RECON_SAMPLES:-/work/shared/samples}/cn_bank_csv

# run_in DIR ARGS...: run from DIR, so messages show the names as given
run_in() {
    local dir=$1
    shift
    (cd "$dir" && "$RECON_BIN" "$@") >"$T_TMP/stdout" 2>"$T_TMP/stderr"
    rc=$?
    out=$(cat "$T_TMP/stdout")
    err=$(cat "$T_TMP/stderr")
}

# The keys check shows are the keys parse yields: one code path.
same_keys_as_parse() { # PROFILE FILE
    local want got
    want=$("$RECON_BIN" parse --unmasked --format bankcsv --profile "$1" "$2" 2>/dev/null |
        tail -n +2 | cut -d, -f4)
    got=$("$RECON_BIN" profile check --unmasked --rows 0 --profile "$1" "$2" 2>/dev/null |
        sed -n 's/^  read: .*, key //p')
    [ -n "$want" ] && [ "$want" = "$got" ]
}

# ---- the shipped profiles on the public samples ----
if [ -d "$samples" ]; then
    for pair in abc:abc_debit:4 boc:boc-records:17 cmb:cmb-records:5 icbc:icbc-debit-v2:11; do
        IFS=: read -r name pattern count <<<"$pair"
        file=$(ls "$samples"/*"$pattern"*.csv)
        run profile check --rows 0 --profile "$root/profiles/$name.profile" "$file"
        check "sample $name: every row read" \
            eval '[ $rc -eq 0 ] && contains "$out" "summary: $count rows read" &&
                  contains "$out" ", 0 refused, " && [ -z "$err" ]'
        check "sample $name: check keys = parse keys" \
            same_keys_as_parse "$root/profiles/$name.profile" "$file"
    done
    run profile check --rows 0 --profile "$root/profiles/icbc.profile" "$samples"/*icbc*.csv
    check "icbc: title lines, mapping, masked payer, trailer said" \
        eval 'contains "$out" "line 3: skipped: title line: 卡号: 1234****9876" &&
              contains "$out" "line 2: skipped: title line (empty)" &&
              contains "$out" "  income_column = 记账金额(收入) -> column 10" &&
              contains "$out" "  对方户名 [payer_column, column 14]: '"'"'深*'"'"'" &&
              contains "$out" "line 20: trailer: the data ends here" &&
              contains "$out" "(CNY credits 5/2841.74, debits 6/4241.08)"'
else
    echo "# samples absent: $samples"
fi

# ---- a fixture, whole output ----
run_in "$fixtures" profile check --unmasked --profile profiles/plain.profile plain_ok.csv
cat >"$T_TMP/want" <<'WANT'
profile plain (profiles/plain.profile): encoding UTF-8, 0 title lines before the header, dates yyyy-mm-dd, default currency CNY
line 1: header: 日期,时间,收入,支出,余额,对方,摘要
  date_column = 日期 -> column 1
  time_column = 时间 -> column 2
  income_column = 收入 -> column 3
  expense_column = 支出 -> column 4
  payer_column = 对方 -> column 6
  balance_column = 余额 -> column 5
  remittance_columns = 摘要 -> column 7
line 2: read
  日期 [date_column, column 1]: '2026-02-01'
  时间 [time_column, column 2]: '09:30:00'
  收入 [income_column, column 3]: '1,000.00'
  支出 [expense_column, column 4]: ''
  对方 [payer_column, column 6]: '甲公司'
  余额 [balance_column, column 5]: '1,000.00'
  摘要 [remittance_columns, column 7]: '保费'
  read: date 2026-02-01, amount 1000.00 CNY (credit), reference '', payer '甲公司', payer account '', remittance '保费', key fp-4998a82bcc79e228-1
line 3: read
  日期 [date_column, column 1]: '2026-02-02'
  时间 [time_column, column 2]: ''
  收入 [income_column, column 3]: ''
  支出 [expense_column, column 4]: '200.50'
  对方 [payer_column, column 6]: '乙'
  余额 [balance_column, column 5]: '***'
  摘要 [remittance_columns, column 7]: '手续费'
  read: date 2026-02-02, amount -200.50 CNY (debit), reference '', payer '乙', payer account '', remittance '手续费', key fp-34d9185dec8e8a27-1
line 4: trailer: the data ends here, what follows is not read: 合计,,"1,000.00",200.50,,,
summary: 2 rows read (CNY credits 1/1000.00, debits 1/200.50), 0 refused, 1 skipped (0 title, 0 blank, 0 zero amount, 1 trailer)
WANT
check "fixture plain_ok: whole output, exit 0" \
    eval '[ $rc -eq 0 ] && [ "$out" = "$(cat "$T_TMP/want")" ] && [ -z "$err" ]'
check "fixture dirccy (GB18030, direction column): keys = parse keys" \
    same_keys_as_parse "$fixtures/profiles/dirccy.profile" "$fixtures/dirccy.csv"
run_in "$fixtures" profile check --profile profiles/dirccy.profile dirccy.csv
check "dirccy: placeholder cell shown raw, read as empty; payer masked" \
    eval '[ $rc -eq 0 ] && contains "$out" "  流水号 [reference_column, column 5]: '"'-'"'" &&
          contains "$out" "reference '"''"', payer '"'王*'"'" &&
          contains "$out" "line 6: skipped: blank row"'

# ---- broken profiles: the exact message ----
run_in "$fixtures" profile check --profile profiles/bad_key.profile plain_ok.csv
check "bad key: file, line, key and hint" \
    eval '[ $rc -eq 65 ] && [ -z "$out" ] && [ "$err" = "recon: profiles/bad_key.profile: line 5: unknown key '"'colour'"'; hint: the keys are listed in profiles/README.md" ]'
run_in "$fixtures" profile check --profile profiles/bad_datefmt.profile plain_ok.csv
check "bad date format: file, line, key, value and hint" \
    eval '[ $rc -eq 65 ] && [ "$err" = "recon: profiles/bad_datefmt.profile: line 4: date_format '"'dd.mm.yyyy'"' is not supported; hint: yyyymmdd, yyyy-mm-dd or yyyy/mm/dd" ]'
run_in "$fixtures" profile check --profile nosuch plain_ok.csv
check "unknown profile name: exit 64 with the path looked at" \
    eval '[ $rc -eq 64 ] && contains "$err" "no bank profile '"'nosuch'"'"'

# ---- refused rows: every one named, reading goes on ----
printf '%s\n' '日期,时间,收入,支出,余额,对方,摘要' \
    '2026-02-01,09:30:00,"1,000.00",,,甲公司,保费' \
    '2026-02-30,,5.00,,,乙,x' \
    '2026-02-02,,5.00,3.00,,丙,y' \
    '' \
    '2026-02-03,,0.00,,,丁,利息税' \
    '2026-02-04,,1.001,,,戊,z' \
    '2026-02-05,,,2.00,,己,"unclosed' \
    '2026-02-06,25:61:00,,2.00,abc,庚,w' \
    '合计,,"1,000.00",4.00,,,' >"$T_TMP/refused.csv"
run_in "$T_TMP" profile check --rows 0 --profile "$fixtures/profiles/plain.profile" refused.csv
check "refused rows: each with its reason, exit 65" \
    eval '[ $rc -eq 65 ] &&
          contains "$out" "line 3: refused: date '"'2026-02-30'"' is not a valid yyyy-mm-dd date" &&
          contains "$out" "line 4: refused: both 收入 and 支出 hold an amount" &&
          contains "$out" "line 5: skipped: blank row" &&
          contains "$out" "line 6: skipped: amount 0.00 moves no money" &&
          contains "$out" "line 7: refused: 收入 '"'1.001'"': not a decimal amount" &&
          contains "$out" "line 8: refused: malformed CSV (stray or unclosed quote)" &&
          contains "$out" "line 10: refused: trailer total 4.00 of 支出 does not match the rows'"'"' 2.00" &&
          contains "$out" "summary: 2 rows read (CNY credits 1/1000.00, debits 1/2.00), 5 refused, 2 skipped" &&
          [ "$err" = "recon: refused.csv: 5 rows refused by bank profile plain" ]'
check "tolerated quirks on a read row are notes, not refusals" \
    eval 'contains "$out" "  note: time is not hhmmss or hh:mm:ss: ignored; balance is not an amount in the row'"'"'s currency: ignored"'
run_in "$T_TMP" parse --format bankcsv --profile "$fixtures/profiles/plain.profile" refused.csv
check "parse stops at the first refused row check names" \
    eval '[ $rc -eq 65 ] && contains "$err" "refused.csv: line 3: date '"'2026-02-30'"' is not a valid yyyy-mm-dd date"'

# ---- a header without a column the money needs ----
printf '%s\n' '日期,时间,进账,支出,余额,对方' '2026-02-01,,1.00,,,x' >"$T_TMP/nocol.csv"
run_in "$T_TMP" profile check --profile "$fixtures/profiles/plain.profile" nocol.csv
check "missing columns: mapping says which, the file is refused" \
    eval '[ $rc -eq 65 ] && contains "$out" "  income_column = 收入 -> not in the header (the money cannot be read)" &&
          contains "$out" "  remittance_columns = 摘要 -> not in the header (read as empty)" &&
          contains "$out" "line 1: refused: header has no column" &&
          contains "$out" "line 1: nothing after this line can be read"'

# ---- --rows ----
run_in "$fixtures" profile check --rows 1 --profile profiles/plain.profile plain_ok.csv
check "--rows 1: one row in full, the rest counted" \
    eval '[ $rc -eq 0 ] && contains "$out" "line 2: read" && lacks "$out" "line 3: read" &&
          contains "$out" "line 3: rows read from here on are not shown (--rows 1; --rows 0 shows all)" &&
          contains "$out" "summary: 2 rows read"'
run profile check --rows x --profile "$fixtures/profiles/plain.profile" "$fixtures/plain_ok.csv"
check "--rows x: usage error" \
    eval '[ $rc -eq 64 ] && contains "$err" "--rows: '"'x'"' is not a number of rows"'
run profile check
check "no file: usage" eval '[ $rc -eq 64 ] && contains "$err" "usage: recon profile check"'

finish
