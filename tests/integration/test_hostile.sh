#!/usr/bin/env bash
# Hostile and broken statement files through the nightly: each is refused with
# one error line naming the file and the line or element, kept in quarantine
# with its reason, and nothing of it is stored; the good file beside them loads.
. "$(dirname "$0")/lib.sh"
S=fixtures/statements
inbox="$T_TMP/inbox"
mkdir -p "$inbox"
wechat=$S/wechat/all_mixed.csv
camt=$S/camt/cny_v08_midnight.xml
n=$(wc -c <"$camt")
head -c $((n * 6 / 10)) "$camt" >"$inbox/truncated.xml"
: >"$inbox/empty.csv"
head -n 1 "$wechat" >"$inbox/header_only.csv"
cp $S/mt940/err_feb30.sta "$inbox/feb30.sta"
sed 's/C30,00NTRFNONREF\/\/B0002/C30,005NTRFNONREF\/\/B0002/' $S/e2e/bank_cny_2026-06-01.sta >"$inbox/three_decimals.sta"
python3 - "$wechat" "$inbox" <<'PY'
import sys
src, inbox = sys.argv[1], sys.argv[2]
b = open(src, 'rb').read()
# GBK bytes in a UTF-8 bill's payer account (in free text they read as U+FFFD).
open(inbox + '/gbk_in_utf8.csv', 'wb').write(b.replace(b'oUpF8uMuAJO_M2pxb1Q9zNjWeS6o', b'oUpF8u' + '保费'.encode('gbk'), 1))
lines = b.split(b'\n')
fields = lines[1].split(b',')
lines[1] = b','.join(fields[:-3] + fields[-2:])
open(inbox + '/missing_column.csv', 'wb').write(b'\n'.join(lines))
PY
# UTF-8 bytes where an Alipay bill is GBK: an invalid GB18030 sequence.
python3 - $S/alipay/trade.gbk.csv "$inbox/utf8_in_gbk.csv" <<'PY'
import sys
b = open(sys.argv[1], 'rb').read()
open(sys.argv[2], 'wb').write(b.replace('保费'.encode('gbk'), b'\x80\xff', 1))
PY
# A 2 GiB line (compressed, so the test stays small) and a decompression bomb.
{ head -n 1 "$wechat"; head -c 2147483648 /dev/zero | tr '\0' A; } | gzip -1 >"$inbox/long_line.csv.gz"
{ head -n 1 "$wechat"; head -c 50000000 /dev/zero | tr '\0' '\n'; } | gzip -9 >"$inbox/bomb.csv.gz"
cp $S/camt/doctype_billion_laughs.xml $S/camt/xxe_system.xml "$inbox/"
cp $S/e2e/bank_cny_2026-06-01.sta "$inbox/good.sta"

new_db it_hostile
run init
run policies load fixtures/register/policies.csv
RECON_MAX_INPUT=10000000 run nightly --as-of 2026-06-30 --inbox "$inbox" --out "$T_TMP/out"
check "the night completes with exit 65" [ "$rc" -eq 65 ]
check "the good file beside them is stored" contains "$out" "good.sta: mt940, 5 receipts"
expect() { # file, message fragment
    check "$1: one error line naming it" [ "$(grep -c "^recon: error: $inbox/$1: " <<<"$err")" -eq 1 ]
    check "$1: $2" contains "$err" "$inbox/$1: $2"
    check "$1: kept in quarantine" cmp -s "$inbox/$1" "$T_TMP/out/quarantine/$1"
    check "$1: with its reason" contains "$(cat "$T_TMP/out/quarantine/$1.reason" 2>/dev/null)" "$1: $2"
}
expect truncated.xml "line 109: xml error: unexpected end of file inside Stmt[1]/Ntry[3]/TxDtls[1]; the file looks truncated"
expect empty.csv "empty file"
expect header_only.csv "line 1: bill ends without its summary"
expect feb30.sta "line 7: invalid date 230230 in :61:"
expect three_decimals.sta "line 7: invalid amount 30,005 in :61:"
expect gbk_in_utf8.csv "line 2: invalid UTF-8 in 用户标识; hint: GBK text in a UTF-8 file?"
expect missing_column.csv "line 2: 26 fields where the header has 27"
expect utf8_in_gbk.csv "line 6: invalid GB18030 byte sequence"
expect long_line.csv.gz "line 2: line longer than 16384 bytes"
expect bomb.csv.gz "input exceeds the size limit of 10000000 bytes (decompression bomb?)"
expect doctype_billion_laughs.xml "line 1: document type declarations are not allowed (external entities and entity expansion are disabled)"
expect xxe_system.xml "line 1: document type declarations are not allowed"
check "nothing of a refused file is stored" \
    [ "$(sql "SELECT count(*) FROM recon.receipts")" = 5 ]
check "every refused file is recorded with its reason" \
    [ "$(sql "SELECT count(*) FROM recon.statement_files WHERE status = 'rejected' AND rejection_reason <> ''")" = 12 ]
finish
