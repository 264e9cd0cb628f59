#!/usr/bin/env bash
# `make memcheck`: the demo run under valgrind --leak-check=full, in a private
# embedded database; exits non-zero on any memory error or definite leak.
set -euo pipefail
home=$(mktemp -d /tmp/recon-memcheck.XXXXXX)
chmod 755 "$home"
trap 'RECON_HOME="$home/var" ./bin/recon db stop >/dev/null 2>&1 || true; rm -rf "$home"' EXIT
export RECON_HOME="$home/var"
./bin/recon db start >/dev/null
valgrind --quiet --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=9 \
    ./bin/recon demo --out "$home/out" >/dev/null
echo "memcheck: recon demo is valgrind-clean"
