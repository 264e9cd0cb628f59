#!/usr/bin/env bash
# Where the embedded cluster lives, with RECON_HOMEs of this script's own (never the
# suite's running cluster): as root with a 0700 home the cluster goes under a
# test-private RECON_CLUSTER_ROOT and the home is left as it was; an ordinary user
# runs its own server as itself; a copied home starts its own server in its own
# socket directory, and a copy of a running home is refused; eight first inits at
# once on a fresh home all succeed. Every cluster started here is stopped on exit.
. "$(dirname "$0")/lib.sh"
unset RECON_DB PGHOST PGDATABASE PGPORT PGUSER RECON_CLUSTER_ROOT
latest=$(ls schema/*.sql | sed -n 's|^schema/0*\([0-9][0-9]*\)_.*|\1|p' | sort -n | tail -1)
migrations=$(ls schema/*.sql | wc -l)
sock_name=.s.PGSQL.5432

# Each started cluster is stopped by the exit trap with the command that reaches it.
stoppers=()
cleanup() {
    local s
    for s in "${stoppers[@]}"; do
        eval "$s" >/dev/null 2>&1 || true
    done
}
trap cleanup EXIT

# in_home HOME [ENV=VALUE...] -- ARGS: runs recon with that RECON_HOME, like run.
in_home() {
    local home=$1
    shift
    local envs=()
    while [ "$1" != "--" ]; do
        envs+=("$1")
        shift
    done
    shift
    env RECON_HOME="$home" "${envs[@]}" "$RECON_BIN" "$@" >"$T_TMP/stdout" 2>"$T_TMP/stderr"
    rc=$?
    out=$(cat "$T_TMP/stdout")
    err=$(cat "$T_TMP/stderr")
}

field() { printf '%s\n' "$out" | sed -n "s/^$1: //p" | head -1; }

skip() {
    t_n=$((t_n + 1))
    echo "ok $t_n - # skip $1"
}

# --- root, RECON_HOME the postgres user cannot reach --------------------------
if [ "$(id -u)" -eq 0 ] && id postgres >/dev/null 2>&1; then
    home=$(mktemp -d "$T_TMP/root-home.XXXXXX") # 0700, root's
    croot="$T_TMP/cluster-root"
    before=$(stat -c '%a %U %G' "$home")
    stoppers+=("RECON_HOME='$home' RECON_CLUSTER_ROOT='$croot' '$RECON_BIN' db stop")
    in_home "$home" RECON_CLUSTER_ROOT="$croot" -- db status
    check "root, 0700 home: status before init says not created (69)" [ "$rc" -eq 69 ]
    check "... and names a data directory under RECON_CLUSTER_ROOT" contains "$out" "data directory: $croot/"
    in_home "$home" RECON_CLUSTER_ROOT="$croot" -- init
    check "root, 0700 home: init succeeds" [ "$rc" -eq 0 ]
    check "... at the latest schema version" contains "$out" "schema at version $latest"
    in_home "$home" RECON_CLUSTER_ROOT="$croot" -- db status
    datadir=$(field "data directory")
    sockdir=$(field "socket directory")
    check "status: running" [ "$rc" -eq 0 ]
    check "... data directory is RECON_CLUSTER_ROOT/<16 hex>" \
        bash -c '[[ "$1" =~ ^$2/[0-9a-f]{16}$ ]]' _ "$datadir" "$croot"
    check "... socket directory named and holding the socket" [ -S "$sockdir/$sock_name" ]
    check "... says the home is out of postgres's reach" contains "$out" "postgres user cannot reach it"
    check "home keeps its mode and owner ($before)" [ "$(stat -c '%a %U %G' "$home")" = "$before" ]
    check "no pg folder made in the home" [ ! -e "$home/pg" ]
    check "cluster root made root-owned 0755" [ "$(stat -c '%a %U' "$croot")" = "755 root" ]
    check "keyed folder owned by postgres, 0700" [ "$(stat -c '%a %U' "$datadir")" = "700 postgres" ]
    check "data directory records its RECON_HOME" [ "$(cat "$datadir/recon_home")" = "$(realpath "$home")" ]
    v=$(psql -X -qAt "host=$sockdir dbname=recon user=postgres" -c "SELECT max(version) FROM recon.schema_version" 2>&1)
    check "a query through the named socket works" [ "$v" = "$latest" ]
    in_home "$home" RECON_CLUSTER_ROOT="$croot" -- db stop
    check "db stop says where" contains "$out" "data directory: $datadir"
    check "the home names where its cluster lives" [ "$(cat "$home/pg.location")" = "$datadir" ]

    # A copy of that home, or the home moved, finds no cluster under its own key:
    # it stops and says where the database is instead of starting an empty one.
    copy=$(mktemp -d "$T_TMP/root-copy.XXXXXX")
    cp -a "$home/." "$copy/"
    in_home "$copy" RECON_CLUSTER_ROOT="$croot" -- init
    check "root: a copied home stops (69)" [ "$rc" -eq 69 ]
    check "... saying whose database it is and where" \
        contains "$err" "was copied from $(realpath "$home"), whose database stays in $datadir"
    check "... and makes no second cluster" [ "$(ls "$croot" | wc -l)" -eq 1 ]
    moved="$T_TMP/root-moved"
    stoppers+=("RECON_HOME='$moved' RECON_CLUSTER_ROOT='$croot' '$RECON_BIN' db stop")
    mv "$home" "$moved"
    in_home "$moved" RECON_CLUSTER_ROOT="$croot" -- db start
    check "root: a moved home stops (69)" [ "$rc" -eq 69 ]
    newdir="$croot/$(printf '%s' "$(realpath "$moved")" | sha256sum | cut -c1-16)"
    check "... naming the folder to rename its database to" contains "$err" "was moved from" &&
        check "... (${newdir##*/})" contains "$err" "$newdir"
    mv "$datadir" "$newdir"
    in_home "$moved" RECON_CLUSTER_ROOT="$croot" -- db start
    check "... after that rename it starts, in the renamed folder" contains "$out" "data directory: $newdir"
    check "... which now records the moved home" [ "$(cat "$newdir/recon_home")" = "$(realpath "$moved")" ]
    v=$(psql -X -qAt "host=$newdir dbname=recon user=postgres" -c "SELECT max(version) FROM recon.schema_version" 2>&1)
    check "... with its data" [ "$v" = "$latest" ]
    in_home "$moved" RECON_CLUSTER_ROOT="$croot" -- db stop
    home=$moved

    in_home "$home" RECON_CLUSTER_ROOT="$T_TMP/elsewhere" -- db start
    check "a changed RECON_CLUSTER_ROOT stops, naming where the database is" \
        contains "$err" "is in $newdir, outside RECON_CLUSTER_ROOT $T_TMP/elsewhere"

    # RECON_CLUSTER_ROOT that is a link, or writable by others, is refused before use.
    home=$(mktemp -d "$T_TMP/root-home2.XXXXXX")
    mkdir -p "$T_TMP/real-root"
    ln -s "$T_TMP/real-root" "$T_TMP/link-root"
    in_home "$home" RECON_CLUSTER_ROOT="$T_TMP/link-root" -- init
    check "a symlinked RECON_CLUSTER_ROOT is refused" [ "$rc" -ne 0 ]
    check "... saying it is a link" contains "$err" "symbolic link"
    check "... and nothing is made through it" [ -z "$(ls -A "$T_TMP/real-root")" ]
    mkdir -m 0777 "$T_TMP/open-root"
    chmod 0777 "$T_TMP/open-root"
    in_home "$home" RECON_CLUSTER_ROOT="$T_TMP/open-root" -- init
    check "a world-writable RECON_CLUSTER_ROOT is refused" [ "$rc" -ne 0 ]
    check "... saying why" contains "$err" "writable by nobody else"
else
    skip "root with a postgres user needed for the RECON_CLUSTER_ROOT case"
fi

# --- an ordinary user runs its own server as itself ---------------------------
as_user=()
user_ok=1
if [ "$(id -u)" -eq 0 ]; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    if ! "${as_user[@]}" test -x "$RECON_BIN" || ! "${as_user[@]}" test -r "$RECON_BIN"; then
        user_ok=0
        skip "uid 65534 cannot read/execute $RECON_BIN (a parent directory is closed to it)"
    fi
fi
if [ "$user_ok" -eq 1 ]; then
    uhome="$T_TMP/user-home"
    mkdir -m 0700 "$uhome"
    [ "$(id -u)" -eq 0 ] && chown 65534:65534 "$uhome"
    uid=$("${as_user[@]}" id -u)
    stoppers+=("cd / && ${as_user[*]} env RECON_HOME='$uhome' '$RECON_BIN' db stop")
    (cd / && "${as_user[@]}" env RECON_HOME="$uhome" "$RECON_BIN" init) >"$T_TMP/stdout" 2>"$T_TMP/stderr"
    rc=$?
    out=$(cat "$T_TMP/stdout")
    err=$(cat "$T_TMP/stderr")
    check "ordinary user (uid $uid): init in its own 0700 home succeeds" [ "$rc" -eq 0 ]
    check "... its cluster is in RECON_HOME/pg, owned by it" [ "$(stat -c %u "$uhome/pg/PG_VERSION")" = "$uid" ]
    pid=$(head -1 "$uhome/pg/postmaster.pid" 2>/dev/null)
    check "... and the server runs as that user" [ "$(stat -c %u "/proc/${pid:-0}" 2>&1)" = "$uid" ]
    (cd / && "${as_user[@]}" env RECON_HOME="$uhome" "$RECON_BIN" db status) >"$T_TMP/stdout" 2>&1
    rc=$?
    out=$(cat "$T_TMP/stdout")
    check "... status names its socket directory" contains "$out" "socket directory: $uhome/pg"
    check "... the home keeps mode 0700" [ "$(stat -c %a "$uhome")" = "700" ]
    (cd / && "${as_user[@]}" env RECON_HOME="$uhome" "$RECON_BIN" db stop) >/dev/null 2>&1
fi

# --- copied homes --------------------------------------------------------------
a="$T_TMP/home-a"
b="$T_TMP/home-b"
c="$T_TMP/home-c"
stoppers+=("RECON_HOME='$a' '$RECON_BIN' db stop" "RECON_HOME='$b' '$RECON_BIN' db stop"
    "RECON_HOME='$c' '$RECON_BIN' db stop")
# --- eight first inits at once on a fresh home, which the copies then copy ----
mkdir -p "$a"
pids=()
for i in 1 2 3 4 5 6 7 8; do
    RECON_HOME="$a" "$RECON_BIN" init >"$T_TMP/init.$i.out" 2>&1 &
    pids+=($!)
done
codes=""
for p in "${pids[@]}"; do
    wait "$p"
    codes="$codes$? "
done
out=$(cat "$T_TMP"/init.*.out)
rc=0
check "8 concurrent first inits on a fresh home all exit 0 (got: $codes)" [ "$codes" = "0 0 0 0 0 0 0 0 " ]
v=$(psql -X -qAt "host=$a/pg dbname=recon user=postgres" -c "SELECT count(*), max(version) FROM recon.schema_version" 2>&1)
check "... schema at the latest version, each migration once" [ "$v" = "$migrations|$latest" ]
in_home "$a" -- db stop

cp -a "$a" "$b"
in_home "$b" -- db start
check "a copy of a stopped home starts" [ "$rc" -eq 0 ]
check "... with its socket in the copy" [ -S "$b/pg/$sock_name" ]
check "... none in the original" [ ! -e "$a/pg/$sock_name" ]
check "... the copy now records its own home" [ "$(cat "$b/pg/recon_home")" = "$(realpath "$b")" ]
check "... the original still records its own" [ "$(cat "$a/pg/recon_home")" = "$(realpath "$a")" ]
in_home "$a" -- db status
check "... the original is untouched: still stopped" contains "$out" ": stopped"
v=$(psql -X -qAt "host=$b/pg dbname=recon user=postgres" -c "SELECT max(version) FROM recon.schema_version" 2>&1)
check "... the copy holds the original's schema" [ "$v" = "$latest" ]
in_home "$b" -- db stop

in_home "$a" -- db start
cp -a "$a" "$c"
in_home "$c" -- db start
check "a copy of a running home is refused (69)" [ "$rc" -eq 69 ]
check "... with one line" [ "$(printf '%s\n' "$err" | wc -l)" -eq 1 ]
check "... naming the original's live server" contains "$err" "$(realpath "$a"), whose server (pid"
in_home "$c" -- db stop
check "db stop on that copy is refused too" [ "$rc" -eq 69 ]
in_home "$a" -- db status
check "... and the original keeps running" [ "$rc" -eq 0 ]
check "... no server started on the copy (its copied socket answers nobody)" \
    bash -c '! psql -X -qAt "host=$1 dbname=recon user=postgres" -c "SELECT 1" >/dev/null 2>&1' _ "$c/pg"
in_home "$a" -- db stop

finish
