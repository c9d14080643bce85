#!/usr/bin/env bash
# SIGHUP reload: a changed default_pool_size takes effect; a bad configuration on reload is
# reported and the old one stays (pool size unchanged, proxy serving).
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build

backends_used() { # run 10 clients x 8 transactions of 20 ms, print the distinct backend count
    local out
    out=$(pgclient "$(mx_conninfo)" concurrent 10 8 20)
    printf '%s\n' "$out" | head -n 1 >&2
    assert_match 'errors=0' "$out" "load"
    printf '%s\n' "$out" | sed -n 's/.* distinct_pids=\([0-9]*\).*/\1/p'
}

myrmex_start "default_pool_size = 2"
n=$(backends_used)
assert_le "$n" 2 "backends with default_pool_size = 2"

myrmex_write_conf "default_pool_size = 4"
kill -HUP "$MX_PID"
sleep 1
mx_alive || fail "proxy died on SIGHUP"
n=$(backends_used)
assert_ge "$n" 3 "backends after reloading default_pool_size = 4"
assert_le "$n" 4 "backends after reloading default_pool_size = 4"
assert_le "$(server_backends)" 4 "server backends"

# A bad configuration: the reload fails as a whole; pool size 4 stays.
log_lines=$(wc -l <"$MX_LOG")
myrmex_write_conf "
default_pool_size = 1
pool_mode = no-such-mode
"
kill -HUP "$MX_PID"
sleep 1
mx_alive || fail "proxy died on a bad reload"
new_log=$(tail -n +"$((log_lines + 1))" "$MX_LOG")
printf '%s\n' "$new_log" | tail -n 5
assert_match 'no-such-mode|pool_mode' "$new_log" "the bad value is reported in the log"
assert_eq ok "$(mx_sql "SELECT 'ok'")" "serving after a bad reload"
n=$(backends_used)
assert_ge "$n" 3 "backends after a rejected reload (old default_pool_size = 4 must stay)"
assert_le "$n" 4 "backends after a rejected reload"

# --check-config agrees.
rc=0
"$MYRMEX_BIN" --check-config -c "$MX_CONF" >"$T/check.out" 2>&1 || rc=$?
[ "$MYRMEX_TEST_PROXY" = pgbouncer ] || assert_eq 1 "$rc" "--check-config on the bad file"
myrmex_stop
