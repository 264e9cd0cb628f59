#!/usr/bin/env bash
# `recon init` run by several schedulers at once on a fresh database: the runs are
# serialised by an advisory lock taken before CREATE SCHEMA, every one exits 0 and
# the schema ends at the latest version with each migration applied once. A failed
# init is "database unavailable" (69), never "input rejected" (65).
. "$(dirname "$0")/lib.sh"
latest=$(ls schema/*.sql | sed -n 's|^schema/0*\([0-9][0-9]*\)_.*|\1|p' | sort -n | tail -1)
migrations=$(ls schema/*.sql | wc -l)

for round in 1 2 3 4 5; do
    new_db it_init
    pids=()
    for i in 1 2 3 4 5 6 7 8; do
        "$RECON_BIN" init >"$T_TMP/init.$i.out" 2>&1 &
        pids+=($!)
    done
    codes=""
    for p in "${pids[@]}"; do
        wait "$p"
        codes="$codes$? "
    done
    rc=0
    out=""
    err=$(cat "$T_TMP"/init.*.out)
    check "round $round: 8 concurrent inits on a fresh database all exit 0 (got: $codes)" \
        [ "$codes" = "0 0 0 0 0 0 0 0 " ]
    check "... schema at the latest version, each migration once" \
        [ "$(sql "SELECT count(*) || '|' || max(version) FROM recon.schema_version")" = "$migrations|$latest" ]
done

run init
check "a later init applies nothing" contains "$out" "schema at version $latest (0 migrations applied)"

# The lock comes before anything is created: while another session holds it, a
# first init on a fresh database waits with no schema made, then completes.
new_db it_init_wait
psql -X -qAt "$RECON_DB" -c "SELECT pg_advisory_lock(x'7265636f6e01'::bigint)" \
    -c "SELECT pg_sleep(4)" >/dev/null 2>&1 &
holder=$!
sleep 1
"$RECON_BIN" init >"$T_TMP/wait.out" 2>&1 &
waiter=$!
sleep 2
check "an init waiting for the migration lock has created nothing yet" \
    [ "$(sql "SELECT count(*) FROM pg_namespace WHERE nspname = 'recon'")" = "0" ]
wait "$holder"
wait "$waiter"
rc=$?
out=$(cat "$T_TMP/wait.out")
check "... and completes once the lock is released" [ "$rc" -eq 0 ]

run init --db "host=$PG_SOCKET_DIR dbname=it_init_missing user=postgres"
check "init against a database that does not exist exits 69" [ "$rc" -eq 69 ]
finish
