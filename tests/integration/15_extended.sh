#!/usr/bin/env bash
# Extended protocol in transaction mode: unnamed statements (text and binary results, errors,
# inside and outside transactions) from many clients over a small pool, and pgbench -M
# extended. Named prepared statements (pgbench -M prepared) give correct results.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build
myrmex_start "
pool_mode = transaction
default_pool_size = 3
"
out=$(pgclient "$(mx_conninfo)" extended 10 100)
printf '%s\n' "$out"
assert_match 'extended: clients=10 ok=1000 errors=0' "$out" "unnamed statements"

export PGPASSWORD=$APP_PASS
timeout 120 pgbench -q -i -s 1 -h 127.0.0.1 -p "$PG_PORT" -U app app >"$T/pgbench_init.out" 2>&1 ||
    { cat "$T/pgbench_init.out"; fail "pgbench -i"; }
rc=0
timeout 60 pgbench -n -S -c 6 -j 2 -T 3 -M extended -h 127.0.0.1 -p "$MX_PORT" -U app app >"$T/ext.out" 2>&1 || rc=$?
grep -E 'number of (transactions actually processed|failed transactions)' "$T/ext.out" || true
assert_eq 0 "$rc" "pgbench -M extended: $(tail -n 3 "$T/ext.out")"
assert_match 'number of failed transactions: 0 ' "$(cat "$T/ext.out")" "pgbench -M extended failures"

# Named prepared statements (src/pool/prepared.c): correct results, never a refusal.
rc=0
out=$(pgclient "$(mx_conninfo)" prepared 60) || rc=$?
printf '%s\n' "$out"
assert_eq 0 "$rc" "named prepared statements"
assert_match '^prepared: ok executions=60 good=60 ' "$out" "named prepared statements give correct results"

rc=0
timeout 60 pgbench -n -S -c 4 -j 2 -T 3 -M prepared -h 127.0.0.1 -p "$MX_PORT" -U app app >"$T/prep.out" 2>&1 || rc=$?
tail -n 12 "$T/prep.out"
assert_eq 0 "$rc" "pgbench -M prepared"
assert_match 'number of failed transactions: 0 ' "$(cat "$T/prep.out")" "pgbench -M prepared failures"
mx_alive || fail "proxy died"
assert_eq ok "$(mx_sql "SELECT 'ok'")" "serving after prepared statements"
myrmex_stop
