#!/usr/bin/env bash
# 1,000 malformed startup packets, random bytes, bogus cancel requests and half-finished
# logins sent to the proxy's port while pgbench -c 4 -T 5 runs through it: pgbench sees zero
# failed transactions, the proxy stays alive and serving, and its descriptors come back down.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
PGPASSWORD=$APP_PASS timeout 120 pgbench -q -i -s 1 -h 127.0.0.1 -p "$PG_PORT" -U app app >"$T/pgbench_init.out" 2>&1 ||
    { cat "$T/pgbench_init.out"; fail "pgbench -i"; }
myrmex_start "
pool_mode = transaction
default_pool_size = 5
max_client_conn = 300
client_login_timeout = 5
"
base_fd=$(mx_fd_count)

bg fuzz "$PYTHON" "$TOP/tests/integration/fuzz_startup.py" "$MX_PORT" 1000 5 "${FUZZ_SEED:-$RANDOM}"
fuzz_pid=$BG_PID
rc=0
PGPASSWORD=$APP_PASS timeout 60 pgbench -n -c 4 -j 2 -T 5 -h 127.0.0.1 -p "$MX_PORT" -U app app >"$T/pgbench.out" 2>&1 || rc=$?
frc=0
bg_wait "$fuzz_pid" 60 || frc=$?
cat "$T/fuzz.out"
grep -E 'number of (transactions actually processed|failed transactions)|tps' "$T/pgbench.out" || true
assert_eq 0 "$rc" "pgbench exit status during the fuzzing: $(tail -n 5 "$T/pgbench.out")"
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$T/pgbench.out")
failed=$(sed -n 's/^number of failed transactions: \([0-9]*\).*/\1/p' "$T/pgbench.out")
assert_ge "$processed" 1 "pgbench transactions processed"
assert_eq 0 "$failed" "pgbench failed transactions"
assert_eq 0 "$frc" "fuzzer: the proxy refused connections"
assert_match 'connections=1000 ' "$(cat "$T/fuzz.out")" "fuzzer sent all its connections"

mx_alive || fail "proxy died"
assert_eq ok "$(mx_sql "SELECT 'ok'")" "proxy serving after the fuzzing"
# 1,000 garbage connections leave nothing behind: at most the pool's 5 servers are added.
wait_until 15 "proxy fds back near the start count ($base_fd + 5 servers)" \
    mx_fds_at_most "$((base_fd + 5))"
myrmex_stop
