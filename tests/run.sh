#!/usr/bin/env bash
# Runs every test binary and test script (tests/*/test_*.sh) against a throwaway PostgreSQL
# cluster that this script starts in a temporary directory and always stops.
# Prints each suite's result and a closing "N passed, N failed" line.
# RECON_TESTS=REGEX runs only the suites whose path matches (extended regex),
# for working on one area; `make test` runs them all.
set -u
only=${RECON_TESTS:-}
selected() { [ -z "$only" ] || printf '%s\n' "$1" | grep -Eq -- "$only"; }
build=${1:-build/asan}
root=$(pwd)
export RECON_BIN="$root/$build/recon"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

tmp=$(mktemp -d /tmp/recon-test.XXXXXX)
chmod 755 "$tmp"
export RECON_TEST_TMP="$tmp"
export RECON_HOME="$tmp/home"
unset RECON_DB PGHOST PGDATABASE PGPORT PGUSER
cleanup() {
    "$RECON_BIN" db stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

db_ok=0
if "$RECON_BIN" db start >"$tmp/db.log" 2>&1; then
    db_ok=1
else
    echo "test cluster failed to start:" >&2
    cat "$tmp/db.log" >&2
fi
export RECON_TEST_DB_OK=$db_ok

passed=0
failed=0
failed_names=()
# Each suite's wall time, so the slowest are named at the end (make test must stay short).
times="$tmp/times.txt"
: >"$times"
now() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(now)" -v n="$2" 'BEGIN { printf "%7.1f s  %s\n", b - a, n }' >>"$times"; }
for t in $(find "$build/tests" -type f -name 'test_*' -perm -u+x | sort); do
    name=${t#"$build/"}
    selected "$name" || continue
    out="$tmp/out.txt"
    t0=$(now)
    "$t" >"$out" 2>&1
    rc=$?
    took "$t0" "$name"
    cat "$out"
    p=$(grep -Eo '^\[  PASSED  \] [0-9]+' "$out" | awk '{s+=$4} END {print s+0}')
    f=$(grep -Eo '^\[  FAILED  \] [0-9]+ test' "$out" | awk '{s+=$4} END {print s+0}')
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed or sanitizer report without cmocka's summary
        echo "$name: exited $rc"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -gt 0 ] && failed_names+=("$name")
done

for s in $(find tests -mindepth 2 -maxdepth 2 -type f -name 'test_*.sh' | sort); do
    selected "$s" || continue
    out="$tmp/out.txt"
    t0=$(now)
    bash "$s" >"$out" 2>&1
    rc=$?
    took "$t0" "$s"
    cat "$out"
    p=$(grep -c '^ok ' "$out")
    f=$(grep -c '^not ok ' "$out")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1
        echo "$s: exited $rc"
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -gt 0 ] && failed_names+=("$s")
done

echo
echo "slowest suites:"
sort -rn "$times" | head -n 8
echo
[ ${#failed_names[@]} -gt 0 ] && printf 'failed: %s\n' "${failed_names[@]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
