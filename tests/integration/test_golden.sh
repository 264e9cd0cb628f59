#!/usr/bin/env bash
# The demo scenario (fixtures/scenario/) night by night against golden reports
# checked into tests/golden/scenario/DATE/ (decompressed, for readable diffs).
# Regenerate after an intended change with: UPDATE_GOLDEN=1 make test
. "$(dirname "$0")/lib.sh"
golden=tests/golden/scenario
new_db it_golden
run init
out_dir="$T_TMP/demo"
run demo --out "$out_dir"
check "demo runs the scenario: exit 0" [ "$rc" -eq 0 ]
check "demo prints the status table" contains "$out" "policies as of 2026-07-15"
check "demo reports a refused file" contains "$out" "refused on purpose"
check "demo stores the scenario's decisions on their nights" \
    contains "$out" "nightly 2026-07-03: 0 files stored, 0 rejected, 0 receipts, 0 new events, 1 decisions file stored"
check "demo points at a decided receipt" contains "$out" "recon status --receipt 22 --as-of 2026-07-15"

if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
    rm -rf "$golden"
    for d in "$out_dir"/20*; do
        day=$(basename "$d")
        # Nights with no receipt and no event are left out: their reports
        # repeat the day before, and the manifests still cover them.
        [ "$(zcat "$d/receipts.csv.gz" "$d/events.csv.gz" | wc -l)" -gt 2 ] || continue
        mkdir -p "$golden/$day"
        for f in "$d"/*.gz; do zcat "$f" >"$golden/$day/$(basename "$f" .gz)"; done
        cp "$d/INPUTS.sha256" "$golden/$day/"
        cp "$d/index.html" "$golden/$day/"
        # The workbook is compared by its hash (its bytes are deterministic like the CSV's).
        (cd "$d" && sha256sum "recon-$day.xlsx") >"$golden/$day/workbook.sha256"
    done
fi

days=0
mismatch=""
for g in "$golden"/20*; do
    day=$(basename "$g")
    days=$((days + 1))
    for f in "$g"/*; do
        name=$(basename "$f")
        case "$name" in
            workbook.sha256)
                (cd "$out_dir/$day" && sha256sum -c --quiet "$OLDPWD/$f" >/dev/null 2>&1) ||
                    mismatch="$mismatch $day/$name" ;;
            *.sha256 | *.html) cmp -s "$f" "$out_dir/$day/$name" || mismatch="$mismatch $day/$name" ;;
            *) zcat "$out_dir/$day/$name.gz" 2>/dev/null | cmp -s - "$f" || mismatch="$mismatch $day/$name" ;;
        esac
    done
done
check "golden days present" [ "$days" -ge 25 ]
check "every report equals its golden file" [ -z "$mismatch" ]
[ -n "$mismatch" ] && echo "# differing:$mismatch"
all_ok=1
for d in "$out_dir"/20*; do
    (cd "$d" && sha256sum -c --quiet MANIFEST.sha256 >/dev/null 2>&1) || all_ok=0
done
check "every night's manifest verifies" [ "$all_ok" -eq 1 ]

# The scenario shows every receipt outcome of interface.md at least once.
outcomes=$(for f in "$out_dir"/20*/receipts.csv.gz; do zcat "$f" | tail -n +2; done |
    awk -F, '{print $10}' | sort -u | tr '\n' ' ')
for o in matched partial overpaid prepaid unidentified ambiguous duplicate reversal refund_due settlement currency; do
    check "the scenario shows outcome $o" contains " $outcomes" " $o "
done
transitions=$(for f in "$out_dir"/20*/events.csv.gz; do zcat "$f" | tail -n +2; done |
    awk -F, '{print $3 "->" $4}' | sort -u | tr '\n' ' ')
for t in "pending->in_force" "in_force->grace" "grace->in_force" "grace->suspended" "suspended->in_force" "in_force->cancelled"; do
    check "the scenario shows $t" contains " $transitions" " $t "
done

# The demo again on the same database: nothing new, the same bytes.
before=$(cat "$out_dir"/20*/MANIFEST.sha256 | sha256sum)
run demo --out "$out_dir"
check "demo again: exit 0" [ "$rc" -eq 0 ]
check "demo again rewrites identical reports" [ "$(cat "$out_dir"/20*/MANIFEST.sha256 | sha256sum)" = "$before" ]

# An auditor's replay of the demo's archive on an empty database.
new_db it_golden_replay
run init
run policies load fixtures/scenario/policies.csv
run events load fixtures/scenario/events.csv
RECON_SETTLEMENT_ACCOUNTS="wechat:TENPAY0001,alipay:ALIPAY0001" \
    run replay --from 2026-05-01 --to 2026-07-15 --inbox fixtures/scenario/inbox --profile icbc \
    --register-inbox fixtures/scenario/register --out "$T_TMP/replay" --archive "$out_dir"
check "replay of the demo: no differences" contains "$out" "0 differences from the archive"
check "the replay stores the archived decisions on their night, from the night's folder" \
    contains "$out" "$out_dir/2026-07-01/decisions/decisions_2026-07-01.csv: 5 decisions stored"
check "... kept as the archive has them: who decided and who approved" \
    [ "$(sql "SELECT string_agg(decided_on || ' ' || action || ' ' || decided_by, ',' ORDER BY decision_id) FROM recon.decisions WHERE action IN ('refund', 'approve')")" = "2026-07-01 refund alice,2026-07-01 refund alice,2026-07-03 approve bob" ]
finish
