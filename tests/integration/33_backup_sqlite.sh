#!/usr/bin/env bash
# Backups of an SQLite database from the console: BACKUP while 8 clients run transfer
# transactions through the proxy gives a file that restores to a database passing
# PRAGMA integrity_check with the transfers' invariant holding (the balances' sum); SHOW
# BACKUPS lists it with its manifest (0600 files, SHA-256, migration version); VERIFY BACKUP
# passes, then fails and says why once one byte of the file is flipped; a truncated manifest is
# reported, not crashed on; SIGKILL of the proxy during a backup leaves nothing SHOW BACKUPS
# calls complete, and the next start removes the partial file; DELETE BACKUP.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret7
DB="$T/bank.db"
BK="$T/backups"
MIG="$T/migrations"
mkdir -p "$MIG"
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$ADMIN_USER" "$ADMIN_PASS"
printf 'CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL);\n' >"$MIG/V1__accounts.sql"
printf 'CREATE TABLE filler (id int PRIMARY KEY, pad text NOT NULL);\n' >"$MIG/V2__filler.sql"

conf() {
    cat <<CONF
admin_users = $ADMIN_USER
backup_dir = $BK
migrations_dir = $MIG
migrate_on_start = 1
default_pool_size = 8
[databases]
app = sqlite://$DB
CONF
}
myrmex_start "$(conf)"

admin() {
    PGPASSWORD=$ADMIN_PASS timeout 120 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 \
        -v VERBOSITY=verbose -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "$1" 2>&1
}
submit() { admin "$1" | awk -F'|' '/^[0-9]+$/ { print $1 }' | tail -1; }
run_job() {
    local id
    id=$(submit "$1")
    assert_int "job id of $1" "$id"
    admin "WAIT JOB $id"
}
applied() { mx_sql "SELECT count(*) FROM myrmex_schema_history WHERE success" | grep -qx 2; }
wait_until 20 "migrate_on_start" applied

# 100 accounts of 1000; a few MB of filler so that the backup takes many slices.
mx_sql "INSERT INTO accounts SELECT g, 1000 FROM generate_series(1, 100) g" >/dev/null
mx_sql "INSERT INTO filler SELECT g, repeat('x', 2000) FROM generate_series(1, 6000) g" >/dev/null
cat >"$T/transfer.sql" <<'SQL'
\set a random(1, 100)
\set b random(1, 100)
\set amt random(1, 50)
BEGIN;
UPDATE accounts SET balance = balance - :amt WHERE id = :a;
UPDATE accounts SET balance = balance + :amt WHERE id = :b;
COMMIT;
SQL
bg bench env PGPASSWORD=$APP_PASS pgbench -n -c 8 -j 2 -T 12 --max-tries=100 -f "$T/transfer.sql" \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app
b=$BG_PID
sleep 2
out=$(run_job "BACKUP app LABEL 'during transfers'")
note "$out"
id=$(printf '%s\n' "$out" | awk -F'|' '$2 == "app" { print $1 }')
assert_match '^app-[0-9]{8}-[0-9]{6}-[0-9a-f]{4}$' "$id" "the backup id"
bg_wait "$b" 60 || fail "pgbench failed: $(cat "$T/bench.out")"
note "$(grep -E 'processed|failed' "$T/bench.out")"
assert_match 'number of failed transactions: 0 ' "$(cat "$T/bench.out")"

# The listing and the files.
list=$(admin "SHOW BACKUPS app")
note "$list"
assert_match "^$id\\|app\\|sqlite\\|sqlite-backup-api\\|during transfers\\|complete\\|" "$list"
assert_match '\|gzip\|[0-9a-f]{64}\|2\|' "$list" "compression, SHA-256 and the migration version 2"
file=$(find "$BK" -name "$id.db.gz")
[ -n "$file" ] || fail "no $id.db.gz in $BK"
assert_eq 600 "$(stat -c %a "$file")" "backup file mode"
assert_eq 600 "$(stat -c %a "$BK/$id.json")" "manifest mode"
assert_eq 700 "$(stat -c %a "$BK")" "backup_dir mode"
want=$(sha256sum "$file" | cut -d' ' -f1)
assert_match "\\|$want\\|" "$list" "the manifest's SHA-256 is the file's"
[ -z "$(find "$BK" -name '*.partial')" ] || fail "partial files left"

# The copy is consistent: integrity_check, and the balances still sum to 100 * 1000.
gunzip -c "$file" >"$T/restored.db"
check=$("$PYTHON" -c "
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(c.execute('PRAGMA integrity_check').fetchone()[0], c.execute('SELECT sum(balance), count(*) FROM accounts').fetchone())
" "$T/restored.db")
assert_eq "ok (100000, 100)" "$check" "the restored copy"

out=$(run_job "VERIFY BACKUP $id")
note "$out"
assert_match '^accounts\|100$' "$out"
assert_match '^filler\|6000$' "$out"

# One flipped byte: VERIFY fails and says why.
"$PYTHON" -c "
import sys
p = sys.argv[1]; b = bytearray(open(p, 'rb').read()); b[len(b) // 2] ^= 0x01; open(p, 'wb').write(b)
" "$file"
rc=0
out=$(run_job "VERIFY BACKUP $id") || rc=$?
note "$out"
assert_ne 0 "$rc" "VERIFY of a corrupted backup"
assert_match 'checksum mismatch' "$out"
# A truncated manifest: SHOW BACKUPS and VERIFY report it.
head -c 100 "$BK/$id.json" >"$T/m" && cp "$T/m" "$BK/$id.json"
out=$(admin "SHOW BACKUPS")
assert_not_match "^$id\\|" "$out" "a truncated manifest is not listed as a backup"
assert_match 'could not be read' "$out"
rc=0
out=$(admin "VERIFY BACKUP $id") || rc=$?
assert_ne 0 "$rc"
assert_match "backup $id: .*truncated" "$out"
mx_alive || fail "the proxy died on a truncated manifest"
out=$(admin "DELETE BACKUP $id")
assert_match 'DELETE BACKUP' "$out"
if [ -e "$BK/$id.json" ] || [ -e "$file" ]; then fail "DELETE BACKUP left files"; fi

# migrations_backup_before: a MIGRATE with something to apply takes a backup first (at the
# version before it); one with nothing to apply does not; a backup that cannot be taken stops
# the migration.
admin "SET migrations_backup_before = 1" >/dev/null
printf 'ALTER TABLE accounts ADD COLUMN owner text;\n' >"$MIG/V3__owner.sql"
out=$(run_job "MIGRATE app")
note "$out"
assert_match 'migrations_backup_before: taking a backup' "$out"
assert_match 'V3__owner.sql\|applied' "$out"
list=$(admin "SHOW BACKUPS app")
assert_match '\|before MIGRATE\|complete\|.*\|2\|$' "$list" "a backup at migration version 2"
n_before=$(printf '%s\n' "$list" | grep -c 'before MIGRATE')
run_job "MIGRATE app" >/dev/null
assert_eq "$n_before" "$(admin "SHOW BACKUPS app" | grep -c 'before MIGRATE')" "no backup when up to date"
printf 'ALTER TABLE accounts ADD COLUMN note text;\n' >"$MIG/V4__note.sql"
admin "SET backup_dir = '/dev/null/backups'" >/dev/null
rc=0
out=$(run_job "MIGRATE app") || rc=$?
admin "SET backup_dir = '$BK'" >/dev/null
note "$out"
assert_ne 0 "$rc" "MIGRATE when the backup fails"
assert_match 'the backup failed, so nothing was migrated' "$out"
assert_eq pending "$(admin "SHOW MIGRATIONS app" | awk -F'|' '$3 == "4" { print $7 }')" "V4 not applied"
admin "SET migrations_backup_before = 0" >/dev/null

# SIGKILL during a backup: no complete backup appears, and the next start cleans up.
mx_sql "INSERT INTO filler SELECT g, repeat('y', 4000) FROM generate_series(6001, 26000) g" >/dev/null
complete_before=$(admin "SHOW BACKUPS app" | grep -c '|complete|' || true)
id2=$(submit "BACKUP app")
assert_int "job id" "$id2"
partial() { [ -n "$(find "$BK" -name '*.partial')" ]; }
wait_until 20 "a partial backup file" partial
kill -KILL "$MX_PID"
wait "$MX_PID" 2>/dev/null || true
MX_PID=""
myrmex_start "$(conf)"
assert_eq "" "$(find "$BK" -name '*.partial')" "the restart removed the partial file"
assert_eq "$complete_before" "$(admin "SHOW BACKUPS app" | grep -c '|complete|' || true)" \
    "a killed backup is never listed as complete"
assert_match 'removed [0-9]+ partial backup file' "$(cat "$MX_LOG")"
mx_alive || fail "the proxy died"
myrmex_stop
note "SQLite backups: ok"
