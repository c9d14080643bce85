#!/usr/bin/env bash
# Cancel through the proxy: SELECT pg_sleep(30) is cancelled within 1 s with SQLSTATE 57014,
# a concurrent client's query completes normally, both sessions stay usable. Transaction and
# session mode.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build
for mode in transaction session; do
    note "pool_mode = $mode"
    myrmex_start "
pool_mode = $mode
default_pool_size = 4
"
    rc=0
    out=$(pgclient "$(mx_conninfo)" cancel 3) || rc=$?
    printf '%s\n' "$out"
    assert_eq 0 "$rc" "cancel in $mode mode"
    assert_match '^cancel: ok$' "$out"
    # Nothing is left running on the server.
    wait_until 5 "no pg_sleep left on the server" \
        pg_query_is 0 "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'SELECT pg_sleep%' AND state = 'active'"
    myrmex_stop
done
