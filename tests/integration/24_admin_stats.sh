#!/usr/bin/env bash
# The console's traffic statistics: SHOW STATS, STATS_TOTALS, STATS_AVERAGES, TOTALS and
# PREPARED_STATEMENTS. Column names and types (simple and extended protocol); exact counts of
# transactions and queries after known traffic (autocommit statements, BEGIN..COMMIT blocks,
# the extended protocol through pgbench); bytes; wait time of a client held back by a full pool;
# the same counts for a leased SQLite client in session pooling, which the SQLite session
# thread counts itself; averages over a 1 s stats_period that rise with traffic and fall back
# to 0 when idle; SHOW TOTALS against the sum of SHOW STATS_TOTALS. All run by a stats user.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret3
STATS_USER=mxstats
STATS_PASS=stats-Secret4
LITE="$T/lite.db"

pg_start
pgclient_build
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$APP2_USER" "$APP2_PASS" \
    "$ADMIN_USER" "$ADMIN_PASS" "$STATS_USER" "$STATS_PASS"
myrmex_start "
admin_users = $ADMIN_USER
stats_users = $STATS_USER
stats_period = 1
log_level = debug
[databases]
$(db_line app)
$(db_line small "pool_size=1")
lite = sqlite://$LITE?pool_mode=session
"

# stats SQL: psql on the console as the stats user, unaligned, '|'-separated, with headers.
stats() {
    PGPASSWORD=$STATS_PASS timeout 30 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$STATS_USER" -d myrmex -c "$1"
}
# stat_of COMMAND DB COLUMN: one value of SHOW COMMAND's row for database DB.
stat_of() {
    stats "SHOW $1" | awk -F'|' -v db="$2" -v name="$3" \
        'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
         $1 == db && col { print $col }'
}
total() { stat_of STATS "$1" "total_$2"; }
# psql_file DB FILE: run FILE through the proxy, one statement per Query message.
psql_file() {
    PGPASSWORD=$APP_PASS timeout 60 psql -X -q -At -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d "$1" -f "$2" >/dev/null
}
# wait_total DB COLUMN VALUE: until the counter reaches VALUE (the session thread of a lease
# counts a query just after answering it), then it must be exactly VALUE.
wait_total() {
    local got
    reached() { [ "$(total "$1" "$2")" -ge "$3" ]; }
    wait_until 5 "total_$2 of $1 reaching $3" reached "$1" "$2" "$3" || true
    got=$(total "$1" "$2")
    assert_eq "$3" "$got" "total_$2 of $1"
}

# --- column names and types, simple and extended protocol ------------------------------------------
N=1700 S=25
cols() { local p=$1 c out=""; shift; for c in "$@"; do out+="${out:+ }$p$c:$N"; done; printf '%s' "$out"; }
counters=(server_assignment_count xact_count query_count)
declare -A want=(
    ["SHOW STATS"]="database:$S $(cols total_ server_assignment_count xact_count query_count received sent xact_time query_time wait_time client_parse_count server_parse_count bind_count) $(cols avg_ server_assignment_count xact_count query_count recv sent xact_time query_time wait_time client_parse_count server_parse_count bind_count)"
    ["SHOW STATS_TOTALS"]="database:$S $(cols "" "${counters[@]}" bytes_received bytes_sent xact_time query_time wait_time client_parse_count server_parse_count bind_count)"
    ["SHOW STATS_AVERAGES"]="database:$S $(cols "" "${counters[@]}" bytes_received bytes_sent xact_time query_time wait_time client_parse_count server_parse_count bind_count)"
    ["SHOW TOTALS"]="name:$S value:$N"
    ["SHOW PREPARED_STATEMENTS"]="database:$S user:$S client_parse_count:$N server_parse_count:$N bind_count:$N"
)
for cmd in "${!want[@]}"; do
    out=$(pgclient "$(mx_conninfo "$STATS_USER" "$STATS_PASS" myrmex)" describe "$cmd")
    got=$(printf '%s\n' "$out" | awk '{ split($4, t, "="); printf "%s%s:%s", (NR > 1 ? " " : ""), $1, t[2] }')
    assert_eq "${want[$cmd]}" "$got" "columns and types of $cmd (simple and extended)"
done
out=$(PGPASSWORD=$STATS_PASS psql -X -q -h 127.0.0.1 -p "$MX_PORT" -U "$STATS_USER" -d myrmex -c "SHOW HELP" 2>&1)
assert_match 'SHOW STATS\|STATS_TOTALS\|STATS_AVERAGES\|TOTALS\|PREPARED_STATEMENTS' "$out" "SHOW HELP lists them"
assert_match '^myrmex\|' "$(stats "SHOW STATS" | grep '^myrmex|')" "the console's own row"
assert_match '^total_xact_count\|[0-9]+$' "$(stats "SHOW TOTALS" | grep '^total_xact_count|')" "SHOW TOTALS is key/value"

# --- exactly 100 autocommit transactions through a transaction pool ----------------------------
mx_sql "SELECT 1" >/dev/null # the pool exists, its first server is up
x0=$(total app xact_count) q0=$(total app query_count) a0=$(total app server_assignment_count)
r0=$(total app received) s0=$(total app sent) t0=$(total app xact_time) qt0=$(total app query_time)
for i in $(seq 100); do echo "SELECT $i;"; done >"$T/auto.sql"
psql_file app "$T/auto.sql"
wait_total app xact_count $((x0 + 100))
wait_total app query_count $((q0 + 100))
assert_eq $((a0 + 100)) "$(total app server_assignment_count)" "a server assigned per transaction"
assert_ge "$(total app received)" $((r0 + 100 * 15)) "total_received counts the Query messages"
assert_ge "$(total app sent)" $((s0 + 100 * 40)) "total_sent counts the replies"
assert_ge "$(total app xact_time)" $((t0 + 100)) "total_xact_time grows"
assert_ge "$(total app query_time)" $((qt0 + 100)) "total_query_time grows"

# --- transaction blocks count once; several statements in one Query are one query ---------------
x0=$(total app xact_count) q0=$(total app query_count)
for i in $(seq 10); do printf 'BEGIN;\nSELECT %d;\nSELECT 2;\nCOMMIT;\n' "$i"; done >"$T/blocks.sql"
psql_file app "$T/blocks.sql"
mx_sql "BEGIN; SELECT 1; SELECT 2; COMMIT" >/dev/null
wait_total app xact_count $((x0 + 11))
wait_total app query_count $((q0 + 41))

# --- the extended protocol: pgbench, 100 transactions of 2 statements ---------------------------
printf 'BEGIN;\nSELECT 1;\nEND;\n' >"$T/bench.sql"
x0=$(total app xact_count) q0=$(total app query_count)
PGPASSWORD=$APP_PASS timeout 60 pgbench -n -M extended -c 1 -t 100 -f "$T/bench.sql" \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app >"$T/pgbench.out" 2>&1 || { cat "$T/pgbench.out"; fail "pgbench"; }
wait_total app xact_count $((x0 + 100))
wait_total app query_count $((q0 + 300))

# --- wait time: a client waiting for the one server of small -----------------------------------
mkfifo "$T/holder.fifo"
PGPASSWORD=$APP_PASS bg holder timeout 60 psql -X -q -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d small -f "$T/holder.fifo"
exec 9<>"$T/holder.fifo"
echo "BEGIN; SELECT 'small-tx';" >&9
wait_until 10 "the transaction on small" grep -q '^small-tx$' "$T/holder.out"
w0=$(total small wait_time)
PGPASSWORD=$APP_PASS bg waiter timeout 60 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d small -c "SELECT 'waited'"
waiter_pid=$BG_PID
small_waiting() { stats "SHOW POOLS" | grep -q '^small|app|1|1|'; }
wait_until 10 "a waiting client on small" small_waiting
sleep 0.5
echo "COMMIT;" >&9
exec 9>&-
bg_wait "$waiter_pid" 20 || fail "the waiting client failed"
assert_eq waited "$(cat "$T/waiter.out")" "the waiter got the server"
assert_ge "$(total small wait_time)" $((w0 + 400000)) "total_wait_time counts the wait (µs)"

# --- a leased SQLite client (session pooling) is counted by its session thread --------------------
mkfifo "$T/lite.fifo"
PGPASSWORD=$APP_PASS bg lite timeout 60 psql -X -q -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d lite -f "$T/lite.fifo"
exec 6<>"$T/lite.fifo"
echo "CREATE TABLE t (x int); SELECT 'lite-ok';" >&6
wait_until 10 "the SQLite client's query" grep -q '^lite-ok$' "$T/lite.out"
wait_until 10 "a lease in $MX_LOG" grep -q 'socket lent to the SQLite session' "$MX_LOG"
x0=$(total lite xact_count) q0=$(total lite query_count) r0=$(total lite received) s0=$(total lite sent)
t0=$(total lite xact_time) qt0=$(total lite query_time)
{
    for i in $(seq 20); do echo "INSERT INTO t VALUES ($i);"; done
    printf 'BEGIN;\nSELECT count(*) FROM t;\nCOMMIT;\n'
    echo "SELECT 'lite-done';"
} >&6
wait_until 10 "the SQLite client's statements" grep -q '^lite-done$' "$T/lite.out"
wait_total lite xact_count $((x0 + 22))
wait_total lite query_count $((q0 + 24))
assert_ge "$(total lite received)" $((r0 + 20 * 30)) "total_received of a leased client"
assert_ge "$(total lite sent)" $((s0 + 20 * 20)) "total_sent of a leased client"
assert_ge "$(total lite xact_time)" $((t0 + 22)) "total_xact_time of a leased client"
assert_ge "$(total lite query_time)" $((qt0 + 24)) "total_query_time of a leased client"

# --- averages over stats_period = 1 s ------------------------------------------------------------
PGPASSWORD=$APP_PASS timeout 60 pgbench -n -c 1 -T 3 -f "$T/bench.sql" \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app >"$T/pgbench2.out" 2>&1 || { cat "$T/pgbench2.out"; fail "pgbench -T"; }
# One Query, right after the traffic: both answers cover the same period.
both=$(stats "SHOW STATS_AVERAGES; SHOW STATS" | grep '^app|')
printf '%s\n' "$both"
avg=$(printf '%s\n' "$both" | sed -n 1p)
IFS='|' read -r _ _ a_xact a_query a_recv a_sent a_xtime a_qtime _ <<<"$avg"
assert_ge "$a_xact" 1 "SHOW STATS_AVERAGES xact_count (per second) after traffic"
assert_ge "$a_query" 1 "SHOW STATS_AVERAGES query_count (per second) after traffic"
assert_ge "$a_recv" 1 "SHOW STATS_AVERAGES bytes_received (per second) after traffic"
assert_ge "$a_sent" 1 "SHOW STATS_AVERAGES bytes_sent (per second) after traffic"
assert_ge "$a_xtime" 1 "SHOW STATS_AVERAGES xact_time (per transaction) after traffic"
assert_ge "$a_qtime" 1 "SHOW STATS_AVERAGES query_time (per query) after traffic"
assert_le "$a_qtime" "$a_xtime" "a query takes no longer than its transaction"
assert_ge "$a_query" "$((a_xact * 3 - 3))" "three queries per transaction, per second"
assert_eq "$a_xact" "$(printf '%s\n' "$both" | sed -n 2p | cut -d'|' -f14)" "SHOW STATS' avg_xact_count"
idle_avg() { [ "$(stat_of STATS_AVERAGES app xact_count)" = 0 ]; }
wait_until 5 "the averages falling back after an idle period" idle_avg || true
assert_eq "app|0|0|0|0|0|0|0|0|0|0|0" "$(stats "SHOW STATS_AVERAGES" | grep '^app|')" "averages are 0 after an idle period"

# --- SHOW TOTALS = the sum of SHOW STATS_TOTALS (one Query: nothing counted in between) ----------
both=$(stats "SHOW STATS_TOTALS; SHOW TOTALS")
sums=$(printf '%s\n' "$both" | awk -F'|' '
    /^database\|/ { for (i = 2; i <= NF; i++) name[i] = $i; n = NF; mode = 1; next }
    /^name\|value$/ { mode = 2; next }
    mode == 1 { for (i = 2; i <= n; i++) sum[name[i]] += $i }
    mode == 2 && $1 ~ /^total_/ { key = substr($1, 7); if (key == "client_bytes") key = "bytes_received";
        if (key == "server_bytes") key = "bytes_sent";
        if (key == "bytes_sent") { if ($2 < sum[key]) print "bad " key; next }
        if ($2 != sum[key]) print "bad " key " " $2 " != " sum[key]; else ok++ }
    END { print "ok " ok }')
assert_eq "ok 10" "$sums" "SHOW TOTALS against the sum of SHOW STATS_TOTALS"

# --- prepared statements (transaction pooling, named statements) ---------------------------------
b0=$(total app bind_count)
PGPASSWORD=$APP_PASS timeout 60 pgbench -n -M prepared -c 1 -t 10 -f "$T/bench.sql" \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" app >"$T/pgbench3.out" 2>&1 || { cat "$T/pgbench3.out"; fail "pgbench -M prepared"; }
ps=$(stats "SHOW PREPARED_STATEMENTS")
printf '%s\n' "$ps"
assert_match '^database\|user\|client_parse_count\|server_parse_count\|bind_count$' "$ps" "SHOW PREPARED_STATEMENTS header"
row=$(printf '%s\n' "$ps" | grep '^app|app|')
IFS='|' read -r _ _ cparse sparse binds <<<"$row"
assert_eq 3 "$cparse" "a Parse per statement of the script, once per connection"
assert_ge "$sparse" 1 "statements prepared on the server"
assert_eq 30 "$binds" "a Bind per statement run"
assert_eq $((b0 + 30)) "$(total app bind_count)" "SHOW STATS' total_bind_count"

exec 6>&-
myrmex_stop
note "admin stats: ok"
