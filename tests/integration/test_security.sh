#!/usr/bin/env bash
# Security and personal data (rules.md section 9, schema/005_roles.sql):
#  - the roles recon_loader, recon_reviewer and recon_auditor can do what they are
#    for and nothing else (SET ROLE from the superuser session, in transactions
#    that are rolled back), and the real jobs run as a loader login
#  - reports and logs of a whole demo run (RECON_LOG=debug), status and parse
#    output hold no unmasked holder name, ID number or account number
#  - a password in --db never reaches the output, even when libpq quotes the
#    connection string back; sslmode=require is refused on the Unix socket
#  - names and references made of quotes, semicolons, backslashes and SQL come
#    back from the database byte for byte as `recon parse --unmasked` read them
. "$(dirname "$0")/lib.sh"
FIX=fixtures/register
SUPER="host=$PG_SOCKET_DIR dbname=postgres user=postgres"

# as_role ROLE SQL: SQL as ROLE in a transaction that is rolled back; $out/$err/$rc
as_role() {
    out=$(psql -X -qAt -v ON_ERROR_STOP=1 "$RECON_DB" -c "BEGIN" -c "SET LOCAL ROLE $1" \
        -c "$2" -c "ROLLBACK" 2>"$T_TMP/stderr")
    rc=$?
    err=$(cat "$T_TMP/stderr")
}
refused() { [ "$rc" -ne 0 ] && { contains "$err" "permission denied" || contains "$err" "must be owner"; }; }
allowed() { [ "$rc" -eq 0 ]; }
can() { # ROLE SQL
    local role=$1 q=$2
    as_role "$role" "$q"
    check "$role may: $q" allowed
}
cannot() { # ROLE SQL
    local role=$1 q=$2
    as_role "$role" "$q"
    check "$role may not: $q" refused
}

# Every holder name, ID number and payer account of both fixture registers.
personal_values() {
    local f
    for f in fixtures/register/policies.csv fixtures/scenario/policies.csv; do
        [ -f "$f" ] && tail -n +2 "$f" | cut -d, -f2,3,10 | tr ',' '\n'
    done | grep -v '^$' | sort -u
}
# leaks FILE...: prints "FILE:VALUE" for each personal value found in them
leaks() {
    personal_values >"$T_TMP/personal_values"
    grep -HFo -f "$T_TMP/personal_values" -- "$@" 2>/dev/null | sort -u
    return 0
}

# ---------------------------------------------------------------- roles
new_db it_security
run init
check "init creates the schema with the roles" [ "$rc" -eq 0 ]
check "three recon roles, none can log in" \
    [ "$(psql -X -qAt "$SUPER" -c "SELECT string_agg(rolname || ':' || rolcanlogin, ' ' ORDER BY rolname) FROM pg_roles WHERE rolname IN ('recon_loader', 'recon_reviewer', 'recon_auditor')")" = "recon_auditor:false recon_loader:false recon_reviewer:false" ]
new_db it_security_second
run init
check "init of a second database in the cluster reuses the roles" [ "$rc" -eq 0 ]
export RECON_DB="host=$PG_SOCKET_DIR dbname=it_security user=postgres"
run policies load "$FIX/policies.csv"
run events load "$FIX/events.csv"
run receipts load "$FIX/receipts.csv"
run process --as-of 2026-04-30
check "data loaded and processed" [ "$rc" -eq 0 ]
# a late receipt for P...002's third installment rewrites its history: the old
# grace and suspension rows are kept, closed, for the auditor
printf 'source,transaction_key,booking_date,amount,currency,policy_no,payer,remittance\ncounter,LATE1,2026-03-15,30.00,CNY,P2026000000002,李四,late\n' >"$T_TMP/late.csv"
run receipts load "$T_TMP/late.csv"
run process --as-of 2026-05-31
check "superseded history exists" [ "$(sql "SELECT count(*) > 0 FROM recon.status_events WHERE known_until IS NOT NULL")" = t ]

# loader: reads and writes the working tables, never deletes history or owns schema
can recon_loader "SELECT count(*) FROM recon.policies"
can recon_loader "UPDATE recon.policies SET premium = premium WHERE policy_no = 'P2026000000001'"
can recon_loader "INSERT INTO recon.reinstatement_agreements VALUES ('P2026000000001', '2026-06-01')"
can recon_loader "DELETE FROM recon.allocations"
cannot recon_loader "DELETE FROM recon.policies WHERE policy_no = 'P2026000000001'"
cannot recon_loader "DELETE FROM recon.receipts"
cannot recon_loader "DELETE FROM recon.status_events"
cannot recon_loader "TRUNCATE recon.receipts"
cannot recon_loader "TRUNCATE recon.status_events"
can recon_loader "TRUNCATE recon.allocations"
cannot recon_loader "INSERT INTO recon.schema_version (version, name) VALUES (99, 'x')"
cannot recon_loader "CREATE TABLE recon.x (i int)"
cannot recon_loader "DROP TABLE recon.receipts"
cannot recon_loader "ALTER TABLE recon.policies ADD COLUMN x int"

# reviewer: masked views and the tables without personal data, read only
cannot recon_reviewer "SELECT * FROM recon.policies"
cannot recon_reviewer "SELECT holder_name FROM recon.policies"
cannot recon_reviewer "SELECT * FROM recon.receipts"
cannot recon_reviewer "SELECT payer FROM recon.receipts"
can recon_reviewer "SELECT count(*) FROM recon.policy_status"
can recon_reviewer "SELECT count(*) FROM recon.status_events"
as_role recon_reviewer "SELECT holder_name || '|' || holder_id_no || '|' || payer_account FROM recon.policies_masked WHERE policy_no = 'P2026000000001'"
check "reviewer sees the holder masked as core/mask.c does" [ "$out" = "张*|110***********1234|6222********7890" ]
as_role recon_reviewer "SELECT payer FROM recon.receipts_masked WHERE policy_no = 'P2026000000001' LIMIT 1"
check "reviewer sees the payer masked" [ "$out" = "张*" ]
as_role recon_reviewer "SELECT recon.mask_account('12345678') || ' ' || recon.mask_account('1234') || ' ' || recon.mask_id_number('1234567') || ' [' || recon.mask_name('') || ']'"
check "short values mask like core/mask.c" [ "$out" = "****5678 **** ******* []" ]
as_role recon_reviewer "COPY (SELECT * FROM recon.policies_masked) TO STDOUT"
printf '%s\n' "$out" >"$T_TMP/policies_masked"
as_role recon_reviewer "COPY (SELECT * FROM recon.receipts_masked) TO STDOUT"
printf '%s\n' "$out" >"$T_TMP/receipts_masked"
check "the masked views hold rows" [ "$(wc -l <"$T_TMP/receipts_masked")" -ge 30 ]
found=$(leaks "$T_TMP/policies_masked" "$T_TMP/receipts_masked")
check "no full name, ID or account anywhere in the masked views" [ -z "$found" ]
[ -n "$found" ] && printf '#   %s\n' "$found"
as_role recon_reviewer "SELECT remittance FROM recon.receipts_masked"
check "remittance text is not in the reviewer's view" contains "$err" "does not exist"
cannot recon_reviewer "UPDATE recon.policy_state SET credit = 0"
cannot recon_reviewer "DELETE FROM recon.refunds_due"
cannot recon_reviewer "INSERT INTO recon.status_events SELECT * FROM recon.status_events LIMIT 1"
cannot recon_reviewer "UPDATE recon.policies_masked SET premium = 1"
# A reviewer's own left() earlier on the search_path would receive the full value
# if the masking functions resolved names at call time.
psql -X -q "$RECON_DB" -c "DROP SCHEMA IF EXISTS evil CASCADE" -c "CREATE SCHEMA evil" \
    -c "CREATE FUNCTION evil.left(text, int) RETURNS text LANGUAGE plpgsql AS \$\$ BEGIN RAISE NOTICE 'leaked %', \$1; RETURN pg_catalog.left(\$1, \$2); END \$\$" \
    -c "GRANT USAGE ON SCHEMA evil TO recon_reviewer" 2>/dev/null
as_role recon_reviewer "SET LOCAL search_path = evil, pg_catalog; SELECT left('trap', 1)"
check "(the trap works when called directly)" contains "$err" "leaked trap"
as_role recon_reviewer "SET LOCAL search_path = evil, pg_catalog; SELECT holder_name FROM recon.policies_masked"
check "masking ignores a caller's search_path" lacks "$err" "leaked"
psql -X -q "$RECON_DB" -c "DROP SCHEMA evil CASCADE" 2>/dev/null

# auditor: everything, history included, read only
as_role recon_auditor "SELECT holder_name FROM recon.policies WHERE policy_no = 'P2026000000001'"
check "auditor reads full register data" [ "$out" = 张三丰 ]
as_role recon_auditor "SELECT count(*) FROM recon.status_events WHERE known_until IS NOT NULL"
check "auditor reads superseded status history" \
    [ "$out" = "$(sql "SELECT count(*) FROM recon.status_events WHERE known_until IS NOT NULL")" ]
can recon_auditor "SELECT count(*) FROM recon.receipts"
can recon_auditor "SELECT count(*) FROM recon.job_runs"
can recon_auditor "SELECT max(version) FROM recon.schema_version"
cannot recon_auditor "INSERT INTO recon.reinstatement_agreements VALUES ('P2026000000001', '2026-06-01')"
cannot recon_auditor "UPDATE recon.policies SET holder_name = 'x'"
cannot recon_auditor "DELETE FROM recon.status_events"
cannot recon_auditor "UPDATE recon.status_events SET reason = 'x'"
cannot recon_auditor "DELETE FROM recon.job_runs"
cannot recon_auditor "TRUNCATE recon.receipts"

# the jobs themselves run as a login that is only a loader
psql -X -q "$SUPER" -c "DO \$\$ BEGIN CREATE ROLE it_loader LOGIN IN ROLE recon_loader; EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" 2>/dev/null
superuser_db=$RECON_DB
RECON_DB="host=$PG_SOCKET_DIR dbname=it_security user=it_loader"
printf 'source,transaction_key,booking_date,amount,currency,policy_no,payer,remittance\ncounter,LOADER1,2026-06-15,30.00,CNY,P2026000000001,张三丰,by the loader\n' >"$T_TMP/loader.csv"
run receipts load "$T_TMP/loader.csv"
check "loader login: receipts load" [ "$rc" -eq 0 ]
run ingest fixtures/statements/mt940/mt942_interim.sta
check "loader login: ingest" [ "$rc" -eq 0 ]
run process --as-of 2026-06-30
check "loader login: process" [ "$rc" -eq 0 ]
run report --as-of 2026-06-30 --out "$T_TMP/loader_out"
check "loader login: report" [ "$rc" -eq 0 ]
run retain --before 2035-01-01
check "loader login: retain" [ "$rc" -eq 0 ]
RECON_DB=$superuser_db

# ---------------------------------------------------------------- personal data
# the demo: every night of the scenario, reports under --out, debug logging on
new_db it_security_demo
RECON_LOG=debug "$RECON_BIN" demo --out "$T_TMP/demo" >"$T_TMP/demo.out" 2>"$T_TMP/demo.err"
rc=$?
out=$(tail -c 600 "$T_TMP/demo.out")
err=$(tail -c 600 "$T_TMP/demo.err")
check "demo with RECON_LOG=debug runs" [ "$rc" -eq 0 ]
check "debug logging was on" grep -q "debug:" "$T_TMP/demo.err"
reports=0
scanned=()
# what recon wrote: the day folders (reports, manifests) and the quarantine
# reasons; the inbox and quarantined statements are the banks' own files
while IFS= read -r -d '' f; do
    case "$f" in
    *.gz)
        gzip -dc "$f" >"$f.txt"
        scanned+=("$f.txt")
        reports=$((reports + 1))
        ;;
    *) scanned+=("$f") ;;
    esac
done < <(find "$T_TMP/demo" -path "$T_TMP/demo/inbox" -prune -o -type f \
    \( -name '*.gz' -o -name '*.sha256' -o -name '*.reason' \) -print0)
check "the demo wrote reports to scan" [ "$reports" -ge 6 ]
for p in $(tail -n +2 fixtures/scenario/policies.csv | cut -d, -f1); do
    "$RECON_BIN" status "$p" --as-of 2026-07-15 >>"$T_TMP/status.out" 2>&1
done
check "status of every scenario policy printed" grep -q "holder" "$T_TMP/status.out"
"$RECON_BIN" parse fixtures/scenario/inbox/* >"$T_TMP/parse.out" 2>"$T_TMP/parse.err"
check "parse of every scenario statement printed receipts" [ "$(wc -l <"$T_TMP/parse.out")" -ge 20 ]
found=$(leaks "${scanned[@]}" "$T_TMP/demo.out" "$T_TMP/demo.err" "$T_TMP/status.out" \
    "$T_TMP/parse.out" "$T_TMP/parse.err")
check "no unmasked name, ID or account in reports, logs, status or parse output" [ -z "$found" ]
[ -n "$found" ] && printf '#   %s\n' "$found" | head -20
check "(the scan can see: the statements themselves do name holders)" \
    [ -n "$(leaks fixtures/scenario/inbox/*)" ]

# ---------------------------------------------------------------- secrets
for ci in "host=/nonexistent dbname=x user=u password=secret123" \
    "password=my secret123 host=/nonexistent" \
    "postgresql://u:secret123@[::1/x" \
    "postgresql://u:secret%zz123@localhost/x" \
    "postgresql:///x?host=/nonexistent&password=secret123"; do
    RECON_LOG=debug run --db "$ci" init
    check "unreachable or malformed --db: exit 69 ($ci)" [ "$rc" -eq 69 ]
    check "... and no password in the output" lacks "$out$err" secret123
done
RECON_LOG=debug RECON_DB="host=/nonexistent dbname=x password=secret123" run init
check "RECON_DB with a password: no password in the output" lacks "$out$err" secret123
RECON_LOG=debug run --db "$RECON_DB password=secret123" init
check "a password on a working connection is not logged" lacks "$out$err" secret123
check "(that connection worked)" [ "$rc" -eq 0 ]

# sslmode: the embedded cluster listens on a Unix socket only, which libpq would
# silently use unencrypted
run --db "$RECON_DB sslmode=require" init
check "sslmode=require on the Unix socket is refused (69)" [ "$rc" -eq 69 ]
check "... saying why" contains "$err" "sslmode=require but the connection to $PG_SOCKET_DIR is not encrypted"
check "... in one line" [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
run --db "$RECON_DB sslmode=verify-full" init
check "sslmode=verify-full likewise" [ "$rc" -eq 69 ]
PGSSLMODE=require run init
check "PGSSLMODE=require from the environment likewise" [ "$rc" -eq 69 ]
run --db "$RECON_DB sslmode=prefer" init
check "sslmode=prefer connects" [ "$rc" -eq 0 ]
run --db "$RECON_DB sslmode=bogus" init
check "an invalid sslmode is named" contains "$err" 'invalid sslmode value: "bogus"'

# ---------------------------------------------------------------- hostile text
new_db it_security_text
run init
cat >"$T_TMP/hostile.xml" <<'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
  <BkToCstmrStmt>
    <GrpHdr><MsgId>HOSTILE-1</MsgId><CreDtTm>2026-03-01T09:00:00+08:00</CreDtTm></GrpHdr>
    <Stmt>
      <Id>S-HOSTILE</Id>
      <CreDtTm>2026-03-01T09:00:00+08:00</CreDtTm>
      <Acct><Id><IBAN>CN99000000000000000077</IBAN></Id></Acct>
      <Ntry>
        <Amt Ccy="CNY">12.34</Amt>
        <CdtDbtInd>CRDT</CdtDbtInd>
        <Sts>BOOK</Sts>
        <BookgDt><Dt>2026-03-01</Dt></BookgDt>
        <AcctSvcrRef>R1'";--\</AcctSvcrRef>
        <NtryDtls><TxDtls>
          <Refs><EndToEndId>'); DROP TABLE receipts;--</EndToEndId></Refs>
          <RltdPties><Dbtr><Nm>O'Brien "Bobby"; DROP TABLE policies;-- \N \\</Nm></Dbtr></RltdPties>
          <RmtInf><Ustrd>x'); DELETE FROM statement_files; -- C:\TEMP\N &amp; &lt;b&gt; $1 %s</Ustrd>
            <Strd><CdtrRefInf><Ref>';TRUNCATE receipts;'\</Ref></CdtrRefInf></Strd></RmtInf>
        </TxDtls></NtryDtls>
      </Ntry>
    </Stmt>
  </BkToCstmrStmt>
</Document>
EOF
cat >"$T_TMP/hostile.sta" <<'EOF'
:20:HOSTILE2
:25:CN0001HOSTILE
:28C:1/1
:60F:C260301CNY0,00
:61:2603010301C5,00NTRF';DROP--\//B'";\x
:86:/CNTP/6222000011112222/ICBKCNBJ/Robert'); DROP TABLE students;--///REMI/USTD//back\slash; "quote" 'apos' \\N/
:62F:C260301CNY5,00
EOF
printf '日期,时间,收入,支出,余额,对方,摘要\n2026-03-01,09:30:00,7.00,,***,"Li ""Lee""; DROP TABLE receipts;--","a,b;c \\\\ \\N '"'"'); DELETE FROM policies;--"\n合计,,7.00,,,,\n' >"$T_TMP/hostile.csv"
run ingest "$T_TMP/hostile.xml" "$T_TMP/hostile.sta"
check "hostile camt and mt940 ingested" [ "$rc" -eq 0 ]
run ingest --format bankcsv --profile fixtures/statements/bankcsv/plain.profile "$T_TMP/hostile.csv"
check "hostile bank CSV ingested" [ "$rc" -eq 0 ]
"$RECON_BIN" parse --unmasked "$T_TMP/hostile.xml" "$T_TMP/hostile.sta" >"$T_TMP/parsed.csv" 2>/dev/null
"$RECON_BIN" parse --unmasked --format bankcsv --profile fixtures/statements/bankcsv/plain.profile \
    "$T_TMP/hostile.csv" 2>/dev/null | tail -n +2 >>"$T_TMP/parsed.csv"
check "parse read three receipts" [ "$(tail -n +2 "$T_TMP/parsed.csv" | wc -l)" -eq 3 ]
# psql reads recon's CSV (RFC 4180) and compares every text field in SQL
cols=$(head -1 "$T_TMP/parsed.csv" | sed 's/,/ text, /g')
same=$(psql -X -qAt "$RECON_DB" -c "CREATE TEMP TABLE parsed ($cols text)" \
    -c "\\copy parsed FROM '$T_TMP/parsed.csv' WITH (FORMAT csv, HEADER true)" \
    -c "SELECT count(*) FROM parsed p JOIN recon.receipts r ON r.source = p.source AND r.transaction_key = p.transaction_key WHERE (r.payer, r.payer_account, r.remittance, r.end_to_end_id, r.creditor_reference, r.reversal_of, r.merchant_order_no, r.provider_txn_id, r.amount) = (coalesce(p.payer, ''), coalesce(p.payer_account, ''), coalesce(p.remittance, ''), coalesce(p.end_to_end_id, ''), coalesce(p.creditor_reference, ''), coalesce(p.reversal_of, ''), coalesce(p.merchant_order_no, ''), coalesce(p.provider_txn_id, ''), round(p.amount::numeric * 100)::bigint)")
check "all three receipts stored byte for byte as parsed" [ "$same" = 3 ]
got=$(sql "SELECT payer FROM recon.receipts WHERE source = 'CN99000000000000000077'")
check "camt payer with quotes, semicolon and backslashes intact" [ "$got" = 'O'"'"'Brien "Bobby"; DROP TABLE policies;-- \N \\' ]
got=$(sql "SELECT end_to_end_id || '|' || creditor_reference || '|' || remittance FROM recon.receipts WHERE source = 'CN99000000000000000077'")
check "camt references and remittance intact" \
    [ "$got" = "'); DROP TABLE receipts;--|';TRUNCATE receipts;'\\|x'); DELETE FROM statement_files; -- C:\\TEMP\\N & <b> \$1 %s" ]
got=$(sql "SELECT payer || '|' || remittance FROM recon.receipts WHERE source = 'CN0001HOSTILE'")
check "mt940 payer and remittance intact" \
    [ "$got" = "Robert'); DROP TABLE students;--|back\\slash; \"quote\" 'apos' \\\\N" ]
got=$(sql "SELECT payer || '|' || remittance FROM recon.receipts WHERE source = 'plain'")
check "bank CSV quoted payer and remittance intact" \
    [ "$got" = "Li \"Lee\"; DROP TABLE receipts;--|a,b;c \\\\ \\N '); DELETE FROM policies;--" ]
check "every table still there" \
    [ "$(sql "SELECT count(*) FROM pg_tables WHERE schemaname = 'recon' AND tablename IN ('receipts', 'policies', 'statement_files')")" = 3 ]
check "and the three files recorded" [ "$(sql "SELECT count(*) FROM recon.statement_files")" = 3 ]
finish
