#!/usr/bin/env bash
# The performance monitor through the console, on PostgreSQL and on the SQLite backend:
# - column names and types of SHOW QUERIES, QUERY, QUERY HISTORY, SLOW, BOTTLENECKS, ALERTS
#   (simple and extended protocol), run by a stats user;
# - pgbench tpcb-like (8 clients, transaction pooling, -M simple, extended and prepared, and on
#   an sqlite:// database): SHOW QUERIES holds exactly its 7 statements, each with calls equal to
#   pgbench's "number of transactions actually processed" and 1 row per UPDATE/SELECT/INSERT;
# - SHOW QUERY's histogram adds up to the calls; SHOW BOTTLENECKS leads with SHOW QUERIES'
#   heaviest statement; ORDER BY / LIMIT; RESET QUERIES of one queryid and of all;
# - slow statements (simple, and extended with parameters) in SHOW SLOW and in the slow query
#   log, which pgbadger reads: its slowest queries list them;
# - SHOW ALERTS: a client waiting longer than alert_wait_threshold raises pool_wait, with its
#   value, threshold, message and suggestion, cleared once the client is served;
# - bad arguments: 42601, a bad queryid 22P02, RESET by a stats user 42501.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret3
STATS_USER=mxstats
STATS_PASS=stats-Secret4
LITE="$T/lite.db"
SLOWLOG="$T/slow.log"
PGBADGER_PREFIX='%m [%p]: user=%u,db=%d,app=%a,client=%h '

pg_start
pgclient_build
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$ADMIN_USER" "$ADMIN_PASS" \
    "$STATS_USER" "$STATS_PASS"
myrmex_start "
admin_users = $ADMIN_USER
stats_users = $STATS_USER
slow_query_threshold = 0
slow_query_log = $SLOWLOG
slow_query_log_parameters = 1
alert_wait_threshold = 1
[databases]
$(db_line app)
$(db_line small "pool_size=1")
lite = sqlite://$LITE
"

# console USER PASS SQL: psql on the console, unaligned, '|'-separated, with a header line.
console_as() {
    PGPASSWORD=$2 timeout 30 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$1" -d myrmex -c "$3"
}
stats() { console_as "$STATS_USER" "$STATS_PASS" "$1"; }
admin() { console_as "$ADMIN_USER" "$ADMIN_PASS" "$1"; }
# script USER PASS: pgclient script on the console (statements on stdin).
script() { pgclient "$(mx_conninfo "$1" "$2" myrmex)" script; }
# cols OUTPUT NAME...: the named columns of psql output (header first), '|'-separated.
cols() {
    local out=$1
    shift
    printf '%s\n' "$out" | awk -F'|' -v want="$*" '
        NR == 1 { n = split(want, w, " "); for (i = 1; i <= NF; i++) c[$i] = i; next }
        { line = ""; for (i = 1; i <= n; i++) line = line (i > 1 ? "|" : "") $(c[w[i]]); print line }'
}
pgb() { # DB pgbench arguments...: through the proxy, bounded
    local db=$1
    shift
    PGPASSWORD=$APP_PASS timeout -k 5 120 pgbench -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" "$@" "$db" 2>&1
}
# poll SECONDS COMMAND...: COMMAND every 0.1 s until it succeeds; false when time runs out.
poll() {
    local deadline=$(($(now_ms) + $1 * 1000))
    shift
    until "$@"; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}
processed() { printf '%s\n' "$1" | sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p'; }

# --- columns and types, simple and extended protocol (stats user) -------------------------------
F8=701 I8=20 S=25
declare -A want=(
    ["SHOW QUERIES"]="database:$S user:$S queryid:$S query:$S calls:$I8 total_exec_time:$F8 min_exec_time:$F8 max_exec_time:$F8 mean_exec_time:$F8 stddev_exec_time:$F8 rows:$I8 errors:$I8 p50:$F8 p95:$F8 p99:$F8 p999:$F8 total_wait_time:$F8 mean_wait_time:$F8 first_seen:$S last_seen:$S"
    ["SHOW QUERY 0123456789abcdef"]="database:$S user:$S lo_ms:$F8 hi_ms:$F8 count:$I8 cumulative_percent:$F8"
    ["SHOW QUERY HISTORY 0123456789abcdef"]="minute:$S database:$S user:$S calls:$I8 errors:$I8 rows:$I8 total_ms:$F8 mean_ms:$F8 wait_ms:$F8 p50_ms:$F8 p95_ms:$F8 p99_ms:$F8 max_ms:$F8"
    ["SHOW SLOW"]="at:$S database:$S user:$S application_name:$S client_addr:$S duration_ms:$F8 wait_ms:$F8 sqlstate:$S queryid:$S query:$S parameters:$S"
    ["SHOW BOTTLENECKS"]="database:$S user:$S queryid:$S query:$S calls:$I8 share_of_time:$F8 wait_share:$F8 error_rate:$F8 p99:$F8 suggestion:$S"
    ["SHOW ALERTS"]="name:$S severity:$S database:$S since:$S value:$F8 threshold:$F8 message:$S suggestion:$S"
)
for cmd in "${!want[@]}"; do
    out=$(pgclient "$(mx_conninfo "$STATS_USER" "$STATS_PASS" myrmex)" describe "$cmd")
    got=$(printf '%s\n' "$out" | awk '{ split($4, t, "="); printf "%s%s:%s", (NR > 1 ? " " : ""), $1, t[2] }')
    assert_eq "${want[$cmd]}" "$got" "columns and types of $cmd (simple and extended)"
done
help=$(PGPASSWORD=$STATS_PASS psql -X -q -h 127.0.0.1 -p "$MX_PORT" -U "$STATS_USER" -d myrmex -c "SHOW HELP" 2>&1)
for c in 'SHOW QUERIES' 'SHOW QUERY <queryid>' 'SHOW QUERY HISTORY' 'SHOW SLOW' 'SHOW BOTTLENECKS' 'SHOW ALERTS' 'RESET QUERIES'; do
    assert_match "$c" "$help" "SHOW HELP lists $c"
done
assert_eq "" "$(stats "SHOW QUERY 0123456789abcdef" | sed 1d)" "an unknown queryid has no rows"

# --- pgbench's 7 statements, exactly counted -----------------------------------------------------
PATTERNS=('^BEGIN' '^UPDATE pgbench_accounts ' '^SELECT abalance FROM pgbench_accounts ' '^UPDATE pgbench_tellers ' '^UPDATE pgbench_branches ' '^INSERT INTO pgbench_history ' '^END')
ROWS_PER_CALL=(0 1 1 1 1 1 0)
# end_calls DB: calls of the last statement of the script (END), 0 before it shows.
end_calls() {
    cols "$(stats "SHOW QUERIES $1")" calls query | awk -F'|' '$2 ~ /^END/ { print $1; f = 1 } END { if (!f) print 0 }'
}
end_is() { [ "$(end_calls "$1")" = "$2" ]; }
# What pgbench runs once before the script: the scale and partitioning of pgbench_accounts.
SETUP='^select (count\(\*\) from pgbench_branches|o\.n, p\.partstrat, )'
# check_pgbench DB OUTPUT LABEL: SHOW QUERIES DB is pgbench's 7 statements, counted right (and
# its set-up queries, once).
check_pgbench() {
    local db=$1 out=$2 label=$3 n q rows i line calls nrows
    printf '%s\n' "$out" | grep -E '^(tps|number of|latency average)' | sed "s/^/# $label: /"
    assert_match 'number of failed transactions: 0 ' "$out" "$label: failed transactions"
    n=$(processed "$out")
    assert_ge "$n" 20 "$label: transactions processed"
    # Workers fold their counts into the shared table every 100 ms.
    poll 3 end_is "$db" "$n" || note "$label: END not counted $n times after 3 s"
    q=$(stats "SHOW QUERIES $db")
    rows=$(cols "$q" calls rows query)
    printf '%s\n' "$rows" | sed "s/^/# $label: /"
    assert_eq 7 "$(printf '%s\n' "$rows" | awk -F'|' -v p="$SETUP" '$3 !~ p' | grep -c .)" \
        "$label: SHOW QUERIES $db has pgbench's 7 statements"
    assert_eq "" "$(printf '%s\n' "$rows" | awk -F'|' -v p="$SETUP" '$3 ~ p && $1 != 1')" \
        "$label: pgbench's set-up queries ran once"
    for i in "${!PATTERNS[@]}"; do
        # Case aside: a statement's text is the first one its thread saw (pgbench -i's "begin").
        line=$(printf '%s\n' "$rows" | awk -F'|' -v p="${PATTERNS[$i]}" 'tolower($3) ~ tolower(p)')
        assert_ne "" "$line" "$label: a row for ${PATTERNS[$i]}"
        IFS='|' read -r calls nrows _ <<<"$line"
        assert_eq "$n" "$calls" "$label: calls of ${PATTERNS[$i]}"
        assert_eq $((n * ROWS_PER_CALL[i])) "$nrows" "$label: rows of ${PATTERNS[$i]}"
    done
}

PGPASSWORD=$APP_PASS timeout 60 pgbench -i -s 1 -h 127.0.0.1 -p "$PG_PORT" -U "$APP_USER" app \
    >"$T/init.out" 2>&1 || { cat "$T/init.out"; fail "pgbench -i"; }
admin "RESET QUERIES" >/dev/null
r=$(pgb app -n -c 8 -j 2 -T 5) || true
check_pgbench app "$r" "tpcb-like simple"

q=$(stats "SHOW QUERIES app")
# The default order: total_exec_time, heaviest first.
sorted=$(cols "$q" total_exec_time | sort -g -r)
assert_eq "$sorted" "$(cols "$q" total_exec_time)" "SHOW QUERIES' default order"
top=$(cols "$q" queryid | sed -n 1p)
assert_match '^[0-9a-f]{16}$' "$top" "queryid is 16 hex digits"
# A histogram of the SELECT adding up to its calls, ending at 100%.
sel=$(cols "$q" queryid calls query | awk -F'|' '$3 ~ /^SELECT abalance/')
IFS='|' read -r sel_id sel_calls _ <<<"$sel"
h=$(stats "SHOW QUERY $sel_id")
assert_eq "$sel_calls" "$(cols "$h" count | awk '{ s += $1 } END { print s }')" "SHOW QUERY: the buckets add up to the calls"
assert_eq "100.000" "$(cols "$h" cumulative_percent | tail -n 1)" "SHOW QUERY: the last bucket is at 100%"
assert_eq "app|app" "$(cols "$h" database user | sort -u)" "SHOW QUERY: database and user"
assert_eq "" "$(cols "$h" lo_ms hi_ms | awk -F'|' '$1 > $2')" "SHOW QUERY: lo_ms <= hi_ms"
stats "SHOW QUERY HISTORY $sel_id app" >/dev/null
# SHOW BOTTLENECKS leads with the heaviest statement.
b=$(stats "SHOW BOTTLENECKS app")
printf '%s\n' "$b" | sed 's/^/# bottlenecks: /'
assert_eq "$top" "$(cols "$b" queryid | sed -n 1p)" "SHOW BOTTLENECKS' first row is SHOW QUERIES' heaviest"
n_app=$(printf '%s\n' "$q" | sed 1d | grep -c .)
assert_eq "$n_app" "$(cols "$b" queryid | grep -c .)" "SHOW BOTTLENECKS app: each statement"
share=$(cols "$b" share_of_time | awk '{ s += $1 } END { printf "%.0f", s }')
assert_eq 100 "$share" "the shares of a database add up to 100%"
assert_eq "" "$(cols "$b" suggestion | grep -v -E '^(clients wait for a server|no action|called|slow on its own|[0-9.]+% of calls fail)')" "a suggestion on each row"
# ORDER BY, ASC, LIMIT.
asc=$(cols "$(stats "SHOW QUERIES app ORDER BY rows ASC LIMIT 2")" rows)
assert_eq "0
0" "$asc" "ORDER BY rows ASC LIMIT 2: BEGIN and END"
by_calls=$(stats "SHOW QUERIES ORDER BY calls DESC LIMIT 3" | sed 1d | grep -c .)
assert_eq 3 "$by_calls" "LIMIT 3"
p99=$(cols "$(stats "SHOW QUERIES app ORDER BY p99")" p99)
assert_eq "$(printf '%s\n' "$p99" | sort -g -r)" "$p99" "ORDER BY p99"
# RESET QUERIES of one queryid, then of all (admin only).
admin "RESET QUERIES $sel_id" >/dev/null
assert_eq $((n_app - 1)) "$(stats "SHOW QUERIES app" | sed 1d | grep -c .)" "RESET QUERIES <queryid> forgets one"
out=$(PGPASSWORD=$ADMIN_PASS psql -X -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "RESET QUERIES" 2>&1)
assert_eq RESET "$out" "RESET QUERIES' command tag"
assert_eq "" "$(stats "SHOW QUERIES app" | sed 1d)" "RESET QUERIES empties SHOW QUERIES"

# --- the extended protocol ------------------------------------------------------------------------
r=$(pgb app -n -M extended -c 4 -j 2 -T 2) || true
check_pgbench app "$r" "tpcb-like extended"
admin "RESET QUERIES" >/dev/null
# Named prepared statements (transaction pooling prepares them on each server as needed).
r=$(pgb app -n -M prepared -c 4 -j 2 -T 2) || true
check_pgbench app "$r" "tpcb-like prepared"
admin "RESET QUERIES" >/dev/null

# --- the SQLite backend ---------------------------------------------------------------------------
init=$(pgb lite -i -s 1) || { printf '%s\n' "$init"; fail "pgbench -i on lite"; }
sleep 0.3 # the last counts of pgbench -i reach the shared table
admin "RESET QUERIES" >/dev/null
assert_eq "" "$(stats "SHOW QUERIES lite" | sed 1d)" "RESET QUERIES after pgbench -i on lite"
r=$(pgb lite -n -c 8 -j 2 -T 4) || true
check_pgbench lite "$r" "tpcb-like on SQLite"
# The console's own commands (SHOW QUERIES, RESET QUERIES, ...) are not the database's: never counted.
assert_eq "" "$(stats "SHOW QUERIES" | awk -F'|' 'NR > 1 && $1 != "lite"')" "nothing else counted since the reset"

# --- slow statements: SHOW SLOW, the slow query log, pgbadger ------------------------------------
# Only now (the pgbench runs above may have had statements waiting on locks that long).
admin "SET slow_query_threshold = '0.2'" >/dev/null
mx_sql "SELECT pg_sleep(0.3)" >/dev/null
mx_sql "SELECT 'fast'" >/dev/null
printf '%s\n' '\set d 0.25' 'SELECT pg_sleep(:d);' >"$T/sleep.sql"
r=$(pgb app -n -M extended -c 1 -t 1 -f "$T/sleep.sql") || { printf '%s\n' "$r"; fail "pgbench sleep"; }
slow_rows() { [ "$(stats "SHOW SLOW app" | sed 1d | grep -c .)" -ge 2 ]; }
poll 3 slow_rows || note "fewer than two slow statements after 3 s"
s=$(stats "SHOW SLOW app")
printf '%s\n' "$s" | sed 's/^/# slow: /'
assert_eq 2 "$(printf '%s\n' "$s" | sed 1d | grep -c .)" "SHOW SLOW: the two slow statements only"
first=$(cols "$s" query parameters user application_name | sed -n 1p)
# shellcheck disable=SC2016 # $1 is the parameter's name, not a shell variable
assert_match '^SELECT pg_sleep\(\$1\);?\|\$1 = '"'"'0.25'"'"'\|app\|pgbench$' "$first" "SHOW SLOW: newest first, with its parameters"
second=$(cols "$s" query duration_ms sqlstate client_addr | sed -n 2p)
IFS='|' read -r sq sms sstate saddr <<<"$second"
assert_eq "SELECT pg_sleep(0.3)" "$sq" "SHOW SLOW: the simple-protocol statement"
assert_ge "${sms%.*}" 300 "SHOW SLOW: duration_ms of pg_sleep(0.3)"
assert_eq "" "$sstate" "SHOW SLOW: no sqlstate for a success"
assert_eq "127.0.0.1" "$saddr" "SHOW SLOW: client_addr"
assert_eq 1 "$(stats "SHOW SLOW LIMIT 1" | sed 1d | grep -c .)" "SHOW SLOW LIMIT 1"
assert_eq "" "$(stats "SHOW SLOW lite" | sed 1d)" "SHOW SLOW lite: none"
sed 's/^/# slow log: /' "$SLOWLOG"
assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8}\.[0-9]{3} [A-Z]+ \[[0-9]+\]: user=app,db=app,app=[^,]*,client=127\.0\.0\.1 LOG:  duration: 3[0-9]{2}\.[0-9]{3} ms  statement: SELECT pg_sleep\(0\.3\)$' \
    "$(cat "$SLOWLOG")" "the slow log's simple-protocol line"
# shellcheck disable=SC2016
assert_match 'LOG:  duration: [0-9.]+ ms  execute [^:]*: SELECT pg_sleep\(\$1\)' "$(cat "$SLOWLOG")" "the slow log's extended-protocol line"
assert_match "DETAIL:  parameters: \\\$1 = '0.25'" "$(cat "$SLOWLOG")" "the slow log's parameters"
assert_not_match "fast" "$(cat "$SLOWLOG")" "a fast statement is not logged"
if command -v pgbadger >/dev/null; then
    timeout 60 pgbadger -q --prefix "$PGBADGER_PREFIX" -f stderr -o "$T/pgbadger.json" "$SLOWLOG" ||
        fail "pgbadger failed on the slow log"
    slowest=$("$PYTHON" -c '
import json, sys
d = json.load(open(sys.argv[1]))
for q in d["top_slowest"].get("postgres", []):
    print("%s|%s|%s" % (q[0], q[2], q[4]))' "$T/pgbadger.json")
    printf '%s\n' "$slowest" | sed 's/^/# pgbadger: /'
    assert_match '^3[0-9]{2}\.[0-9]+\|SELECT pg_sleep\(0\.3\);\|app$' "$slowest" "pgbadger's slowest queries: pg_sleep(0.3)"
    assert_match "^[0-9.]+\\|SELECT pg_sleep\\('0.25'\\);\\|app$" "$slowest" "pgbadger's slowest queries: the bound statement"
else
    fail "pgbadger not installed (contrib/dev.sh deps)"
fi

# --- bad arguments --------------------------------------------------------------------------------
out=$(script "$STATS_USER" "$STATS_PASS" <<'SQL'
SHOW QUERIES ORDER BY nonsense
SHOW QUERIES app LIMIT many
SHOW QUERIES app ORDER total_time
SHOW QUERIES app LIMIT 3 extra
SHOW QUERIES a b
SHOW QUERY
SHOW QUERY xyz
SHOW QUERY HISTORY 12345
SHOW SLOW LIMIT
SHOW BOTTLENECKS app extra
SHOW ALERTS now
RESET QUERIES
SHOW QUERY 0123456789abcdef app
SQL
)
printf '%s\n' "$out" | sed 's/^/# bad: /'
got=$(printf '%s\n' "$out" | awk -F'|' '$1 == "ERR" { print $2; next } $1 == "OK" { print $1 "|" $2 }')
assert_eq "42601
42601
42601
42601
42601
42601
22P02
22P02
42601
42601
42601
42501
OK|SHOW" "$got" "SQLSTATEs of bad arguments"
assert_match 'cannot order SHOW QUERIES by "nonsense"' "$out" "the message names the bad key"
out=$(script "$ADMIN_USER" "$ADMIN_PASS" <<'SQL'
RESET QUERIES nothex
RESET EVERYTHING
RESET QUERIES 0123456789abcdef extra
RESET QUERIES 0123456789abcdef
SQL
)
got=$(printf '%s\n' "$out" | awk -F'|' '$1 == "ERR" { print $2; next } $1 == "OK" { print $1 "|" $2 }')
assert_eq "22P02
42601
42601
OK|RESET" "$got" "RESET QUERIES' arguments"

# --- SHOW ALERTS: a client of small waiting for its one server longer than 1 s -------------------
mkfifo "$T/holder.fifo"
PGPASSWORD=$APP_PASS bg holder timeout 60 psql -X -q -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d small -f "$T/holder.fifo"
exec 9<>"$T/holder.fifo"
echo "BEGIN; SELECT 'small-tx';" >&9
wait_until 10 "the transaction on small" grep -q '^small-tx$' "$T/holder.out"
PGPASSWORD=$APP_PASS bg waiter timeout 60 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d small -c "SELECT 'waited'"
waiter_pid=$BG_PID
alert_is() { stats "SHOW ALERTS" | grep -q "^pool_wait|warning|small|"; }
wait_until 5 "the pool_wait alert of small" alert_is
a=$(stats "SHOW ALERTS" | grep "^pool_wait|warning|small|")
printf '%s\n' "$a" | sed 's/^/# alert: /'
IFS='|' read -r _ _ _ since value threshold message suggestion <<<"$a"
assert_match '^[0-9]{4}-[0-9]{2}-[0-9]{2} ' "$since" "the alert's since"
assert_ge "${value%.*}" 1 "the alert's value: seconds waited"
assert_eq "1.000" "$threshold" "the alert's threshold: alert_wait_threshold"
assert_match 'waiting for a server' "$message" "the alert's message"
assert_match 'raise pool_size of small' "$suggestion" "the alert's suggestion"
echo "COMMIT;" >&9
exec 9>&-
bg_wait "$waiter_pid" 20 || fail "the waiting client failed"
no_alert() { ! stats "SHOW ALERTS" | grep -q "^pool_wait|warning|small|"; }
wait_until 5 "the pool_wait alert of small cleared" no_alert

mx_alive || fail "the proxy died"
myrmex_stop
note "monitor: ok"
