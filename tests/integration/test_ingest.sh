#!/usr/bin/env bash
# recon ingest: files stored whole or not at all, the same file skipped, the same
# transaction counted once, rejected files listed (exit 65) while the rest load,
# and statement text that looks like SQL stored as plain data.
# Run by tests/run.sh, which starts the database and sets RECON_BIN, RECON_HOME
# and RECON_TEST_TMP. Prints "ok N - ..." / "not ok N - ..." per check.
set -u

root=$(cd "$(dirname "$0")/../.." && pwd)
fx="$root/fixtures/statements"
work=$(mktemp -d "${RECON_TEST_TMP:-/tmp}/ingest.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The suite shares one database between scripts: fixture copies get a per-run tag
# on their account and merchant ids so that their bytes and transactions are new
# here whatever other scripts stored before.
tag=$(printf '%06d' $(((RANDOM << 15 | RANDOM) % 1000000)))
fixture() { # SRC DST
    sed -E -e "s/\b(6222020200001234567|6222020200112233445|CN99000000000000000001|CN12345678901234567|CN0001|CN7777|1900000109)\b/\1$tag/g" \
        "$1" >"$2"
}

n=0
failed=0
check() { # description, then a command that must succeed
    local desc=$1
    shift
    n=$((n + 1))
    if "$@"; then
        echo "ok $n - $desc"
    else
        echo "not ok $n - $desc"
        failed=$((failed + 1))
    fi
}
show() { # prints the last command's output when a check fails, for the log
    sed 's/^/#   /' "$work/out" "$work/err" >&2
}

# Runs recon ingest, keeping stdout, stderr and the exit status.
ingest() {
    "$RECON_BIN" ingest "$@" >"$work/out" 2>"$work/err"
    rc=$?
}
out_has() { grep -qF -- "$1" "$work/out" || { show; false; }; }
err_has() { grep -qF -- "$1" "$work/err" || { show; false; }; }
rc_is() { [ "$rc" -eq "$1" ] || { echo "#   exit $rc, expected $1" >&2; show; false; }; }

if [ "${RECON_TEST_DB_OK:-1}" != 1 ]; then
    echo "not ok 1 - database available for ingest tests"
    exit 1
fi

"$RECON_BIN" init >"$work/out" 2>"$work/err"
rc=$?
check "recon init" rc_is 0

mt940=$work/rollover.sta
camt=$work/camt.xml
fixture "$fx/mt940/cny_rollover_envelope.sta" "$mt940"
fixture "$fx/camt/cny_v08_midnight.xml" "$camt"

# --- two good files in one command
ingest "$mt940" "$camt"
check "two good files: exit 0" rc_is 0
check "mt940 stored with its receipt count" \
    grep -qE "^$mt940: mt940, 4 receipts \(0 duplicates\), stored as file [0-9]+$" "$work/out"
check "camt stored with its receipt count" \
    grep -qE "^$camt: camt053, 7 receipts \(0 duplicates\), stored as file [0-9]+$" "$work/out"
check "nothing on stderr for good files" test ! -s "$work/err"

# --- the same file again, under another name too: skipped by content
ingest "$mt940"
check "same file again: exit 0" rc_is 0
check "same file again: already ingested" out_has "$mt940: already ingested (file"
cp "$mt940" "$work/renamed.sta"
ingest "$work/renamed.sta"
check "same bytes under another name: already ingested" out_has "renamed.sta: already ingested"

# --- a different file sharing transactions: duplicates counted, not stored twice.
# Another statement id (so other bytes) and one reference changed (one new transaction).
# The fixture mixes CRLF and LF line ends on purpose, hence the optional CR.
sed -E -e 's/^:20:STMT20261231(\r?)$/:20:STMT20261231-RESENT\1/' -e 's#//BK0004(\r?)$#//BK0005\1#' \
    "$mt940" >"$work/resent.sta"
ingest "$work/resent.sta"
check "overlapping file: exit 0" rc_is 0
check "overlapping file: 3 of 4 transactions counted as duplicates" \
    out_has "resent.sta: mt940, 4 receipts (3 duplicates), stored as file"
# The one new transaction is stored now: a third copy finds all four stored.
sed -E -e 's/^:20:STMT20261231(\r?)$/:20:STMT20261231-THIRD\1/' -e 's#//BK0004(\r?)$#//BK0005\1#' \
    "$mt940" >"$work/third.sta"
ingest "$work/third.sta"
check "third overlapping file: every transaction a duplicate" \
    out_has "third.sta: mt940, 4 receipts (4 duplicates), stored as file"

# --- a broken file with a good one: exit 65, broken file named, good one stored.
# err_feb30 yields one good receipt before the bad line: it must not be stored.
good=$work/interim.sta
fixture "$fx/mt940/mt942_interim.sta" "$good"
fixture "$fx/mt940/err_feb30.sta" "$work/feb30.sta"
fixture "$fx/camt/truncated.xml" "$work/truncated.xml"
ingest "$work/feb30.sta" "$good" "$work/truncated.xml"
check "broken files with a good one: exit 65" rc_is 65
check "stderr names the broken mt940 file and line" err_has "feb30.sta: line 7"
check "stderr names the truncated camt file and line" err_has "truncated.xml: line 60"
check "stderr counts the rejected files" err_has "2 of 3 files rejected"
check "the good file in the same command is stored" \
    out_has "interim.sta: mt940, 2 receipts (0 duplicates), stored as file"
check "rejected files print no stored line" \
    bash -c "! grep -qE 'feb30.sta|truncated.xml' '$work/out'"
ingest "$good"
check "the good file is then already ingested" out_has "interim.sta: already ingested"
# The corrected file shares the rejected file's first transaction: had any of the
# rejected file been stored, it would count as a duplicate here.
sed -e 's/^:61:230230/:61:230301/' -e 's/^:62F:C230228CNY1,$/:62F:C230301CNY2,/' \
    "$work/feb30.sta" >"$work/feb30_fixed.sta"
ingest "$work/feb30_fixed.sta"
check "nothing of the rejected file was stored" \
    out_has "feb30_fixed.sta: mt940, 2 receipts (0 duplicates), stored as file"
ingest "$work/feb30.sta"
check "a rejected file stays rejected when offered again (exit 65)" rc_is 65
check "and is not reported as already ingested" \
    bash -c "! grep -q 'already ingested' '$work/out'"

# --- a missing file is rejected, the others still load
fixture "$fx/mt940/same_reference_twice.sta" "$work/same_ref.sta"
ingest "$work/missing.sta" "$work/same_ref.sta"
check "missing file: exit 65" rc_is 65
check "missing file named on stderr" err_has "missing.sta"
check "two transactions with the same reference in one file are both stored" \
    out_has "same_ref.sta: mt940, 2 receipts (0 duplicates), stored as file"

# --- statement text shaped like SQL and COPY escapes is stored as data
evil=$work/evil.sta
cat >"$evil" <<'EOF'
:20:EVIL1
:25:CN7777
:28C:1/1
:60F:C260301CNY0,00
:61:2603010301C12,34NTRFNONREF//EV0001
:86:/CNTP/6222000099998888/ICBKCNBJ/O'BRIEN'; DROP TABLE receipts; --///REMI/USTD//C:\TEMP\N X'); DELETE FROM statement_files; --/
:62F:C260301CNY12,34
EOF
fixture "$evil" "$evil.tmp" && mv "$evil.tmp" "$evil"
ingest "$evil"
check "SQL-looking payer and remittance: exit 0" rc_is 0
check "SQL-looking payer and remittance: stored" \
    out_has "evil.sta: mt940, 1 receipts (0 duplicates), stored as file"
ingest "$evil" "$mt940"
check "statement_files intact afterwards (both files already ingested)" \
    bash -c "grep -q 'evil.sta: already ingested' '$work/out' && grep -q 'rollover.sta: already ingested' '$work/out'"
sed 's/^:20:EVIL1$/:20:EVIL2/' "$evil" >"$work/evil2.sta"
ingest "$work/evil2.sta"
check "receipts table intact afterwards (the transaction is a duplicate)" \
    out_has "evil2.sta: mt940, 1 receipts (1 duplicates), stored as file"
# When psql can reach the embedded cluster, check the text arrived byte for byte.
sock="${RECON_HOME:-}/pg"
if command -v psql >/dev/null 2>&1 && [ -S "$sock/.s.PGSQL.5432" ]; then
    got=$(psql -X -At "host=$sock port=5432 dbname=recon user=postgres" \
        -c "SELECT payer || '|' || remittance FROM recon.receipts WHERE source = 'CN7777$tag' AND duplicate_of IS NULL" \
        2>/dev/null)
    want="O'BRIEN'; DROP TABLE receipts; --|C:\\TEMP\\N X'); DELETE FROM statement_files; --"
    check "payer and remittance stored byte for byte" test "$got" = "$want"
else
    n=$((n + 1))
    echo "ok $n - payer and remittance stored byte for byte # SKIP no psql access"
fi

# --- a file rejected once may be stored later (here: once its layout is named)
# (the profile's name is the statement source; the payer makes the bytes new)
csv=$work/plain_ok.csv
profile=$work/plain.profile
sed "s/^name = plain\$/name = plain$tag/" "$fx/bankcsv/plain.profile" >"$profile"
sed "s/甲公司/甲公司$tag/" "$fx/bankcsv/plain_ok.csv" >"$csv"
ingest "$csv"
check "bank CSV without a profile: rejected (exit 65)" rc_is 65
ingest "$csv" --format bankcsv --profile "$profile"
check "the same bytes with --format/--profile: exit 0" rc_is 0
check "the same bytes with --format/--profile: stored" \
    out_has "plain_ok.csv: bankcsv, 2 receipts (0 duplicates), stored as file"
ingest "$csv" --format bankcsv --profile "$profile"
check "and then already ingested" out_has "plain_ok.csv: already ingested"

# --- gzip: hashed as stored, parsed decompressed; the plain copy is all duplicates
fixture "$fx/wechat/all_mixed.csv" "$work/all_mixed.csv"
gzip -n -c "$work/all_mixed.csv" >"$work/all_mixed.csv.gz"
ingest "$work/all_mixed.csv.gz" "$work/all_mixed.csv"
check "gzip and plain copies: exit 0" rc_is 0
check "gzip file stored" out_has "all_mixed.csv.gz: wechat, 3 receipts (0 duplicates), stored as file"
check "its plain copy is a different file of duplicates" \
    out_has "all_mixed.csv: wechat, 3 receipts (3 duplicates), stored as file"

# --- usage errors
ingest
check "no file: exit 64" rc_is 64
ingest --format nosuch "$mt940"
check "unknown --format: exit 64" rc_is 64

[ "$failed" -eq 0 ]
