#!/usr/bin/env bash
# Hostile folders through the nightly: links, FIFOs and odd names in the inbox,
# links planted in the output folders, output folders owned by someone else,
# and a full disk. Nothing is read through a link or redirected by one, no raw
# control byte reaches the output, the night still completes, and a rejection
# that could not be copied is restored by the rerun (which still exits 65).
. "$(dirname "$0")/lib.sh"
umask 022
S=fixtures/statements
inbox="$T_TMP/inbox"
O="$T_TMP/out"
mkdir -p "$inbox"
day=2026-06-30
is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1
skip() { t_n=$((t_n + 1)); echo "ok $t_n - # skip $1"; }
# raw_ctl FILE: true when FILE holds a control byte other than newline, or a byte 0xff
raw_ctl() { LC_ALL=C grep -aq "$(printf '[\001-\011\013-\037\177\377]')" "$1"; }

secret="$T_TMP/secret.sta"
echo "TOPSECRET-$$" >"$secret"
chmod 600 "$secret"
cp $S/e2e/bank_cny_2026-06-01.sta "$inbox/good.sta"
ln -s "$secret" "$inbox/link.sta"
mkfifo "$inbox/pipe.sta"
printf 'not a statement\n' >"$inbox/private.csv"
chmod 600 "$inbox/private.csv"
printf 'odd bytes name\n' >"$inbox/$(printf 'bad\377.sta')"
printf 'newline name\n' >"$inbox/$(printf 'new\nline.sta')"

new_db it_hostile_fs
run init
run policies load fixtures/register/policies.csv

# -------------------------------------------------------------- the inbox
timeout 60 "$RECON_BIN" nightly --as-of $day --inbox "$inbox" --out "$O" >"$T_TMP/stdout" 2>"$T_TMP/stderr"
rc=$?
out=$(cat "$T_TMP/stdout")
out_text=$out
err=$(cat "$T_TMP/stderr")
check "a FIFO in the inbox does not hang the night" [ "$rc" -ne 124 ]
check "the night completes with exit 65" [ "$rc" -eq 65 ]
check "the good file is stored" contains "$out_text" "good.sta: mt940, 5 receipts"
check "the link is refused, named as a link" contains "$err" "$inbox/link.sta: a symbolic link, not a regular file; refused without reading it"
check "the FIFO is refused" contains "$err" "$inbox/pipe.sta: a FIFO, not a regular file"
check "the link's target is not copied" [ ! -e "$O/quarantine/link.sta" ]
check "the link has its reason" contains "$(cat "$O/quarantine/link.sta.reason" 2>/dev/null)" "link.sta: a symbolic link"
check "the FIFO has its reason" contains "$(cat "$O/quarantine/pipe.sta.reason" 2>/dev/null)" "pipe.sta: a FIFO"
check "the secret behind the link is nowhere in the output" [ -z "$(grep -rl "TOPSECRET-$$" "$O" 2>/dev/null)" ]
check "the secret is not in the database" [ "$(sql "SELECT count(*) FROM recon.receipts WHERE remittance LIKE '%TOPSECRET%'")" = 0 ]
check "a rejected 0600 file is kept" cmp -s "$inbox/private.csv" "$O/quarantine/private.csv"
check "its copy is no more open than the source (0600)" [ "$(stat -c %a "$O/quarantine/private.csv")" = 600 ]
check "reports are 0640 minus the umask" [ "$(stat -c %a "$O/$day/policies.csv.gz")" = 640 ]
check "manifests and reasons too" [ "$(stat -c %a "$O/$day/MANIFEST.sha256") $(stat -c %a "$O/quarantine/pipe.sta.reason")" = "640 640" ]
check "the day's folder is 0750" [ "$(stat -c %a "$O/$day") $(stat -c %a "$O/quarantine")" = "750 750" ]
check "a non-UTF-8 name is refused, shown escaped" contains "$err" "$inbox/bad\\xff.sta: the file name is not valid UTF-8 (byte 4)"
check "a newline in a name is refused, shown escaped" contains "$err" "$inbox/new\\nline.sta: the file name holds a control character (byte 4)"
check "the odd names are quarantined under their escaped names" \
    cmp -s "$inbox/$(printf 'bad\377.sta')" "$O/quarantine/bad\\xff.sta"
check "  with their reasons" contains "$(cat "$O/quarantine/new\\nline.sta.reason" 2>/dev/null)" "new\\nline.sta: the file name holds a control character"
check "  and their copies" cmp -s "$inbox/$(printf 'new\nline.sta')" "$O/quarantine/new\\nline.sta"
check "the odd names are recorded escaped" [ "$(sql "SELECT string_agg(file_name, ' ' ORDER BY file_name) FROM recon.statement_files WHERE status = 'rejected' AND file_name LIKE '%\\\\%'")" = 'bad\xff.sta new\nline.sta' ]
check "INPUTS.sha256 is written" [ -s "$O/$day/INPUTS.sha256" ]
check "INPUTS.sha256 lists every entry of the night" [ "$(wc -l <"$O/$day/INPUTS.sha256")" -eq 6 ]
check "MANIFEST.sha256 verifies" bash -c "cd '$O/$day' && sha256sum -c --quiet MANIFEST.sha256"
zcat "$O/$day/summary.txt.gz" >"$T_TMP/summary"
check "the summary lists the refused entries" grep -q 'new\\nline.sta  *REJECTED' "$T_TMP/summary"
clean() { ! raw_ctl "$1"; }
cp "$T_TMP/stdout" "$T_TMP/night.stdout"
cp "$T_TMP/stderr" "$T_TMP/night.stderr"
for f in night.stdout night.stderr summary; do
    check "no raw control byte or invalid byte in $f" clean "$T_TMP/$f"
done
for f in "$O/$day/INPUTS.sha256" "$O/$day/MANIFEST.sha256" "$O"/quarantine/*.reason; do
    check "no raw control byte or invalid byte in ${f#"$O"/}" clean "$f"
done
check "no line of stdout starts inside a name" lacks "$out_text" $'\nline.sta'
cp "$O/$day/MANIFEST.sha256" "$T_TMP/manifest.before"
rm -f "$O/quarantine/private.csv" "$O/quarantine/link.sta.reason"

run nightly --as-of $day --inbox "$inbox" --out "$O"
check "rerunning the night: exit 65 again" [ "$rc" -eq 65 ]
check "  the rejections are listed again" contains "$out" "0 files stored, 5 rejected"
check "  a missing quarantine copy is restored" cmp -s "$inbox/private.csv" "$O/quarantine/private.csv"
check "  a missing reason is restored" [ -s "$O/quarantine/link.sta.reason" ]
check "  the reports are byte-identical" cmp -s "$T_TMP/manifest.before" "$O/$day/MANIFEST.sha256"
run nightly --as-of 2026-07-01 --inbox "$inbox" --out "$O"
check "the next night: exit 0 (refusals belong to their night)" [ "$rc" -eq 0 ]
check "  and says nothing of them" lacks "$err" "refused"

# `recon ingest` of an odd name: refused, escaped, never a database error.
cp "$inbox/$(printf 'bad\377.sta')" "$T_TMP/$(printf 'tab\tname.sta')"
run ingest "$T_TMP/$(printf 'tab\tname.sta')"
check "recon ingest of an odd name: exit 65" [ "$rc" -eq 65 ]
check "  the name shown escaped" contains "$err" "$T_TMP/tab\\tname.sta: the file name holds a control character"
check "  recorded escaped" [ "$(sql "SELECT count(*) FROM recon.statement_files WHERE file_name = 'tab\\tname.sta'")" = 1 ]

# A replay from the archive finds the refused entries by the same keys (a link
# and a FIFO are never read, not even to hash them) and reproduces the night.
night_db=$RECON_DB
new_db it_hostile_fs_replay
run init
run policies load fixtures/register/policies.csv
timeout 120 "$RECON_BIN" replay --from $day --to $day --inbox "$inbox" --out "$T_TMP/replay" \
    --archive "$O" >"$T_TMP/stdout" 2>"$T_TMP/stderr"
rc=$?
out=$(cat "$T_TMP/stdout")
err=$(cat "$T_TMP/stderr")
check "replay over links, a FIFO and odd names: exit 65, no differences" [ "$rc" -eq 65 ]
check "  every archived input found" lacks "$out" "is not in the inbox"
check "  the reports are the archived ones" cmp -s "$O/$day/MANIFEST.sha256" "$T_TMP/replay/$day/MANIFEST.sha256"
export RECON_DB=$night_db

# -------------------------------------------------------------- planted links
# Links at every name recon writes (and at the old fixed temporary names) in a
# night's folder and in the quarantine, all pointing at a file elsewhere.
victim="$T_TMP/victim"
echo precious >"$victim"
chmod 644 "$victim"
pin="$T_TMP/planted_inbox"
P="$T_TMP/planted"
mkdir -p "$pin"
mkdir -p -m 750 "$P" "$P/$day" "$P/quarantine"
cp $S/e2e/bank_cny_2026-06-01.sta "$pin/good.sta"
printf 'fresh junk\n' >"$pin/fresh.csv"
for n in .policies.csv.gz.tmp policies.csv.gz .MANIFEST.sha256.tmp INPUTS.sha256; do
    ln -s "$victim" "$P/$day/$n"
done
for n in fresh.csv fresh.csv.reason .fresh.csv.tmp .fresh.csv.reason.tmp; do
    ln -s "$victim" "$P/quarantine/$n"
done
run nightly --as-of $day --inbox "$pin" --out "$P"
check "nightly over planted links: exit 65" [ "$rc" -eq 65 ]
run report --as-of $day --out "$P"
check "report over planted links: exit 0" [ "$rc" -eq 0 ]
check "the links' target is untouched" [ "$(cat "$victim")" = precious ]
check "the planted report links were replaced by files" [ -f "$P/$day/policies.csv.gz" -a ! -L "$P/$day/policies.csv.gz" -a ! -L "$P/$day/INPUTS.sha256" ]
check "the planted quarantine links were replaced by files" [ ! -L "$P/quarantine/fresh.csv" -a ! -L "$P/quarantine/fresh.csv.reason" ]
check "the quarantine copy is the refused file" cmp -s "$pin/fresh.csv" "$P/quarantine/fresh.csv"
check "the old fixed temporary names are left alone" [ -L "$P/$day/.policies.csv.gz.tmp" -a -L "$P/quarantine/.fresh.csv.tmp" ]

# Temporaries a killed run left behind are swept once they are a day old.
touch -d '2 days ago' "$P/$day/.events.csv.gz.Ab12Cd" "$P/quarantine/.fresh.csv.Zz99zz"
touch "$P/$day/.notices.csv.gz.Ef34Gh"
run nightly --as-of $day --inbox "$pin" --out "$P"
check "a killed run's old temporaries are swept" [ ! -e "$P/$day/.events.csv.gz.Ab12Cd" -a ! -e "$P/quarantine/.fresh.csv.Zz99zz" ]
check "  a young one (a run still writing?) is left" [ -e "$P/$day/.notices.csv.gz.Ef34Gh" ]
check "  links at temporary names are left alone" [ -L "$P/$day/.policies.csv.gz.tmp" -a "$(cat "$victim")" = precious ]

# -------------------------------------------------------------- output folders
good_inbox="$T_TMP/good_inbox"
mkdir -p "$good_inbox"
cp $S/e2e/bank_cny_2026-06-01.sta "$good_inbox/good.sta"
o2="$T_TMP/o2"
mkdir -p "$o2/elsewhere"
ln -s "$o2/elsewhere" "$o2/$day"
run report --as-of $day --out "$o2"
check "OUT/DATE as a link is refused: 73" [ "$rc" -eq 73 ]
check "  with a clear message" contains "$err" "refusing $o2/$day: a symbolic link"
check "  nothing was written through it" [ -z "$(ls -A "$o2/elsewhere")" ]
rm "$o2/$day"
mkdir -m 777 "$o2/$day"
chmod 777 "$o2/$day"
run report --as-of $day --out "$o2"
check "OUT/DATE writable by others is refused: 73" [ "$rc" -eq 73 ]
check "  with a clear message" contains "$err" "writable by group or others (mode 0777)"
rm -rf "$o2/$day"
mkdir -m 750 "$o2/quarantine"
chmod 770 "$o2/quarantine"
run nightly --as-of $day --inbox "$inbox" --out "$o2"
check "OUT/quarantine writable by its group is refused: 73" [ "$rc" -eq 73 ]
rm -rf "$o2"
mkdir -p "$o2"
chmod 777 "$o2"
run report --as-of $day --out "$o2"
check "a world-writable OUT without the sticky bit is refused: 73" [ "$rc" -eq 73 ]
check "  with a clear message" contains "$err" "writable by everyone without the sticky bit"
chmod 1777 "$o2"
run report --as-of $day --out "$o2"
check "a world-writable OUT with the sticky bit is used" [ "$rc" -eq 0 ]
ln -s "$o2" "$T_TMP/o2link"
run report --as-of $day --out "$T_TMP/o2link"
check "OUT itself may be a link a scheduler made" [ "$rc" -eq 0 ]
if [ "$is_root" -eq 1 ] && id nobody >/dev/null 2>&1; then
    o3="$T_TMP/o3"
    mkdir -p "$o3/$day"
    chown nobody "$o3/$day"
    run report --as-of $day --out "$o3"
    check "OUT/DATE owned by another user is refused: 73" [ "$rc" -eq 73 ]
    check "  with a clear message" contains "$err" "refusing $o3/$day: owned by uid $(id -u nobody)"
    rm -rf "$o3"
    mkdir -p "$o3"
    chown nobody "$o3"
    run report --as-of $day --out "$o3"
    check "OUT owned by another (non-root) user is refused: 73" [ "$rc" -eq 73 ]
    rm -rf "$o3"
else
    skip "OUT/DATE owned by another user: needs root and a nobody user"
    skip "  with a clear message"
    skip "OUT owned by another user: needs root"
fi

# -------------------------------------------------------------- a full disk
full="$T_TMP/full"
mkdir -p "$full"
if [ "$is_root" -eq 1 ] && mount -t tmpfs -o size=2m,mode=0755 recon-test "$full" 2>/dev/null; then
    trap 'umount "$full" 2>/dev/null' EXIT
    fin="$T_TMP/full_inbox"
    mkdir -p "$fin"
    cp $S/e2e/bank_cny_2026-06-01.sta "$fin/a_good.sta"
    head -c 300000 /dev/urandom >"$fin/b_junk.csv"
    new_db it_hostile_fs_full
    run init
    run policies load fixtures/register/policies.csv
    mkdir -p "$full/out"
    dd if=/dev/zero of="$full/fill" bs=4k 2>/dev/null
    run nightly --as-of $day --inbox "$fin" --out "$full/out"
    check "full OUT: the quarantine copy fails with 73" [ "$rc" -eq 73 ]
    check "  the rejection is recorded all the same" [ "$(sql "SELECT count(*) FROM recon.statement_files WHERE status = 'rejected' AND file_name = 'b_junk.csv'")" = 1 ]
    rm -f "$full/fill"
    run nightly --as-of $day --inbox "$fin" --out "$full/out"
    check "after freeing space the rerun exits 65" [ "$rc" -eq 65 ]
    check "  the quarantine copy is restored" cmp -s "$fin/b_junk.csv" "$full/out/quarantine/b_junk.csv"
    check "  with its reason" [ -s "$full/out/quarantine/b_junk.csv.reason" ]
    check "  the reports are written" bash -c "cd '$full/out/$day' && sha256sum -c --quiet MANIFEST.sha256"
    check "  the summary lists the rejection" contains "$(zcat "$full/out/$day/summary.txt.gz")" "b_junk.csv"
    check "  no temporary is left behind" [ -z "$(find "$full/out" -name '.*')" ]
    run nightly --as-of $day --inbox "$fin" --out "$full/out"
    check "  and every later rerun still exits 65" [ "$rc" -eq 65 ]
    umount "$full"
    trap - EXIT
else
    for d in "full OUT: 73" "rerun restores the copy" "its reason" "reports" "summary" "no temporaries" "later rerun 65"; do
        skip "$d: mounting a tmpfs needs root (or is not permitted here)"
    done
fi
finish
