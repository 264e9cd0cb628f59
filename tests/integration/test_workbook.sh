#!/usr/bin/env bash
# The day's workbook (OUT/DATE/recon-DATE.xlsx) read back with a real reader (openpyxl):
# every night of the demo equals its CSV reports row for row and in totals, with typed cells;
# a rerun writes the same bytes, listed in MANIFEST.sha256; statement text that looks like a
# formula stays a plain string in the workbook and is quoted in receipts.csv.gz.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
CHECK="$(dirname "$0")/workbook_check.py"

new_db it_workbook
run init
demo="$T_TMP/demo"
run demo --out "$demo"
check "demo runs: exit 0" [ "$rc" -eq 0 ]
check "demo says where to open the workbook" contains "$out" "recon-2026-07-15.xlsx"
nights=$(ls -d "$demo"/20* | wc -l)
books=$(ls "$demo"/20*/recon-20*.xlsx | wc -l)
check "every night has its workbook ($nights nights)" [ "$books" -eq "$nights" ]
check "every workbook is in its night's MANIFEST.sha256" \
    [ "$(grep -c 'recon-20.*\.xlsx$' "$demo"/20*/MANIFEST.sha256 | grep -c ':1$')" -eq "$nights" ]
"$PY" "$CHECK" "$demo"/20* >"$T_TMP/check.out" 2>&1
rc=$?
out=$(cat "$T_TMP/check.out")
check "each workbook equals its CSV reports (openpyxl)" [ "$rc" -eq 0 ]
check "no temporary left beside the reports" \
    [ -z "$(find "$demo"/20* -name '.*' -o -name 'tmp.*' | grep -v '/\.$')" ]

day=2026-07-15
before=$(sha256sum <"$demo/$day/recon-$day.xlsx")
sleep 1 # a clock-dependent byte would now differ
run report --as-of $day --out "$demo"
check "report again: exit 0" [ "$rc" -eq 0 ]
check "report again: the same workbook bytes" [ "$(sha256sum <"$demo/$day/recon-$day.xlsx")" = "$before" ]
check "the manifest verifies the workbook" \
    sh -c "cd '$demo/$day' && sha256sum -c --quiet MANIFEST.sha256"

# Payer names that spreadsheets would run as formulas, and account numbers with leading zeros.
inbox="$T_TMP/inbox"
mkdir -p "$inbox"
cat >"$inbox/hostile.sta" <<'EOF'
:20:STMT20260601
:25:6222000011112222
:28C:1/1
:60F:C260531CNY0,00
:61:2606010601C10,00NTRFNONREF//000101
:86:166?00GUTSCHRIFT?20NO POLICY?316217001111222233?32=HYPERLINK("http://x.invalid/
:61:2606010601C20,00NTRFNONREF//000102
:86:166?00GUTSCHRIFT?20NO POLICY?310012345678?32+cmd|' /C calc'!A0
:61:2606010601C30,00NTRFNONREF//000103
:86:166?00GUTSCHRIFT?20NO POLICY?316217001111222299?32@SUM(1+1)
:61:2606010601C40,00NTRFNONREF//000104
:86:166?00GUTSCHRIFT?20NO POLICY?316217001111222288?32-1+1
:62F:C260601CNY100,00
-
EOF
new_db it_workbook_hostile
run init
run policies load fixtures/register/policies.csv
run nightly --as-of 2026-06-01 --inbox "$inbox" --out "$T_TMP/masked"
check "hostile payers: nightly exit 0" [ "$rc" -eq 0 ]
run report --as-of 2026-06-01 --out "$T_TMP/unmasked" --unmasked
check "hostile payers: unmasked report exit 0" [ "$rc" -eq 0 ]
for kind in masked unmasked; do
    d="$T_TMP/$kind/2026-06-01"
    "$PY" "$CHECK" "$d" >"$T_TMP/check.out" 2>&1
    rc=$?
    out=$(cat "$T_TMP/check.out")
    check "$kind: the workbook equals the CSV reports" [ "$rc" -eq 0 ]
    "$PY" - "$d" "$kind" >"$T_TMP/hostile.out" 2>&1 <<'PY'
import csv, gzip, sys, openpyxl
d, kind = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(gzip.open(d + "/receipts.csv.gz", "rt", encoding="utf-8", newline="")))
payers = sorted(r["payer"] for r in rows)
want = sorted(["'=HYPERLINK(\"http://x.invalid/", "'+cmd|' /C calc'!A0", "'@SUM(1+1)", "'-1+1"]
              if kind == "unmasked" else ["'=*", "'+*", "'@*", "'-*"])
assert payers == want, f"CSV payers {payers}, want {want}"
ws = openpyxl.load_workbook(d + "/recon-2026-06-01.xlsx")["Receipts"]
header = [c.value for c in ws[2]]
cells = {c: header.index(c) for c in ("payer", "transaction_key", "receipt_id", "source")}
got = []
for row in ws.iter_rows(min_row=3):
    for name, i in cells.items():
        assert row[i].data_type == "s", f"{name} cell {row[i].coordinate} is {row[i].data_type}"
    got.append(row[cells["payer"]].value)
    assert row[cells["transaction_key"]].value.startswith("0001"), row[cells["transaction_key"]].value
assert sorted(got) == want, f"workbook payers {sorted(got)}"
print("ok")
PY
    rc=$?
    out=$(cat "$T_TMP/hostile.out")
    check "$kind: formula-like payers are quoted text in the CSV and string cells in the workbook" \
        [ "$rc" -eq 0 ]
done
finish
