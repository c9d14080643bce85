#!/usr/bin/env bash
# Transaction pooling: 50 concurrent clients with default_pool_size = 5. Every transaction is
# correct (its own rows visible inside it, one backend per transaction, all committed), the
# clients together see at most 5 backends, and pg_stat_activity never shows more than 5.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
myrmex_start "
pool_mode = transaction
default_pool_size = 5
max_client_conn = 100
"
pgclient_build

bg load pgclient "$(mx_conninfo)" concurrent 50 20 5
load=$BG_PID
max_seen=0
samples=0
deadline=$(($(now_ms) + 150000))
while pid_alive "$load" && [ "$(now_ms)" -lt "$deadline" ]; do
    n=$(server_backends)
    samples=$((samples + 1))
    [ "$n" -le "$max_seen" ] || max_seen=$n
    sleep 0.1
done
rc=0
bg_wait "$load" 10 || rc=$?
out=$(cat "$T/load.out")
printf '%s\n' "$out" | tail -n 5
assert_eq 0 "$rc" "pgclient concurrent exit status"
assert_match '^clients=50 tx_ok=1000 errors=0 ' "$out" "all 1000 transactions correct"
distinct=$(printf '%s\n' "$out" | sed -n 's/.* distinct_pids=\([0-9]*\).*/\1/p')
note "distinct backend pids: $distinct; max pg_stat_activity backends: $max_seen over $samples samples"
assert_ge "$distinct" 1 "distinct backends"
assert_le "$distinct" 5 "clients saw more backends than default_pool_size"
assert_le "$max_seen" 5 "pg_stat_activity showed more backends than default_pool_size"
assert_le "$(server_backends)" 5 "backends after the load"

mx_alive || fail "proxy died"
myrmex_stop
