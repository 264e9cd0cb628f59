#!/usr/bin/env bash
# recon benchmark (issue 5), run by `make bench`.
#
#   QUICK=1      10k policies only (well under a minute)
#   SIZES="..."  policy counts to run (default: 100000 300000 1000000); as many receipts
#   SEED=N       generator seed (default 1)
#   BENCH_KEEP=1 keep the work directory (data, database, reports) for a look afterwards
#   BENCH_DIR=D  where to work (default: a new directory under /var/tmp)
#   BENCH_TIMEOUT=S  per-stage limit in seconds (default 900); a stage past it is
#                stopped and reported as "timeout" (quadratic plans must not hang the run)
#   BENCH_INDEXES=1  add, right after `recon init`, the indexes that stand in for the
#                fixes the benchmark suggests (allocations(receipt_id); receipts(source,
#                reversal_of) and (source, provider_txn_id | end_to_end_id |
#                merchant_order_no)), to measure recon without its quadratic plans;
#                results then go to bench/results-indexes.csv
#   BENCH_RESULTS=F  where to write the CSV (default bench/results.csv)
#   BENCH_LOG_MS=N   statements slower than N ms (default 1000; 0 = off) are logged by the
#                server; the slowest are printed after each size, SQL and all
#
# For each size it generates a world (fixtures/gen), starts a private embedded
# PostgreSQL under a temporary RECON_HOME, loads the register, the events and the
# history before the month (setup, timed but not judged), and then times each stage:
#   parse (per format), ingest (every file but the last day's), process (every policy),
#   report, and nightly for the last business day (its files only).
# In the same run it measures the floors on the same data: cat of the files, a bare
# libxml2 SAX2 push pass (camt; the xmlTextReader pass too, as a row of its own), a bare
# libcsv pass (WeChat, Alipay, bank CSV), a bare line split (MT940), psql \copy of the same
# normalised rows into a table like receipts,
# and gzip -6 over the same uncompressed report bytes. It prints a table and writes
# bench/results.csv. Targets are reported as met/missed; nothing is asserted.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RECON=$ROOT/bin/recon
TOOLS=$ROOT/build/bench
SEED=${SEED:-1}
TIMEOUT=${BENCH_TIMEOUT:-900}
if [ -n "${BENCH_INDEXES:-}" ] && [ "${BENCH_INDEXES}" != 0 ]; then
    RESULTS=${BENCH_RESULTS:-$ROOT/bench/results-indexes.csv}
else
    BENCH_INDEXES=
    RESULTS=${BENCH_RESULTS:-$ROOT/bench/results.csv}
fi

if [ -n "${QUICK:-}" ] && [ "${QUICK}" != 0 ]; then
    SIZES=10000
elif [ -z "${SIZES:-}" ]; then
    SIZES="100000 300000 1000000"
fi

for tool in "$RECON" "$TOOLS/gen" "$TOOLS/xmlpass" "$TOOLS/saxpass" "$TOOLS/csvpass" "$TOOLS/rtime"; do
    if [ ! -x "$tool" ]; then
        echo "bench: $tool missing; run 'make bench'" >&2
        exit 1
    fi
done
command -v psql >/dev/null || { echo "bench: psql not found" >&2; exit 1; }

if [ -n "${BENCH_DIR:-}" ]; then
    WORK=$BENCH_DIR
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d /var/tmp/recon-bench.XXXXXX)
fi
chmod 755 "$WORK"
export RECON_HOME=$WORK/home
mkdir -p "$RECON_HOME"
chmod 755 "$RECON_HOME"
unset RECON_DB PGHOST PGDATABASE PGPORT PGUSER
export RECON_LOG=${RECON_LOG:-error}

cleanup() {
    "$RECON" db stop >/dev/null 2>&1 || true
    if [ -z "${BENCH_KEEP:-}" ]; then
        rm -rf "$WORK"
    else
        echo "bench: kept $WORK"
    fi
}
trap cleanup EXIT

# A private copy of the binary: the tree may be rebuilt while the bench runs. Bank CSV
# profiles are found beside the binary (../profiles).
mkdir -p "$WORK/bin"
cp "$RECON" "$WORK/bin/recon"
ln -sfn "$ROOT/profiles" "$WORK/profiles"
RECON=$WORK/bin/recon
echo "binary: $(sha256sum "$RECON" | cut -c1-16) ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo '?') + working tree)"

"$RECON" db start >/dev/null
PGCONN="host=$RECON_HOME/pg user=postgres"
LOG_MS=${BENCH_LOG_MS:-1000}
SERVER_LOG=$RECON_HOME/pg/server.log
PSQL=(psql -X -q -v ON_ERROR_STOP=1)

# ---- machine -------------------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
mem=$(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)
pgver=$("${PSQL[@]}" -At "$PGCONN dbname=postgres" -c "SHOW server_version")
xmlver=$(pkg-config --modversion libxml-2.0 2>/dev/null || echo '?')
echo "recon benchmark: $(nproc) x ${cpu:-unknown CPU}, $mem, PostgreSQL $pgver, libxml2 $xmlver"
echo "sizes: $SIZES policies (receipts = policies), seed $SEED, stage limit ${TIMEOUT}s, work dir $WORK"
[ -n "$BENCH_INDEXES" ] && echo "with the suggested indexes (BENCH_INDEXES=1)"
echo

# ---- helpers --------------------------------------------------------------------------
# timed NAME [rtime options] -- CMD...: runs CMD under rtime with the stage limit; sets
# T_WALL, T_RSS (KiB) and T_CODE (124: stopped at the limit). Never fails the script.
timed() {
    local name=$1 log=$WORK/time.$1
    shift
    rm -f "$log"
    T_CODE=0
    "$TOOLS/rtime" "$log" --timeout "$TIMEOUT" "$@" || T_CODE=$?
    T_WALL=0
    T_RSS=0
    [ -s "$log" ] && read -r T_WALL T_RSS _ <"$log"
    if [ "$T_CODE" = 124 ]; then
        echo "bench: $name stopped at the ${TIMEOUT}s limit" >&2
        # the server keeps running a statement whose client is gone (and keeps its
        # locks): end it before the next stage
        if [ -n "${RECON_DB:-}" ]; then
            "${PSQL[@]}" "$RECON_DB" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()" >/dev/null 2>&1 || true
            sleep 1
        fi
    elif [ "$T_CODE" != 0 ]; then
        echo "bench: $name failed with exit code $T_CODE" >&2
    fi
}

# outcome VERDICT: the verdict, unless the last timed command did not finish well.
outcome() {
    case $T_CODE in
    0) echo "$1" ;;
    124) echo "timeout" ;;
    *) echo "failed($T_CODE)" ;;
    esac
}

fsize() { if [ $# -eq 0 ]; then echo 0; else cat "$@" | wc -c; fi; }
fdiv() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print ""; else printf "%.2f", a / b }'; }
frate() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print ""; else printf "%.0f", a / b }'; }
fmb() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1048576 }'; }
fmib() { awk -v a="$1" 'BEGIN { printf "%.1f", a / 1024 }'; }
fsum() { awk 'BEGIN { s = 0; for (i = 1; i < ARGC; i++) s += ARGV[i]; printf "%.3f", s }' "$@"; }

HEADER="policies,receipts,stage,rows,mb,wall_s,rows_per_s,mb_per_s,peak_rss_mib,baseline,baseline_s,ratio,cat_s,us_per_policy,target,verdict"
ROWS_FILE=$WORK/results.rows
: >"$ROWS_FILE"

# row N M STAGE ROWS BYTES WALL RSS_KIB BASELINE BASE_S CAT_S TARGET VERDICT
row() {
    local n=$1 m=$2 stage=$3 rows=$4 bytes=$5 wall=$6 rss=$7 base=$8 base_s=$9 cat_s=${10}
    local target=${11} verdict=${12}
    local mb="" mbps="" ratio=""
    if [ -n "$bytes" ] && [ "$bytes" != 0 ]; then
        mb=$(fmb "$bytes")
        mbps=$(fdiv "$mb" "$wall")
    fi
    [ -n "$base_s" ] && ratio=$(fdiv "$wall" "$base_s")
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' "$n" "$m" "$stage" "$rows" "$mb" \
        "$wall" "$(frate "$rows" "$wall")" "$mbps" "$(fmib "$rss")" "$base" "$base_s" "$ratio" \
        "$cat_s" "$(awk -v w="$wall" -v n="$n" 'BEGIN { printf "%.2f", w * 1e6 / n }')" \
        "$target" "$verdict" >>"$ROWS_FILE"
}

# verdict VALUE LIMIT: "met" when VALUE <= LIMIT, else "missed"; "" without a value.
verdict() {
    [ -z "$1" ] && { echo ""; return; }
    awk -v v="$1" -v l="$2" 'BEGIN { print (v + 0 <= l + 0) ? "met" : "missed" }'
}

both_verdict() { # both met -> met
    if [ "$1" = met ] && [ "$2" = met ]; then echo met; else echo missed; fi
}

nightly_built() {
    local out
    out=$("$RECON" nightly 2>&1 || true)
    ! grep -q "not built yet" <<<"$out"
}

world_get() { sed -n "s/^$1 //p" "$2/world.txt"; }

# ---- one size -------------------------------------------------------------------------
run_size() {
    local n=$1
    local dir=$WORK/w$n out=$WORK/out$n db=bench_$n
    local log_from=0
    [ -f "$SERVER_LOG" ] && log_from=$(wc -l <"$SERVER_LOG")
    echo "== $n policies: generating"
    "$TOOLS/gen" --seed "$SEED" --policies "$n" --receipts "$n" --out "$dir" >/dev/null
    local m last prev month_end
    m=$(world_get receipts "$dir")
    last=$(world_get last_day "$dir")
    prev=$(world_get previous_day "$dir")
    month_end=$(date -d "$(world_get first_day "$dir") - 1 day" +%F)

    "${PSQL[@]}" "$PGCONN dbname=postgres" -c "DROP DATABASE IF EXISTS $db" \
        -c "CREATE DATABASE $db" 2>/dev/null
    if [ "$LOG_MS" != 0 ]; then
        "${PSQL[@]}" "$PGCONN dbname=postgres" \
            -c "ALTER DATABASE $db SET log_min_duration_statement = $LOG_MS"
    fi
    export RECON_DB="$PGCONN dbname=$db"
    "$RECON" init >/dev/null
    if [ -n "$BENCH_INDEXES" ]; then
        "${PSQL[@]}" "$RECON_DB" \
            -c "CREATE INDEX IF NOT EXISTS bench_allocations_receipt ON recon.allocations (receipt_id)" \
            -c "CREATE INDEX IF NOT EXISTS bench_receipts_reversal_of ON recon.receipts (source, reversal_of) WHERE reversal AND reversal_of <> ''" \
            -c "CREATE INDEX IF NOT EXISTS bench_receipts_provider_txn ON recon.receipts (source, provider_txn_id) WHERE NOT reversal AND duplicate_of IS NULL" \
            -c "CREATE INDEX IF NOT EXISTS bench_receipts_end_to_end ON recon.receipts (source, end_to_end_id) WHERE NOT reversal AND duplicate_of IS NULL" \
            -c "CREATE INDEX IF NOT EXISTS bench_receipts_order ON recon.receipts (source, merchant_order_no) WHERE NOT reversal AND duplicate_of IS NULL"
    fi

    # setup: the register and everything before the month (timed, not judged)
    echo "== $n policies: setup (register, events, history, process as of $month_end)"
    timed policies_load --stdout "$WORK/setup.out" -- "$RECON" policies load "$dir/policies.csv"
    local load_wall=$T_WALL load_rss=$T_RSS load_code=$T_CODE
    # a register load's floor: psql \copy of the rows as stored into a table like theirs
    local pcols="policy_no, holder_name, holder_id_no, payment_mode, start_date, end_date, premium, net_premium, currency, payer_account"
    "${PSQL[@]}" "$RECON_DB" -c "DROP SCHEMA IF EXISTS bench CASCADE" -c "CREATE SCHEMA bench" \
        -c "CREATE TABLE bench.policies_copy (LIKE recon.policies INCLUDING ALL)" \
        -c "\\copy (SELECT $pcols FROM recon.policies) TO '$WORK/policies.copy'" 2>/dev/null
    timed copy_policies -- "${PSQL[@]}" "$RECON_DB" -c "\\copy bench.policies_copy ($pcols) FROM '$WORK/policies.copy'"
    local base_s=$T_WALL
    T_CODE=$load_code
    row "$n" "$m" "setup:policies_load" "$n" "$(fsize "$dir/policies.csv")" "$load_wall" "$load_rss" "psql-copy" "$base_s" "" "<=2x copy" "$(outcome "$(verdict "$(fdiv "$load_wall" "$base_s")" 2)")"
    timed events_load --stdout "$WORK/setup.out" -- "$RECON" events load "$dir/events.csv"
    local hist_rows
    hist_rows=$(($(wc -l <"$dir/history.csv") - 1))
    timed history_load --stdout "$WORK/setup.out" -- "$RECON" receipts load "$dir/history.csv"
    load_wall=$T_WALL load_rss=$T_RSS load_code=$T_CODE
    local hcols="receipt_id, source, transaction_key, position, booking_date, amount, currency, direction, payer, remittance, policy_no, match_result"
    "${PSQL[@]}" "$RECON_DB" -c "CREATE TABLE bench.history_copy (LIKE recon.receipts INCLUDING ALL)" \
        -c "\\copy (SELECT $hcols FROM recon.receipts) TO '$WORK/history.copy'" 2>/dev/null
    timed copy_history -- "${PSQL[@]}" "$RECON_DB" -c "\\copy bench.history_copy ($hcols) FROM '$WORK/history.copy'"
    base_s=$T_WALL
    T_CODE=$load_code
    row "$n" "$m" "setup:history_load" "$hist_rows" "$(fsize "$dir/history.csv")" "$load_wall" "$load_rss" "psql-copy" "$base_s" "" "<=2x copy" "$(outcome "$(verdict "$(fdiv "$load_wall" "$base_s")" 2)")"
    "${PSQL[@]}" "$RECON_DB" -c "VACUUM ANALYZE" 2>/dev/null
    timed process_before --stdout "$WORK/setup.out" -- "$RECON" process --as-of "$month_end"
    row "$n" "$m" "setup:process_$month_end" "$n" "" "$T_WALL" "$T_RSS" "" "" "" "" "$(outcome "")"
    "${PSQL[@]}" "$RECON_DB" -c "VACUUM ANALYZE" 2>/dev/null

    # parse, per format, over the whole month
    echo "== $n policies: parse"
    local fmt files bytes rows base_name base_s cat_s
    for fmt in camt053 mt940 wechat alipay icbc; do
        # shellcheck disable=SC2206
        files=($dir/inbox/*_$fmt.*)
        bytes=$(fsize "${files[@]}")
        timed "parse_$fmt" --stdout "$WORK/parse_$fmt.csv" -- "$RECON" parse "${files[@]}" \
            2>"$WORK/parse_$fmt.err"
        local wall=$T_WALL rss=$T_RSS code=$T_CODE
        rows=$(($(wc -l <"$WORK/parse_$fmt.csv") - 1))
        rm -f "$WORK/parse_$fmt.csv"
        timed "cat_$fmt" --stdout /dev/null -- cat "${files[@]}"
        cat_s=$T_WALL
        case $fmt in
        camt053)
            # the true floor is a bare SAX2 push pass (issue 16); the reader's pass is
            # recorded beside it, as the floor camt was measured against before
            timed "reader_$fmt" --stdout /dev/null -- "$TOOLS/xmlpass" "${files[@]}"
            row "$n" "$m" "floor:${fmt}_reader" "$rows" "$bytes" "$T_WALL" "$T_RSS" "" "" "" "" ""
            base_name=libxml2-sax2
            timed "bare_$fmt" --stdout /dev/null -- "$TOOLS/saxpass" "${files[@]}"
            ;;
        mt940)
            base_name=line-split
            timed "bare_$fmt" --stdout /dev/null -- "$TOOLS/csvpass" --lines "${files[@]}"
            ;;
        *)
            base_name=libcsv
            timed "bare_$fmt" --stdout /dev/null -- "$TOOLS/csvpass" "${files[@]}"
            ;;
        esac
        base_s=$T_WALL
        local r v1 v2
        r=$(fdiv "$wall" "$base_s")
        v1=$(verdict "$r" 1.5)
        v2=$(verdict "$rss" 65536)
        T_CODE=$code
        row "$n" "$m" "parse:$fmt" "$rows" "$bytes" "$wall" "$rss" "$base_name" "$base_s" "$cat_s" \
            "<=1.5x bare; RSS<64MiB" "$(outcome "$(both_verdict "$v1" "$v2")")"
    done

    # ingest: every file up to the previous business day
    echo "== $n policies: ingest"
    local ingest_files=() day_files=() f
    for f in "$dir"/inbox/*; do
        case $(basename "$f") in
        "$last"_*) day_files+=("$f") ;;
        *) ingest_files+=("$f") ;;
        esac
    done
    bytes=$(fsize "${ingest_files[@]}")
    # the floor's input: the same receipts, normalised by recon parse (not timed)
    # (a transaction re-reported in a later file is stored once by the floor: the table
    # keeps receipts' unique (source, transaction_key))
    "$RECON" parse --unmasked "${ingest_files[@]}" 2>/dev/null |
        "$TOOLS/csvpass" --to-copy --base 0 2>"$WORK/ingest.copy.err" |
        awk -F'\t' '!seen[$2 FS $3]++' >"$WORK/ingest.copy"
    "$RECON" parse --unmasked "${day_files[@]}" 2>/dev/null |
        "$TOOLS/csvpass" --to-copy --base 10000000000 2>"$WORK/day.copy.err" |
        awk -F'\t' 'NR == FNR { seen[$2 FS $3] = 1; next } !seen[$2 FS $3]++' \
            "$WORK/ingest.copy" - >"$WORK/day.copy"
    timed ingest --stdout "$WORK/ingest.out" -- "$RECON" ingest "${ingest_files[@]}" \
        2>"$WORK/ingest.err"
    local ingest_wall=$T_WALL ingest_rss=$T_RSS ingest_code=$T_CODE
    rows=$(wc -l <"$WORK/ingest.copy")
    local cols="receipt_id, source, transaction_key, file_id, position, booking_date, value_date, amount, currency, direction, reversal, reversal_of, payer, payer_account, end_to_end_id, creditor_reference, merchant_order_no, provider_txn_id, remittance, fee"
    "${PSQL[@]}" "$RECON_DB" -c "DROP SCHEMA IF EXISTS bench CASCADE" -c "CREATE SCHEMA bench" \
        -c "CREATE TABLE bench.receipts_copy (LIKE recon.receipts INCLUDING ALL)" 2>/dev/null
    timed copy_ingest -- "${PSQL[@]}" "$RECON_DB" \
        -c "\\copy bench.receipts_copy ($cols) FROM '$WORK/ingest.copy'"
    local copy_s=$T_WALL
    local v1 v2
    v1=$(verdict "$(fdiv "$ingest_wall" "$copy_s")" 1.5)
    v2=$(verdict "$ingest_rss" 65536)
    T_CODE=$ingest_code
    row "$n" "$m" "ingest" "$rows" "$bytes" "$ingest_wall" "$ingest_rss" "psql-copy" "$copy_s" "" \
        "<=1.5x copy; RSS<64MiB" "$(outcome "$(both_verdict "$v1" "$v2")")"

    # process and report as of the previous business day
    echo "== $n policies: process, report ($prev)"
    timed process --stdout "$WORK/process.out" -- "$RECON" process --as-of "$prev" 2>"$WORK/process.err"
    local proj
    proj=$(awk -v w="$T_WALL" -v n="$n" 'BEGIN { printf "%.3f", w * 1000000 / n }')
    row "$n" "$m" "process" "$n" "" "$T_WALL" "$T_RSS" "" "" "" "<10s per 1M policies" \
        "$(outcome "$(verdict "$proj" 10)")"
    rm -rf "$out"
    timed report --stdout "$WORK/report.out" -- env RECON_LOG=info "$RECON" report --as-of "$prev" \
        --out "$out" 2>"$WORK/report.err"
    local report_wall=$T_WALL report_rss=$T_RSS report_code=$T_CODE
    # The workbook's step inside the report, from the line reports/workbook.c logs: its time
    # (made beside the CSV files on a thread of its own; only the part after them, which the
    # report waited for, is taken out of the report row, which stays the CSV files' cost) and
    # the process's peak RSS (constant-memory mode: the workbook should not raise it much).
    local wb wb_wall=0 wb_tail=0 wb_before=0 wb_after=0
    wb=$(grep -o 'workbook recon-[^ ]* [0-9.]* s, [0-9.]* s after the CSV files, peak RSS [0-9]* KiB before it, [0-9]* KiB after' \
        "$WORK/report.err" | tail -n 1)
    [ -n "$wb" ] && read -r _ _ wb_wall _ wb_tail _ _ _ _ _ _ _ wb_before _ _ _ wb_after _ <<<"$wb"
    report_wall=$(awk -v a="$report_wall" -v b="$wb_tail" 'BEGIN { printf "%.3f", a - b }')
    row "$n" "$m" "workbook" "" "$(fsize "$out/$prev"/recon-*.xlsx)" "$wb_wall" "$wb_after" \
        "" "" "" "RSS <= before + 64MiB" \
        "$(outcome "$(verdict "$((wb_after - wb_before))" 65536)")"
    # the night's page (index.html): its own wall time as logged, also taken out of the report row
    local page_s
    page_s=$(grep -o 'page written in [0-9.]*' "$WORK/report.err" | awk '{print $4}' | tail -1)
    report_wall=$(awk -v a="$report_wall" -v b="${page_s:-0}" 'BEGIN { printf "%.3f", a - b }')
    row "$n" "$m" "report:page" "" "$(fsize "$out/$prev/index.html")" "${page_s:-}" "" "" "" "" \
        "beside the report" "$(outcome "")"
    cat "$out/$prev"/*.gz 2>/dev/null | gzip -dc >"$WORK/report.raw" 2>/dev/null || true
    bytes=$(fsize "$WORK/report.raw")
    rows=$(wc -l <"$WORK/report.raw")
    timed gzip_report --stdout /dev/null -- gzip -6 -c "$WORK/report.raw"
    local gz=$T_WALL
    T_CODE=$report_code
    row "$n" "$m" "report" "$rows" "$bytes" "$report_wall" "$report_rss" "gzip-6" "$gz" "" \
        "<=1.5x gzip -6" "$(outcome "$(verdict "$(fdiv "$report_wall" "$gz")" 1.5)")"

    # nightly for the last business day: its files only
    echo "== $n policies: nightly ($last)"
    local inbox=$WORK/inbox$n
    rm -rf "$inbox"
    mkdir -p "$inbox"
    cp "${day_files[@]}" "$inbox/"
    local night_wall night_rss how night_code
    if nightly_built; then
        how=nightly
        timed nightly --stdout "$WORK/nightly.out" -- "$RECON" nightly --as-of "$last" \
            --inbox "$inbox" --out "$out" 2>"$WORK/nightly.err"
        night_wall=$T_WALL
        night_rss=$T_RSS
        night_code=$T_CODE
    else
        how="ingest+process+report"
        timed n_ingest --stdout "$WORK/nightly.out" -- "$RECON" ingest "$inbox"/* 2>"$WORK/nightly.err"
        local a=$T_WALL r1=$T_RSS c1=$T_CODE
        timed n_process --stdout "$WORK/nightly.out" -- "$RECON" process --as-of "$last" 2>>"$WORK/nightly.err"
        local b=$T_WALL r2=$T_RSS c2=$T_CODE
        timed n_report --stdout "$WORK/nightly.out" -- "$RECON" report --as-of "$last" --out "$out" 2>>"$WORK/nightly.err"
        night_code=$T_CODE
        [ "$c2" != 0 ] && night_code=$c2
        [ "$c1" != 0 ] && night_code=$c1
        night_wall=$(fsum "$a" "$b" "$T_WALL")
        night_rss=$(printf '%s\n' "$r1" "$r2" "$T_RSS" | sort -n | tail -1)
    fi
    # the floors of the same day: read + bare parse of its files, \copy of its rows,
    # gzip -6 of its report
    local day_bytes day_rows
    day_bytes=$(fsize "${day_files[@]}")
    day_rows=$(wc -l <"$WORK/day.copy")
    timed n_cat --stdout /dev/null -- cat "${day_files[@]}"
    local s_cat=$T_WALL
    local xml_files=() csv_files=() sta_files=()
    for f in "${day_files[@]}"; do
        case $f in
        *.xml) xml_files+=("$f") ;;
        *.sta) sta_files+=("$f") ;;
        *) csv_files+=("$f") ;;
        esac
    done
    timed n_xml --stdout /dev/null -- "$TOOLS/xmlpass" "${xml_files[@]}"
    local s_xml=$T_WALL
    timed n_csv --stdout /dev/null -- "$TOOLS/csvpass" "${csv_files[@]}"
    local s_csv=$T_WALL
    timed n_lines --stdout /dev/null -- "$TOOLS/csvpass" --lines "${sta_files[@]}"
    local s_lines=$T_WALL
    timed n_copy -- "${PSQL[@]}" "$RECON_DB" -c "\\copy bench.receipts_copy ($cols) FROM '$WORK/day.copy'"
    local s_copy=$T_WALL
    cat "$out/$last"/*.gz 2>/dev/null | gzip -dc >"$WORK/day_report.raw" 2>/dev/null || true
    timed n_gzip --stdout /dev/null -- gzip -6 -c "$WORK/day_report.raw"
    local s_gzip=$T_WALL
    local floor
    floor=$(fsum "$s_cat" "$s_xml" "$s_csv" "$s_lines" "$s_copy" "$s_gzip")
    T_CODE=$night_code
    row "$n" "$m" "nightly($how)" "$day_rows" "$day_bytes" "$night_wall" "$night_rss" \
        "sum-of-floors" "$floor" "$s_cat" "<=2x floors" "$(outcome "$(verdict "$(fdiv "$night_wall" "$floor")" 2)")"

    if [ "$LOG_MS" != 0 ] && [ -f "$SERVER_LOG" ]; then
        echo "slowest statements at $n policies (server log, > ${LOG_MS} ms):"
        tail -n +"$((log_from + 1))" "$SERVER_LOG" | grep -E 'duration: [0-9.]+ ms' |
            sed -E 's/.*duration: ([0-9.]+) ms +(statement|execute [^:]*): /\1 /' |
            grep -v -E '^[0-9.]+ (VACUUM|\\copy|COPY bench\.)' | sort -rn | head -8 |
            awk '{ printf "  %8.1f s  %s\n", $1 / 1000, substr($0, index($0, " ") + 1, 150) }' ||
            true
    fi
    # BENCH_KEEP keeps what a look afterwards needs: the database, the world, the reports
    if [ -z "${BENCH_KEEP:-}" ]; then
        "${PSQL[@]}" "$PGCONN dbname=postgres" -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true
    fi
    replay_size "$n" "$dir"
    if [ -z "${BENCH_KEEP:-}" ]; then
        rm -rf "$dir" "$out" "$inbox" "$WORK"/*.copy "$WORK"/*.raw
    fi
    unset RECON_DB
    echo
}

# ---- replay (issue 16): a year of nights, one row each ---------------------------------
# replay_size N DIR: a fresh database with the world's register, events and history,
# then `recon nightly` for each night from the month's first day, for BENCH_REPLAY_NIGHTS
# nights (default 365) or until the nights add up to the stage limit; every night's inbox
# holds the whole month (nightly takes each file on its date), so statements arrive daily,
# late money and reversals with them, and the nights after the month move by the calendar
# alone. Incremental unless RECON_EVALUATION=full is set. A row per night
# (stage replay:DATE, rows = policies evaluated) and a total row (stage replay, rows = nights).
replay_size() {
    local n=$1 dir=$2 rdb=bench_replay_$1 rout=$WORK/replay$1
    local nights=${BENCH_REPLAY_NIGHTS:-365} m first month_end
    m=$(world_get receipts "$dir")
    first=$(world_get first_day "$dir")
    month_end=$(date -d "$first - 1 day" +%F)
    "${PSQL[@]}" "$PGCONN dbname=postgres" -c "DROP DATABASE IF EXISTS $rdb" \
        -c "CREATE DATABASE $rdb" 2>/dev/null
    export RECON_DB="$PGCONN dbname=$rdb"
    echo "== $n policies: replay ($nights nights from $first, ${RECON_EVALUATION:-incremental})"
    "$RECON" init >/dev/null
    "$RECON" policies load "$dir/policies.csv" >/dev/null
    "$RECON" events load "$dir/events.csv" >/dev/null
    "$RECON" receipts load "$dir/history.csv" >/dev/null
    "$RECON" process --as-of "$month_end" >/dev/null
    "${PSQL[@]}" "$RECON_DB" -c "VACUUM ANALYZE" 2>/dev/null
    local i=0 d=$first total=0 code=0 evaluated
    while [ "$i" -lt "$nights" ]; do
        timed replay_night --stdout "$WORK/replay.out" -- "$RECON" nightly --as-of "$d" \
            --no-catch-up --inbox "$dir/inbox" --out "$rout" 2>>"$WORK/replay.err"
        [ "$T_CODE" = 0 ] || [ "$T_CODE" = 65 ] || code=$T_CODE
        evaluated=$(grep -o '[0-9]* policies evaluated' "$WORK/replay.out" | awk '{s += $1} END {print s + 0}')
        row "$n" "$m" "replay:$d" "$evaluated" "" "$T_WALL" "$T_RSS" "" "" "" "" "$(outcome "")"
        total=$(fsum "$total" "$T_WALL")
        rm -rf "${rout:?}/$d"
        i=$((i + 1))
        d=$(date -d "$d + 1 day" +%F)
        [ "$code" = 0 ] || break
        awk -v t="$total" -v l="$TIMEOUT" 'BEGIN { exit !(t > l) }' && break
    done
    T_CODE=$code
    echo "replay: $i nights in ${total}s ($(fdiv "$total" "$i") s a night)"
    row "$n" "$m" "replay" "$i" "" "$total" "" "" "" "" "" "$(outcome "")"
    "${PSQL[@]}" "$PGCONN dbname=postgres" -c "DROP DATABASE IF EXISTS $rdb" 2>/dev/null || true
    rm -rf "$rout"
}

for n in $SIZES; do
    run_size "$n"
done

{
    echo "$HEADER"
    cat "$ROWS_FILE"
} >"$RESULTS"

# ---- the table ------------------------------------------------------------------------
awk -F, '
NR == 1 { next }
{
    if (!hdr++) {
        printf "%-9s %-28s %9s %8s %8s %10s %8s %8s %-15s %8s %6s %8s  %s\n", "policies", "stage", "rows", "MB", "wall_s", "rows/s", "MB/s", "RSS_MiB", "baseline", "base_s", "ratio", "us/pol", "target: verdict"
    }
    printf "%-9s %-28s %9s %8s %8s %10s %8s %8s %-15s %8s %6s %8s  %s%s%s\n", $1, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $14, $15, ($15 != "" ? ": " : ""), $16
}' "$RESULTS"
echo
echo "results: $RESULTS"
