#!/usr/bin/env bash
# SIGTERM (SHUTDOWN WAIT_FOR_CLIENTS) during a pgbench run in transaction mode: clients keep
# being served, then each is closed between two transactions in time for shutdown_timeout. No
# client sees a broken transaction (every abort is at a transaction's first statement), every
# transaction pgbench counted is committed whole and no other, and the proxy exits 0 within
# shutdown_timeout.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

SHUTDOWN_TIMEOUT=6
pg_start
myrmex_start "
pool_mode = transaction
default_pool_size = 4
shutdown_timeout = $SHUTDOWN_TIMEOUT
"
mx_sql "CREATE TABLE t_pair(r bigint NOT NULL, part int NOT NULL)" >/dev/null
# Two statements in each transaction with a pause between them, so that transactions are in
# flight whenever the signal arrives.
cat >"$T/pair.sql" <<'SQL'
\set r random(1, 9000000000000000000)
BEGIN;
INSERT INTO t_pair VALUES (:r, 1);
SELECT pg_sleep(0.005);
INSERT INTO t_pair VALUES (:r, 2);
COMMIT;
SQL

export PGPASSWORD=$APP_PASS
bg bench timeout 60 pgbench -n -c 8 -j 2 -T 30 -M extended -f "$T/pair.sql" \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app
bench_pid=$BG_PID
has_rows() { [ "$(pg_sql "SELECT count(*) >= 100 FROM t_pair")" = t ]; }
wait_until 20 "pgbench transactions" has_rows
t_term=$(now_ms)
kill -TERM "$MX_PID"
sleep 1
mx_alive || fail "the proxy exited at once on SIGTERM with clients connected"
before=$(pg_sql "SELECT count(*) FROM t_pair")
sleep 0.5
assert_ge "$(pg_sql "SELECT count(*) FROM t_pair")" "$((before + 2))" "clients are still served after SIGTERM"

wait_pid_exit "$MX_PID" $((SHUTDOWN_TIMEOUT + 2)) || fail "proxy still running $((SHUTDOWN_TIMEOUT + 2)) s after SIGTERM"
elapsed=$(($(now_ms) - t_term))
rc=0
wait "$MX_PID" || rc=$?
MX_PID=""
note "proxy exited with status $rc, $elapsed ms after SIGTERM"
mx_check_sanitizer
assert_eq 0 "$rc" "exit status after SIGTERM"
assert_le "$elapsed" $((SHUTDOWN_TIMEOUT * 1000 + 500)) "exited within shutdown_timeout"
grep -q 'closing each when its transaction ends' "$MX_LOG" || fail "no drain phase in the log"
if grep -q 'shutdown_timeout reached' "$MX_LOG"; then fail "clients were cut at shutdown_timeout"; fi

bench_rc=0
bg_wait "$bench_pid" 30 || bench_rc=$?
out=$(cat "$T/bench.out")
printf '%s\n' "$out" | grep -E 'aborted|processed|failed' | sort | uniq -c | head -20
# pgbench numbers the script's commands from 0: 0 \set, 1 BEGIN, 2-4 inside, 5 COMMIT.
aborts=$(printf '%s\n' "$out" | grep -c 'aborted in command' || true)
assert_ge "$aborts" 1 "pgbench clients were closed by the shutdown (exit status $bench_rc)"
mid=$(printf '%s\n' "$out" | grep 'aborted in command' | grep -vc 'aborted in command 1 ' || true)
assert_eq 0 "$mid" "no client was closed inside a transaction"
processed=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' <<<"$out")
assert_match '^[0-9]+$' "$processed" "pgbench's count of processed transactions"
assert_eq 0 "$(pg_sql "SELECT count(*) FROM (SELECT r FROM t_pair GROUP BY r HAVING count(*) <> 2 OR sum(part) <> 3) x")" \
    "every committed transaction is whole"
assert_eq "$processed" "$(pg_sql "SELECT count(DISTINCT r) FROM t_pair")" \
    "the transactions pgbench counted are exactly the committed ones"
