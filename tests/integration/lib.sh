# Shared helpers for integration tests (sourced). The suite (tests/run.sh) has
# started the embedded cluster under $RECON_HOME; each test script works in a
# database of its own so scripts never see each other's data.
set -u
PG_SOCKET_DIR="$RECON_HOME/pg"
T_TMP=$(mktemp -d "$RECON_TEST_TMP/it.XXXXXX")
chmod 755 "$T_TMP"
t_n=0
t_failed=0

new_db() {
    PGOPTIONS='-c client_min_messages=warning' psql -X -q "host=$PG_SOCKET_DIR dbname=postgres user=postgres" \
        -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
    export RECON_DB="host=$PG_SOCKET_DIR dbname=$1 user=postgres"
}

sql() { psql -X -qAt "$RECON_DB" -c "$1"; }

# run ARGS...: runs recon, leaving $out, $err and $rc.
run() {
    "$RECON_BIN" "$@" >"$T_TMP/stdout" 2>"$T_TMP/stderr"
    rc=$?
    out=$(cat "$T_TMP/stdout")
    err=$(cat "$T_TMP/stderr")
}

check() {
    local desc=$1
    shift
    t_n=$((t_n + 1))
    if "$@"; then
        echo "ok $t_n - $desc"
    else
        echo "not ok $t_n - $desc"
        echo "#   rc=$rc"
        echo "#   stdout: $(printf '%s' "$out" | head -c 600)"
        echo "#   stderr: $(printf '%s' "$err" | head -c 600)"
        t_failed=$((t_failed + 1))
    fi
}

contains() { case "$1" in *"$2"*) return 0 ;; *) return 1 ;; esac; }
lacks() { ! contains "$1" "$2"; }

finish() { exit $((t_failed > 0)); }
