#!/bin/sh
# Installs the Debian packages recon needs when they are missing (as root), or
# names the exact command to run (as any other user). Used by make before building.
set -eu
pkgs="postgresql libpq-dev libcsv-dev libxml2-dev zlib1g-dev libminizip-dev libssl-dev libdeflate-dev libcmocka-dev libxlsxwriter-dev python3-openpyxl pkg-config gcc make clang libclang-rt-14-dev man-db groff-base systemd chromium fonts-noto-cjk"
missing=""
for p in $pkgs; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case "$status" in
        *"install ok installed"*) ;;
        *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "recon: missing Debian packages:$missing" >&2
    echo "recon: run: sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
fi
echo "recon: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq $missing >/dev/null
