#!/bin/sh
# Makes the README's screenshots of the pages (docs/page-day.png, docs/page-history.png) with
# headless Chromium, as test_page.sh runs it, from the demo: `scripts/screenshots.sh [OUT]`
# where OUT holds a demo run (default: run `bin/recon demo` in a temporary directory).
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
echo "docs/page-day.png and docs/page-history.png from $out ($last)"
