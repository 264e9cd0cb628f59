#!/usr/bin/env bash
# Runs the libFuzzer harnesses built by `make fuzz-build` (build/fuzz/fuzz_*).
#
#   fuzz/run.sh [-t SECONDS] [-j JOBS] [-c DIR] [--regress-only] TARGET...
#
# For each target: replays every saved regression input under tests/fuzz/TARGET/,
# then (unless --regress-only) fuzzes for SECONDS (default $FUZZ_SECONDS or 60)
# starting from seeds copied out of fixtures/ (and ../shared/samples/ when present)
# into build/fuzz/seeds/TARGET at run time; the corpus the fuzzer grows is kept in
# build/fuzz/corpus/TARGET between runs (-c DIR keeps it under DIR/TARGET instead,
# as the test suite does for a fresh start). Up to JOBS targets run at once
# (default: the number of CPUs). Prints one line per target:
#   fuzz: TARGET: ok (...)            or
#   fuzz: TARGET: FAILED: REASON      with the crashing input under build/fuzz/artifacts/
# and exits 1 when any target failed.
set -u
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
seconds=${FUZZ_SECONDS:-60}
jobs=$(nproc 2>/dev/null || echo 1)
regress_only=0
corpus_root=build/fuzz/corpus
while [ $# -gt 0 ]; do
    case "$1" in
    -t) seconds=$2; shift 2 ;;
    -j) jobs=$2; shift 2 ;;
    -c) corpus_root=$2; shift 2 ;;
    --regress-only) regress_only=1; shift ;;
    -*) echo "fuzz/run.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: fuzz/run.sh [-t SECONDS] [-j JOBS] [-c DIR] [--regress-only] TARGET..." >&2; exit 2; }

out=build/fuzz
fx=fixtures/statements
samples=$root/../shared/samples
mkdir -p "$out/logs" "$out/seeds" "$corpus_root" "$out/artifacts"

# Bank CSV layouts the bankcsv and container harnesses detect from: the shipped
# ones and the well-formed test layouts (the bad_* ones would reject everything).
profiles=$out/profiles
rm -rf "$profiles"
mkdir -p "$profiles"
cp profiles/*.profile "$profiles/"
for p in plain dirccy icbc_checktotals; do cp "$fx/bankcsv/$p.profile" "$profiles/"; done
export FUZZ_PROFILE_DIR="$root/$profiles"

# copy_seeds DIR FILE...: copies existing files, names prefixed by their folder.
copy_seeds() {
    local dir=$1 f
    shift
    for f in "$@"; do
        [ -f "$f" ] || continue
        cp "$f" "$dir/$(basename "$(dirname "$f")")__$(basename "$f")"
    done
}

# camt.053 documents turned into camt.054 notifications: the same entries under
# the other root, so the camt054 fuzzer starts from more than one real file.
as_camt054() {
    sed -e 's/camt\.053\.001/camt.054.001/g' -e 's/BkToCstmrStmt/BkToCstmrDbtCdtNtfctn/g' \
        -e 's#<Stmt>#<Ntfctn>#g' -e 's#</Stmt>#</Ntfctn>#g' "$1"
}

# The same turned into camt.052 intraday reports.
as_camt052() {
    sed -e 's/camt\.053\.001/camt.052.001/g' -e 's/BkToCstmrStmt/BkToCstmrAcctRpt/g' \
        -e 's#<Stmt>#<Rpt>#g' -e 's#</Stmt>#</Rpt>#g' "$1"
}

# make_zip OUT MEMBER...: a zip archive of the given files (members by base name).
make_zip() {
    local zip_out=$1
    shift
    if command -v zip >/dev/null 2>&1; then
        zip -q -j -X "$zip_out" "$@"
    elif command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for f in sys.argv[2:]:
        z.write(f, os.path.basename(f))' "$zip_out" "$@"
    fi
}

prepare_seeds() { # TARGET DIR
    local t=$1 dir=$2 f
    rm -rf "$dir"
    mkdir -p "$dir"
    case "$t" in
    camt052)
        copy_seeds "$dir" "$samples"/camt052/*.xml tests/parsers/fixtures/camt052/*.xml
        for f in "$fx"/camt/*.xml; do as_camt052 "$f" >"$dir/as052__$(basename "$f")"; done
        ;;
    camt053)
        copy_seeds "$dir" "$fx"/camt/*.xml "$samples"/camt053/*.xml \
            tests/parsers/fixtures/camt053/*.xml
        ;;
    camt054)
        copy_seeds "$dir" "$fx"/camt/batch_mismatch.xml "$samples"/camt054/*.xml
        copy_seeds "$dir" tests/parsers/fixtures/camt054/*.xml
        for f in "$fx"/camt/*.xml; do as_camt054 "$f" >"$dir/as054__$(basename "$f")"; done
        ;;
    mt940)
        copy_seeds "$dir" "$fx"/mt940/* "$fx"/e2e/*.sta "$samples"/mt940/*.sta \
            "$samples"/mt940/*.940 "$samples"/mt940/*.txt
        ;;
    wechat) copy_seeds "$dir" "$fx"/wechat/*.csv "$samples"/wechatpay/*.csv ;;
    alipay) copy_seeds "$dir" "$fx"/alipay/*.csv "$samples"/alipay/*.csv ;;
    unionpay)
        copy_seeds "$dir" "$fx"/unionpay/*
        for f in "$samples"/unionpay/*.zip; do
            [ -f "$f" ] && command -v unzip >/dev/null 2>&1 &&
                unzip -q -j -o "$f" -d "$dir/unzipped" 2>/dev/null
        done
        if [ -d "$dir/unzipped" ]; then
            for f in "$dir"/unzipped/*; do [ -f "$f" ] && mv "$f" "$dir/zip__$(basename "$f")"; done
            rm -rf "$dir/unzipped"
        fi
        ;;
    bankcsv) copy_seeds "$dir" "$fx"/bankcsv/*.csv "$samples"/cn_bank_csv/*.csv ;;
    bankprofile) copy_seeds "$dir" profiles/*.profile "$fx"/bankcsv/*.profile ;;
    container)
        copy_seeds "$dir" "$fx"/*/*.gz "$samples"/unionpay/*.zip
        # one small plain file per format, gzip'd and zipped, plus a two-member zip
        local picks=("$fx/mt940/mt942_interim.sta" "$fx/camt/amount_30005.xml"
            "$fx/wechat/all_mixed.csv" "$fx/alipay/trade.csv" "$fx/unionpay/zm_quirks.zm"
            "$fx/bankcsv/plain_ok.csv")
        for f in "${picks[@]}"; do
            [ -f "$f" ] || continue
            gzip -n -c "$f" >"$dir/gz__$(basename "$f").gz"
            make_zip "$dir/zip__$(basename "$f").zip" "$f"
        done
        make_zip "$dir/zip__two_members.zip" "${picks[0]}" "${picks[2]}"
        ;;
    *) echo "fuzz/run.sh: no seeds known for $t" >&2 ;;
    esac
    # saved regression inputs are good starting points too
    [ -d "tests/fuzz/$t" ] && copy_seeds "$dir" "tests/fuzz/$t"/*
    return 0
}

# known_for TARGET: the harness checks tolerated for it (FUZZ_KNOWN), from
# tests/fuzz/known: lines "TARGET CHECK note", TARGET * for all. The container
# harness reaches every parser, so it tolerates every listed check.
known_for() {
    [ -f tests/fuzz/known ] || return 0
    awk -v t="$1" '!/^[[:space:]]*(#|$)/ && ($1 == t || $1 == "*" || t == "container") { print $2 }' \
        tests/fuzz/known | sort -u | paste -sd, -
}

dict_for() {
    case "$1" in
    camt052 | camt053 | camt054) echo fuzz/camt.dict ;;
    mt940) echo fuzz/mt940.dict ;;
    wechat | alipay | unionpay | bankcsv | container) echo fuzz/csv.dict ;;
    *) echo "" ;;
    esac
}

# run_one TARGET: writes build/fuzz/logs/TARGET.result (one line) and .log.
run_one() {
    local t=$1 bin=$out/fuzz_$1 log=$out/logs/$1.log res=$out/logs/$1.result
    local art=$out/artifacts/$1/ rc inputs=()
    : >"$log"
    if [ ! -x "$bin" ]; then
        echo "fuzz: $t: FAILED: $bin not built (make fuzz-build)" >"$res"
        return
    fi
    mkdir -p "$art"
    local tolerated
    tolerated=$(known_for "$t")
    export FUZZ_KNOWN="$tolerated"
    # 1. saved regression inputs: each must now parse (or be rejected) cleanly
    if [ -d "tests/fuzz/$t" ]; then
        while IFS= read -r -d '' f; do inputs+=("$f"); done \
            < <(find "tests/fuzz/$t" -type f ! -name '*.md' -print0 | sort -z)
    fi
    if [ ${#inputs[@]} -gt 0 ]; then
        "$bin" -timeout=10 -rss_limit_mb=2048 "${inputs[@]}" >>"$log" 2>&1
        rc=$?
        if [ $rc -ne 0 ]; then
            local which why
            which=$(grep -aE '^Running: ' "$log" | tail -1 | sed 's/^Running: //')
            why=$(grep -aE '^(fuzz: broken promise|==[0-9]+== ?ERROR|SUMMARY)' "$log" | head -1 | cut -c1-200)
            echo "fuzz: $t: FAILED: saved input ${which:-?} (exit $rc): ${why:-?}; log $log" >"$res"
            return
        fi
    fi
    if [ "$regress_only" = 1 ]; then
        echo "fuzz: $t: ok (${#inputs[@]} regression inputs${tolerated:+; tolerating $tolerated})" >"$res"
        return
    fi
    # 2. fuzz from the seeds for the time given
    local seeds=$out/seeds/$t corpus=$corpus_root/$t dict
    prepare_seeds "$t" "$seeds"
    mkdir -p "$corpus"
    dict=$(dict_for "$t")
    local opts=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
        -print_final_stats=1 -artifact_prefix="$art")
    [ -n "$dict" ] && [ -f "$dict" ] && opts+=(-dict="$dict")
    "$bin" "${opts[@]}" "$corpus" "$seeds" >>"$log" 2>&1
    rc=$?
    local stats
    stats=$(grep -aE '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 | sed -E 's/^#([0-9]+)[[:space:]]+DONE[[:space:]]+/\1 runs, /; s/[[:space:]]+/ /g')
    if [ $rc -ne 0 ]; then
        local crash
        crash=$(grep -aEo "Test unit written to [^ ]+" "$log" | tail -1 | sed 's/Test unit written to //')
        local why
        why=$(grep -aE '^(fuzz: broken promise|==[0-9]+== ?ERROR|SUMMARY)' "$log" | head -1 | cut -c1-200)
        echo "fuzz: $t: FAILED: ${why:-exit $rc}; input ${crash:-?}; log $log" >"$res"
        return
    fi
    echo "fuzz: $t: ok (${#inputs[@]} regression inputs; ${stats:-no stats}${tolerated:+; tolerating $tolerated})" >"$res"
}

running=0
for t in "$@"; do
    rm -f "$out/logs/$t.result"
    run_one "$t" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait

status=0
for t in "$@"; do
    if [ -f "$out/logs/$t.result" ]; then
        cat "$out/logs/$t.result"
        grep -q ': FAILED:' "$out/logs/$t.result" && status=1
    else
        echo "fuzz: $t: FAILED: no result (harness killed?)"
        status=1
    fi
done
exit $status
