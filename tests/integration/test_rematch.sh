#!/usr/bin/env bash
# Receipts in suspense matched again on later nights (issue 14): a late register
# entry, a payer account added to a policy, a shared payer account that becomes
# one policy's; the history corrected with the true effective dates in that
# night's events, and earlier nights' reports unchanged when run again.
. "$(dirname "$0")/lib.sh"

head='policy_no,holder_name,holder_id_no,payment_mode,start_date,end_date,premium,net_premium,currency,payer_account'
register() { # the register of the night: $1 = P104's account, $2 = P103's, $3 = extra rows
    printf '%s\n' "$head" \
        "P2026000000101,甲,,monthly,2026-06-01,,30.00,,CNY,6217000000000101" \
        "P2026000000102,乙,,monthly,2026-06-01,,30.00,,CNY,6217000000000777" \
        "P2026000000103,丙,,monthly,2026-06-01,,30.00,,CNY,$2" \
        "P2026000000104,丁,,monthly,2026-06-01,,30.00,,CNY,$1" ${3:+"$3"} >"$T_TMP/register.csv"
}
inbox="$T_TMP/inbox"
mkdir -p "$inbox"
# Booked 06-01: P101 by its number; one naming P199, which the register lacks;
# one from the account P104 will hold (not yet in the register); one from the
# account P102 and P103 share.
cat >"$inbox/bank_2026-06-01.sta" <<'STA'
:20:STMT20260601
:25:6222000011112222
:28C:1/1
:60F:C260531CNY1000,00
:61:2606010601C30,00NTRFNONREF//R0001
:86:PREMIUM P2026000000101 JUNE
:61:2606010601C30,00NTRFNONREF//R0002
:86:PREMIUM POLICY P2026000000199
:61:2606010601C30,00NTRFNONREF//R0003
:86:166?00GUTSCHRIFT?20MONTHLY PREMIUM?316217000000000104?32DING
:61:2606010601C30,00NTRFNONREF//R0004
:86:166?00GUTSCHRIFT?20MONTHLY PREMIUM?316217000000000777?32YI
:62F:C260601CNY1120,00
-
STA
out1="$T_TMP/out"
match_of() { sql "SELECT coalesce(policy_no, '-') || ' ' || match_result || ' ' || match_note FROM recon.receipts WHERE transaction_key = '$1'"; }
status_of() { sql "SELECT status || ' ' || coalesce(status_since::text, '') FROM recon.policy_status WHERE policy_no = '$1'"; }

new_db it_rematch
run init
register "" 6217000000000777
run policies load "$T_TMP/register.csv"
for d in 2026-06-01 2026-06-02; do
    run nightly --as-of $d --inbox "$inbox" --out "$out1"
    check "night $d runs" [ "$rc" -eq 0 ]
done
check "the unknown policy number is in suspense" [ "$(match_of R0002)" = "- unidentified unknown policy P2026000000199" ]
check "the unknown payer account is in suspense" [ "$(match_of R0003)" = "- unidentified no policy number or known payer account" ]
check "the shared payer account is in suspense" [ "$(match_of R0004)" = "- ambiguous payer account held by several policies" ]
check "unpaid on its start date, P104 never takes effect" [ "$(status_of P2026000000104)" = "not_effective 2026-06-01" ]
check "and P102" [ "$(status_of P2026000000102)" = "not_effective 2026-06-01" ]
check "night 06-02 re-matches nothing" contains "$out" "0 receipts re-matched from suspense"

# The policy system adds P104's payer account and gives P103 an account of its own.
register 6217000000000104 6217000000000888
run policies load "$T_TMP/register.csv"
run nightly --as-of 2026-06-03 --inbox "$inbox" --out "$out1"
check "night 06-03 runs" [ "$rc" -eq 0 ]
check "and re-matches two receipts" contains "$out" "2 receipts re-matched from suspense"
check "an account added to a policy matches it" [ "$(match_of R0003)" = "P2026000000104 identified payer account" ]
check "a shared account now one policy's matches it" [ "$(match_of R0004)" = "P2026000000102 identified payer account" ]
check "the receipt naming an unregistered policy waits" [ "$(match_of R0002)" = "- unidentified unknown policy P2026000000199" ]
check "the re-match is recorded with its night" \
    [ "$(sql "SELECT string_agg(r.transaction_key || ' ' || m.night || ' ' || m.match_result, ', ' ORDER BY r.transaction_key) FROM recon.receipt_rematches m JOIN recon.receipts r USING (receipt_id)")" = "R0003 2026-06-03 unidentified, R0004 2026-06-03 ambiguous" ]
check "paid on its booking date, P104 is in force since 06-01" [ "$(status_of P2026000000104)" = "in_force 2026-06-01" ]
check "and P102" [ "$(status_of P2026000000102)" = "in_force 2026-06-01" ]
run status P2026000000104 --as-of 2026-06-02
check "status --as-of 06-02 shows the receipt as that night knew it: unmatched" \
    contains "$out" "as of 2026-06-02: not_effective"
run status P2026000000104 --as-of 2026-06-03
check "status --as-of 06-03: matched, in force" contains "$out" "as of 2026-06-03: in_force"
check "P103 still never took effect" [ "$(status_of P2026000000103)" = "not_effective 2026-06-01" ]
events=$(zcat "$out1/2026-06-03/events.csv.gz")
check "the night's events show the correction with its true date" contains "$events" "P2026000000104,2026-06-01,pending,in_force,"
check "  for each policy" contains "$events" "P2026000000102,2026-06-01,pending,in_force,"
check "the wrong not_effective is closed as of the night that learned better" \
    [ "$(sql "SELECT known_from || ' ' || known_until FROM recon.status_events WHERE policy_no = 'P2026000000104' AND to_status = 'not_effective'")" = "2026-06-01 2026-06-03" ]
exceptions=$(zcat "$out1/2026-06-03/exceptions.csv.gz")
check "the night's exceptions no longer list them" lacks "$exceptions" "payer account"
check "  but still the unknown policy" contains "$exceptions" "unknown policy P2026000000199"

# Earlier nights run again see what they saw: the receipts were in suspense then.
for d in 2026-06-01 2026-06-02; do
    run nightly --as-of $d --inbox "$inbox" --out "$T_TMP/again"
    check "night $d run again" [ "$rc" -eq 0 ]
    check "  matches nothing again" contains "$out" "0 receipts re-matched from suspense"
    check "  its reports are byte-identical" cmp "$out1/$d/MANIFEST.sha256" "$T_TMP/again/$d/MANIFEST.sha256"
done
check "the earlier night's exceptions still list the suspense" contains "$(zcat "$T_TMP/again/2026-06-01/exceptions.csv.gz")" "payer account held by several policies"

# The register gains P199 (late): the receipt naming it matches it on the next
# night, and its first premium counts as paid on 06-01.
register 6217000000000104 6217000000000888 "P2026000000199,戊,,monthly,2026-06-01,,30.00,,CNY,"
run policies load "$T_TMP/register.csv"
run nightly --as-of 2026-06-04 --inbox "$inbox" --out "$out1"
check "night 06-04 runs" [ "$rc" -eq 0 ]
check "and re-matches one receipt" contains "$out" "1 receipts re-matched from suspense"
check "the late policy's receipt is matched" [ "$(match_of R0002)" = "P2026000000199 identified policy P2026000000199 registered later" ]
check "its first premium is paid: in force since 06-01, not not_effective" [ "$(status_of P2026000000199)" = "in_force 2026-06-01" ]
check "the night's events show it with its true date" contains "$(zcat "$out1/2026-06-04/events.csv.gz")" "P2026000000199,2026-06-01,pending,in_force,"
run status P2026000000199 --as-of 2026-06-04
check "status explains the payment" contains "$out" "paid in full by receipt"
# Rerun, 06-01 lists its receipts and suspense as then (the register itself
# keeps no history: its policies report now has P199).
run nightly --as-of 2026-06-01 --inbox "$inbox" --out "$T_TMP/again2"
for f in receipts.csv.gz exceptions.csv.gz events.csv.gz; do
    check "06-01 run again after 06-04: $f identical" cmp "$out1/2026-06-01/$f" "$T_TMP/again2/2026-06-01/$f"
done
finish
