#!/usr/bin/env bash
# Migrations on PostgreSQL: MIGRATE / SHOW MIGRATIONS / DOWN / VALIDATE / REPAIR from the console
# and `myrmex migrate` from the command line. Apply, status, down and re-apply; an edited applied
# file is found by VALIDATE and blocks MIGRATE until repaired; a failing migration in the middle
# leaves the earlier ones applied, itself rolled back and recorded as failed (statement and
# SQLSTATE), the later ones pending; the command line exits 1 naming the file and statement;
# DRY RUN leaves the schema as it was (pg_dump before and after). Two proxies racing MIGRATE
# apply each migration exactly once (the loser waits, then has nothing to do), and a runner
# that waits too long names the holder. CREATE INDEX CONCURRENTLY (no-transaction directive)
# while pgbench writes; a column added and backfilled while pgbench -c 8 -T 20 runs through
# transaction pooling, with no failed transaction. migrate_on_start holds /readyz until done.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret7
MIG="$T/migrations"
HTTP_PORT=$(free_port)
mkdir -p "$MIG"

pg_start
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$ADMIN_USER" "$ADMIN_PASS"

conf() { # [extra [myrmex] lines]
    cat <<CONF
admin_users = $ADMIN_USER
migrations_dir = $MIG
migrations_lock_wait = 30
metrics_listen = 127.0.0.1:$HTTP_PORT
${1:-}
[databases]
$(db_line app)
CONF
}
myrmex_start "$(conf)"

# console [PORT] SQL: psql on a proxy's console as the admin, unaligned; stderr too.
console_at() {
    PGPASSWORD=$ADMIN_PASS timeout 120 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 -v VERBOSITY=verbose \
        -h 127.0.0.1 -p "$1" -U "$ADMIN_USER" -d myrmex -c "$2" 2>&1
}
admin() { console_at "$MX_PORT" "$1"; }
# run_job [PORT] COMMAND: submit a console job and wait for it; prints WAIT JOB's output and
# returns its status.
run_job_at() {
    local id
    id=$(console_at "$1" "$2" | awk -F'|' '/^[0-9]+$/ { print $1 }' | tail -1)
    assert_int "job id of $2" "$id"
    console_at "$1" "WAIT JOB $id"
}
run_job() { run_job_at "$MX_PORT" "$1"; }
# state VERSION: the state column of SHOW MIGRATIONS for VERSION.
state() { admin "SHOW MIGRATIONS app" | awk -F'|' -v v="$1" '$3 == v { print $7 }'; }
cli() { "$MYRMEX_BIN" migrate -c "$MX_CONF" "$@"; }

cat >"$MIG/V1__create_items.sql" <<'SQL'
CREATE TABLE items (
    id serial PRIMARY KEY,
    name text NOT NULL
);
INSERT INTO items (name) VALUES ('a'), ('b');
-- migrate:down
DROP TABLE items;
SQL
cat >"$MIG/V1_1__items_price.sql" <<'SQL'
ALTER TABLE items ADD COLUMN price numeric(10,2) NOT NULL DEFAULT 0;
-- migrate:down
ALTER TABLE items DROP COLUMN price;
SQL
cat >"$MIG/V2__orders.sql" <<'SQL'
CREATE TABLE orders (id bigserial PRIMARY KEY, item_id int REFERENCES items (id));
CREATE FUNCTION order_count() RETURNS bigint LANGUAGE plpgsql AS $$
BEGIN
    RETURN (SELECT count(*) FROM orders);
END;
$$;
-- migrate:down
DROP FUNCTION order_count();
DROP TABLE orders;
SQL
printf '# a README in the folder is not a migration\n' >"$MIG/README.md"

# --- status, apply ---------------------------------------------------------------------------
out=$(admin "SHOW MIGRATIONS app")
note "$out"
assert_eq pending "$(state 1)" "V1 before MIGRATE"
assert_eq pending "$(state 1.1)" "V1_1 is version 1.1"
out=$(run_job "MIGRATE app")
note "$out"
assert_match 'app\|1\|create items\|V1__create_items.sql\|applied\|2\|' "$out" "V1 applied"
assert_match 'app\|2\|orders\|V2__orders.sql\|applied\|2\|' "$out" "V2 applied"
assert_match 'NOTICE: +(00000: )?applying V2__orders.sql: statement 2/2' "$out" "per-statement progress"
for v in 1 1.1 2; do assert_eq success "$(state "$v")" "V$v after MIGRATE"; done
assert_eq "2|0.00" "$(mx_sql "SELECT count(*), sum(price) FROM items")"
assert_eq 0 "$(mx_sql "SELECT order_count()")"
# Flyway's columns; the checksum is the SHA-256 of the file's up section.
want=$(awk '/^-- migrate:down/ { exit } { print }' "$MIG/V1__create_items.sql" | sha256sum | cut -d' ' -f1)
assert_eq "1|1|create items|SQL|V1__create_items.sql|$want|app|t" \
    "$(pg_sql "SELECT installed_rank, version, description, type, script, checksum, installed_by, success FROM myrmex_schema_history WHERE version = '1'")"
out=$(run_job "MIGRATE app")
assert_match 'up to date' "$out" "a second MIGRATE has nothing to do"
assert_eq 3 "$(pg_sql "SELECT count(*) FROM myrmex_schema_history")"

# --- down and re-apply -----------------------------------------------------------------------
out=$(run_job "MIGRATE DOWN app 2")
note "$out"
assert_match 'V2__orders.sql\|reverted' "$out"
assert_match 'V1_1__items_price.sql\|reverted' "$out"
assert_eq pending "$(state 2)"
assert_eq pending "$(state 1.1)"
assert_eq success "$(state 1)"
assert_eq "" "$(pg_sql "SELECT to_regclass('orders')")" "orders dropped by V2's down section"
assert_eq 0 "$(pg_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'price'")"
out=$(run_job "MIGRATE app TO 1.1")
assert_match 'V1_1__items_price.sql\|applied' "$out"
assert_eq pending "$(state 2)" "TO 1.1 stops before V2"
run_job "MIGRATE app" >/dev/null
assert_eq success "$(state 2)"

# --- an edited file: VALIDATE, MIGRATE refuses, REPAIR ---------------------------------------
printf -- '-- reviewed\n' | cat - "$MIG/V1_1__items_price.sql" >"$T/edited" && mv "$T/edited" "$MIG/V1_1__items_price.sql"
cat >"$MIG/V3__tags.sql" <<'SQL'
CREATE TABLE tags (id int PRIMARY KEY);
SQL
rc=0
out=$(run_job "MIGRATE VALIDATE app") || rc=$?
note "$out"
assert_ne 0 "$rc" "VALIDATE fails on an edited file"
assert_match 'V1_1__items_price.sql was edited after it was applied' "$out"
rc=0
out=$(run_job "MIGRATE app") || rc=$?
assert_ne 0 "$rc" "MIGRATE refuses while an applied file is edited"
assert_match 'edited after it was applied' "$out" "MIGRATE names the edited file"
assert_eq pending "$(state 3)" "nothing applied while the edit stands"
rc=0
cli validate >"$T/cli.out" 2>&1 || rc=$?
assert_eq 1 "$rc" "myrmex migrate validate exit status"
assert_match 'V1_1__items_price.sql was edited' "$(cat "$T/cli.out")"
out=$(run_job "MIGRATE REPAIR app 1.1")
assert_match 'checksum [0-9a-f]{12} replaced' "$out"
run_job "MIGRATE VALIDATE app" >/dev/null
run_job "MIGRATE app" >/dev/null
assert_eq success "$(state 3)"

# --- a failing migration in the middle -------------------------------------------------------
cat >"$MIG/V4__ok.sql" <<'SQL'
CREATE TABLE four (x int);
SQL
cat >"$MIG/V5__broken.sql" <<'SQL'
CREATE TABLE five (x int);

INSERT INTO five SELECT x FROM no_such_table;
SQL
cat >"$MIG/V6__later.sql" <<'SQL'
CREATE TABLE six (x int);
-- migrate:down
DROP TABLE six;
SQL
rc=0
out=$(run_job "MIGRATE app") || rc=$?
note "$out"
assert_ne 0 "$rc" "MIGRATE fails on V5"
assert_match '42P01' "$out" "the failure's SQLSTATE"
assert_match 'V5__broken.sql:3' "$out" "the file and line of the failing statement"
assert_eq success "$(state 4)" "V4, before the failure, stays applied"
assert_eq failed "$(state 5)" "V5 is recorded as failed"
assert_eq pending "$(state 6)" "V6 is not attempted"
assert_eq "" "$(pg_sql "SELECT to_regclass('five')")" "V5's first statement rolled back"
assert_eq "" "$(pg_sql "SELECT to_regclass('six')")"
row=$(pg_sql "SELECT success, error_sqlstate, error FROM myrmex_schema_history WHERE version = '5'")
assert_match '^f\|42P01\|statement 2 \(line 3\): relation "no_such_table" does not exist: INSERT INTO five' "$row"
# The command line (here straight to the database) exits 1 naming file and statement.
rc=0
cli up --direct >"$T/cli.out" 2>&1 || rc=$?
note "$(cat "$T/cli.out")"
assert_eq 1 "$rc" "myrmex migrate up exit status on a failing migration"
assert_match "$MIG/V5__broken.sql:3: statement 2 failed: ERROR 42P01" "$(cat "$T/cli.out")"
assert_match 'STATEMENT: INSERT INTO five SELECT x FROM no_such_table' "$(cat "$T/cli.out")"
assert_eq 1 "$(pg_sql "SELECT count(*) FROM myrmex_schema_history WHERE version = '5'")" \
    "a retried failure replaces its row"
# Fixed: the failed attempt is retried in its place, then the later ones run.
printf 'CREATE TABLE five (x int);\n' >"$MIG/V5__broken.sql"
out=$(cli up 2>&1)
note "$out"
assert_match 'V5__broken.sql' "$out"
for v in 5 6; do assert_eq success "$(state "$v")" "V$v after the fix"; done

# --- DRY RUN changes nothing -----------------------------------------------------------------
cat >"$MIG/V7__seven.sql" <<'SQL'
CREATE TABLE seven (x int);
-- migrate:down
DROP TABLE seven;
SQL
# (pg_dump's \restrict lines carry a random key per run.)
dump() { PGPASSWORD=$PG_SUPER_PASS pg_dump -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPER" -d app | grep -Ev '^\\(un)?restrict '; }
dump >"$T/before.sql"
out=$(run_job "MIGRATE app DRY RUN")
assert_match 'V7__seven.sql\|would apply\|1' "$out"
out=$(cli up --dry-run 2>&1)
assert_match 'would apply' "$out"
out=$(run_job "MIGRATE DOWN app 1 DRY RUN")
assert_match 'V6__later.sql\|would revert' "$out"
dump >"$T/after.sql"
diff -u "$T/before.sql" "$T/after.sql" >&2 || fail "DRY RUN changed the database"
run_job "MIGRATE app" >/dev/null
assert_eq success "$(state 7)"

# --- what a migration may do to its session or its transaction --------------------------------
# pg_dump's header empties search_path: the history is still found, and the next migration runs
# with the session's settings back. A description with a quote and a backslash is kept as is.
cat >"$MIG/V7_1__from_pg_dump.sql" <<'SQL'
SELECT pg_catalog.set_config('search_path', '', false);
SET standard_conforming_strings = off;
CREATE TABLE public.dumped (x int);
SQL
printf 'CREATE TABLE after_dump (x int);\n' >"$MIG/V7_2__o'brien\\s_table.sql"
out=$(run_job "MIGRATE app")
note "$out"
assert_eq success "$(state 7.1)"
assert_eq success "$(state 7.2)"
assert_eq "o'brien\\s table" "$(pg_sql "SELECT description FROM myrmex_schema_history WHERE version = '7.2'")"
assert_eq public "$(pg_sql "SELECT table_schema FROM information_schema.tables WHERE table_name = 'after_dump'")"
# A transactional file may not end its transaction itself: refused before anything runs.
printf 'CREATE TABLE half (x int);\nCOMMIT;\nCREATE TABLE other_half (x int);\n' >"$MIG/V7_3__commits.sql"
rc=0
out=$(run_job "MIGRATE app") || rc=$?
assert_ne 0 "$rc" "a COMMIT inside a transactional migration"
assert_match 'V7_3__commits.sql:2: a transaction control statement' "$out"
assert_eq "" "$(pg_sql "SELECT to_regclass('half')")"
# A no-transaction file that fails half-way is recorded as failed and blocks MIGRATE until
# REPAIR; the row was written before its statements ran.
cat >"$MIG/V7_3__commits.sql" <<'SQL'
-- myrmex:no-transaction
CREATE TABLE half (x int);
CREATE TABLE half (x int);
SQL
rc=0
out=$(run_job "MIGRATE app") || rc=$?
assert_ne 0 "$rc"
assert_match '42P07' "$out"
assert_eq failed "$(state 7.3)"
assert_eq t "$(pg_sql "SELECT to_regclass('half') IS NOT NULL")" "the first statement stays"
rc=0
out=$(run_job "MIGRATE app") || rc=$?
assert_ne 0 "$rc" "MIGRATE after a half-applied no-transaction migration"
assert_match 'may be half-applied.*MIGRATE REPAIR 7.3' "$out"
pg_sql "DROP TABLE half" >/dev/null
out=$(run_job "MIGRATE REPAIR app 7.3")
assert_match 'removed the row of the failed attempt' "$out"
printf -- '-- myrmex:no-transaction\nCREATE TABLE half (x int);\n' >"$MIG/V7_3__commits.sql"
run_job "MIGRATE app" >/dev/null
assert_eq success "$(state 7.3)"

# --- two proxies racing MIGRATE --------------------------------------------------------------
MX2_PORT=$(free_port)
mkdir -p "$T/mx2sock"
sed -e "s/^listen_port = .*/listen_port = $MX2_PORT/" -e "s|^unix_socket_dir = .*|unix_socket_dir = $T/mx2sock|" \
    -e "/^metrics_listen/d" "$MX_CONF" >"$T/mx2.ini"
"$MYRMEX_BIN" -c "$T/mx2.ini" >"$T/mx2.log" 2>&1 &
MX2_PID=$!
BG_PIDS+=("$MX2_PID")
wait_until 20 "the second proxy" port_open 127.0.0.1 "$MX2_PORT"
for n in 8 9 10; do
    printf 'SELECT pg_sleep(0.5);\nCREATE TABLE race_%s (x int);\n' "$n" >"$MIG/V${n}__race_$n.sql"
done
bg race1 run_job_at "$MX_PORT" "MIGRATE app"
r1=$BG_PID
bg race2 run_job_at "$MX2_PORT" "MIGRATE app"
r2=$BG_PID
bg_wait "$r1" 60 || fail "the first runner failed: $(cat "$T/race1.out")"
bg_wait "$r2" 60 || fail "the second runner failed: $(cat "$T/race2.out")"
note "race1: $(cat "$T/race1.out")"
note "race2: $(cat "$T/race2.out")"
for n in 8 9 10; do
    assert_eq 1 "$(pg_sql "SELECT count(*) FROM myrmex_schema_history WHERE version = '$n' AND success")" "V$n applied once"
done
applied=$(cat "$T/race1.out" "$T/race2.out" | grep -c '|applied|' || true)
assert_eq 3 "$applied" "three applications between the two runners"
assert_match 'waiting for the migration lock held by myrmex [0-9]+ on' "$(cat "$T/race1.out" "$T/race2.out")"
grep -q 'up to date' "$T/race1.out" "$T/race2.out" || fail "the loser reports nothing to do"
# A runner that may not wait long names the holder.
printf 'SELECT pg_sleep(3);\nCREATE TABLE slow (x int);\n' >"$MIG/V11__slow.sql"
console_at "$MX2_PORT" "SET migrations_lock_wait = 0.5" >/dev/null
bg slow run_job "MIGRATE app"
slow=$BG_PID
wait_until 10 "the slow migration to hold the lock" sh -c "PGPASSWORD=$PG_SUPER_PASS psql -X -At -h 127.0.0.1 -p $PG_PORT -U $PG_SUPER -d app -c \"SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted\" | grep -q 1"
rc=0
out=$(run_job_at "$MX2_PORT" "MIGRATE app") || rc=$?
note "$out"
assert_ne 0 "$rc" "a runner past migrations_lock_wait fails"
assert_match '55P03' "$out"
assert_match "another migration runner holds the lock: myrmex $MX_PID on [^ ]+ \(server process [0-9]+ from 127.0.0.1" "$out"
bg_wait "$slow" 60
kill -TERM "$MX2_PID"
wait_pid_exit "$MX2_PID" 20 || fail "the second proxy did not stop"
mx_check_sanitizer "$T/mx2.log"

# --- CANCEL JOB interrupts a running statement ----------------------------------------------------
printf 'CREATE TABLE long_one (x int);\nSELECT pg_sleep(60);\n' >"$MIG/V11_1__long_one.sql"
id=$(admin "MIGRATE app" | awk -F'|' '/^[0-9]+$/ { print $1 }' | tail -1)
assert_int "job id" "$id"
sleeping() { pg_sql "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)'" | grep -qx 1; }
wait_until 20 "the migration's pg_sleep" sleeping
t0=$(now_ms)
admin "CANCEL JOB $id" >/dev/null
rc=0
out=$(admin "WAIT JOB $id") || rc=$?
note "$out"
assert_ne 0 "$rc" "a cancelled migration job fails"
assert_le $(($(now_ms) - t0)) 10000 "CANCEL JOB interrupts the statement, it does not wait for it"
assert_match '57014' "$out"
assert_eq failed "$(state 11.1)"
assert_eq "" "$(pg_sql "SELECT to_regclass('long_one')")" "the cancelled migration rolled back"
printf 'CREATE TABLE long_one (x int);\n' >"$MIG/V11_1__long_one.sql"
run_job "MIGRATE app" >/dev/null
assert_eq success "$(state 11.1)"

# --- CREATE INDEX CONCURRENTLY while pgbench writes ------------------------------------------
PGPASSWORD=$APP_PASS pgbench -i -q -s 2 -h 127.0.0.1 -p "$PG_PORT" -U "$APP_USER" app >/dev/null 2>&1
cat >"$MIG/V12__accounts_abalance_idx.sql" <<'SQL'
-- myrmex:no-transaction
CREATE INDEX CONCURRENTLY accounts_abalance_idx ON pgbench_accounts (abalance);
-- migrate:down
DROP INDEX CONCURRENTLY accounts_abalance_idx;
SQL
bg bench1 env PGPASSWORD=$APP_PASS pgbench -n -c 4 -j 2 -T 6 -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app
b1=$BG_PID
sleep 1
out=$(run_job "MIGRATE app")
note "$out"
assert_match 'V12__accounts_abalance_idx.sql\|applied' "$out"
bg_wait "$b1" 60 || fail "pgbench failed during CREATE INDEX CONCURRENTLY: $(cat "$T/bench1.out")"
assert_match 'number of failed transactions: 0 ' "$(cat "$T/bench1.out")"
assert_eq t "$(pg_sql "SELECT indisvalid FROM pg_index WHERE indexrelid = 'accounts_abalance_idx'::regclass")"

# --- a column added and backfilled under pgbench -c 8 -T 20 -----------------------------------
cat >"$MIG/V13__accounts_note.sql" <<'SQL'
ALTER TABLE pgbench_accounts ADD COLUMN note text;
UPDATE pgbench_accounts SET note = 'account ' || aid;
ALTER TABLE pgbench_accounts ALTER COLUMN note SET NOT NULL;
SQL
bg bench2 env PGPASSWORD=$APP_PASS pgbench -n -c 8 -j 2 -T 20 -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app
b2=$BG_PID
sleep 5
out=$(run_job "MIGRATE app")
note "$out"
assert_match 'V13__accounts_note.sql\|applied' "$out"
bg_wait "$b2" 60 || fail "pgbench failed during the backfill: $(cat "$T/bench2.out")"
note "$(grep -E 'processed|failed' "$T/bench2.out")"
assert_match 'number of failed transactions: 0 ' "$(cat "$T/bench2.out")"
assert_eq 0 "$(pg_sql "SELECT count(*) FROM pgbench_accounts WHERE note IS NULL")"

# --- migrate_on_start holds /readyz ------------------------------------------------------------
myrmex_stop
printf 'SELECT pg_sleep(2);\nCREATE TABLE at_start (x int);\n' >"$MIG/V14__at_start.sql"
myrmex_start "$(conf "migrate_on_start = 1")"
ready=$(curl -s -w 'status %{http_code}' "http://127.0.0.1:$HTTP_PORT/readyz")
note "readyz during migrate_on_start: $ready"
assert_match 'migrate_on_start is applying pending migrations' "$ready"
assert_match '^status 503$' "$ready"
readyz_ok() { curl -sf "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null; }
wait_until 30 "/readyz after migrate_on_start" readyz_ok
assert_eq success "$(state 14)"
mx_alive || fail "the proxy died"
myrmex_stop
note "migrations on PostgreSQL: ok"
