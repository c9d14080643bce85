#!/usr/bin/env bash
# Console jobs, the HTTP health endpoints and `myrmex admin`: CHECK DATABASES answers a job id
# at once; WAIT JOB relays its progress as NOTICEs and returns one row per database (the real
# PostgreSQL with its server_version, an SQLite file, a closed port, a port that accepts and
# never answers); SHOW JOBS states; CANCEL JOB of a running and of a queued job; unknown ids
# (42704); a stats user may read but not submit. /healthz, /readyz (503 with the reason while
# PostgreSQL is down, 200 again after it is back), 404. The command-line twin prints tables and
# exit codes. No password appears in any output or log.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret7
STATS_USER=mxstats
STATS_PASS=stats-Secret8
LITE="$T/lite.db"
HTTP_PORT=$(free_port)
CLOSED_PORT=$(free_port)
HANG_PORT=$(free_port)

pg_start
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$ADMIN_USER" "$ADMIN_PASS" \
    "$STATS_USER" "$STATS_PASS"
"$PYTHON" -c "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t (x int)'); c.commit()" "$LITE"

# A TCP listener that accepts and never answers: a connect to it hangs in the login.
bg hang "$PYTHON" -c "
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(('127.0.0.1', $HANG_PORT)); s.listen(16)
held = []
end = time.time() + 300
s.settimeout(1)
while time.time() < end:
    try:
        held.append(s.accept()[0])
    except socket.timeout:
        pass
"
HANG_PID=$BG_PID
wait_until 10 "the silent listener" port_open 127.0.0.1 "$HANG_PORT"

conf_body() { # CONNECT_TIMEOUT_SECONDS
    cat <<CONF
admin_users = $ADMIN_USER
stats_users = $STATS_USER
server_connect_timeout = $1
metrics_listen = 127.0.0.1:$HTTP_PORT
[databases]
$(db_line app)
lite = sqlite://$LITE
closed = host=127.0.0.1 port=$CLOSED_PORT dbname=app user=$APP_USER password=$APP_PASS
hang = host=127.0.0.1 port=$HANG_PORT dbname=app user=$APP_USER password=$APP_PASS
CONF
}
myrmex_start "$(conf_body 2)"

# console USER PASSWORD SQL: psql on the console, unaligned, with headers; stderr too.
console() {
    PGPASSWORD=$2 timeout 60 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$1" -d myrmex -c "$3" 2>&1
}
admin() { console "$ADMIN_USER" "$ADMIN_PASS" "$1"; }
stats() { console "$STATS_USER" "$STATS_PASS" "$1"; }
ALL_OUT="$T/all-output.txt"
keep() { printf '%s\n' "$1" >>"$ALL_OUT"; }
# job_state ID: the state column of SHOW JOBS for job ID.
job_state() { admin "SHOW JOBS" | awk -F'|' -v id="$1" '$1 == id { print $4 }'; }
state_is() { [ "$(job_state "$1")" = "$2" ]; }

# --- CHECK DATABASES and WAIT JOB --------------------------------------------------------------
out=$(admin "CHECK DATABASES")
keep "$out"
printf '%s\n' "$out"
assert_match 'NOTICE: +job 1 queued; WAIT JOB 1' "$out" "the submit NOTICE says how to wait"
assert_eq "job_id" "$(printf '%s\n' "$out" | grep -v NOTICE | sed -n 1p)" "one column job_id"
assert_eq "1" "$(printf '%s\n' "$out" | grep -v NOTICE | sed -n 2p)" "the first job's id"

start=$(now_ms)
out=$(admin "WAIT JOB 1")
keep "$out"
printf '%s\n' "$out"
assert_match 'NOTICE: +checking database app \(1 of 4\)' "$out" "progress relayed as NOTICE"
assert_match 'NOTICE: +database hang: unreachable: timeout after 2000 ms' "$out" "progress of the last database"
assert_match '^database\|backend\|reachable\|server_version\|latency_ms\|error$' "$out" "result columns"
pgver=$(pg_sql "SHOW server_version")
app_row=$(printf '%s\n' "$out" | grep '^app|')
assert_match "^app\|postgresql\|yes\|$(printf '%s' "$pgver" | sed 's/[().+]/\\&/g')\|[0-9]+\|$" "$app_row" "the PostgreSQL row"
lite_row=$(printf '%s\n' "$out" | grep '^lite|')
sqlite_ver=$("$PYTHON" -c 'import sqlite3; print(sqlite3.sqlite_version)')
assert_match "^lite\|sqlite\|yes\|3\.[0-9.]+\|[0-9]+\|$" "$lite_row" "the SQLite row"
note "sqlite library in python: $sqlite_ver"
assert_match '^closed\|postgresql\|no\|\|\|.*[Cc]onnection refused' "$(printf '%s\n' "$out" | grep '^closed|')" "a closed port"
assert_match '^hang\|postgresql\|no\|\|\|timeout after 2000 ms$' "$(printf '%s\n' "$out" | grep '^hang|')" "a silent server times out"
assert_le $(($(now_ms) - start)) 20000 "WAIT JOB took the connect timeout, not more"

out=$(stats "SHOW JOBS")
keep "$out"
printf '%s\n' "$out"
assert_eq "id|kind|database|state|progress|started|finished|error" "$(printf '%s\n' "$out" | sed -n 1p)" "SHOW JOBS columns"
assert_match '^1\|check databases\|\|succeeded\|100% database hang: unreachable' "$(printf '%s\n' "$out" | sed -n 2p)" "job 1 succeeded"


# A waiting client that asked again gets the same result.
assert_match '^app\|postgresql\|yes' "$(admin "WAIT JOB 1")" "WAIT JOB on a finished job"

# --- errors and rights -------------------------------------------------------------------------
out=$(admin "WAIT JOB 999") || true
assert_match 'ERROR: +job 999 does not exist' "$out" "WAIT JOB of an unknown id"
out=$(PGPASSWORD=$ADMIN_PASS psql -X -q -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex \
    -v ON_ERROR_STOP=1 -v VERBOSITY=verbose -c "\\set VERBOSITY verbose" -c "CANCEL JOB 999" 2>&1) || true
assert_match 'ERROR: +42704' "$out" "CANCEL JOB of an unknown id is 42704"
out=$(PGPASSWORD=$ADMIN_PASS psql -X -q -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex \
    -c "\\set VERBOSITY verbose" -c "WAIT JOB 999" 2>&1) || true
assert_match 'ERROR: +42704' "$out" "WAIT JOB of an unknown id is 42704"
out=$(admin "WAIT JOB x") || true
assert_match 'invalid job id' "$out" "a job id that is no number"
out=$(stats "CHECK DATABASES") || true
assert_match 'ERROR: +admin access needed' "$out" "a stats user cannot submit"
out=$(stats "CANCEL JOB 1") || true
assert_match 'ERROR: +admin access needed' "$out" "a stats user cannot cancel"

# --- CANCEL JOB --------------------------------------------------------------------------------
# A long connect timeout (reloaded): jobs hang on the silent server until cancelled.
myrmex_write_conf "$(conf_body 120)"
kill -HUP "$MX_PID"
wait_until 10 "the reload" grep -q 'configuration reloaded' "$MX_LOG"
for i in 2 3 4; do
    assert_match "^$i\$" "$(admin "CHECK DATABASES" | grep -v NOTICE | sed -n 2p)" "job $i submitted"
done
wait_until 20 "jobs 2 and 3 running on the two executors" state_is 3 running
state_is 2 running || fail "job 2 should be running"
assert_eq queued "$(job_state 4)" "job 4 waits for an executor"
bg waiter env PGPASSWORD="$ADMIN_PASS" timeout 60 psql -X -q -A -h 127.0.0.1 -p "$MX_PORT" \
    -U "$ADMIN_USER" -d myrmex -c "\\set VERBOSITY verbose" -c "WAIT JOB 2"
WAITER=$BG_PID
sleep 0.5
out=$(admin "CANCEL JOB 4")
assert_match 'job 4 cancelled before it started' "$out" "a queued job is cancelled at once"
assert_eq cancelled "$(job_state 4)" "job 4 cancelled"
start=$(now_ms)
out=$(admin "CANCEL JOB 2")
assert_match 'job 2 asked to stop' "$out" "a running job is asked to stop"
wait_until 5 "job 2 cancelled" state_is 2 cancelled
rc=0
bg_wait "$WAITER" 10 || rc=$?
waited=$(cat "$T/waiter.out")
keep "$waited"
printf '%s\n' "$waited"
assert_ne 0 "$rc" "WAIT JOB of a cancelled job fails"
assert_match 'NOTICE: +00000: checking database hang' "$waited" "the waiter saw the progress"
assert_match 'ERROR: +57014: job 2 cancelled' "$waited" "the waiter gets 57014"
assert_le $(($(now_ms) - start)) 5000 "cancel took effect within the poll interval"
admin "CANCEL JOB 3" >/dev/null
wait_until 5 "job 3 cancelled" state_is 3 cancelled
out=$(admin "CANCEL JOB 3")
assert_match 'job 3 has already cancelled' "$out" "cancelling twice"

# A job still running at shutdown is cancelled and the proxy exits cleanly (ASan: no leak);
# a client that leaves WAIT JOB ends its console session at once.
admin "CHECK DATABASES" >/dev/null
wait_until 20 "job 5 running" state_is 5 running
bg leaver env PGPASSWORD="$ADMIN_PASS" timeout 60 psql -X -q -h 127.0.0.1 -p "$MX_PORT" \
    -U "$ADMIN_USER" -d myrmex -c "WAIT JOB 5"
LEAVER=$BG_PID
wait_until 10 "the leaver sees progress" grep -q 'checking database hang' "$T/leaver.out"
kill -TERM "$LEAVER"
bg_wait "$LEAVER" 10 || true
wait_until 5 "WAIT JOB notices the client left" grep -q 'WAIT JOB 5: the client left' "$MX_LOG"
assert_eq running "$(job_state 5)" "the job goes on without its waiter"

# --- HTTP --------------------------------------------------------------------------------------
# http PATH: prints "<code> <body>".
http() {
    local body code
    body=$(timeout 20 curl -s -o - -w '\n%{http_code}' "http://127.0.0.1:$HTTP_PORT$1")
    code=${body##*$'\n'}
    body=${body%$'\n'*}
    printf '%s %s\n' "$code" "$body"
}
assert_eq "200 ok" "$(http /healthz)" "/healthz"
assert_match '^404 ' "$(http /nope)" "unknown path"
# A probe round takes seconds here (database hang never answers): a /readyz client that
# leaves before its answer, and /healthz answered at once meanwhile.
timeout 0.5 curl -s "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null || true
bg slow_ready curl -s -m 20 "http://127.0.0.1:$HTTP_PORT/readyz"
slow_ready=$BG_PID
sleep 0.3
t0=$(now_ms)
assert_eq "200 ok" "$(http /healthz)" "/healthz while a readiness probe hangs"
assert_le $(($(now_ms) - t0)) 1000 "/healthz does not wait for the probe"
bg_wait "$slow_ready" 20 || fail "the waiting /readyz request failed"
assert_match '"database hang: unreachable' "$(cat "$T/slow_ready.out")" "the waiting /readyz request is answered"
out=$(http /readyz)
keep "$out"
assert_match '^503 \{"ready":false,.*"database closed: unreachable \(connection refused\)"' "$out" "/readyz names an unreachable database"
myrmex_stop
myrmex_start "
admin_users = $ADMIN_USER
stats_users = $STATS_USER
metrics_listen = 127.0.0.1:$HTTP_PORT
[databases]
$(db_line app)
lite = sqlite://$LITE
"
out=$(http /readyz)
printf '%s\n' "$out"
assert_match '^200 \{"ready":true' "$out" "/readyz while every database is reachable"
pg_stop
sleep 1.2
out=$(http /readyz)
keep "$out"
printf '%s\n' "$out"
assert_match '^503 \{"ready":false,.*"reasons":\["database app: unreachable \(connection refused\)"\]' "$out" "/readyz with PostgreSQL down"
assert_eq "200 ok" "$(http /healthz)" "/healthz does not depend on backends"
pg_ctl_start
ready() { [[ "$(http /readyz)" == "200 "* ]]; }
wait_until 10 "/readyz back to 200" ready
# A paused database is not ready; RESUME makes it ready again.
admin "PAUSE app" >/dev/null
out=$(http /readyz)
printf '%s\n' "$out"
assert_match '^503 \{"ready":false,.*"database app: paused"' "$out" "/readyz while app is paused"
admin "RESUME app" >/dev/null
assert_match '^200 \{"ready":true' "$(http /readyz)" "/readyz after RESUME"

# --- myrmex admin ------------------------------------------------------------------------------
out=$("$MYRMEX_BIN" admin "SHOW VERSION" -c "$MX_CONF" 2>"$T/cli.err")
keep "$out"
printf '%s\n' "$out"
assert_match '^ +version +$' "$(printf '%s\n' "$out" | sed -n 1p)" "the CLI header"
assert_match '^-+$' "$(printf '%s\n' "$out" | sed -n 2p)" "the CLI separator"
assert_match '^ myrmex [0-9.]+$' "$(printf '%s\n' "$out" | sed -n 3p)" "the CLI row"
assert_eq "(1 row)" "$(printf '%s\n' "$out" | sed -n 4p)" "the CLI footer"
out=$("$MYRMEX_BIN" admin -c "$MX_CONF" "CHECK DATABASES" "WAIT JOB 1" 2>"$T/cli.err")
keep "$out"
keep "$(cat "$T/cli.err")"
printf '%s\n' "$out"
assert_match '^ database \|  backend   \| reachable \|' "$out" "CLI table header"
assert_match ' app +\| postgresql \| yes ' "$out" "CLI table row"
assert_match '^\(2 rows\)$' "$out" "CLI row count"
assert_match 'NOTICE: checking database app' "$(cat "$T/cli.err")" "CLI NOTICEs on stderr"
rc=0
"$MYRMEX_BIN" admin -c "$MX_CONF" "SHOW NONSENSE" >"$T/cli.out" 2>"$T/cli.err" || rc=$?
assert_eq 1 "$rc" "a failing command exits 1"
assert_match '^myrmex admin: ERROR: 42601: invalid command' "$(cat "$T/cli.err")" "the CLI error line"
rc=0
"$MYRMEX_BIN" admin -c "$MX_CONF" -U "$STATS_USER" "CHECK DATABASES" >"$T/cli.out" 2>"$T/cli.err" || rc=$?
assert_eq 1 "$rc" "a stats user's CHECK DATABASES exits 1"
assert_match 'ERROR: 42501' "$(cat "$T/cli.err")" "42501 from the CLI"
rc=0
"$MYRMEX_BIN" admin >/dev/null 2>&1 || rc=$?
assert_eq 2 "$rc" "usage error exits 2"

# Draining (SIGTERM with a transaction still running): /readyz says so.
PGPASSWORD=$APP_PASS bg sleeper timeout 60 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" \
    -U "$APP_USER" -d app -c "SELECT pg_sleep(3)"
SLEEPER=$BG_PID
sleeping() { [ "$(pg_sql "SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(3)'")" = 1 ]; }
wait_until 10 "the client's query runs" sleeping
kill -TERM "$MX_PID"
out=$(http /readyz)
keep "$out"
assert_match '^503 \{"ready":false,.*"proxy: draining"' "$out" "/readyz while draining"
bg_wait "$SLEEPER" 20 || fail "the transaction running at SIGTERM should finish"
wait_pid_exit "$MX_PID" 20 || fail "the proxy should exit once its client is done"
MX_RC=0
wait "$MX_PID" || MX_RC=$?
MX_PID=""
assert_eq 0 "$MX_RC" "exit status after a drain"
mx_check_sanitizer "$MX_LOG"
rc=0
"$MYRMEX_BIN" admin -c "$MX_CONF" "SHOW VERSION" >/dev/null 2>"$T/cli.err" || rc=$?
assert_eq 2 "$rc" "no proxy: exit 2"
assert_match 'could not connect' "$(cat "$T/cli.err")" "the connection error"
"$MYRMEX_BIN" --help | grep -q 'myrmex admin' || fail "--help names the admin subcommand"

# --- no password anywhere ----------------------------------------------------------------------
kill "$HANG_PID" 2>/dev/null || true
for pw in "$APP_PASS" "$ADMIN_PASS" "$STATS_PASS"; do
    if grep -F -- "$pw" "$ALL_OUT" "${MX_LOGS[@]}"; then
        fail "a password appears in output or logs"
    fi
done
note "admin jobs and http: ok"
