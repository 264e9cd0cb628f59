#!/usr/bin/env bash
# The night's page OUT/DATE/index.html and the history OUT/index.html (issue 15): every chart
# drawn as inline SVG, statement texts (payer, remittance, file name) shown as text and never
# run, no request leaving the file, in the manifest and byte-identical on rerun; the history
# skips planted and malformed nights. Opened in headless Chromium when it is installed.
. "$(dirname "$0")/lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
inbox="$T_TMP/inbox"
od="$T_TMP/out"
mkdir -p "$inbox"
printf '%s\n' 'policy_no,holder_name,holder_id_no,payment_mode,start_date,end_date,premium,net_premium,currency,payer_account' \
    'P2026000000101,甲,,monthly,2026-06-01,,30.00,,CNY,6217000000000101' >"$T_TMP/register.csv"
hostile_file='x"><img src=x onerror=alert(2)>.sta'
cat >"$inbox/$hostile_file" <<'STA'
:20:STMT20260601
:25:6222000011112222
:28C:1/1
:60F:C260531CNY1000,00
:61:2606010601C30,00NTRFNONREF//R0001
:86:PREMIUM P2026000000101 JUNE
:61:2606010601C40,00NTRFNONREF//R0002
:86:166?00GUTSCHRIFT?20MONTHLY PREMIUM?316217000000000104?32<script>alert(1)</script>
:61:2606010601C50,00NTRFNONREF//R0003
:86:166?00GUTSCHRIFT?20"><img src=x onerror=alert(3)>?316217000000000105?32"><img src=x onerror=alert(4)>
:62F:C260601CNY1120,00
-
STA
new_db it_page
run init
run policies load "$T_TMP/register.csv"
run nightly --as-of 2026-06-01 --inbox "$inbox" --out "$od"
check "the night runs" [ "$rc" -eq 0 ]
run report --as-of 2026-06-01 --out "$od" --unmasked
check "its report runs unmasked (payer names in full)" [ "$rc" -eq 0 ]
page="$od/2026-06-01/index.html"
html=$(cat "$page")
check "the night's page is written" [ -s "$page" ]
check "and listed in its manifest" grep -q '  index.html$' "$od/2026-06-01/MANIFEST.sha256"
check "the manifest verifies" bash -c "cd '$od/2026-06-01' && sha256sum -c --quiet MANIFEST.sha256"
check "a CSP forbids every request" contains "$html" "content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:"
check "lang zh-CN" contains "$html" '<html lang="zh-CN">'
check "four charts, each with title and desc" [ "$(grep -c '<title id=' "$page")" -eq 4 ] && [ "$(grep -c '<desc id=' "$page")" -eq 4 ]
check "the payer is escaped text" contains "$html" '&lt;script&gt;alert(1)&lt;/script&gt;'
check "so is the other payer" contains "$html" '&quot;&gt;&lt;img src=x onerror=alert(4)&gt;'
check "and the file name" contains "$html" 'x&quot;&gt;&lt;img src=x onerror=alert(2)&gt;.sta'
check "no raw tag from a statement" lacks "$html" '<script>alert' && lacks "$html" '<img'
check "money in by channel: bank" grep -q '银行 bank</text><rect x="136" y="7" width="210"' "$page"
check "no link or source outside the night's files" python3 "$here/page_check.py" links "$page"
sum1=$(sha256sum <"$page")
run report --as-of 2026-06-01 --out "$od" --unmasked
check "rerun: the page is byte-identical" [ "$(sha256sum <"$page")" = "$sum1" ]

hist="$od/index.html"
check "the history is written" [ -s "$hist" ]
check "it says it is in no manifest" grep -q "not part of any night's MANIFEST.sha256" "$hist"
check "and is in none" bash -c "! grep -q 'index.html' '$od'/*/MANIFEST.sha256 || ! grep -q '  \\.\\./index.html' '$od'/*/MANIFEST.sha256"
check "it links the night" grep -q '<a href="2026-06-01/index.html">2026-06-01</a>' "$hist"
# Hostile OUT: a night that is a link, a page that is a link, a forged figures block.
mkdir -p "$T_TMP/elsewhere/2026-05-01" "$od/2026-05-02" "$od/2026-05-03"
cp "$page" "$T_TMP/elsewhere/2026-05-01/index.html"
ln -s "$T_TMP/elsewhere/2026-05-01" "$od/2026-05-01"
ln -s "$page" "$od/2026-05-02/index.html"
sed 's/^money_in .*/money_in 1x/; s/^date .*/date 2026-05-03/' "$page" >"$od/2026-05-03/index.html"
run report --as-of 2026-06-01 --out "$od" --unmasked
check "a hostile OUT does not stop the report" [ "$rc" -eq 0 ]
check "a night that is a link is skipped" grep -q '<li>2026-05-01: not a directory (or a link)</li>' "$hist"
check "a page that is a link is skipped" grep -q '<li>2026-05-02: no index.html' "$hist"
check "a malformed figures block is skipped" grep -q '<li>2026-05-03: its figures block is malformed</li>' "$hist"
check "the good night is still shown" grep -q '1 晚 nights' "$hist"
check "the history's links stay inside OUT" python3 "$here/page_check.py" links "$hist"
check "the page sent to the history is unchanged" [ "$(sha256sum <"$page")" = "$sum1" ]

if ! command -v chromium >/dev/null; then
    echo "ok $((t_n + 1)) # skip chromium is not installed (scripts/deps.sh installs it)"
    finish
fi
chrome() { # ARGS...: headless Chromium with a private profile; console messages on stderr
    timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
        --user-data-dir="$T_TMP/chromium" --enable-logging=stderr --v=0 "$@" 2>>"$T_TMP/chromium.log"
}
chrome --dump-dom "file://$page" >"$T_TMP/dom.html"
dom=$(cat "$T_TMP/dom.html")
check "chromium renders the four charts" [ "$(grep -o '<svg id="[a-z]*"' "$T_TMP/dom.html" | tr '\n' ' ')" = '<svg id="status" <svg id="ageing" <svg id="suspense" <svg id="channel" ' ]
check "the payer is text in the DOM" contains "$dom" '&lt;script&gt;alert(1)&lt;/script&gt;'
check "no element came from a statement" lacks "$dom" '<img' && lacks "$dom" '<script'
check "no console message, no refused request" bash -c "! grep -E 'CONSOLE|Refused to|Uncaught|net::ERR' '$T_TMP/chromium.log'"
chrome --screenshot="$T_TMP/page.png" --window-size=1280,2000 "file://$page" >/dev/null
check "the screenshot is written" [ -s "$T_TMP/page.png" ]
ink=$(python3 "$here/page_check.py" ink "$T_TMP/page.png")
check "and shows the charts (ink $ink per mille, expected 20..400)" [ "${ink:-0}" -ge 20 ] && [ "${ink:-0}" -le 400 ]
chrome --dump-dom "file://$hist" >"$T_TMP/hist.html"
check "chromium renders the history's charts" [ "$(grep -c '<svg id="h-' "$T_TMP/hist.html")" -eq 4 ]
check "still no console message" bash -c "! grep -E 'CONSOLE|Refused to|Uncaught|net::ERR' '$T_TMP/chromium.log'"
finish
