#!/usr/bin/env bash
# Statement pooling: single statements work (simple and extended protocol); a multi-statement
# transaction (BEGIN) is refused with SQLSTATE 0A000 and leaves no server stuck in a
# transaction; the proxy keeps serving.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build
myrmex_start "
pool_mode = statement
default_pool_size = 2
"
mx_sql "CREATE TABLE t_stmt(v int)" >/dev/null
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
SELECT 'single'
INSERT INTO t_stmt VALUES (1)
BEGIN
INSERT INTO t_stmt VALUES (2)
COMMIT
SQL
) || true
printf '%s\n' "$out"
assert_match '^OK\|SELECT 1\|single\|' "$(sed -n 2p <<<"$out")" "single statement"
assert_match '^OK\|INSERT 0 1\|' "$(sed -n 3p <<<"$out")" "autocommit insert"
state=$(printf '%s\n' "$out" | tail -n +4 | awk -F'|' '$1 == "ERR" { print $2; exit }')
assert_eq 0A000 "$state" "BEGIN in statement mode"
wait_until 5 "no server idle in transaction" \
    pg_query_is 0 "SELECT count(*) FROM pg_stat_activity WHERE usename = 'app' AND state LIKE 'idle in transaction%'"

out=$(pgclient "$(mx_conninfo)" extended 4 30 notx)
printf '%s\n' "$out"
assert_match 'errors=0' "$out" "extended protocol in statement mode"
assert_eq ok "$(mx_sql "SELECT 'ok'")" "serving after the refusal"
myrmex_stop
