#!/usr/bin/env bash
# The libFuzzer harnesses (fuzz/): builds them with clang, replays every saved
# input under tests/fuzz/TARGET/, and fuzzes each target briefly (FUZZ_TEST_SECONDS,
# default 3) from a fresh corpus seeded with fixtures/. Longer runs: make fuzz.
# Skips when clang or its libFuzzer runtime is missing. Open findings listed in
# tests/fuzz/known are tolerated by the harness and shown here as SKIP lines.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
targets="camt052 camt053 camt054 mt940 wechat alipay unionpay bankcsv container bankprofile"
seconds=${FUZZ_TEST_SECONDS:-3}
cc=${FUZZ_CC:-clang}
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n - $1"; failed=$((failed + 1)); }

if ! command -v "$cc" >/dev/null 2>&1; then
    ok "# SKIP clang missing"
    exit 0
fi
work=$(mktemp -d "${RECON_TEST_TMP:-/tmp}/fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
# clang without compiler-rt's libFuzzer (Debian: libclang-rt-NN-dev) cannot link
printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n);\nint LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n) { (void)d; (void)n; return 0; }\n' >"$work/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$work/probe.c" -o "$work/probe" >/dev/null 2>&1; then
    ok "# SKIP $cc cannot link -fsanitize=fuzzer (libFuzzer runtime missing)"
    exit 0
fi

# Called from `make test`, whose jobserver is not passed down: build on our own.
if env -u MAKEFLAGS -u MAKELEVEL -u MFLAGS make -s -j"$(nproc 2>/dev/null || echo 2)" \
    FUZZ_CC="$cc" fuzz-build >"$work/build.log" 2>&1; then
    ok "fuzz harnesses build with $cc"
else
    not_ok "fuzz harnesses build with $cc"
    sed 's/^/#   /' "$work/build.log" | tail -30
    exit 1
fi

# shellcheck disable=SC2086
bash fuzz/run.sh -t "$seconds" -c "$work/corpus" $targets >"$work/results" 2>&1
for t in $targets; do
    line=$(grep -E "^fuzz: $t: " "$work/results" | head -1)
    case "$line" in
    "fuzz: $t: ok"*) ok "fuzzer $t: saved inputs replay cleanly, ${seconds}s without a crash ${line#"fuzz: $t: ok "}" ;;
    *)
        not_ok "fuzzer $t: ${line:-no result}"
        log=build/fuzz/logs/$t.log
        [ -f "$log" ] && grep -aE '^(fuzz: broken promise|==[0-9]+== ?ERROR|SUMMARY|    #[0-9] )' "$log" |
            head -25 | sed 's/^/#   /'
        ;;
    esac
done

# Open findings, so they stay visible in every test run until fixed.
if [ -f tests/fuzz/known ]; then
    while read -r target check note; do
        case "$target" in '' | '#'*) continue ;; esac
        ok "open fuzz finding tolerated: $target $check: $note # SKIP fix pending"
    done <tests/fuzz/known
fi
[ "$failed" -eq 0 ]
