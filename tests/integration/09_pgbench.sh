#!/usr/bin/env bash
# pgbench through the proxy in transaction mode: pgbench -i -s 1 (DDL, COPY, VACUUM) then
# -c 8 -j 2 -T 5 with -M simple and -M extended, zero failed transactions.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
myrmex_start "
pool_mode = transaction
default_pool_size = 4
"
export PGPASSWORD=$APP_PASS
timeout 120 pgbench -i -s 1 -h 127.0.0.1 -p "$MX_PORT" -U app app >"$T/pgbench_init.out" 2>&1 ||
    { cat "$T/pgbench_init.out"; fail "pgbench -i through the proxy"; }
assert_eq 100000 "$(pg_sql "SELECT count(*) FROM pgbench_accounts")" "pgbench_accounts rows"

for mode in simple extended; do
    rc=0
    timeout 60 pgbench -n -c 8 -j 2 -T 5 -M "$mode" -h 127.0.0.1 -p "$MX_PORT" -U app app >"$T/pgbench_$mode.out" 2>&1 || rc=$?
    grep -E 'number of (transactions actually processed|failed transactions)|^tps' "$T/pgbench_$mode.out" || true
    assert_eq 0 "$rc" "pgbench -M $mode exit status: $(tail -n 5 "$T/pgbench_$mode.out")"
    processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$T/pgbench_$mode.out")
    failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$T/pgbench_$mode.out")
    assert_ge "$processed" 100 "pgbench -M $mode transactions"
    assert_eq 0 "$failed" "pgbench -M $mode failed transactions"
done
# The tpcb balance invariant holds after both runs.
assert_eq t "$(pg_sql "SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT sum(delta) FROM pgbench_history)
                      AND (SELECT sum(bbalance) FROM pgbench_branches) = (SELECT sum(delta) FROM pgbench_history)")" \
    "pgbench balances agree with pgbench_history"
assert_le "$(server_backends)" 4 "backends"
myrmex_stop
