#!/usr/bin/env bash
# Logs for operators: RECON_LOG=json makes every stderr line one JSON object
# (log lines and the final error, control characters and invalid UTF-8 escaped),
# unknown RECON_LOG words are a usage error, and progress is drawn on a terminal
# only (a pseudo-terminal here), never into a file or a JSON log.
. "$(dirname "$0")/lib.sh"

# all 'TEST' ...: true when every test (shell text) holds.
all() {
    local c
    for c in "$@"; do eval "$c" || return 1; done
}

# every_line_json FILE [LEVEL]: each line parses as an object with the four keys
# (and, given LEVEL, at least one line has that level).
every_line_json() {
    python3 - "$@" <<'EOF'
import json, sys
lines = open(sys.argv[1], 'rb').read().split(b'\n')
assert lines[-1] == b'', 'no final newline'
levels = set()
for raw in lines[:-1]:
    obj = json.loads(raw.decode('utf-8'))  # strict: raw control characters refused
    assert set(obj) == {'time', 'level', 'program', 'message'}, obj
    assert obj['program'] == 'recon' and obj['time'].endswith('Z'), obj
    levels.add(obj['level'])
assert len(lines) > 1, 'no line at all'
if len(sys.argv) > 2:
    assert sys.argv[2] in levels, levels
EOF
}

new_db it_log
RECON_LOG=json,info run init
cp "$T_TMP/stderr" "$T_TMP/init.err"
check "json,info: init's info lines are JSON objects of level info" \
    every_line_json "$T_TMP/init.err" info

# A file whose name holds a newline and a control character, rejected: a log
# line and the final error, both naming it.
bad="$T_TMP/$(printf 'bad\nname\001').sta"
printf 'not a statement\n' >"$bad"
RECON_LOG=json run ingest "$bad"
cp "$T_TMP/stderr" "$T_TMP/bad.err"
check "a rejected file under json exits 65" [ "$rc" -eq 65 ]
check "every stderr line is one JSON object" every_line_json "$T_TMP/bad.err" error
check "two lines: the rejection and the final error" [ "$(wc -l <"$T_TMP/bad.err")" -eq 2 ]
check "no raw control byte reaches stderr" \
    python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(any(b<0x20 and b!=0x0a for b in d))' "$T_TMP/bad.err"

# A byte that is not UTF-8 in a message (a missing file's name, quoted).
RECON_LOG=json run policies load "$T_TMP/missing$(printf '\t\377')file.csv"
cp "$T_TMP/stderr" "$T_TMP/missing.err"
check "a command's final error alone is JSON too" \
    every_line_json "$T_TMP/missing.err" error
check "the invalid byte is replaced, never passed through" \
    python3 -c 'import sys, json; d=open(sys.argv[1],"rb").read(); sys.exit(b"\xff" in d or "\ufffd" not in json.loads(d)["message"])' "$T_TMP/missing.err"

RECON_LOG=bogus run init
check "RECON_LOG=bogus: usage error 64" [ "$rc" -eq 64 ]
check "naming the word" contains "$err" "RECON_LOG: unknown word 'bogus'"
check "and the accepted ones" contains "$err" "hint: comma-separated, a level (error, warn, info, debug) and/or json"
RECON_LOG=json,verbose run init
cp "$T_TMP/stderr" "$T_TMP/usage.err"
check "RECON_LOG=json,verbose: 64, said in JSON" \
    all '[ "$rc" -eq 64 ]' 'every_line_json "$T_TMP/usage.err" error'
RECON_LOG=warn,error run init
check "two levels: 64" [ "$rc" -eq 64 ]
RECON_LOG=error run ingest "$bad"
check "RECON_LOG=error still gives the final line, plain" \
    all '[ "$rc" -eq 65 ]' '[ "$(tail -n 1 "$T_TMP/stderr")" = "recon: 1 of 1 file rejected" ]'

# Progress: twenty thousand policies make `recon process` take a moment.
if ! cc -O1 -o "$T_TMP/gen" fixtures/gen/gen.c 2>/dev/null; then
    echo "ok $((t_n + 1)) - # skip no C compiler for the fixture generator"
    finish
fi
"$T_TMP/gen" --out "$T_TMP/world" --policies 20000 --receipts 100 --month 2026-03 >/dev/null
run policies load "$T_TMP/world/policies.csv"
cat >"$T_TMP/tty.sh" <<EOF
#!/bin/sh
"$RECON_BIN" process --as-of 2026-03-31 >/dev/null
EOF
chmod +x "$T_TMP/tty.sh"
if ! script -qec true /dev/null >/dev/null 2>&1; then
    echo "ok $((t_n + 1)) - # skip no pseudo-terminal (script) available"
    finish
fi
script -qec "$T_TMP/tty.sh" /dev/null >"$T_TMP/tty.out" 2>&1
rc=$?
out=$(cat -v "$T_TMP/tty.out")
check "process under a pseudo-terminal succeeds" [ "$rc" -eq 0 ]
check "on a terminal, process draws its progress in place" \
    grep -q $'\rrecon: process 2026-03-31: evaluating' "$T_TMP/tty.out"
# (the running count of policies appears only when evaluating outlasts the redraw
# interval, which a fast machine need not: tests/common/test_log.c checks that line)
check "and erases it at the end" grep -q $'\r\033\\[K' "$T_TMP/tty.out"
RECON_LOG=json script -qec "$T_TMP/tty.sh" /dev/null >"$T_TMP/tty-json.out" 2>&1
check "a JSON log gets no progress, even on a terminal" lacks "$(cat -v "$T_TMP/tty-json.out")" "evaluating"
run process --as-of 2026-03-31
check "stderr to a file: no progress at all" all '[ "$rc" -eq 0 ]' '[ ! -s "$T_TMP/stderr" ]'
finish
