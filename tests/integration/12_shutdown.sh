#!/usr/bin/env bash
# SIGTERM drains: with a transaction open, the proxy stops accepting new clients, lets the
# transaction COMMIT (within shutdown_timeout), then exits 0.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build
myrmex_start "
pool_mode = transaction
shutdown_timeout = 10
"
mx_sql "CREATE TABLE t_shut(v text)" >/dev/null

bg tx pgclient "$(mx_conninfo)" script <<'SQL'
BEGIN
INSERT INTO t_shut VALUES ('first')
\echo IN_TRANSACTION
\sleep 2000
INSERT INTO t_shut VALUES ('second')
COMMIT
SQL
tx_pid=$BG_PID
wait_until 10 "transaction open" grep -q IN_TRANSACTION "$T/tx.out"

t_term=$(now_ms)
kill -TERM "$MX_PID"
sleep 0.3
mx_alive || fail "proxy exited at SIGTERM with a transaction open"

# No new clients while draining.
out=$(pgclient "$(mx_conninfo)" script <<<"SELECT 'should not run'") || true
printf '%s\n' "$out"
assert_not_match 'should not run' "$out" "new client accepted during shutdown"

rc=0
bg_wait "$tx_pid" 20 || rc=$?
cat "$T/tx.out"
# The COMMIT must succeed; the proxy may then end the session (57P01, pgclient exit 3).
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || fail "client with the open transaction: exit status $rc"
assert_match '^OK\|COMMIT\|' "$(grep '^OK|COMMIT' "$T/tx.out" || true)" "COMMIT during shutdown"
assert_eq 2 "$(pg_sql "SELECT count(*) FROM t_shut")" "rows committed during shutdown"

if ! wait_pid_exit "$MX_PID" 15; then
    fail "proxy still running 15 s after SIGTERM (shutdown_timeout = 10)"
fi
elapsed=$(($(now_ms) - t_term))
rc=0
wait "$MX_PID" || rc=$?
MX_PID=""
note "proxy exited with status $rc, $elapsed ms after SIGTERM"
mx_check_sanitizer
[ "$MYRMEX_TEST_PROXY" = pgbouncer ] || assert_eq 0 "$rc" "proxy exit status after SIGTERM"
