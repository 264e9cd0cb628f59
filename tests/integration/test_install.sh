#!/usr/bin/env bash
# make install / uninstall: the layout under DESTDIR and PREFIX, file modes,
# units naming the installed binary, a man page that renders without warnings
# and documents every command, option, environment variable and exit code the
# code has, units that systemd-analyze verify accepts, sysusers.d and
# tmpfiles.d snippets systemd applies, and an uninstall that removes it all.
. "$(dirname "$0")/lib.sh"
root=$(pwd)
# A make started by this script is its own, not a job of the make running the suite.
mk() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$root" --no-print-directory -s "$@"; }
skip() { t_n=$((t_n + 1)); echo "ok $t_n - # skip $1"; }

dest="$T_TMP/dest"
mk install DESTDIR="$dest" PREFIX=/usr >"$T_TMP/stdout" 2>"$T_TMP/stderr"
rc=$?; out=$(cat "$T_TMP/stdout"); err=$(cat "$T_TMP/stderr")
check "make install DESTDIR PREFIX=/usr succeeds" [ "$rc" -eq 0 ]
mode() { stat -c '%a' "$dest/$1" 2>/dev/null; }
check "the binary, 0755" [ "$(mode usr/bin/recon)" = 755 ]
check "it runs" contains "$("$dest/usr/bin/recon" --version 2>&1)" "recon "
check "the man page, 0644" [ "$(mode usr/share/man/man1/recon.1)" = 644 ]
check "the service, 0644" [ "$(mode usr/lib/systemd/system/recon-nightly.service)" = 644 ]
check "the timer, 0644" [ "$(mode usr/lib/systemd/system/recon-nightly.timer)" = 644 ]
check "the sysusers.d snippet, 0644" [ "$(mode usr/lib/sysusers.d/recon.conf)" = 644 ]
check "the tmpfiles.d snippet, 0644" [ "$(mode usr/lib/tmpfiles.d/recon.conf)" = 644 ]
check "the example environment file, 0644" [ "$(mode usr/share/doc/recon/recon.env.example)" = 644 ]
check "nothing is installed under /etc" [ ! -e "$dest/etc" ]
check "nothing but these files" [ "$(find "$dest" -type f | wc -l)" -eq 7 ]
unit="$dest/usr/lib/systemd/system/recon-nightly.service"
check "the service runs the installed binary for yesterday" \
    grep -qx 'ExecStart=/usr/bin/recon nightly --as-of yesterday --inbox ${RECON_INBOX} --out ${RECON_OUT}' "$unit"
check "no placeholder is left" lacks "$(cat "$unit")" "@BINDIR@"
check "the service reads /etc/recon/recon.env as user recon" \
    bash -c "grep -qx 'EnvironmentFile=/etc/recon/recon.env' '$unit' && grep -qx 'User=recon' '$unit'"

# The man page renders without a warning and names everything the code has.
man1="$dest/usr/share/man/man1/recon.1"
if command -v man >/dev/null; then
    warn=$(man --warnings -l "$man1" 2>&1 >/dev/null)
    check "man --warnings renders the page without a warning" [ -z "$warn" ]
    text=$(MANWIDTH=200 man -l "$man1" 2>/dev/null)
    check "the page is found under the installed MANPATH" \
        [ "$(MANPATH="$dest/usr/share/man" man -w recon 2>/dev/null)" = "$man1" ]
else
    skip "man is not installed"
    skip "man is not installed"
    text=$(groff -man -Tutf8 -rLL=200n "$man1" 2>/dev/null | col -b)
fi
missing=""
for v in $(grep -rhoE 'getenv\("[A-Z_]+"\)' common core parsers db reports jobs | sed -E 's/getenv\("(.*)"\)/\1/' | sort -u) \
    RECON_CLUSTER_ROOT; do
    contains "$text" "$v" || missing="$missing $v"
done
[ -z "$missing" ] || echo "#   missing:$missing"
check "every environment variable the code reads is documented" [ -z "$missing" ]
missing=""
for o in $(sed -n '/long_options\[\] = {/,/^};/p' jobs/main.c | grep -oE '^ *\{"[a-z-]+"' | tr -d ' {"'); do
    contains "$text" "--$o" || missing="$missing --$o"
done
[ -z "$missing" ] || echo "#   missing:$missing"
check "every option is documented" [ -z "$missing" ]
missing=""
for c in $(grep -oE 'take_word\(o, "[a-z]+"\)' jobs/main.c | sed -E 's/.*"(.*)".*/\1/'); do
    grep -qE "^       (recon )?([a-z]+ )?$c( |$)" <<<"$text" || missing="$missing $c"
done
[ -z "$missing" ] || echo "#   missing:$missing"
check "every command is documented" [ -z "$missing" ]
missing=""
for code in $(grep -oE '= [0-9]+,' common/err.h | tr -dc '0-9\n') 130 143; do
    grep -qE "^       $code( |$)" <<<"$text" || missing="$missing $code"
done
[ -z "$missing" ] || echo "#   missing:$missing"
check "every exit code is documented" [ -z "$missing" ]
missing=""
for w in running ok partial failed interrupted abandoned MANIFEST.sha256 INPUTS.sha256 quarantine \
    "--as-of yesterday" "--no-catch-up" crontab recon-nightly.timer; do
    contains "$text" "$w" || missing="$missing $w"
done
[ -z "$missing" ] || echo "#   missing:$missing"
check "job_runs outcomes, files and scheduling are documented" [ -z "$missing" ]

# systemd-analyze verify on the installed units. It checks that ExecStart's
# binary exists and runs man for Documentation=, so the copies it reads name
# the DESTDIR binary and man looks in the DESTDIR; nothing else is changed.
if command -v systemd-analyze >/dev/null; then
    vdir="$T_TMP/verify"
    mkdir -p "$vdir"
    sed "s|/usr/bin/recon|$dest/usr/bin/recon|g" "$unit" >"$vdir/recon-nightly.service"
    cp "$dest/usr/lib/systemd/system/recon-nightly.timer" "$vdir/"
    verify() { (cd "$vdir" && MANPATH="$dest/usr/share/man" systemd-analyze verify "$@" 2>&1); }
    vout=$(verify recon-nightly.service recon-nightly.timer); vrc=$?
    [ -z "$vout" ] || echo "#   $vout"
    check "systemd-analyze verify accepts the service and the timer" [ "$vrc" -eq 0 ] && [ -z "$vout" ]
    sed 's|^ExecStart=.*|ExecStart=recon-missing nightly|' "$vdir/recon-nightly.service" >"$vdir/broken.service"
    verify broken.service >/dev/null
    check "... and it does check (a unit whose binary is missing is refused)" [ $? -ne 0 ]
    cal=$(TZ=UTC systemd-analyze calendar "$(sed -n 's/^OnCalendar=//p' "$vdir/recon-nightly.timer")" 2>&1)
    check "the timer fires at 02:30 China time (18:30 UTC)" contains "$cal" "18:30:00 UTC"
    check "the timer is persistent" grep -qx 'Persistent=true' "$vdir/recon-nightly.timer"
else
    skip "systemd-analyze is not installed"
    skip "systemd-analyze is not installed"
    skip "systemd-analyze is not installed"
    skip "systemd-analyze is not installed"
fi

# systemd-sysusers and systemd-tmpfiles apply the snippets to a scratch root.
sysroot="$T_TMP/sysroot"
mkdir -p "$sysroot/etc"
if command -v systemd-sysusers >/dev/null && [ "$(id -u)" -eq 0 ]; then
    systemd-sysusers --root="$sysroot" "$dest/usr/lib/sysusers.d/recon.conf" >/dev/null 2>&1
    check "sysusers.d creates the system user recon, home the state folder, no login" \
        grep -qE '^recon:x:[0-9]+:[0-9]+:[^:]*:/var/lib/recon-nightly:/usr/sbin/nologin$' "$sysroot/etc/passwd"
    uid=$(awk -F: '$1 == "recon" {print $3}' "$sysroot/etc/passwd")
    systemd-tmpfiles --root="$sysroot" --create "$dest/usr/lib/tmpfiles.d/recon.conf" >/dev/null 2>&1
    check "tmpfiles.d makes the inbox 2770 and OUT 0750, owned by recon" \
        [ "$(stat -c '%a %u' "$sysroot/srv/recon/inbox" "$sysroot/srv/recon/out" 2>/dev/null | tr '\n' ' ')" = "2770 $uid 750 $uid " ]
else
    skip "systemd-sysusers and systemd-tmpfiles need root and systemd"
    skip "systemd-sysusers and systemd-tmpfiles need root and systemd"
fi

# The example environment file only sets what the unit and recon read.
env_vars=$(grep -oE '^#?[A-Z_]+=' "$dest/usr/share/doc/recon/recon.env.example" | tr -d '#=' | sort -u)
missing=""
for v in $env_vars; do contains "$text" "$v" || missing="$missing $v"; done
[ -z "$missing" ] || echo "#   missing:$missing"
check "every variable of the example environment file is documented" [ -z "$missing" ]

# The default PREFIX is /usr/local, and the unit follows it.
dest2="$T_TMP/dest2"
mk install DESTDIR="$dest2" >/dev/null 2>&1
check "PREFIX defaults to /usr/local" [ -x "$dest2/usr/local/bin/recon" ] &&
    grep -q '^ExecStart=/usr/local/bin/recon nightly' "$dest2/usr/local/lib/systemd/system/recon-nightly.service"

mk uninstall DESTDIR="$dest" PREFIX=/usr >"$T_TMP/stdout" 2>"$T_TMP/stderr"
rc=$?; err=$(cat "$T_TMP/stderr")
check "make uninstall succeeds" [ "$rc" -eq 0 ]
check "and removes every installed file" [ -z "$(find "$dest" -type f)" ]
mk uninstall DESTDIR="$dest2" >/dev/null 2>&1
check "uninstall with the default PREFIX too" [ -z "$(find "$dest2" -type f)" ]
finish
