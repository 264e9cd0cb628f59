#!/usr/bin/env bash
# camt dialects: the parser fixture pairs under tests/parsers/fixtures/camt05x/ give
# their expected stdout, stderr and exit status; every camt sample in ../shared/samples
# reads as tests/parsers/camt_samples.list says (skipped when the samples are absent);
# and an entry reported in a camt.052 and repeated by the day's camt.053 is stored once.
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

# --- fixture pairs: CASE.xml with CASE.out, CASE.err (absent: empty), CASE.exit
# (absent: 0) and CASE.args (extra arguments, one per line), run in their directory.
for input in "$root"/tests/parsers/fixtures/camt05*/*.xml; do
    dir=$(dirname "$input")
    case_=${input%.xml}
    args=()
    [ -f "$case_.args" ] && mapfile -t args <"$case_.args"
    (cd "$dir" && "$RECON_BIN" parse --unmasked "${args[@]}" "$(basename "$input")" \
        >"$T_TMP/case.out" 2>"$T_TMP/case.err")
    rc=$?
    want_rc=0
    [ -f "$case_.exit" ] && want_rc=$(cat "$case_.exit")
    [ -f "$case_.err" ] && cp "$case_.err" "$T_TMP/want.err" || : >"$T_TMP/want.err"
    out=$(diff "$case_.out" "$T_TMP/case.out")
    err=$(diff "$T_TMP/want.err" "$T_TMP/case.err")
    name=$(basename "$dir")/$(basename "$case_")
    check "fixture $name: stdout, stderr and exit $want_rc as expected" \
        test "$rc" -eq "$want_rc" -a -z "$out" -a -z "$err"
done

# --- samples: exit status, receipt count and totals of each
samples=${RECON_SAMPLES:-$root/../shared/samples}
if [ -d "$samples/camt053" ]; then
    while read -r want_rc want_n want_cr want_dr path; do
        case "$want_rc" in '' | '#'*) continue ;; esac
        run parse --unmasked "$samples/$path"
        got=$(printf '%s\n' "$out" | awk -F, '
            NR > 1 { n++; a = $7 + 0; if (a >= 0) c += a; else d -= a }
            END { printf "%d %.2f %.2f", n, c, d }')
        check "sample $path: exit $want_rc, $want_n receipts, credits $want_cr, debits $want_dr" \
            test "$rc $got" = "$want_rc $want_n $want_cr $want_dr"
    done <"$root/tests/parsers/camt_samples.list"
else
    t_n=$((t_n + 1))
    echo "ok $t_n - # SKIP samples absent ($samples)"
fi

# --- camt.052 then camt.053 of the same day: the repeated entries count once
new_db recon_camt_dialects
run init
check "init" test "$rc" -eq 0
cp "$root/tests/parsers/fixtures/camt052/intraday_then_statement.xml" "$T_TMP/rpt.xml"
cp "$root/tests/parsers/fixtures/camt053/statement_after_intraday.xml" "$T_TMP/stmt.xml"
run ingest "$T_TMP/rpt.xml"
check "camt.052 report stored with its 2 booked entries" \
    contains "$out" "rpt.xml: camt052, 2 receipts (0 duplicates), stored as file"
run ingest "$T_TMP/stmt.xml"
check "the day's camt.053 finds both of them already stored" \
    contains "$out" "stmt.xml: camt053, 3 receipts (2 duplicates), stored as file"
check "3 receipts count as money for the account, the 2 repeats as duplicates" \
    test "$(sql "SELECT count(*) FILTER (WHERE duplicate_of IS NULL), count(duplicate_of)
                 FROM recon.receipts WHERE source = 'CN99000000000000000001'")" = "3|2"

finish
