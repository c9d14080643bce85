#!/usr/bin/env bash
# Named prepared statements in transaction pooling, on PostgreSQL and on the SQLite backend.
# - Protocol level (tests/integration/pswire.py): two clients share one server with
#   max_prepared_statements = 2; their replies, step by step, equal those of a session of their
#   own (PostgreSQL directly; the SQLite backend in session mode): shared and clashing names,
#   eviction and re-prepare, errors in the middle of pipelines (skipped Parse and Close undone),
#   failed transaction blocks, duplicate and unknown names, Close, DEALLOCATE (simple and
#   extended; in a failed transaction block), DEALLOCATE ALL, DISCARD ALL, Flush without Sync,
#   COPY FROM STDIN in the extended protocol (its ignored Sync), search_path.
# - What differs on purpose: SQL-level PREPARE/EXECUTE refused with 0A000 (failing the
#   transaction block like an error would); a plan broken by DDL fails like PostgreSQL's and
#   works once prepared again.
# - pgbench -M prepared, 64 clients over 8 servers, zero failures; the server never holds more
#   than max_prepared_statements statements.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pg_sql "CREATE SCHEMA sp1 AUTHORIZATION $APP_USER; CREATE SCHEMA sp2 AUTHORIZATION $APP_USER;
    CREATE TABLE sp1.spt (v text); CREATE TABLE sp2.spt (v text);
    INSERT INTO sp1.spt VALUES ('one'); INSERT INTO sp2.spt VALUES ('two');
    ALTER TABLE sp1.spt OWNER TO $APP_USER; ALTER TABLE sp2.spt OWNER TO $APP_USER;" >/dev/null

myrmex_start "
pool_mode = transaction
default_pool_size = 1
max_prepared_statements = 2
[databases]
$(db_line app)
sq = sqlite://$T/sq.db?pool_size=1
sqs = sqlite://$T/sq.db?pool_mode=session&pool_size=4
"
wire() { timeout -k 5 150 "$PYTHON" "$TOP/tests/integration/pswire.py" "$@"; }
target() { printf '127.0.0.1:%s:%s:%s:%s' "$1" "$APP_USER" "$APP_PASS" "$2"; }

out=$(wire diff "$(target "$PG_PORT" app)" "$(target "$MX_PORT" app)") || true
printf '%s\n' "$out"
assert_match 'pswire: ok' "$out" "PostgreSQL through transaction pooling replies as a session"
out=$(wire check "$(target "$MX_PORT" app)") || true
printf '%s\n' "$out"
assert_match 'pswire: ok' "$out" "refusals and DDL on PostgreSQL"

scenarios=(shared_names eviction error_skips transactions deallocate flush failed_block copy)
out=$(wire diff "$(target "$MX_PORT" sqs)" "$(target "$MX_PORT" sq)" "${scenarios[@]}") || true
printf '%s\n' "$out"
assert_match 'pswire: ok' "$out" "SQLite through transaction pooling replies as a session"
out=$(wire check "$(target "$MX_PORT" sq)") || true
printf '%s\n' "$out"
assert_match 'pswire: ok' "$out" "refusals and DDL on SQLite"
mx_alive || fail "proxy died"
myrmex_stop

# --- pgbench -M prepared: 64 clients, 8 servers ---------------------------------------------
myrmex_start "
pool_mode = transaction
default_pool_size = 8
max_client_conn = 200
max_prepared_statements = 3
"
export PGPASSWORD=$APP_PASS
timeout 120 pgbench -q -i -s 1 -h 127.0.0.1 -p "$PG_PORT" -U app app >"$T/init.out" 2>&1 ||
    { cat "$T/init.out"; fail "pgbench -i"; }
for script in select-only tpcb-like; do
    rc=0
    timeout 90 pgbench -n -b "$script" -M prepared -c 64 -j 2 -T 5 -h 127.0.0.1 -p "$MX_PORT" \
        -U app app >"$T/$script.out" 2>&1 || rc=$?
    grep -E 'number of (transactions actually processed|failed transactions)|^tps' "$T/$script.out" || true
    assert_eq 0 "$rc" "pgbench -M prepared $script: $(tail -n 3 "$T/$script.out")"
    assert_match 'number of failed transactions: 0 ' "$(cat "$T/$script.out")" "$script failures"
done
history=$(pg_sql "SELECT count(*) FROM pgbench_history")
assert_ge "$history" 1 "tpcb-like wrote its history"
# Every server holds at most max_prepared_statements of the proxy's statements.
for i in 1 2 3 4 5 6 7 8; do
    n=$(mx_sql "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'myrmex%'")
    assert_le "$n" 3 "statements on a server"
    [ "$i" -lt 8 ] || break
done
mx_alive || fail "proxy died"
myrmex_stop
