#!/usr/bin/env bash
# camt dialects through the store: an entry reported in a camt.052 and repeated by the
# day's camt.053 is stored once. (What the parser makes of each dialect is in the fixture
# pairs and samples.list, run by tests/parsers/test_fixtures.sh.)
. "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)

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
