#!/usr/bin/env bash
# PostgreSQL restarted (pg_ctl restart -m fast) under the proxy: the in-flight query gets an
# error (not a hang), new queries succeed within 2 s of the server being back, a client that
# stayed connected through the restart works again, and the proxy's open descriptors return to
# their count before the restart (no leaked sockets).
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build
myrmex_start "
pool_mode = transaction
default_pool_size = 3
"

warm_pool() { # 6 clients x 3 transactions of 0.2 s on a pool of 3: all 3 servers open.
    local out
    out=$(pgclient "$(mx_conninfo)" concurrent 6 3 200)
    printf '%s\n' "$out" | head -n 1
    assert_match 'errors=0 distinct_pids=3 ' "$out" "warm-up uses exactly the 3 pooled servers"
}

warm_pool
sleep 0.5
base_fd=$(mx_fd_count)
note "proxy fds with 3 pooled servers and no clients: $base_fd"
assert_eq 3 "$(server_backends)" "server backends after warm-up"

# A client idle in transaction mode through the restart, and one with a query in flight.
bg idle pgclient "$(mx_conninfo)" script < <(printf 'SELECT 1\n\\sleep 6000\nSELECT 42\n')
idle_pid=$BG_PID
bg inflight pgclient "$(mx_conninfo)" script < <(printf 'SELECT pg_sleep(20)\nSELECT 1\n')
inflight_pid=$BG_PID
wait_until 10 "idle client connected" grep -q '^OK|SELECT 1|1' "$T/idle.out"
wait_until 10 "in-flight query running" \
    pg_query_is 1 "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(20)' AND state = 'active'"

note "restarting PostgreSQL"
t_restart=$(now_ms)
pg_restart
t_back=$(now_ms)
note "PostgreSQL back after $((t_back - t_restart)) ms"

# The in-flight client got an error promptly.
bg_wait "$inflight_pid" 10 || true
cat "$T/inflight.out"
assert_match '^(ERR|CONNBAD)' "$(sed -n 2p "$T/inflight.out")" "in-flight query result after the restart"
assert_not_match '^TIMEOUT' "$(cat "$T/inflight.out")" "in-flight query hung"

# New queries work within 2 s of the server being back.
ok_at=""
deadline=$((t_back + 10000))
while [ "$(now_ms)" -lt "$deadline" ]; do
    if [ "$(mx_sql "SELECT 'back'" 2>/dev/null)" = back ]; then
        ok_at=$(now_ms)
        break
    fi
    sleep 0.05
done
[ -n "$ok_at" ] || fail "no query succeeded through the proxy within 10 s of the restart"
note "first successful query $((ok_at - t_back)) ms after PostgreSQL was back"
assert_le "$((ok_at - t_back))" 2000 "ms until a new query succeeds after the server is back"

# The client that stayed connected works on.
bg_wait "$idle_pid" 20 || true
cat "$T/idle.out"
assert_match '^OK\|SELECT 1\|42\|' "$(grep -v '^CONNECTED' "$T/idle.out" | sed -n 2p)" "idle client's query after the restart"

# Same pool shape again: descriptors back to the count before the restart.
warm_pool
fd_now=""
deadline=$(($(now_ms) + 15000))
while [ "$(now_ms)" -lt "$deadline" ]; do
    fd_now=$(mx_fd_count)
    [ "$fd_now" -eq "$base_fd" ] && break
    sleep 0.2
done
note "proxy fds now: $fd_now (before the restart: $base_fd)"
if [ "$fd_now" -ne "$base_fd" ]; then
    ls -l "/proc/$MX_PID/fd" >&2 || true
fi
assert_eq "$base_fd" "$fd_now" "proxy file descriptors after the restart"
assert_eq 3 "$(server_backends)" "server backends after the restart"
myrmex_stop
