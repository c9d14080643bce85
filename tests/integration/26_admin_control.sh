#!/usr/bin/env bash
# The console's control commands against connections the test holds: PAUSE waits for a running
# transaction, holds new ones and RESUME releases them; a client held past query_wait_timeout
# gets 53300; KILL and KILL_CLIENT close clients with a clear message; DISABLE/ENABLE;
# RECONNECT + WAIT_CLOSE replace a server once its transaction ends; SUSPEND holds new
# connections; RELOAD of a broken file keeps the old configuration and says why, and a changed
# pool size takes effect; SET changes a reloadable option and refuses restart-only ones;
# SIGUSR1/SIGUSR2 pause and resume; no password appears in any SHOW output or log line.
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
conf() { # POOL_SIZE_OF_SMALL
    cat <<EOF
admin_users = $ADMIN_USER
stats_users = $STATS_USER
query_wait_timeout = 3
[databases]
$(db_line app)
$(db_line small "pool_size=$1")
lite = sqlite://$LITE
EOF
}
myrmex_start "$(conf 1)"

# console SQL: psql on the console as the admin, unaligned, '|'-separated, with headers.
console() {
    PGPASSWORD=$ADMIN_PASS timeout 60 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "$1"
}
err_of() { # SQL [USER PASSWORD] -> SQLSTATE of the first error
    pgclient "$(mx_conninfo "${2:-$ADMIN_USER}" "${3:-$ADMIN_PASS}" myrmex)" script <<<"$1" |
        awk -F'|' '$1 == "ERR" { print $2; exit }'
}
# hold NAME DB APPNAME: a psql kept open on fd FD, reading statements from a FIFO the test opens
# read-write (so opening never blocks); closing it is psql's end of input.
hold() {
    mkfifo "$T/$1.fifo"
    PGPASSWORD=$APP_PASS bg "$1" timeout 120 psql -X -q -At -v ON_ERROR_STOP=1 \
        "host=127.0.0.1 port=$MX_PORT user=$APP_USER dbname=$2 application_name=$3" -f "$T/$1.fifo"
}
state_of() { console "SHOW STATE" | awk -F'|' -v k="$1" '$1 == k { print $2 }'; }
db_field() { # DB COLUMN: a column of SHOW DATABASES
    console "SHOW DATABASES" | awk -F'|' -v db="$1" -v name="$2" \
        'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next } $1 == db { print $col }'
}
running() { pid_alive "$1"; }
app_backends() { pg_sql_db postgres "SELECT count(*) FROM pg_stat_activity WHERE datname = 'app' AND usename = 'app'"; }

mx_sql "CREATE TABLE t_ctl(v text)" >/dev/null

# --- PAUSE waits for a running transaction, holds new ones, RESUME releases them ---------------------
hold tx app tx_client
exec 7<>"$T/tx.fifo"
echo "BEGIN; INSERT INTO t_ctl VALUES ('in-pause'); SELECT 'tx-open';" >&7
wait_until 10 "the open transaction" grep -q '^tx-open$' "$T/tx.out"
bg pause console "PAUSE app"
pause_pid=$BG_PID
sleep 1
running "$pause_pid" || fail "PAUSE returned while a transaction was running: $(cat "$T/pause.out")"
assert_eq 1 "$(db_field app paused)" "SHOW DATABASES: app paused while PAUSE waits"
PGPASSWORD=$APP_PASS bg held timeout 60 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app \
    -c "SELECT 'held-ran'"
held_pid=$BG_PID
sleep 0.5
running "$held_pid" || fail "a new transaction ran while paused: $(cat "$T/held.out")"
echo "INSERT INTO t_ctl VALUES ('after-pause-began'); COMMIT;" >&7
bg_wait "$pause_pid" 10 || fail "PAUSE failed: $(cat "$T/pause.out")"
assert_eq 2 "$(pg_sql "SELECT count(*) FROM t_ctl")" "the running transaction committed during PAUSE"
assert_eq 0 "$(app_backends)" "PAUSE closed app's server connections"
running "$held_pid" || fail "the held client ended while paused: $(cat "$T/held.out")"
row=$(console "SHOW POOLS" | grep '^app|app|')
assert_eq 1 "$(cut -d'|' -f4 <<<"$row")" "SHOW POOLS while paused: the held client is cl_waiting"
assert_eq "0|0" "$(cut -d'|' -f7,10 <<<"$row")" "SHOW POOLS while paused: no server active or idle"
assert_eq 55000 "$(err_of "PAUSE app")" "PAUSE of a paused database"
console "RESUME app" >/dev/null
bg_wait "$held_pid" 10 || fail "the held client failed after RESUME: $(cat "$T/held.out")"
assert_eq held-ran "$(cat "$T/held.out")" "RESUME released the held transaction with no error"
assert_eq 0 "$(db_field app paused)" "SHOW DATABASES: app resumed"
assert_eq 55000 "$(err_of "RESUME app")" "RESUME of a database that is not paused"
assert_eq 1 "$(mx_sql "SELECT 1")" "app serves after RESUME"
echo "\\q" >&7
exec 7>&-

# --- a client held longer than query_wait_timeout ------------------------------------------------------
console "PAUSE small" >/dev/null
t0=$(now_ms)
out=$(pgclient "$(mx_conninfo "$APP_USER" "$APP_PASS" small)" script <<<"SELECT 'should wait'") || true
waited=$(($(now_ms) - t0))
printf '%s\n' "$out"
assert_eq 53300 "$(sqlstate_of "$out")" "held past query_wait_timeout"
assert_match 'query_wait_timeout' "$out" "the 53300 message names query_wait_timeout"
assert_ge "$waited" 2500 "held for query_wait_timeout (3 s)"
console "RESUME" >/dev/null
assert_eq ok "$(PGPASSWORD=$APP_PASS psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d small -c "SELECT 'ok'")" \
    "RESUME with no name resumes small"
assert_eq 55000 "$(err_of "RESUME")" "RESUME when nothing is paused"

# --- the whole proxy: PAUSE with no name, SIGUSR1 / SIGUSR2 --------------------------------------------
console "PAUSE" >/dev/null
assert_eq yes "$(state_of paused)" "SHOW STATE paused after PAUSE"
assert_eq no "$(state_of active)" "SHOW STATE not active while paused"
assert_eq 1 "$(db_field lite paused)" "every database paused"
console "RESUME" >/dev/null
assert_eq no "$(state_of paused)" "SHOW STATE after RESUME"
is_paused() { [ "$(state_of paused)" = "$1" ]; }
kill -USR1 "$MX_PID"
wait_until 5 "SIGUSR1 pauses" is_paused yes
kill -USR2 "$MX_PID"
wait_until 5 "SIGUSR2 resumes" is_paused no
assert_eq 1 "$(mx_sql "SELECT 1")" "serving after SIGUSR2"

# --- KILL db ---------------------------------------------------------------------------------------------------
hold k1 app kill_idle
exec 8<>"$T/k1.fifo"
echo "SELECT 'k1-up';" >&8
hold k2 app kill_tx
exec 9<>"$T/k2.fifo"
echo "BEGIN; INSERT INTO t_ctl VALUES ('killed'); SELECT 'k2-in-tx';" >&9
wait_until 10 "the clients to kill" grep -q '^k2-in-tx$' "$T/k2.out"
grep -q '^k1-up$' "$T/k1.out" || wait_until 10 "k1" grep -q '^k1-up$' "$T/k1.out"
out=$(console "KILL app" 2>&1)
printf '%s\n' "$out"
assert_match 'closed 2 client connection' "$out" "KILL reports the clients it closed"
echo "SELECT 'after-kill';" >&8
echo "SELECT 'after-kill';" >&9
wait_until 10 "k1 to end" sh -c "! kill -0 ${BG_PIDS[-2]} 2>/dev/null"
wait_until 10 "k2 to end" sh -c "! kill -0 ${BG_PIDS[-1]} 2>/dev/null"
exec 8>&- 9>&-
assert_match 'administrator command \(KILL app\)' "$(cat "$T/k1.out")" "KILL's message to an idle client"
assert_match 'administrator command \(KILL app\)' "$(cat "$T/k2.out")" "KILL's message to a client in a transaction"
assert_eq 0 "$(pg_sql "SELECT count(*) FROM t_ctl WHERE v = 'killed'")" "the killed transaction rolled back"
assert_eq 1 "$(db_field app paused)" "KILL leaves the database paused"
PGPASSWORD=$APP_PASS bg after_kill timeout 60 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app \
    -c "SELECT 'after-kill-ran'"
after_kill_pid=$BG_PID
sleep 0.5
running "$after_kill_pid" || fail "a new client ran on a killed database before RESUME"
console "RESUME app" >/dev/null
bg_wait "$after_kill_pid" 10 || fail "the client after KILL failed: $(cat "$T/after_kill.out")"
assert_eq after-kill-ran "$(cat "$T/after_kill.out")" "RESUME after KILL"

# --- KILL_CLIENT ------------------------------------------------------------------------------------------
hold kc app kill_me
exec 8<>"$T/kc.fifo"
echo "SELECT 'kc-up';" >&8
wait_until 10 "the client to kill" grep -q '^kc-up$' "$T/kc.out"
kc_pid=${BG_PIDS[-1]}
id=$(console "SHOW CLIENTS" | awk -F'|' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "id") c = i; next } /\|kill_me\|/ { print $c }')
assert_match '^[0-9]+$' "$id" "the client's id in SHOW CLIENTS"
console "KILL_CLIENT $id" >/dev/null
echo "SELECT 'after';" >&8
wait_until 10 "the killed client to end" sh -c "! kill -0 $kc_pid 2>/dev/null"
exec 8>&-
assert_match 'administrator command \(KILL_CLIENT\)' "$(cat "$T/kc.out")" "KILL_CLIENT's message"
assert_eq 42704 "$(err_of "KILL_CLIENT 99999")" "KILL_CLIENT of no such client"
assert_eq 22P02 "$(err_of "KILL_CLIENT abc")" "KILL_CLIENT of a bad id"
assert_eq 1 "$(mx_sql "SELECT 1")" "other clients undisturbed by KILL_CLIENT"

# --- DISABLE / ENABLE -------------------------------------------------------------------------------------
hold dis app disabled_before
exec 8<>"$T/dis.fifo"
echo "SELECT 'dis-up';" >&8
wait_until 10 "a client before DISABLE" grep -q '^dis-up$' "$T/dis.out"
console "DISABLE app" >/dev/null
assert_eq 1 "$(db_field app disabled)" "SHOW DATABASES disabled"
out=$(pgclient "$(mx_conninfo)" script <<<"SELECT 1") || true
assert_eq 55000 "$(sqlstate_of "$out")" "a new client of a disabled database"
assert_match 'not currently accepting connections' "$out" "DISABLE's message"
echo "SELECT 'dis-still';" >&8
wait_until 10 "the client connected before DISABLE" grep -q '^dis-still$' "$T/dis.out"
console "ENABLE app" >/dev/null
assert_eq 1 "$(mx_sql "SELECT 1")" "ENABLE lets clients in again"
echo "\\q" >&8
exec 8>&-
assert_eq 42601 "$(err_of "DISABLE")" "DISABLE needs a database"
assert_eq 3D000 "$(err_of "DISABLE nosuch")" "DISABLE of no such database"
assert_eq 55000 "$(err_of "PAUSE myrmex")" "the console cannot be paused"
assert_eq 42601 "$(err_of "PAUSE app small")" "PAUSE takes one database"

# --- RECONNECT and WAIT_CLOSE ------------------------------------------------------------------------------
hold rc app reconnect_tx
exec 8<>"$T/rc.fifo"
echo "BEGIN; SELECT 'pid=' || pg_backend_pid();" >&8
wait_until 10 "the transaction before RECONNECT" grep -q '^pid=' "$T/rc.out"
old_pid=$(sed -n 's/^pid=//p' "$T/rc.out")
console "RECONNECT app" >/dev/null
bg wait_close console "WAIT_CLOSE app"
wc_pid=$BG_PID
sleep 0.5
running "$wc_pid" || fail "WAIT_CLOSE returned while the old server was in a transaction"
echo "COMMIT; SELECT 'pid=' || pg_backend_pid();" >&8
bg_wait "$wc_pid" 10 || fail "WAIT_CLOSE failed: $(cat "$T/wait_close.out")"
two_pids() { [ "$(grep -c '^pid=' "$T/rc.out")" -ge 2 ]; }
wait_until 10 "the query after COMMIT" two_pids
new_pid=$(sed -n 's/^pid=//p' "$T/rc.out" | tail -1)
assert_ne "$old_pid" "$new_pid" "after RECONNECT the client got a new server connection"
assert_eq 0 "$(pg_sql_db postgres "SELECT count(*) FROM pg_stat_activity WHERE pid = $old_pid")" \
    "the old server connection is closed"
echo "\\q" >&8
exec 8>&-

# --- SUSPEND holds new connections until RESUME ---------------------------------------------------------
# New connections wait while suspended, the console's too: one console session does it all.
mkfifo "$T/susp_console.fifo"
PGPASSWORD=$ADMIN_PASS bg susp_console timeout 60 psql -X -q -A -F'|' -P footer=off \
    -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -f "$T/susp_console.fifo"
exec 8<>"$T/susp_console.fifo"
echo "SUSPEND; SHOW STATE;" >&8
wait_until 10 "SHOW STATE after SUSPEND" grep -q '^suspended|' "$T/susp_console.out"
assert_eq "suspended|yes" "$(grep '^suspended|' "$T/susp_console.out")" "SHOW STATE suspended"
PGPASSWORD=$APP_PASS PGCONNECT_TIMEOUT=20 bg susp timeout 60 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" \
    -U "$APP_USER" -d app -c "SELECT 'connected-after-resume'"
susp_pid=$BG_PID
sleep 1
running "$susp_pid" || fail "a new connection was served while suspended: $(cat "$T/susp.out")"
echo "SUSPEND;" >&8
wait_until 10 "a second SUSPEND's error" grep -q 'already suspended' "$T/susp_console.out"
echo "RESUME; SHOW STATE;" >&8
bg_wait "$susp_pid" 20 || fail "the connection made during SUSPEND failed: $(cat "$T/susp.out")"
assert_eq connected-after-resume "$(cat "$T/susp.out")" "RESUME accepts the waiting connection"
exec 8>&-
assert_eq "suspended|no" "$(grep '^suspended|' "$T/susp_console.out" | tail -1)" "SHOW STATE after RESUME"

# --- RELOAD: a broken file, then a changed pool size ----------------------------------------------------
cp "$MX_CONF" "$T/good.ini"
printf '[myrmex]\nlisten_port = %s\ndefault_pool_size = many\n' "$MX_PORT" >"$MX_CONF"
out=$(PGPASSWORD=$ADMIN_PASS psql -X -q -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "RELOAD" 2>&1) || true
printf '%s\n' "$out"
assert_match 'reload failed, keeping the current configuration' "$out" "RELOAD reports the broken file"
assert_match 'default_pool_size' "$out" "the error names the bad setting"
assert_eq F0000 "$(err_of "RELOAD")" "RELOAD's SQLSTATE"
assert_eq 1 "$(db_field small pool_size)" "the old configuration stays after a failed RELOAD"
assert_eq 1 "$(mx_sql "SELECT 1")" "clients served after a failed RELOAD"
myrmex_write_conf "$(conf 3)"
console "RELOAD" >/dev/null
assert_eq 3 "$(db_field small pool_size)" "RELOAD changed small's pool size"
for i in 1 2 3; do
    hold "s$i" small "small_$i"
    eval "exec {fd$i}<>\"\$T/s$i.fifo\""
done
for i in 1 2 3; do
    fdv="fd$i"
    echo "BEGIN; SELECT 'in-$i';" >&"${!fdv}"
done
for i in 1 2 3; do
    wait_until 10 "transaction $i on small (pool_size 3)" grep -q "^in-$i$" "$T/s$i.out"
done
row=$(console "SHOW POOLS" | grep '^small|app|')
assert_eq 3 "$(cut -d'|' -f7 <<<"$row")" "three servers active on small after RELOAD"
assert_eq 0 "$(cut -d'|' -f4 <<<"$row")" "no client waits"
for i in 1 2 3; do
    fdv="fd$i"
    echo "COMMIT;" >&"${!fdv}"
    eval "exec {fd$i}>&-"
done

# --- SET -----------------------------------------------------------------------------------------------------
console "SET default_pool_size = 9" >/dev/null
assert_eq "default_pool_size|9|20|yes" "$(console "SHOW CONFIG" | grep '^default_pool_size|')" "SET changes the option"
assert_eq 9 "$(db_field app pool_size)" "SET takes effect for the pools"
out=$(PGPASSWORD=$ADMIN_PASS psql -X -q -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "SET listen_port = 1" 2>&1) || true
assert_match 'cannot be changed without restarting' "$out" "SET of a restart-only option says why"
assert_eq 55P02 "$(err_of "SET listen_port = 1")" "SET of a restart-only option"
assert_eq 42704 "$(err_of "SET no_such_option = 1")" "SET of an unknown option"
assert_eq 22023 "$(err_of "SET query_timeout = soon")" "SET with a bad value"
assert_eq 42501 "$(err_of "SET default_pool_size = 3" "$STATS_USER" "$STATS_PASS")" "a stats user cannot SET"
console "SET query_timeout = '2.5'" >/dev/null
assert_eq "query_timeout|2.5|0|yes" "$(console "SHOW CONFIG" | grep '^query_timeout|')" "a second SET keeps the first"
assert_eq 9 "$(db_field app pool_size)" "the first SET is kept"
console "RELOAD" >/dev/null
assert_eq 5 "$(db_field app pool_size)" "RELOAD goes back to the file (default_pool_size = 5)"

# --- a RESUME while PAUSE waits ends that PAUSE (no endless closing of servers) -------------------
hold pr app pause_resumed
exec 8<>"$T/pr.fifo"
echo "BEGIN; SELECT 'pr-open';" >&8
wait_until 10 "the transaction PAUSE waits for" grep -q '^pr-open$' "$T/pr.out"
bg pause2 pgclient "$(mx_conninfo "$ADMIN_USER" "$ADMIN_PASS" myrmex)" script <<<"PAUSE app"
pause2_pid=$BG_PID
sleep 0.5
running "$pause2_pid" || fail "PAUSE did not wait for the transaction"
console "RESUME app" >/dev/null
bg_wait "$pause2_pid" 10 || true
assert_eq 57014 "$(sqlstate_of "$(cat "$T/pause2.out")")" "PAUSE ended by RESUME"
echo "SELECT 'pr-still'; COMMIT;" >&8
wait_until 10 "the transaction goes on" grep -q '^pr-still$' "$T/pr.out"
echo "\\q" >&8
exec 8>&-
assert_eq 1 "$(mx_sql "SELECT 1")" "serving after the ended PAUSE"

# --- who may run control commands; no password anywhere --------------------------------------------------
for cmd in "PAUSE" "RESUME" "KILL app" "KILL_CLIENT 1" "SUSPEND" "SHUTDOWN" "RELOAD" "DISABLE app" \
    "ENABLE app" "RECONNECT" "WAIT_CLOSE"; do
    assert_eq 42501 "$(err_of "$cmd" "$STATS_USER" "$STATS_PASS")" "a stats user runs $cmd"
done
all=""
for show in CONFIG DATABASES POOLS CLIENTS SERVERS USERS STATE LISTS MEM; do
    all+=$(console "SHOW $show")$'\n'
done
for secret in "$APP_PASS" "$APP2_PASS" "$ADMIN_PASS" "$STATS_PASS"; do
    assert_not_match "$secret" "$all" "no password in SHOW output"
    if grep -qF -- "$secret" "$MX_LOG"; then fail "a password appears in the proxy log"; fi
done

myrmex_stop
