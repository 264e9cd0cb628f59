#!/usr/bin/env bash
# Runs the parser fixture cases (tests/parsers/fixtures/FORMAT/CASE.*, described
# in tests/parsers/fixtures/README.md) and the list of real samples
# (tests/parsers/samples.list) through `recon parse --unmasked` ($RECON_BIN, the
# sanitizer build under `make test`), printing TAP lines. Each run happens in the
# input's directory so that messages name the bare file.
# RECON_FIXTURES_UPDATE=1 rewrites the expectations (.out/.err/.exit of fixtures,
# the .out/.err kept for samples) from the current binary; review the diff.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
update=${RECON_FIXTURES_UPDATE:-}
samples=${RECON_SAMPLES:-$root/../shared/samples}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/recon-fixtures.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# The binary runs as installed (bin/recon beside profiles/), so that named bank
# profiles (--profile icbc, or none: detection) are the shipped ones whatever
# the working directory; the build tree has no profiles/ beside build/.
mkdir "$tmp/bin" "$tmp/profiles"
cp "${RECON_BIN:-$root/build/asan/recon}" "$tmp/bin/recon"
cp "$root"/profiles/*.profile "$tmp/profiles/"
bin=$tmp/bin/recon
n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
    n=$((n + 1))
    failed=$((failed + 1))
    echo "not ok $n - $1"
    shift
    [ $# -gt 0 ] && printf '%s\n' "$@" | sed 's/^/# /'
}

# Compares file $2 (what the run gave) with the expectation $1 (absent = empty);
# appends a unified diff to $tmp/why on a difference.
same() {
    local want=$1 got=$2
    [ -f "$want" ] || want=/dev/null
    diff -u --label "expected ${1##*/}" --label "got" "$want" "$got" >>"$tmp/why" && return 0
    return 1
}

# Writes $2 to $1, or removes $1 when $2 is empty.
keep() { if [ -s "$2" ]; then cp "$2" "$1"; else rm -f "$1"; fi; }

# Runs `recon parse --unmasked ARGS... FILE` in DIR; stdout, stderr and the exit
# status land in $tmp/out, $tmp/err and $tmp/exit.
parse_in() {
    local dir=$1
    shift
    (cd "$dir" && exec "$bin" parse --unmasked "$@") >"$tmp/out" 2>"$tmp/err"
    echo $? >"$tmp/exit"
}

# Receipts in a `recon parse` CSV: records after the header (quoted fields may
# hold line breaks).
count_receipts() {
    awk '{ q += gsub(/"/, "\"") } q % 2 == 0 { r++ } END { print (r > 0 ? r - 1 : 0) }' "$1"
}

reserved='\.(out|err|exit|args|md)$'

run_case() {
    local dir=$1 case=$2 label=$3
    local inputs=() f
    for f in "$dir/$case".*; do
        [ -f "$f" ] || continue
        [[ ${f##*/} =~ $reserved ]] && continue
        inputs+=("${f##*/}")
    done
    if [ ${#inputs[@]} -ne 1 ]; then
        not_ok "$label" "want exactly one input, found: ${inputs[*]:-none}"
        return
    fi
    local args=()
    if [ -f "$dir/$case.args" ]; then
        mapfile -t args <"$dir/$case.args"
    fi
    parse_in "$dir" "${args[@]}" "${inputs[0]}"
    if [ -n "$update" ]; then
        keep "$dir/$case.out" "$tmp/out"
        keep "$dir/$case.err" "$tmp/err"
        if [ "$(cat "$tmp/exit")" = 0 ]; then rm -f "$dir/$case.exit"; else cp "$tmp/exit" "$dir/$case.exit"; fi
    fi
    : >"$tmp/why"
    local good=1
    same "$dir/$case.out" "$tmp/out" || good=0
    same "$dir/$case.err" "$tmp/err" || good=0
    if [ -f "$dir/$case.exit" ]; then cp "$dir/$case.exit" "$tmp/want_exit"; else echo 0 >"$tmp/want_exit"; fi
    same "$tmp/want_exit" "$tmp/exit" || good=0
    if [ $good = 1 ]; then ok "$label"; else not_ok "$label" "$(cat "$tmp/why")"; fi
}

for dir in "$here"/fixtures/*/; do
    dir=${dir%/}
    format=${dir##*/}
    cases=$(find "$dir" -maxdepth 1 -type f ! -name '.*' -printf '%f\n' | sed 's/\..*//' | sort -u)
    for c in $cases; do
        run_case "$dir" "$c" "$format/$c"
    done
done

# samples.list: PATH EXIT RECEIPTS STATEMENTS [ARG...], PATH relative to the
# samples folder; STATEMENTS counts the "recon: statement" lines; @fixtures@ in
# an argument stands for tests/parsers/fixtures. When samples/KEY.out or
# samples/KEY.err exists, the output must match it too; KEY is PATH, followed
# for a line with arguments by "+" and the arguments with every character
# other than A-Za-z0-9._- made "_".
if [ ! -d "$samples" ]; then
    echo "ok $((n + 1)) - samples # SKIP $samples absent"
    n=$((n + 1))
else
    while read -r path want_exit want_receipts want_stmts rest; do
        case $path in '' | '#'*) continue ;; esac
        read -r -a args <<<"${rest:-}"
        args=("${args[@]//@fixtures@/$here/fixtures}")
        label="samples/$path${rest:+ ($rest)}"
        file="$samples/$path"
        if [ ! -f "$file" ]; then
            not_ok "$label" "sample missing: $file"
            continue
        fi
        parse_in "$(dirname "$file")" "${args[@]}" "$(basename "$file")"
        : >"$tmp/why"
        good=1
        got_exit=$(cat "$tmp/exit")
        got_receipts=$(count_receipts "$tmp/out")
        got_stmts=$(grep -c '^recon: statement ' "$tmp/err")
        if [ "$got_exit $got_receipts $got_stmts" != "$want_exit $want_receipts $want_stmts" ]; then
            good=0
            echo "exit/receipts/statements: got $got_exit $got_receipts $got_stmts," \
                "want $want_exit $want_receipts $want_stmts" >>"$tmp/why"
            head -5 "$tmp/err" >>"$tmp/why"
        fi
        exp="$here/samples/$path"
        [ -n "${rest:-}" ] && exp="$exp+$(printf '%s' "$rest" | tr -c 'A-Za-z0-9._-' '_')"
        for part in out err; do
            [ -f "$exp.$part" ] || continue
            [ -n "$update" ] && cp "$tmp/$part" "$exp.$part"
            same "$exp.$part" "$tmp/$part" || good=0
        done
        if [ $good = 1 ]; then ok "$label"; else not_ok "$label" "$(cat "$tmp/why")"; fi
    done <"$here/samples.list"
fi

echo "1..$n"
[ "$failed" -eq 0 ]
