#!/bin/sh
# Makes the README's screenshots of the pages (docs/page-day.png, docs/page-history.png) with
# headless Chromium, as test_page.sh runs it, and of the workbook as LibreOffice Calc prints it
# (docs/workbook-summary.png, docs/workbook-exceptions.png; needs libreoffice-calc-nogui and
# poppler-utils), from the demo: `scripts/screenshots.sh [OUT]` where OUT holds a demo run
# (default: run `bin/recon demo` in a temporary directory).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${1:-}
if [ -z "$out" ]; then
    (cd "$tmp" && "$root/bin/recon" demo >/dev/null)
    out="$tmp/out"
fi
last=$(ls "$out" | grep -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' | tail -1)
shot() { # PAGE PNG
    chromium --headless --no-sandbox --disable-gpu --no-first-run --hide-scrollbars \
        --user-data-dir="$tmp/chromium" --window-size=1280,2000 --screenshot="$2" "file://$1" \
        >/dev/null 2>&1
}
mkdir -p "$root/docs"
shot "$out/$last/index.html" "$root/docs/page-day.png"
shot "$out/index.html" "$root/docs/page-history.png"
# The workbook printed to PDF by LibreOffice (A4 landscape, one page wide, as the workbook asks):
# page 1 is the summary; the Exceptions sheet starts on the first page headed "类型".
book="$out/$last/recon-$last.xlsx"
HOME="$tmp" soffice --headless --norestore -env:UserInstallation="file://$tmp/lo" \
    --convert-to pdf --outdir "$tmp" "$book" >/dev/null 2>&1
pdf="$tmp/recon-$last.pdf"
pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
ex=1
while [ "$ex" -le "$pages" ] && [ "$(pdftotext -f "$ex" -l "$ex" "$pdf" - | head -1)" != "类型" ]; do
    ex=$((ex + 1))
done
pdftoppm -f 1 -l 1 -png -r 100 -singlefile "$pdf" "$root/docs/workbook-summary"
pdftoppm -f "$ex" -l "$ex" -png -r 110 -singlefile -x 40 -y 70 -W 1220 -H 140 "$pdf" \
    "$root/docs/workbook-exceptions"
echo "docs/page-day.png, docs/page-history.png, docs/workbook-summary.png and"
echo "docs/workbook-exceptions.png from $out ($last)"
