#!/usr/bin/env bash
# The register inbox (nightly/replay --register-inbox): policy register and
# events files applied on the night that finds them, before its statements
# (policies before events, whatever the names), each once; register, events
# and decisions files dropped in the statement inbox refused with where they
# belong; INPUTS.sha256 listing register files under register/; a replay on an
# empty database reproducing every night byte for byte across a register
# change; links, FIFOs, odd names and bad files in the register inbox refused
# and quarantined while the night goes on.
. "$(dirname "$0")/lib.sh"
umask 022
SC=fixtures/scenario
export RECON_SETTLEMENT_ACCOUNTS="wechat:TENPAY0001,alipay:ALIPAY0001"
S="$T_TMP/inbox"
R="$T_TMP/register"
O="$T_TMP/out"
mkdir -p "$S" "$R"
first=2026-06-05
last=2026-06-16
late=2026-06-15

# Statement files of the scenario, as they arrive (those due before the first night
# arrive on it); the register and events files only through the register inbox.
arrive() {
    local day=$1
    tail -n +2 "$SC/arrivals.csv" | while IFS=, read -r file when; do
        [ "$when" = "$day" ] || { [ "$day" = "$first" ] && [[ "$when" < "$first" ]]; } || continue
        case "$file" in
            register/*) cp "$SC/$file" "$R/" ;;
            *) cp "$SC/inbox/$file" "$S/" ;;
        esac
    done
}
night() { run nightly --as-of "$1" --inbox "$S" --register-inbox "$R" --out "$O" --profile icbc; }

new_db it_register_inbox
main_db=$RECON_DB
run init
cp "$SC/policies.csv" "$R/policies.csv"
cp "$SC/events.csv" "$R/events.csv" # sorts before policies.csv: applied after it all the same
# Files of the register inbox's kinds dropped where the banks deliver.
cp "$SC/policies.csv" "$S/register_copy.csv"
cp "$SC/events.csv" "$S/events_copy.csv"
printf '%s\n' 'decided_on,receipt_id,source,transaction_key,action,policy_no,amount,reason,decided_by' \
    '2026-06-05,22,,,refund,,,customer asked,alice' >"$S/decisions.csv"
arrive $first
night $first
check "night 1: exit 65 (three files refused from the statement inbox)" [ "$rc" -eq 65 ]
check "night 1 applies the register from the register inbox" \
    contains "$out" "policies.csv: policy register, 12 policies (12 new, 0 updated or unchanged)"
check "... and then the events (named first, applied after the policies)" \
    contains "$out" "events.csv: events, 2 rows (1 new agreements, 1 new cancellation requests)"
check "the policies come before the statements: receipts match on the same night" \
    [ "$(zcat "$O/$first/receipts.csv.gz" | awk -F, '$10 == "matched"' | wc -l)" -ge 10 ]
check "a register file in the statement inbox is refused with where it belongs" \
    contains "$err" "$S/register_copy.csv: a policy register file (header policy_no,holder_name,...), not a statement; refused; hint: give it to --register-inbox"
check "an events file too" \
    contains "$err" "$S/events_copy.csv: an events file (header policy_no,event,date), not a statement; refused; hint: give it to --register-inbox"
check "a decisions file is refused: decisions enter only through recon decide" \
    contains "$err" "$S/decisions.csv: a decisions file (header decided_on,receipt_id,...); refused; hint: decisions enter only through \`recon decide\`"
check "... and kept in quarantine with its reason" \
    contains "$(cat "$O/quarantine/decisions.csv.reason" 2>/dev/null)" "decisions.csv: a decisions file"
check "the refused decisions changed nothing: receipt 22 is still in suspense" \
    [ "$(zcat "$O/$first/receipts.csv.gz" | awk -F, '$1 == 22 {print $10}')" != "refund_due" ]
inputs=$(cat "$O/$first/INPUTS.sha256")
check "INPUTS.sha256 lists the register file under register/ with its SHA-256" \
    contains "$inputs" "$(sha256sum <"$R/policies.csv" | cut -c1-64)  register/policies.csv"
check "... and the events file" \
    contains "$inputs" "$(sha256sum <"$R/events.csv" | cut -c1-64)  register/events.csv"
check "... and still the statements, by name" \
    contains "$inputs" "$(sha256sum <"$S/camt053_2026-04-30.xml" | cut -c1-64)  camt053_2026-04-30.xml"
check "the database records each register file once, on its night" \
    [ "$(sql "SELECT string_agg(file_name || ' ' || kind || ' ' || status || ' ' || business_date, ', ' ORDER BY file_name) FROM recon.register_files")" = "events.csv events applied $first, policies.csv policies applied $first" ]

for d in $(seq 1 11); do
    day=$(date -d "$first + $d day" +%F)
    arrive "$day"
    night "$day"
    [ "$rc" -eq 0 ] || break
done
check "the later nights run (exit 0)" [ "$rc" -eq 0 ]
check "the late register is applied on its night only" \
    [ "$(grep -l 'register/policies_2026-06-15.csv' "$O"/20*/INPUTS.sha256 | xargs -n1 dirname | xargs -n1 basename)" = "$late" ]
check "the night before it knows nothing of P2026100000099" \
    lacks "$(zcat "$O/2026-06-14/policies.csv.gz")" "P2026100000099"
check "from its night on the policy is in the register" \
    contains "$(zcat "$O/$late/policies.csv.gz")" "P2026100000099,"
check "a register file applied before is skipped on later nights" \
    [ "$(sql "SELECT count(*) FROM recon.register_files")" = 3 ]

# The night of the register change again: nothing new, the same bytes.
before=$(cat "$O/$late/MANIFEST.sha256" "$O/$late/INPUTS.sha256")
night $late
check "rerunning the night of the register change: exit 0" [ "$rc" -eq 0 ]
check "... applies nothing again" lacks "$out" "policy register"
check "... and rewrites the same reports" [ "$(cat "$O/$late/MANIFEST.sha256" "$O/$late/INPUTS.sha256")" = "$before" ]

# A night before the register change, run again after it: the register it had, the same bytes.
before=$(cat "$O/2026-06-14/MANIFEST.sha256")
night 2026-06-14
check "rerunning a night before the register change: exit 0" [ "$rc" -eq 0 ]
check "... evaluates the register that night knew: the same bytes" \
    [ "$(cat "$O/2026-06-14/MANIFEST.sha256")" = "$before" ]
check "... without the policy first known later" lacks "$(zcat "$O/2026-06-14/policies.csv.gz")" "P2026100000099"
check "the policy records the night it was first known" \
    [ "$(sql "SELECT known_on FROM recon.policies WHERE policy_no = 'P2026100000099'")" = $late ]
check "... and those of the first register file their night" \
    [ "$(sql "SELECT count(*) FROM recon.policies WHERE known_on = '$first'")" = 12 ]

# An auditor's replay on an empty database: every input found by hash.
new_db it_register_inbox_replay
run init
run replay --from $first --to $last --inbox "$S" --register-inbox "$R" --out "$T_TMP/replay" \
    --archive "$O" --profile icbc
check "replay with --register-inbox: every night byte for byte, the register change included" \
    contains "$out" "replay $first..$last: 0 differences from the archive"
check "... its reports are the archive's" \
    [ "$(cat "$T_TMP/replay/$late/MANIFEST.sha256")" = "$(cat "$O/$late/MANIFEST.sha256")" ]
run replay --from $first --to $last --inbox "$S" --register-inbox "$R" --out "$T_TMP/replay2" \
    --archive "$O" --profile icbc
check "replay refuses a database that holds register-inbox files" \
    contains "$err" "replay needs a database without statement files or register-inbox files"
new_db it_register_inbox_replay2
run init
run replay --from $first --to $last --inbox "$S" --out "$T_TMP/replay3" --archive "$O" --profile icbc
check "replay without the register inbox names the missing register files" \
    contains "$out" "$first: input register/policies.csv ($(sha256sum <"$R/policies.csv" | cut -c1-12)) is not in the register inbox"
check "... and exits 1" [ "$rc" -eq 1 ]

# The night's decisions files (schema 014, `recon decide`): listed in INPUTS.sha256 under
# decisions/ and kept in the night's folder. Checked once the decisions tables exist (they
# come with `recon decide`); stored here as that command stores them.
dnight=2026-06-17
if [ "$(sql "SELECT to_regclass('recon.decision_files') IS NOT NULL")" = t ]; then
    export RECON_DB=$main_db
    dfile="$T_TMP/decisions_$dnight.csv"
    printf '%s\n' 'decided_on,receipt_id,source,transaction_key,action,policy_no,amount,reason,decided_by' >"$dfile"
    dsha=$(sha256sum <"$dfile" | cut -c1-64)
    sql "INSERT INTO recon.decision_files (sha256, file_name, content, decided_on)
         VALUES ('$dsha', 'decisions_$dnight.csv', convert_to('$(cat "$dfile")' || E'\n', 'UTF8'), '$dnight')" >/dev/null
    night $dnight
    check "INPUTS.sha256 lists the night's decisions file under decisions/" \
        contains "$(cat "$O/$dnight/INPUTS.sha256")" "$dsha  decisions/decisions_$dnight.csv"
    check "the night's folder keeps its copy, 0640" \
        [ "$(stat -c %a "$O/$dnight/decisions/decisions_$dnight.csv" 2>/dev/null)" = 640 ]
    check "... with the very bytes, as sha256sum -c finds from the night's folder" \
        bash -c "cd '$O/$dnight' && grep '  decisions/' INPUTS.sha256 | sha256sum -c --quiet"
else
    t_n=$((t_n + 1))
    echo "ok $t_n - # skip the decisions tables (schema 014, recon decide) are not in this build"
fi

# ------------------------------------------------------ a hostile register inbox
new_db it_register_inbox_hostile
run init
H="$T_TMP/h-register"
HS="$T_TMP/h-inbox"
HO="$T_TMP/h-out"
mkdir -p "$H" "$HS"
secret="$T_TMP/secret.csv"
cp "$SC/policies.csv" "$secret"
ln -s "$secret" "$H/linked.csv"
mkfifo "$H/pipe.csv"
cp "$SC/policies.csv" "$H/$(printf 'odd\001name.csv')"
cp "$SC/register/policies_2026-06-15.csv" "$H/register.csv"
printf 'policy_no,event,date\nP2026100000077,cancellation_request,2026-06-01\n' >"$H/unknown_policy_events.csv"
printf 'decided_on,receipt_id,source,transaction_key,action,policy_no,amount,reason,decided_by\n' >"$H/decisions.csv"
printf 'just,some,columns\n1,2,3\n' >"$H/other.csv"
timeout 60 "$RECON_BIN" nightly --as-of $first --inbox "$HS" --register-inbox "$H" --out "$HO" \
    >"$T_TMP/stdout" 2>"$T_TMP/stderr"
rc=$?
out=$(cat "$T_TMP/stdout")
err=$(cat "$T_TMP/stderr")
check "a FIFO in the register inbox does not hang the night" [ "$rc" -ne 124 ]
check "the night completes with exit 65" [ "$rc" -eq 65 ]
check "the good register file is applied" contains "$out" "register.csv: policy register, 13 policies"
check "a link is refused, not followed" \
    contains "$err" "$H/linked.csv: a symbolic link, not a regular file; refused without reading it"
check "a FIFO is refused" contains "$err" "$H/pipe.csv: a FIFO, not a regular file"
check "an odd name is refused, shown escaped" \
    contains "$err" "$H/odd\\x01name.csv: the file name holds a control character"
check "an events file naming an unknown policy is refused whole" \
    contains "$err" "unknown_policy_events.csv: 1 bad row; file rejected, nothing stored"
check "a decisions file is refused: only recon decide takes decisions" \
    contains "$err" "$H/decisions.csv: a decisions file (header decided_on,receipt_id,...); refused; hint: decisions enter only through \`recon decide\`"
check "a file of another kind is refused by its header" \
    contains "$err" "$H/other.csv: neither a policy register file (header policy_no,holder_name,...) nor an events file"
check "refused files are quarantined like statements, with their reasons" \
    [ -f "$HO/quarantine/other.csv" ] && [ -f "$HO/quarantine/pipe.csv.reason" ] && [ -f "$HO/quarantine/linked.csv.reason" ]
check "the link's target is not copied" [ ! -e "$HO/quarantine/linked.csv" ]
check "nothing but the good file reached the register" \
    [ "$(sql "SELECT count(*) FROM recon.policies") $(sql "SELECT count(*) FROM recon.register_files WHERE status = 'applied'")" = "13 1" ]
check "refusals are listed in INPUTS.sha256 for the replay" \
    [ "$(grep -c '  register/' "$HO/$first/INPUTS.sha256")" = 7 ]
timeout 60 "$RECON_BIN" nightly --as-of $first --inbox "$HS" --register-inbox "$H" --out "$HO" \
    >"$T_TMP/stdout" 2>"$T_TMP/stderr"
rc=$?
check "a rerun of the night refuses them again (exit 65)" [ "$rc" -eq 65 ]
timeout 60 "$RECON_BIN" nightly --as-of 2026-06-06 --inbox "$HS" --register-inbox "$H" --out "$HO" \
    >"$T_TMP/stdout" 2>"$T_TMP/stderr"
rc=$?
check "the next night skips what was refused before (exit 0)" [ "$rc" -eq 0 ]
finish
