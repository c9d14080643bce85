#!/usr/bin/env bash
# Migrations on the embedded SQLite backend: PostgreSQL-dialect files translated, a .sqlite.sql
# override (SQLite's own SQL) replacing a version and a .postgres.sql one ignored. Apply,
# status, down and re-apply; an edited applied file is found by VALIDATE and blocks MIGRATE
# until repaired; a failing migration in the middle is rolled back and recorded, the later ones
# pending; the command line (straight to the file) exits 1 naming file and statement; DRY RUN
# leaves the schema as it was; BASELINE of an existing database; a held lock is reported; a
# migration under pgbench fails no transaction. Last, the repository's own conf/ and
# migrations/ as the README's quick start runs them: agents WHERE active.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret7
MIG="$T/migrations"
DB="$T/app.db"
mkdir -p "$MIG"
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$ADMIN_USER" "$ADMIN_PASS"

conf() {
    cat <<CONF
admin_users = $ADMIN_USER
migrations_dir = $MIG
migrations_lock_wait = 30
${1:-}
[databases]
app = sqlite://$DB
CONF
}
myrmex_start "$(conf)"

admin() {
    PGPASSWORD=$ADMIN_PASS timeout 120 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "$1" 2>&1
}
run_job() {
    local id
    id=$(admin "$1" | awk -F'|' '/^[0-9]+$/ { print $1 }' | tail -1)
    assert_int "job id of $1" "$id"
    admin "WAIT JOB $id"
}
state() { admin "SHOW MIGRATIONS app" | awk -F'|' -v v="$1" '$3 == v { print $7 }'; }
cli() { "$MYRMEX_BIN" migrate -c "$MX_CONF" "$@"; }
# schema: SQLite's own record of every object, to compare before and after.
schema() { "$PYTHON" -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); print('\n'.join(str(r) for r in c.execute('SELECT type, name, sql FROM sqlite_master ORDER BY name')))" "$DB"; }

cat >"$MIG/V1__agents.sql" <<'SQL'
CREATE TABLE agents (
    id bigserial PRIMARY KEY,
    name varchar(40) NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO agents (name) VALUES ('a1'), ('a2'), ('a3');
-- migrate:down
DROP TABLE agents;
SQL
cat >"$MIG/V2__agents_active.sql" <<'SQL'
ALTER TABLE agents ADD COLUMN active boolean NOT NULL DEFAULT true;
UPDATE agents SET active = false WHERE name = 'a2';
-- migrate:down
ALTER TABLE agents DROP COLUMN active;
SQL
# PostgreSQL's version needs PL/pgSQL; SQLite's own trigger does the same job.
cat >"$MIG/V3__audit.sql" <<'SQL'
CREATE TABLE audit (agent text, at timestamptz DEFAULT now());
CREATE FUNCTION audit_agent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO audit (agent) VALUES (NEW.name);
    RETURN NEW;
END;
$$;
CREATE TRIGGER agents_audit AFTER INSERT ON agents FOR EACH ROW EXECUTE FUNCTION audit_agent();
SQL
cat >"$MIG/V3__audit.sqlite.sql" <<'SQL'
CREATE TABLE audit (agent TEXT, at TEXT DEFAULT CURRENT_TIMESTAMP);
CREATE TRIGGER agents_audit AFTER INSERT ON agents
BEGIN
    INSERT INTO audit (agent) VALUES (NEW.name);
END;
-- migrate:down
DROP TRIGGER agents_audit;
DROP TABLE audit;
SQL
cat >"$MIG/V4__pg_only.postgres.sql" <<'SQL'
CREATE EXTENSION IF NOT EXISTS pg_trgm;
SQL

out=$(admin "SHOW MIGRATIONS app")
note "$out"
assert_match 'app\|\|3\|audit\|SQLITE\|V3__audit.sqlite.sql\|pending' "$out" "the SQLite override stands for V3"
assert_not_match 'V4__pg_only' "$out" "a .postgres.sql file is not SQLite's"
out=$(run_job "MIGRATE app")
note "$out"
assert_match 'V1__agents.sql\|applied\|2' "$out"
assert_match 'V3__audit.sqlite.sql\|applied\|2' "$out"
for v in 1 2 3; do assert_eq success "$(state "$v")" "V$v"; done
assert_eq "a1 a3" "$(mx_sql "SELECT name FROM agents WHERE active ORDER BY name" | xargs)"
mx_sql "INSERT INTO agents (name) VALUES ('a4')" >/dev/null
assert_eq a4 "$(mx_sql "SELECT agent FROM audit")" "the native trigger fires"
# Types read back as PostgreSQL's through the catalog.
assert_eq "boolean" "$(mx_sql "SELECT data_type FROM information_schema.columns WHERE table_name = 'agents' AND column_name = 'active'")"
assert_eq 3 "$(mx_sql "SELECT count(*) FROM myrmex_schema_history")"
row=$(mx_sql "SELECT version, type, script, success FROM myrmex_schema_history WHERE version = '3'")
assert_eq "3|SQLITE|V3__audit.sqlite.sql|t" "$row"

# --- down and re-apply -----------------------------------------------------------------------
out=$(run_job "MIGRATE DOWN app 2")
assert_match 'V3__audit.sqlite.sql\|reverted' "$out"
assert_match 'V2__agents_active.sql\|reverted' "$out"
assert_eq pending "$(state 2)"
assert_eq 0 "$(mx_sql "SELECT count(*) FROM information_schema.columns WHERE table_name = 'agents' AND column_name = 'active'")"
rc=0
mx_sql "SELECT count(*) FROM audit" >/dev/null 2>&1 || rc=$?
assert_ne 0 "$rc" "audit dropped by V3's down section"
run_job "MIGRATE app" >/dev/null
for v in 2 3; do assert_eq success "$(state "$v")" "V$v re-applied"; done

# --- an edited file ----------------------------------------------------------------------------
{ awk '/^-- migrate:down/ { exit } { print }' "$MIG/V1__agents.sql"; echo "-- edited"; echo "-- migrate:down"; echo "DROP TABLE agents;"; } >"$MIG/V1__agents.sql.tmp"
mv "$MIG/V1__agents.sql.tmp" "$MIG/V1__agents.sql"
rc=0
out=$(run_job "MIGRATE VALIDATE app") || rc=$?
assert_ne 0 "$rc" "VALIDATE on an edited file"
assert_match 'V1__agents.sql was edited after it was applied' "$out"
rc=0
cli --direct validate >"$T/cli.out" 2>&1 || rc=$?
assert_eq 1 "$rc" "myrmex migrate validate (direct) exit status"
run_job "MIGRATE REPAIR app 1" >/dev/null
run_job "MIGRATE VALIDATE app" >/dev/null

# --- a failing migration in the middle ---------------------------------------------------------
printf 'CREATE TABLE five (x int);\n' >"$MIG/V5__five.sql"
printf 'CREATE TABLE six (x int);\nINSERT INTO six SELECT x FROM nowhere;\n' >"$MIG/V6__six.sql"
printf 'CREATE TABLE seven (x int);\n' >"$MIG/V7__seven.sql"
rc=0
cli up --direct >"$T/cli.out" 2>&1 || rc=$?
note "$(cat "$T/cli.out")"
assert_eq 1 "$rc" "myrmex migrate up exit status"
assert_match "$MIG/V6__six.sql:2: statement 2 failed: ERROR 42P01" "$(cat "$T/cli.out")"
assert_match 'STATEMENT: INSERT INTO six SELECT x FROM nowhere' "$(cat "$T/cli.out")"
assert_eq success "$(state 5)"
assert_eq failed "$(state 6)"
assert_eq pending "$(state 7)"
assert_eq "" "$(mx_sql "SELECT table_name FROM information_schema.tables WHERE table_name IN ('six', 'seven')")" \
    "V6 rolled back, V7 not attempted"
assert_match '^f\|42P01\|statement 2 \(line 2\)' "$(mx_sql "SELECT success, error_sqlstate, error FROM myrmex_schema_history WHERE version = '6'")"
printf 'CREATE TABLE six (x int);\n' >"$MIG/V6__six.sql"
run_job "MIGRATE app" >/dev/null
for v in 6 7; do assert_eq success "$(state "$v")"; done

# --- DRY RUN ---------------------------------------------------------------------------------
printf 'CREATE TABLE eight (x int);\n-- migrate:down\nDROP TABLE eight;\n' >"$MIG/V8__eight.sql"
before=$(schema)
out=$(run_job "MIGRATE app DRY RUN")
assert_match 'V8__eight.sql\|would apply' "$out"
out=$(cli up --dry-run --direct 2>&1)
assert_match 'would apply' "$out"
assert_eq "$before" "$(schema)" "DRY RUN changed the schema"
run_job "MIGRATE app" >/dev/null

# --- a repeatable migration, a missing file, the progress bar on a terminal ------------------------
cat >"$MIG/R__active_agents.sql" <<'SQL'
DROP VIEW IF EXISTS active_agents;
CREATE VIEW active_agents AS SELECT name FROM agents WHERE active;
SQL
run_job "MIGRATE app" >/dev/null
assert_eq success "$(admin "SHOW MIGRATIONS app" | awk -F'|' '$6 == "R__active_agents.sql" { print $7 }')"
assert_eq "a1 a3 a4" "$(mx_sql "SELECT name FROM active_agents ORDER BY name" | xargs)"
printf 'DROP VIEW IF EXISTS active_agents;\nCREATE VIEW active_agents AS SELECT upper(name) AS name FROM agents WHERE active;\n' >"$MIG/R__active_agents.sql"
assert_eq outdated "$(admin "SHOW MIGRATIONS app" | awk -F'|' '$6 == "R__active_agents.sql" { print $7 }')"
out=$(run_job "MIGRATE app")
assert_match 'R__active_agents.sql\|applied' "$out" "a changed repeatable is applied again"
assert_eq "A1 A3 A4" "$(mx_sql "SELECT name FROM active_agents ORDER BY name" | xargs)"
assert_eq 2 "$(mx_sql "SELECT count(*) FROM myrmex_schema_history WHERE script = 'R__active_agents.sql'")"
mv "$MIG/V5__five.sql" "$T/V5__five.sql.away"
assert_eq missing "$(state 5)"
rc=0
out=$(run_job "MIGRATE VALIDATE app") || rc=$?
assert_ne 0 "$rc"
assert_match 'applied migration 5 \(V5__five.sql\) has no file' "$out"
mv "$T/V5__five.sql.away" "$MIG/V5__five.sql"
# On a terminal (script(1) gives one) the command line draws a bar; elsewhere plain lines.
printf 'CREATE TABLE bar_1 (x int);\nCREATE TABLE bar_2 (x int);\n' >"$MIG/V8_5__bar.sql"
script -qec "$MYRMEX_BIN migrate -c $MX_CONF --direct up" "$T/tty.out" >/dev/null
assert_match '\[#+\.*\] +[0-9]+% applying V8_5__bar.sql' "$(tr '\r' '\n' <"$T/tty.out")"
assert_eq success "$(state 8.5)"

# --- a held lock is reported -------------------------------------------------------------------
printf 'CREATE TABLE nine (x int);\n' >"$MIG/V9__nine.sql"
bg holder flock "$DB.migrate-lock" sleep 4
holder=$BG_PID
sleep 0.3
sed -i 's/^migrations_lock_wait = .*/migrations_lock_wait = 0.5/' "$MX_CONF"
rc=0
cli up --direct >"$T/cli.out" 2>&1 || rc=$?
assert_eq 1 "$rc"
assert_match "55P03.*another migration runner holds the lock \\($DB.migrate-lock\\)" "$(cat "$T/cli.out")"
bg_wait "$holder" 20
sed -i 's/^migrations_lock_wait = .*/migrations_lock_wait = 30/' "$MX_CONF"

# --- a migration while pgbench runs -----------------------------------------------------------
PGPASSWORD=$APP_PASS pgbench -i -q -s 1 -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app >/dev/null 2>&1
cat >"$MIG/V10__accounts_note.sql" <<'SQL'
ALTER TABLE pgbench_accounts ADD COLUMN note text;
UPDATE pgbench_accounts SET note = 'account ' || aid;
SQL
bg bench env PGPASSWORD=$APP_PASS pgbench -n -c 4 -j 2 -T 8 -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app
b=$BG_PID
sleep 2
out=$(run_job "MIGRATE app")
assert_match 'V9__nine.sql\|applied' "$out"
assert_match 'V10__accounts_note.sql\|applied' "$out"
bg_wait "$b" 60 || fail "pgbench failed: $(cat "$T/bench.out")"
note "$(grep -E 'processed|failed' "$T/bench.out")"
assert_match 'number of failed transactions: 0 ' "$(cat "$T/bench.out")"
assert_eq 0 "$(mx_sql "SELECT count(*) FROM pgbench_accounts WHERE note IS NULL")"
mx_alive || fail "the proxy died"
myrmex_stop

# --- BASELINE of an existing database (the command line, straight to the file) ------------------
LEGACY="$T/legacy.db"
"$PYTHON" -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE agents (id integer primary key, name text)'); c.commit()" "$LEGACY"
sed "s|^app = sqlite://.*|app = sqlite://$LEGACY|" "$MX_CONF" >"$T/legacy.ini"
out=$("$MYRMEX_BIN" migrate -c "$T/legacy.ini" --direct baseline 1 2>&1)
assert_match 'baseline' "$out"
rc=0
"$MYRMEX_BIN" migrate -c "$T/legacy.ini" --direct up --to 9 >"$T/cli.out" 2>&1 || rc=$?
note "$(cat "$T/cli.out")"
assert_eq 0 "$rc" "up after a baseline"
assert_match 'V2__agents_active.sql \|' "$(cat "$T/cli.out")"
assert_not_match 'V1__agents.sql' "$(cat "$T/cli.out")" "V1 is below the baseline"
out=$("$MYRMEX_BIN" migrate -c "$T/legacy.ini" --direct status 2>&1)
assert_match '\| 1 +\| << Baseline >> +\| BASELINE' "$out"

# --- the README's quick start: the repository's conf/ and migrations/ --------------------------
mkdir -p "$T/qs"
cp -r "$TOP/conf" "$TOP/migrations" "$T/qs/"
rm -f "$T/qs/conf/"*.db "$T/qs/conf/"*.db-*
QS_PORT=$(free_port)
MYRMEX_LISTEN_PORT=$QS_PORT MYRMEX_UNIX_SOCKET_DIR='' "$MYRMEX_BIN" -c "$T/qs/conf/myrmex.ini" >"$T/qs.log" 2>&1 &
QS_PID=$!
BG_PIDS+=("$QS_PID")
agents() { timeout 10 psql -X -q -At -h 127.0.0.1 -p "$QS_PORT" -U app -d app -c "SELECT name FROM agents WHERE active ORDER BY name" | xargs; }
wait_until 30 "the quick start's agents table" agents
assert_eq "forager-1 queen" "$(agents)" "SELECT * FROM agents WHERE active on the quick start"
kill -TERM "$QS_PID"
wait_pid_exit "$QS_PID" 20 || fail "the quick-start proxy did not stop"
mx_check_sanitizer "$T/qs.log"
note "migrations on SQLite: ok"
