#!/usr/bin/env bash
# Server errors through the proxy: an error leaves the connection usable; a failed transaction
# answers 25P02 until ROLLBACK (and keeps its server while failed, under concurrent load);
# savepoints work; an error inside a multi-statement query is reported and the session goes on.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build
for mode in transaction session; do
    note "pool_mode = $mode"
    myrmex_start "
pool_mode = $mode
default_pool_size = 2
"
    mx_sql "DROP TABLE IF EXISTS t_err; CREATE TABLE t_err(v int)" >/dev/null
    noise_pid=""
    if [ "$mode" = transaction ]; then
        bg noise pgclient "$(mx_conninfo)" concurrent 4 40 3
        noise_pid=$BG_PID
    fi
    out=$(pgclient "$(mx_conninfo)" script <<'SQL'
SELECT 1/0
SELECT 'usable after error'
SELECT * FROM no_such_table
SELEC 1
SELECT 'usable after syntax error'
BEGIN
INSERT INTO t_err VALUES (1)
SELECT 1/0
SELECT 1
\sleep 200
SELECT 2
COMMIT
SELECT count(*) FROM t_err
BEGIN
INSERT INTO t_err VALUES (2)
SELECT no_such_column FROM t_err
ROLLBACK
SELECT count(*) FROM t_err
BEGIN
INSERT INTO t_err VALUES (3)
SAVEPOINT s1
INSERT INTO t_err VALUES ('x')
ROLLBACK TO SAVEPOINT s1
INSERT INTO t_err VALUES (4)
COMMIT
SELECT string_agg(v::text, ',' ORDER BY v) FROM t_err
SELECT 1; SELECT 1/0; SELECT 3
SELECT 'usable after multi-statement error'
SQL
    )
    printf '%s\n' "$out"
    # Drop the timing column for the comparison.
    got=$(printf '%s\n' "$out" | cut -d'|' -f1-3)
    expected='CONNECTED
ERR|22012|division by zero
OK|SELECT 1|usable after error
ERR|42P01|relation "no_such_table" does not exist
ERR|42601|syntax error at or near "SELEC"
OK|SELECT 1|usable after syntax error
OK|BEGIN|
OK|INSERT 0 1|
ERR|22012|division by zero
ERR|25P02|current transaction is aborted, commands ignored until end of transaction block
ERR|25P02|current transaction is aborted, commands ignored until end of transaction block
OK|ROLLBACK|
OK|SELECT 1|0
OK|BEGIN|
OK|INSERT 0 1|
ERR|42703|column "no_such_column" does not exist
OK|ROLLBACK|
OK|SELECT 1|0
OK|BEGIN|
OK|INSERT 0 1|
OK|SAVEPOINT|
ERR|22P02|invalid input syntax for type integer: "x"
OK|ROLLBACK|
OK|INSERT 0 1|
OK|COMMIT|
OK|SELECT 1|3,4
ERR|22012|division by zero
OK|SELECT 1|usable after multi-statement error
DONE'
    if [ "$got" != "$expected" ]; then
        diff <(printf '%s\n' "$expected") <(printf '%s\n' "$got") || true
        fail "unexpected results in $mode mode (diff: expected vs got)"
    fi
    if [ -n "$noise_pid" ]; then
        rc=0
        bg_wait "$noise_pid" 60 || rc=$?
        assert_eq 0 "$rc" "concurrent load beside the failing session: $(tail -n 3 "$T/noise.out")"
    fi
    wait_until 5 "no server left idle in transaction" \
        pg_query_is 0 "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND state LIKE 'idle in transaction%'"
    myrmex_stop
done
