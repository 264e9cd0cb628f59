#!/usr/bin/env bash
# A person's decisions (issue 14 item 2, rules.md section 10): `recon decide FILE`
# stores assignments (whole or split), refunds, write-offs, releases and
# approvals; a file with any bad row is refused whole, each bad row named; the
# effects reach the evaluation from the night decided_on (never earlier), the
# refunds report, `recon status` of a policy and of a receipt; only a decider
# may decide, in their own name; decisions are append-only.
. "$(dirname "$0")/lib.sh"
unset RECON_FOUR_EYES_BELOW
SUPER="host=$PG_SOCKET_DIR dbname=postgres user=postgres"
HEADER=decided_on,receipt_id,source,transaction_key,action,policy_no,amount,reason,decided_by
P1=P2026000000001 P2=P2026000000002 P3=P2026000000003 P4=P2026000000004

cat >"$T_TMP/policies.csv" <<'CSV'
policy_no,holder_name,holder_id_no,payment_mode,start_date,end_date,premium,net_premium,currency,payer_account
P2026000000001,张三,110101199003071234,monthly,2026-01-15,,30.00,,CNY,
P2026000000002,李四,310101198512125678,monthly,2026-01-15,,30.00,,CNY,
P2026000000003,王五,440101197001011111,monthly,2026-01-15,,30.00,,CNY,
P2026000000004,周九,440101197001012222,monthly,2026-01-15,,30.00,,CNY,
CSV
# receipts 1-3 carry no reference (suspense), 4 pays P3's first installment,
# 5 is money going out, 6 (U4) stays undecided
cat >"$T_TMP/receipts.csv" <<'CSV'
source,transaction_key,booking_date,amount,currency,policy_no,payer,remittance
counter,U1,2026-01-15,60.00,CNY,,赵六,no reference
counter,U2,2026-01-20,500.00,CNY,,钱七,unknown
counter,U3,2026-01-20,50.00,CNY,,孙八,unknown
counter,M1,2026-01-15,30.00,CNY,P2026000000003,王五,premium 1
counter,D1,2026-01-21,-50.00,CNY,,孙八,chargeback
counter,U4,2026-01-22,150.00,CNY,,吴十,unknown
CSV
decisions() { # NAME ROWS...: a decisions file with the header
    local f="$T_TMP/$1"
    shift
    printf '%s\n' "$HEADER" "$@" >"$f"
}
status_of() { sql "SELECT status || ' ' || coalesce(status_since::text, '') FROM recon.policy_status WHERE policy_no = '$1'"; }
zcat_report() { gzip -dc "$T_TMP/out/$1/$2"; }

new_db it_decide
run init
run policies load "$T_TMP/policies.csv"
run receipts load "$T_TMP/receipts.csv"
run process --as-of 2026-01-31
check "receipts 1-3 and 6 in suspense, P1 and P2 not effective" \
    [ "$(status_of $P1)/$(status_of $P2)/$(sql "SELECT count(*) FROM recon.receipts WHERE match_result = 'unidentified' AND amount > 0")" = "not_effective 2026-01-15/not_effective 2026-01-15/4" ]

# ---------------------------------------------------------------- refusals
decisions bad_fields.csv \
    "2026-02-01,3,,,mangle,,,bad action,bob" \
    "2026-02-31,3,,,release,,,bad date,bob" \
    "2026-02-01,3,,,assign,$P1,-5.00,negative,bob" \
    "2026-02-01,3,,,assign,$P1,1.234,three decimals,bob" \
    "2026-02-01,3,,,assign,$P1,,,bob" \
    "2026-02-01,3,,,assign,$P1,,no one," \
    "2026-02-01,,,,write_off,$P1,,no amount,bob" \
    "2026-02-01,,,,assign,$P1,,no receipt,bob" \
    "2026-02-01,,counter,,assign,$P1,,half a key,bob" \
    "2026-02-01,3,,,release,,5.00,amount on a release,bob" \
    "2026-02-01,3,,,write_off,$P1,5.00,receipt on a write-off,bob" \
    "2026-02-01,3,,,assign,,,no policy,bob"
run decide "$T_TMP/bad_fields.csv"
F="$T_TMP/bad_fields.csv"
check "a file with bad fields is refused whole (65)" [ "$rc" -eq 65 ]
check "each bad field named with its line" [ "$err" = "recon: error: $F: line 2: action 'mangle': expected assign, refund, write_off, release or approve
recon: error: $F: line 3: decided_on '2026-02-31': not a valid date (YYYY-MM-DD)
recon: error: $F: line 4: amount '-5.00': must be above 0 (empty: the whole receipt)
recon: error: $F: line 5: amount '1.234': not a decimal amount
recon: error: $F: line 6: reason '': required: say why
recon: error: $F: line 7: decided_by '': required: who decided (their login role)
recon: error: $F: line 8: amount '': required for write_off: the most it forgives
recon: error: $F: line 9: receipt_id '': required: name the receipt by receipt_id, or by source and transaction_key
recon: error: $F: line 10: transaction_key '': required with the other: a receipt is named by receipt_id, or by source and transaction_key
recon: error: $F: line 11: amount '5.00': must be empty: a release or an approval moves no amount of its own
recon: error: $F: line 12: receipt_id '3': write_off forgives what a policy owes: leave receipt_id, source and transaction_key empty
recon: error: $F: line 13: policy_no '': required for assign: the policy the money belongs to
recon: $F: 12 bad rows; file rejected, nothing stored" ]

# ---------------------------------------------------------------- assign, split, refund
decisions night1.csv \
    "2026-02-01,1,,,assign,$P1,30.00,payer named P1 on the phone,alice" \
    "2026-02-01,,counter,U1,assign,$P2,30.00,the other half is P2's,alice" \
    "2026-02-01,3,,,refund,,,payer asked for it back,alice" \
    "2026-02-01,2,,,refund,,,not ours,alice" \
    "2026-02-01,4,,,assign,$P4,,P3's premium was P4's,alice"
run decide "$T_TMP/night1.csv"
check "a good file is stored" [ "$rc" -eq 0 ] && check "its rows counted" [ "$out" = "$T_TMP/night1.csv: 5 decisions stored" ]
check "with its bytes, SHA-256 and the session user" \
    [ "$(sql "SELECT md5(content), sha256, file_name, stored_by FROM recon.decision_files")" = "$(md5sum <"$T_TMP/night1.csv" | cut -d' ' -f1)|$(sha256sum <"$T_TMP/night1.csv" | cut -d' ' -f1)|night1.csv|postgres" ]
run decide "$T_TMP/night1.csv"
check "the same file twice is skipped" [ "$rc" -eq 0 ] && check "saying so" contains "$out" "already stored (same SHA-256), skipped"
check "and stores nothing again" [ "$(sql "SELECT count(*) FROM recon.decisions")" = 5 ]

run process --as-of 2026-01-31
check "a decision for night 02-01 is invisible on 01-31" [ "$(status_of $P1)" = "not_effective 2026-01-15" ]
run process --as-of 2026-02-01
check "split: P1 counts its 30.00 from the booking date" [ "$(status_of $P1)" = "in_force 2026-01-15" ]
check "split: so does P2" [ "$(status_of $P2)" = "in_force 2026-01-15" ]
check "the correction is an event of night 02-01 with its true date" \
    [ "$(sql "SELECT effective_date || ' ' || to_status FROM recon.status_events WHERE policy_no = '$P1' AND known_from = '2026-02-01' AND known_until IS NULL")" = "2026-01-15 in_force" ]
check "assign overrides the automatic match: P4 has receipt 4, P3 lost it" \
    [ "$(status_of $P4)/$(status_of $P3)" = "in_force 2026-01-15/not_effective 2026-01-15" ]
run report --as-of 2026-02-01 --out "$T_TMP/out"
check "a refund below the threshold is due 30 days after decided_on" \
    contains "$(zcat_report 2026-02-01 refunds.csv.gz)" ",decision,50.00,2026-03-03"
check "a refund of 100.00 or more waits for approval" \
    lacks "$(zcat_report 2026-02-01 refunds.csv.gz)" "500.00"
check "decided receipts leave the exceptions; the one waiting stays" \
    [ "$(zcat_report 2026-02-01 exceptions.csv.gz | grep -c "^unidentified,")" = 2 ]
run status $P1 --as-of 2026-02-01
check "status lists the policy's decisions" \
    contains "$out" "2026-02-01  assign receipt 1 policy $P1 30.00  by alice: payer named P1 on the phone  (night1.csv line 2)"
run status --receipt 1 --as-of 2026-02-01
check "status --receipt: the file and position" contains "$out" "file manual entry line 2  known from 2026-01-31"
check "status --receipt: the match" contains "$out" "match unidentified"
check "status --receipt: both decisions" contains "$out" "assign receipt 1 policy $P2 30.00  by alice: the other half is P2's"
check "status --receipt: the allocations on each policy" \
    contains "$out" "$P1: 30.00 to installment 1
  $P2: 30.00 to installment 1"
run status --receipt 2 --as-of 2026-02-01
check "status --receipt: a refund waiting" contains "$out" "refund receipt 2  by alice: not ours  (night1.csv line 5); waiting for approval"

# ---------------------------------------------------------------- refused against the store
decisions bad_store.csv \
    "2026-02-05,99,,,assign,$P1,,no such receipt,bob" \
    "2026-02-05,,counter,NOPE,refund,,,no such key,bob" \
    "2026-02-05,3,,,assign,P2026009999999,,unknown policy,bob" \
    "2026-02-05,1,,,assign,$P3,,already decided,bob" \
    "2026-02-05,5,,,refund,,,a reversal,bob" \
    "2026-02-05,,,,write_off,$P3,10.00,ok,bob" \
    "2026-02-05,,,,write_off,$P3,10.00,ok too,bob" \
    "2026-02-06,1,,,release,,,another night,bob" \
    "2026-02-05,2,,,approve,,,approving my own,alice" \
    "2026-02-05,,,,approve,$P1,,nothing waiting,bob" \
    "2026-02-05,,,,approve,$P3,,my own write-off,bob" \
    "2026-02-05,2,1,U1,release,,,names two receipts,bob"
run decide "$T_TMP/bad_store.csv"
F="$T_TMP/bad_store.csv"
check "a file with rows the store refuses is refused whole (65)" [ "$rc" -eq 65 ]
check "one line per bad row" [ "$err" = "recon: error: $F: line 2: unknown receipt 99
recon: error: $F: line 3: unknown receipt: source 'counter' transaction_key 'NOPE'
recon: error: $F: line 4: unknown policy 'P2026009999999'
recon: error: $F: line 5: receipt 1 already decided (assign on line 2 of night1.csv); hint: release it first
recon: error: $F: line 6: receipt 5 is a reversal (money going out); hint: decide on the receipt it reverses
recon: error: $F: line 9: decided_on 2026-02-06 differs from line 2's 2026-02-05; hint: one file holds the decisions of one night
recon: error: $F: line 10: self-approval: the refund on line 5 of night1.csv was decided by 'alice'; hint: someone else approves it
recon: error: $F: line 11: nothing to approve: policy '$P1' has no write-off waiting
recon: error: $F: line 12: self-approval: the write_off on line 7 was decided by 'bob'; hint: someone else approves it
recon: error: $F: line 13: receipt_id 2 is source 'counter' transaction_key 'U2', not the '1' 'U1' this row names
recon: $F: 10 bad rows; file rejected, nothing stored" ]
decisions beyond.csv \
    "2026-02-05,,counter,U4,assign,$P3,100.00,most of it,bob" \
    "2026-02-05,,counter,U4,assign,$P1,60.00,the rest and more,bob"
run decide "$T_TMP/beyond.csv"
check "a split beyond the receipt's amount is refused" [ "$rc" -eq 65 ] &&
    check "naming the line that goes beyond" contains "$err" "beyond.csv: line 3: assigned and refunded amounts of receipt 6 come to 160.00 by this line, more than its 150.00"
decisions release_none.csv "2026-02-05,6,,,release,,,nothing decided here,bob"
run decide "$T_TMP/release_none.csv"
check "a release of a receipt nobody decided is refused" contains "$err" "line 2: nothing to release: receipt 6 has no decision in effect"
check "nothing of the refused files was stored" [ "$(sql "SELECT count(*) FROM recon.decision_files")" = 1 ]

# ---------------------------------------------------------------- four eyes, write-off, release
decisions night2.csv \
    "2026-02-10,2,,,approve,,,checked with the bank,bob" \
    "2026-02-10,,,,write_off,$P3,40.00,hardship,bob" \
    "2026-02-10,1,,,release,,,wrong payer after all,bob"
run decide "$T_TMP/night2.csv"
check "approval, write-off and release stored" [ "$out" = "$T_TMP/night2.csv: 3 decisions stored" ]
run process --as-of 2026-02-10
run report --as-of 2026-02-10 --out "$T_TMP/out"
check "an approved refund is due 30 days after its approval" \
    contains "$(zcat_report 2026-02-10 refunds.csv.gz)" ",decision,500.00,2026-03-12"
check "release: receipt 1 is back in suspense, P1 not effective again" \
    [ "$(status_of $P1)/$(status_of $P2)" = "not_effective 2026-01-15/not_effective 2026-01-15" ]
check "release: receipt 1 is an exception again" \
    contains "$(zcat_report 2026-02-10 exceptions.csv.gz)" "unidentified,1,,60.00,"
check "a write-off of 100.00 or more waits for approval" [ "$(status_of $P3)" = "not_effective 2026-01-15" ]
check "a released receipt may be decided again" [ "$(sql "SELECT recon.receipt_decided(1)::text || recon.receipt_decided(3)::text")" = falsetrue ]

# write-off below the threshold on a policy in grace: counts from its night only
decisions grace.csv "2026-02-20,,,,write_off,$P4,50.00,storm damage,carol"
run decide "$T_TMP/grace.csv"
run process --as-of 2026-02-20
check "a write-off counts as money on decided_on: P4 in force again that day" \
    [ "$(status_of $P4)" = "in_force 2026-02-20" ]
run status $P4 --as-of 2026-02-20
check "the event names the write-off" contains "$out" "installment 2 due 2026-02-15 paid in full by write-off"
check "it forgives only what was owed: no credit, no refund" contains "$out" "credit 0.00"
check "status lists the write-off" contains "$out" "write_off policy $P4 50.00  by carol: storm damage"
RECON_FOUR_EYES_BELOW=1000.00 run decide "$T_TMP/bad_fields.csv"
decisions big.csv "2026-02-21,,,,write_off,$P3,40.00,second hardship,carol"
RECON_FOUR_EYES_BELOW=10.00 run decide "$T_TMP/big.csv"
check "RECON_FOUR_EYES_BELOW=10.00: a write-off of 40.00 waits" \
    [ "$(sql "SELECT needs_approval FROM recon.decisions WHERE reason = 'second hardship'")" = t ]
decisions small.csv "2026-02-21,,,,write_off,$P2,40.00,small one,carol"
RECON_FOUR_EYES_BELOW=50.00 run decide "$T_TMP/small.csv"
check "RECON_FOUR_EYES_BELOW=50.00: a write-off of 40.00 takes effect alone" \
    [ "$(sql "SELECT needs_approval FROM recon.decisions WHERE reason = 'small one'")" = f ]
decisions past.csv "2026-02-20,,,,write_off,$P2,5.00,for a night already run,carol"
run decide "$T_TMP/past.csv"
check "a file for a night already processed is refused (65)" [ "$rc" -eq 65 ] &&
    check "naming the night and the next one" contains "$err" \
        "decided_on 2026-02-20 is a night already processed (the latest is 2026-02-20); hint: date the file 2026-02-21 or later"
check "and nothing of it is stored" [ "$(sql "SELECT count(*) FROM recon.decisions WHERE reason = 'for a night already run'")" = 0 ]
RECON_FOUR_EYES_BELOW=lots run decide "$T_TMP/small.csv"
check "a bad RECON_FOUR_EYES_BELOW stops with 64 naming it" [ "$rc" -eq 64 ] &&
    check "naming it" contains "$err" "RECON_FOUR_EYES_BELOW: 'lots' is not an amount"

# ---------------------------------------------------------------- a receipt whose file arrives late
# a transfer booked 01-14 reaches recon in the statement of 02-25; P1 is its policy
cat >"$T_TMP/late.sta" <<'STA'
:20:STMT0225
:25:6222000011119999
:28C:1/1
:60F:C260224CNY1000,00
:61:2601140114C30,00NTRFNONREF//L0114
:86:166?00TRANSFER?20GIFT?32ZHOU
:62F:C260225CNY1030,00
-
STA
run ingest "$T_TMP/late.sta"
decisions late.csv "2026-02-25,,6222000011119999,L0114,assign,$P1,,the aunt paid P1's premium,alice"
run decide "$T_TMP/late.csv"
check "a receipt of a late statement is decided by source and transaction_key" [ "$rc" -eq 0 ]
run process --as-of 2026-02-25
check "it counts for P1 from its booking date: in force since 01-15" \
    [ "$(sql "SELECT effective_date || ' ' || to_status FROM recon.status_events WHERE policy_no = '$P1' AND known_until IS NULL ORDER BY seq LIMIT 1")" = "2026-01-15 in_force" ]
run report --as-of 2026-02-25 --out "$T_TMP/out"
check "receipts.csv.gz shows the decided receipt's outcome, not its suspense" \
    contains "$(zcat_report 2026-02-25 receipts.csv.gz | grep ',L0114$')" ",$P1,matched,"
check "  and names the decision in its note" \
    contains "$(zcat_report 2026-02-25 receipts.csv.gz | grep ',L0114$')" "assign 30.00 to $P1 decided for 2026-02-25"
run status --receipt "$(sql "SELECT receipt_id FROM recon.receipts WHERE transaction_key = 'L0114'")" --as-of 2026-02-25
check "status --receipt names the statement file and its line" contains "$out" "late.sta line 5  known from 2026-02-25"

# ---------------------------------------------------------------- who may decide
psql -X -q "$SUPER" -c "DO \$\$ BEGIN CREATE ROLE it_decider LOGIN IN ROLE recon_decider; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" \
    -c "DO \$\$ BEGIN CREATE ROLE it_dloader LOGIN IN ROLE recon_loader; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" 2>/dev/null
SAVED_DB=$RECON_DB
decisions as_loader.csv "2026-02-26,3,,,release,,,loader tries,it_dloader"
RECON_DB="host=$PG_SOCKET_DIR dbname=it_decide user=it_dloader" run decide "$T_TMP/as_loader.csv"
check "a loader may not decide" [ "$rc" -eq 65 ] &&
    check "told why" contains "$err" "refused: the login role 'it_dloader' may not decide"
decisions as_other.csv "2026-02-26,3,,,release,,,in someone else's name,alice"
RECON_DB="host=$PG_SOCKET_DIR dbname=it_decide user=it_decider" run decide "$T_TMP/as_other.csv"
check "a decider decides only in their own name" \
    [ "$err" = "recon: error: $T_TMP/as_other.csv: line 2: decided_by 'alice' is not the login role 'it_decider'; hint: a person decides in their own name
recon: $T_TMP/as_other.csv: 1 bad row; file rejected, nothing stored" ]
decisions as_self.csv "2026-02-26,3,,,release,,,payer changed their mind,it_decider"
RECON_DB="host=$PG_SOCKET_DIR dbname=it_decide user=it_decider" run decide "$T_TMP/as_self.csv"
check "a decider decides in their own name" [ "$rc" -eq 0 ]
export RECON_DB=$SAVED_DB
check "stored as that login" [ "$(sql "SELECT stored_by FROM recon.decisions WHERE reason = 'payer changed their mind'")" = it_decider ]
out=$(psql -X -qAt "host=$PG_SOCKET_DIR dbname=it_decide user=it_dloader" -c "INSERT INTO recon.decision_files (sha256, file_name, content, decided_on) VALUES (repeat('a', 64), 'x', '', '2026-03-01')" 2>&1)
check "the loader cannot insert decisions by SQL either" contains "$out" "permission denied"

# ---------------------------------------------------------------- append-only
out=$(sql "UPDATE recon.decisions SET amount = 1" 2>&1)
check "decisions cannot be updated, even by the owner" contains "$out" "decisions is append-only: UPDATE refused"
out=$(sql "DELETE FROM recon.decision_files" 2>&1)
check "nor their files deleted" contains "$out" "decision_files is append-only: DELETE refused"
out=$(sql "TRUNCATE recon.decisions CASCADE" 2>&1)
check "nor truncated" contains "$out" "append-only: TRUNCATE refused"
finish
