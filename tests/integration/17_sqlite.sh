#!/usr/bin/env bash
# The embedded SQLite backend (sqlite:// databases) through the proxy:
# - a corpus of statements gives psql the same output (rows, tags, SQLSTATEs) as PostgreSQL 15;
# - errors leave the session usable; a failed transaction gives 25P02 until ROLLBACK;
# - COPY FROM STDIN / TO STDOUT round trip with equal checksums;
# - binary results and parameters give PostgreSQL's bytes (sqlite/binary.tsv);
# - libpq pipeline mode: a failure undoes the statements since the last Sync, as on PostgreSQL;
# - pgbench's extended protocol in transaction mode and -M prepared in session mode;
# - 8 concurrent writers keep an invariant (sum of balances), committed data survives a restart;
# - a long statement is cancelled within 1 s (57014) and the session goes on; so is a writer
#   waiting for the write lock, which statement_timeout also bounds.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
DB="$T/app.db"

pg_start
sqlite_conf() { # POOL_MODE
    printf '%s\n' "pool_mode = $1" "default_pool_size = 4" "[databases]" "app = sqlite://$DB"
}

# --- the same answers as PostgreSQL ----------------------------------------------------------
myrmex_start "$(sqlite_conf transaction)"
run_corpus() { # PORT
    PGPASSWORD=$APP_PASS timeout 60 psql -X -At -h 127.0.0.1 -p "$1" -U "$APP_USER" -d app \
        -f "$HERE/sqlite/same_answers.sql" 2>&1 | sed -E 's/^psql:[^:]*:[0-9]+: //'
}
run_corpus "$PG_PORT" >"$T/pg.out"
run_corpus "$MX_PORT" >"$T/sqlite.out"
if ! diff -u "$T/pg.out" "$T/sqlite.out" >"$T/corpus.diff"; then
    cat "$T/corpus.diff" >&2
fi
assert_eq 0 "$(grep -c '^[-+][^-+]' "$T/corpus.diff" || true)" "lines differing from PostgreSQL"
assert_ge "$(wc -l <"$T/pg.out")" 60 "corpus output lines"

# --- errors and transactions -------------------------------------------------------------------
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
CREATE TABLE acct (id integer PRIMARY KEY, balance integer NOT NULL)
INSERT INTO acct VALUES (1, 100), (2, 100)
SELECT nope FROM acct
SELECT count(*) FROM acct
BEGIN
UPDATE acct SET balance = balance - 10 WHERE id = 1
SELECT * FROM no_such_table
SELECT 1
ROLLBACK
SELECT sum(balance) FROM acct
SQL
)
printf '%s\n' "$out"
assert_match '^ERR\|42703\|' "$(printf '%s\n' "$out" | sed -n 4p)" "undefined column"
assert_match '^OK\|SELECT 1\|2\|' "$(printf '%s\n' "$out" | sed -n 5p)" "usable after an error"
assert_match '^ERR\|42P01\|' "$(printf '%s\n' "$out" | sed -n 8p)" "undefined table"
assert_match '^ERR\|25P02\|' "$(printf '%s\n' "$out" | sed -n 9p)" "failed transaction"
assert_match '^OK\|SELECT 1\|200\|' "$(printf '%s\n' "$out" | sed -n 11p)" "rolled back"

# --- COPY round trip ----------------------------------------------------------------------------
awk 'BEGIN { for (i = 1; i <= 20000; i++) printf "%d\tname %d\t%s\t%d.%02d\n", i, i, (i % 2 ? "t" : "f"), i, i % 100 }' >"$T/in.tsv"
mx_sql "CREATE TABLE c (id integer PRIMARY KEY, name text, flag boolean, amount numeric(12,2))" >/dev/null
PGPASSWORD=$APP_PASS timeout 60 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app \
    -c "\\copy c FROM '$T/in.tsv'"
PGPASSWORD=$APP_PASS timeout 60 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app \
    -c "\\copy (SELECT * FROM c ORDER BY id) TO '$T/out.tsv'"
assert_eq "$(sha256sum <"$T/in.tsv" | cut -d' ' -f1)" "$(sha256sum <"$T/out.tsv" | cut -d' ' -f1)" "COPY round trip"
assert_eq 20000 "$(mx_sql "SELECT count(*) FROM c")" "rows copied in"
csv=$(mx_sql "COPY (SELECT id, name FROM c WHERE id <= 2 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)")
assert_eq $'id,name\n1,name 1\n2,name 2' "$csv" "COPY TO csv"

# --- binary format: results and parameters agree with PostgreSQL byte for byte ----------------
sed '/^# refused/,$d' "$HERE/sqlite/binary.tsv" >"$T/binary.tsv"
sed -n '/^# refused/,$p' "$HERE/sqlite/binary.tsv" >"$T/refused.tsv"
pgclient "$(pg_conninfo)" binary <"$T/binary.tsv" >"$T/binary.pg" || true
pgclient "$(mx_conninfo)" binary <"$T/binary.tsv" >"$T/binary.sqlite" || true
if ! diff -u "$T/binary.pg" "$T/binary.sqlite" >"$T/binary.diff"; then
    cat "$T/binary.diff" >&2
fi
assert_eq "$(grep -c $'\t' "$T/binary.tsv")" "$(grep -c '^[a-z]' "$T/binary.pg")" "binary cases run on PostgreSQL"
assert_eq 0 "$(grep -c '|ERR|' "$T/binary.pg" || true)" "binary cases that fail on PostgreSQL"
assert_eq 0 "$(grep -c '^[-+][^-+]' "$T/binary.diff" || true)" "binary lines differing from PostgreSQL"
refused=$(pgclient "$(mx_conninfo)" binary <"$T/refused.tsv" || true)
printf '%s\n' "$refused"
assert_eq "$(grep -c $'\t' "$T/refused.tsv")" "$(printf '%s\n' "$refused" | grep -c '|ERR|0A000|')" \
    "binary cases refused with 0A000"

# --- libpq pipeline mode: the statements before a Sync are one implicit transaction ------------
pg_sql "CREATE TABLE pipe (id integer PRIMARY KEY); GRANT ALL ON pipe TO $APP_USER" >/dev/null
mx_sql "CREATE TABLE pipe (id integer PRIMARY KEY)" >/dev/null
pgclient "$(pg_conninfo)" pipeline >"$T/pipe.pg" || true
pgclient "$(mx_conninfo)" pipeline >"$T/pipe.sqlite" || true
cat "$T/pipe.sqlite"
assert_eq "FINAL|4,14" "$(tail -n 1 "$T/pipe.pg")" "pipeline on PostgreSQL"
assert_eq "$(cat "$T/pipe.pg")" "$(cat "$T/pipe.sqlite")" "pipeline results as on PostgreSQL"

# --- drivers' protocol paths: pgbench extended (transaction mode) -----------------------------
cat >"$T/transfer.sql" <<'SQL'
\set a random(1, 2)
\set b 3 - :a
\set amt random(1, 5)
BEGIN;
UPDATE acct SET balance = balance - :amt WHERE id = :a;
UPDATE acct SET balance = balance + :amt WHERE id = :b;
SELECT balance FROM acct WHERE id = :a;
COMMIT;
SQL
pgb=$(PGPASSWORD=$APP_PASS timeout 120 pgbench -n -M extended -c 8 -j 2 -T 5 -f "$T/transfer.sql" \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app 2>&1) || true
printf '%s\n' "$pgb" | grep -E 'processed|failed|tps|error' | head -n 12
assert_match 'number of failed transactions: 0 ' "$pgb" "pgbench -M extended, 8 writers"
assert_ge "$(printf '%s\n' "$pgb" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')" 100 "transactions"
assert_eq 200 "$(mx_sql "SELECT sum(balance) FROM acct")" "the transfers' invariant"
myrmex_stop

# --- committed data survives a restart; prepared statements in session mode -------------------
myrmex_start "$(sqlite_conf session)"
assert_eq 200 "$(mx_sql "SELECT sum(balance) FROM acct")" "data after a restart"
cat >"$T/read.sql" <<'SQL'
\set a random(1, 2)
SELECT balance FROM acct WHERE id = :a;
SQL
pgb=$(PGPASSWORD=$APP_PASS timeout 120 pgbench -n -M prepared -c 4 -j 2 -t 200 -f "$T/read.sql" \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app 2>&1) || true
assert_match 'number of failed transactions: 0 ' "$pgb" "pgbench -M prepared in session mode"
assert_match 'number of transactions actually processed: 800/800' "$pgb" "all prepared transactions ran"

# --- cancel ----------------------------------------------------------------------------------
start=$(now_ms)
err=$(PGPASSWORD=$APP_PASS timeout -s INT 1 psql -X -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app \
    -c "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n" 2>&1) || true
took=$(($(now_ms) - start))
note "cancel took ${took} ms: $err"
assert_match 'canceling statement due to user request' "$err" "cancelled"
assert_le "$took" 2500 "cancel time (ms, including the 1 s before it)"
assert_eq 200 "$(mx_sql "SELECT sum(balance) FROM acct")" "session usable after a cancel"

# A writer waiting for the write lock (another session holds it for 4 s) is cancelled at once,
# and statement_timeout bounds that wait too.
bg holder pgclient "$(mx_conninfo)" script <<'SQL'
BEGIN
UPDATE acct SET balance = balance WHERE id = 1
\sleep 4000
ROLLBACK
SQL
holder=$BG_PID
sleep 0.5
start=$(now_ms)
err=$(PGPASSWORD=$APP_PASS timeout -s INT 1 psql -X -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app \
    -c "UPDATE acct SET balance = balance WHERE id = 2" 2>&1) || true
took=$(($(now_ms) - start))
note "cancel of a lock wait took ${took} ms: $err"
assert_match 'canceling statement due to user request' "$err" "lock wait cancelled"
assert_le "$took" 2000 "lock wait cancel time (ms, including the 1 s before it)"
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
SET statement_timeout = 300
UPDATE acct SET balance = balance WHERE id = 2
SQL
)
assert_match 'ERR\|57014\|canceling statement due to statement timeout' "$out" "statement_timeout in a lock wait"
bg_wait "$holder" 15
assert_match 'OK\|ROLLBACK' "$(cat "$T/holder.out")" "the lock holder went on"
myrmex_stop
