#!/usr/bin/env bash
# The admin console, database "myrmex": who may log in and run what, PgBouncer's column names
# and types for every SHOW command (simple and extended protocol), SHOW POOLS / CLIENTS /
# SERVERS against connections the test holds (a transaction held open through the proxy, a
# client waiting for a full pool, a leased SQLite client), SHOW CONFIG with a value set in the
# file, errors (42501 for a stats user's control command, 42601 for nonsense, 0A000 for a
# PgBouncer command myrmex does not have), several statements in one query, and broken console clients that
# disturb nobody.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
ADMIN_USER=mxadmin
ADMIN_PASS=admin-Secret3
STATS_USER=mxstats
STATS_PASS=stats-Secret4
ADMIN2_USER=mxadmin2
ADMIN2_PASS=admin2-Secret5
LITE="$T/lite.db"

pg_start
pgclient_build
write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$APP2_USER" "$APP2_PASS" \
    "$ADMIN_USER" "$ADMIN_PASS" "$STATS_USER" "$STATS_PASS" "$ADMIN2_USER" "$ADMIN2_PASS"
myrmex_start "
admin_users = $ADMIN_USER,$ADMIN2_USER
stats_users = nobody, $STATS_USER
default_pool_size = 7
server_idle_timeout = 300
log_level = debug
[databases]
$(db_line app)
$(db_line small "pool_size=1")
lite = sqlite://$LITE?pool_mode=session
"

# console USER PASSWORD SQL: psql on the console, unaligned, '|'-separated, with headers.
console() {
    PGPASSWORD=$2 timeout 30 psql -X -q -A -F'|' -P footer=off -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$1" -d myrmex -c "$3"
}
admin() { console "$ADMIN_USER" "$ADMIN_PASS" "$1"; }
stats() { console "$STATS_USER" "$STATS_PASS" "$1"; }
# row_of SQL KEY...: the first row of an admin SHOW whose leading fields are KEY...
row_of() {
    local sql=$1 key
    shift
    key=$(printf '%s|' "$@")
    admin "$sql" | grep -F -- "$key" | head -1
}
# field OUTPUT NAME: the value of column NAME in the first data row of psql -A output.
field() {
    printf '%s\n' "$1" | awk -F'|' -v name="$2" \
        'NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
         col && !done { print $col; done = 1 }'
}

# --- login rules ---------------------------------------------------------------------------------
out=$(admin "SHOW VERSION")
printf '%s\n' "$out"
assert_eq "version" "$(printf '%s\n' "$out" | sed -n 1p)" "SHOW VERSION header"
assert_match '^myrmex [0-9]+\.[0-9]+\.[0-9]+$' "$(printf '%s\n' "$out" | sed -n 2p)" "SHOW VERSION value"
out=$(stats "SHOW STATE")
assert_match '^active\|yes$' "$out" "a stats user runs SHOW"
out=$(pgclient "$(mx_conninfo "$APP2_USER" "$APP2_PASS" myrmex)" script </dev/null) || true
printf '%s\n' "$out"
assert_eq 28000 "$(sqlstate_of "$out")" "a user in neither admin_users nor stats_users"
assert_match 'not allowed' "$out" "the 28000 message"
out=$(pgclient "$(mx_conninfo "$ADMIN_USER" wrong myrmex)" script </dev/null) || true
assert_eq 28P01 "$(sqlstate_of "$out")" "the console checks passwords like any database"
assert_eq 1 "$(mx_sql "SELECT 1")" "app users still reach their database"

# --- column names and types, simple and extended protocol (pgclient describe) ----------------------
T25=25 T23=23
declare -A want=(
    ["SHOW VERSION"]="version:$T25"
    ["SHOW CONFIG"]="key:$T25 value:$T25 default:$T25 changeable:$T25"
    ["SHOW STATE"]="key:$T25 value:$T25"
    ["SHOW LISTS"]="list:$T25 items:$T23"
    ["SHOW MEM"]="name:$T25 size:$T23 used:$T23 free:$T23 memtotal:$T23"
    ["SHOW USERS"]="name:$T25 pool_size:$T25 reserve_pool_size:$T25 pool_mode:$T25 max_user_connections:$T23 current_connections:$T23 max_user_client_connections:$T23 current_client_connections:$T23"
    ["SHOW DATABASES"]="name:$T25 host:$T25 port:$T23 database:$T25 force_user:$T25 pool_size:$T23 min_pool_size:$T23 reserve_pool_size:$T23 server_lifetime:$T23 pool_mode:$T25 load_balance_hosts:$T25 max_connections:$T23 current_connections:$T23 max_client_connections:$T23 current_client_connections:$T23 paused:$T23 disabled:$T23"
    ["SHOW POOLS"]="database:$T25 user:$T25 cl_active:$T23 cl_waiting:$T23 cl_active_cancel_req:$T23 cl_waiting_cancel_req:$T23 sv_active:$T23 sv_active_cancel:$T23 sv_being_canceled:$T23 sv_idle:$T23 sv_used:$T23 sv_tested:$T23 sv_login:$T23 maxwait:$T23 maxwait_us:$T23 pool_mode:$T25 load_balance_hosts:$T25"
)
sockets="type:$T25 user:$T25 database:$T25 replication:$T25 state:$T25 addr:$T25 port:$T23 local_addr:$T25 local_port:$T23 connect_time:$T25 request_time:$T25 wait:$T23 wait_us:$T23 close_needed:$T23 ptr:$T25 link:$T25 remote_pid:$T23 tls:$T25 application_name:$T25 prepared_statements:$T23 id:$T23"
want["SHOW CLIENTS"]=$sockets
want["SHOW SERVERS"]=$sockets
for cmd in "${!want[@]}"; do
    out=$(pgclient "$(mx_conninfo "$STATS_USER" "$STATS_PASS" myrmex)" describe "$cmd")
    got=$(printf '%s\n' "$out" | awk '{ split($4, t, "="); printf "%s%s:%s", (NR > 1 ? " " : ""), $1, t[2] }')
    assert_eq "${want[$cmd]}" "$got" "columns and types of $cmd"
done
out=$(admin "SHOW HELP" 2>&1)
assert_match 'NOTICE:  Console usage' "$out" "SHOW HELP answers with a NOTICE"
assert_match 'SHOW HELP\|CONFIG\|DATABASES\|POOLS\|CLIENTS\|SERVERS\|USERS\|VERSION' "$out" "SHOW HELP lists the SHOW commands"

# --- SHOW CONFIG -----------------------------------------------------------------------------------
assert_eq "default_pool_size|7|20|yes" "$(admin "SHOW CONFIG" | grep '^default_pool_size|')" "SHOW CONFIG shows the value set"
assert_eq "listen_port|$MX_PORT|6432|no" "$(admin "SHOW CONFIG" | grep '^listen_port|')" "a restart-only option is not changeable"
assert_eq "stats_users|nobody, $STATS_USER||yes" "$(stats "SHOW CONFIG" | grep '^stats_users|')" "stats users read SHOW CONFIG"

# --- errors, several statements ----------------------------------------------------------------------
err_of() { # USER PASSWORD SQL -> SQLSTATE of the first error
    pgclient "$(mx_conninfo "$1" "$2" myrmex)" script <<<"$3" | awk -F'|' '$1 == "ERR" { print $2; exit }'
}
for cmd in "PAUSE" "RELOAD" "KILL app" "SHUTDOWN" "SET default_pool_size = 3"; do
    assert_eq 42501 "$(err_of "$STATS_USER" "$STATS_PASS" "$cmd")" "a stats user runs $cmd"
done
out=$(PGPASSWORD=$STATS_PASS psql -X -q -h 127.0.0.1 -p "$MX_PORT" -U "$STATS_USER" -d myrmex -c "RELOAD" 2>&1) || true
assert_match 'admin access needed' "$out" "the 42501 message says why"
assert_eq 0A000 "$(err_of "$ADMIN_USER" "$ADMIN_PASS" "SHOW FDS")" "SHOW FDS: fd passing is not a myrmex feature"
for cmd in "nonsense" "SELECT * FROM pools" "SHOW nonsense" "SHOW POOLS now" "SHOW" "SHOW 'pools'"; do
    assert_eq 42601 "$(err_of "$ADMIN_USER" "$ADMIN_PASS" "$cmd")" "syntax error for: $cmd"
done
out=$(PGPASSWORD=$ADMIN_PASS psql -X -q -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex -c "nonsense" 2>&1) || true
assert_match "invalid command 'nonsense', use SHOW HELP;" "$out" "PgBouncer's syntax error text"
out=$(admin "SHOW VERSION; SHOW STATE;")
assert_match '^version' "$out" "first of two statements"
assert_match 'suspended\|no' "$out" "second of two statements"
out=$(PGPASSWORD=$ADMIN_PASS psql -X -q -A -h 127.0.0.1 -p "$MX_PORT" -U "$ADMIN_USER" -d myrmex \
    -c "SHOW VERSION; bogus; SHOW STATE" 2>&1) || true
assert_match '^myrmex ' "$out" "statements before the error run"
assert_match 'invalid command' "$out" "the error in the middle"
assert_not_match 'suspended' "$out" "statements after an error do not run"
# Session parameters drivers set at connect are acknowledged (and ignored) for everyone.
out=$(pgclient "$(mx_conninfo "$STATS_USER" "$STATS_PASS" myrmex)" script <<<"SET extra_float_digits = 3")
assert_match '^OK\|SET\|' "$out" "SET extra_float_digits is accepted"

# --- extended protocol: Parse/Bind/Describe/Execute/Sync -----------------------------------------
out=$(python3 - "127.0.0.1:$MX_PORT:$STATS_USER:$STATS_PASS:myrmex" "$HERE" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import pswire
c = pswire.Conn(sys.argv[1])
for sql in ("SHOW VERSION", "SHOW LISTS", "bogus"):
    for t, b in [pswire.P("", sql), pswire.B(""), pswire.D("P", ""), pswire.E(), pswire.S()]:
        c.send(t, b)
    got = []
    while True:
        t, b = c.read()
        if t == "D":
            got.append("D")
        elif t == "E":
            got.append("E:" + pswire.fields(b)["C"])
        elif t == "C":
            got.append("C:" + b.rstrip(b"\0").decode())
        else:
            got.append(t)
        if t == "Z":
            break
    # collapse runs of DataRows
    out = []
    for g in got:
        if g == "D" and out and out[-1].startswith("D"):
            out[-1] = "D+"
        else:
            out.append(g)
    print(sql + ": " + " ".join(out))
c.close()
PY
)
printf '%s\n' "$out"
assert_match '^SHOW VERSION: 1 2 T D C:SHOW Z$' "$out" "extended protocol SHOW VERSION"
assert_match '^SHOW LISTS: 1 2 T D\+ C:SHOW Z$' "$out" "extended protocol SHOW LISTS"
assert_match '^bogus: 1 2 E:42601 Z$' "$out" "extended protocol error skips to Sync"

# --- real connections -----------------------------------------------------------------------------------
# hold NAME USER PASSWORD DB APPNAME: a psql kept open, reading statements from a FIFO the test
# opens read-write (so opening never blocks); closing it is psql's end of input.
hold() {
    mkfifo "$T/$1.fifo"
    PGPASSWORD=$3 bg "$1" timeout 120 psql -X -q -At -v ON_ERROR_STOP=1 \
        "host=127.0.0.1 port=$MX_PORT user=$2 dbname=$4 application_name=$5" -f "$T/$1.fifo"
}
hold held "$APP_USER" "$APP_PASS" app held_tx
exec 7<>"$T/held.fifo"
echo "BEGIN; SELECT 'in-tx';" >&7
wait_until 10 "the held transaction" grep -q '^in-tx$' "$T/held.out"
hold idle "$APP_USER" "$APP_PASS" app idle_client
exec 8<>"$T/idle.fifo"
echo "SELECT 'was-here';" >&8
wait_until 10 "the idle client's query" grep -q '^was-here$' "$T/idle.out"

pools=$(admin "SHOW POOLS")
printf '%s\n' "$pools"
row=$(printf '%s\n' "$pools" | grep '^app|app|')
IFS='|' read -r _ _ cl_active cl_waiting _ _ sv_active _ _ sv_idle sv_used sv_tested sv_login _ _ mode _ <<<"$row"
assert_eq 2 "$cl_active" "cl_active: the held and the idle client"
assert_eq 0 "$cl_waiting" "cl_waiting"
assert_eq 1 "$sv_active" "sv_active: the server of the open transaction"
assert_eq transaction "$mode" "pool_mode"
assert_eq "$(server_backends)" "$((sv_active + sv_idle + sv_used + sv_tested + sv_login))" \
    "the pool's servers are PostgreSQL's backends of app"
assert_ge "$((sv_idle + sv_used))" 1 "the idle client's server went back to the pool"
assert_not_match "\|$APP2_USER\|" "$pools" "no console pool for a user refused at login"
assert_match '^myrmex\|mxadmin\|[1-9][0-9]*\|0\|0\|0\|[1-9]' "$(printf '%s\n' "$pools" | grep "^myrmex|$ADMIN_USER|")" \
    "the console's own pool: this client and its session"

clients=$(admin "SHOW CLIENTS")
printf '%s\n' "$clients"
held_row=$(printf '%s\n' "$clients" | grep '|held_tx|')
assert_match '^C\|app\|app\|none\|active\|127\.0\.0\.1\|[0-9]+\|127\.0\.0\.1\|'"$MX_PORT"'\|' "$held_row" "the held client is active"
assert_match '^C\|app\|app\|none\|idle\|' "$(printf '%s\n' "$clients" | grep '|idle_client|')" "the idle client has no server"
assert_match "^C\|$ADMIN_USER\|myrmex\|none\|active\|" "$(printf '%s\n' "$clients" | grep "^C|$ADMIN_USER|")" "the console client itself"
held_ptr=$(printf '%s\n' "$held_row" | cut -d'|' -f15)
held_link=$(printf '%s\n' "$held_row" | cut -d'|' -f16)
assert_ne "" "$held_link" "the held client links to a server"

servers=$(admin "SHOW SERVERS")
printf '%s\n' "$servers"
srv_row=$(printf '%s\n' "$servers" | awk -F'|' -v p="$held_ptr" '$16 == p')
assert_match '^S\|app\|app\|none\|active\|127\.0\.0\.1\|'"$PG_PORT"'\|' "$srv_row" "the held client's server"
assert_eq "$held_link" "$(printf '%s\n' "$srv_row" | cut -d'|' -f15)" "server ptr = client link"
pg_pid=$(pg_sql_db postgres "SELECT pid FROM pg_stat_activity WHERE state = 'idle in transaction' AND usename = 'app'")
assert_eq "$pg_pid" "$(printf '%s\n' "$srv_row" | cut -d'|' -f17)" "remote_pid is the PostgreSQL backend's pid"

dbs=$(admin "SHOW DATABASES")
printf '%s\n' "$dbs"
assert_match "^app\|127\.0\.0\.1\|$PG_PORT\|app\|app\|7\|0\|0\|3600\|\|\|0\|$(server_backends)\|0\|2\|0\|0$" \
    "$(printf '%s\n' "$dbs" | grep '^app|')" "SHOW DATABASES row of app"
assert_match '^small\|127\.0\.0\.1\|[0-9]+\|app\|app\|1\|' "$(printf '%s\n' "$dbs" | grep '^small|')" "SHOW DATABASES pool_size of small"
assert_match "^myrmex\|\|$MX_PORT\|myrmex\|" "$(printf '%s\n' "$dbs" | grep '^myrmex|')" "SHOW DATABASES lists the console"
users=$(admin "SHOW USERS")
printf '%s\n' "$users"
assert_match '^app\|\|\|\|0\|[0-9]+\|0\|2$' "$(printf '%s\n' "$users" | grep '^app|')" "SHOW USERS row of app"
assert_match "^$ADMIN_USER\|" "$users" "SHOW USERS lists the auth_file's users"
lists=$(admin "SHOW LISTS")
assert_eq "databases|4" "$(printf '%s\n' "$lists" | grep '^databases|')" "SHOW LISTS databases (3 + the console)"
assert_match '^used_clients\|[3-9]$' "$(printf '%s\n' "$lists" | grep '^used_clients|')" "SHOW LISTS used_clients"
mem=$(admin "SHOW MEM")
assert_match '^client_cache\|[0-9]+\|[3-9]\|0\|[0-9]+$' "$(printf '%s\n' "$mem" | grep '^client_cache|')" "SHOW MEM client_cache"

# A client waiting for the one server of database small.
hold small1 "$APP_USER" "$APP_PASS" small small_holder
exec 9<>"$T/small1.fifo"
echo "BEGIN; SELECT 'small-tx';" >&9
wait_until 10 "the transaction on small" grep -q '^small-tx$' "$T/small1.out"
PGPASSWORD=$APP_PASS bg waiter timeout 60 psql -X -q -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d small -c "SELECT 'waited'"
waiter_pid=$BG_PID
small_waiting() { [ "$(row_of "SHOW POOLS" small app | cut -d'|' -f4)" = 1 ]; }
wait_until 10 "a waiting client in SHOW POOLS" small_waiting
sleep 0.3
row=$(row_of "SHOW POOLS" small app)
printf '%s\n' "$row"
assert_match '^small\|app\|1\|1\|0\|0\|1\|0\|0\|0\|0\|0\|0\|[0-9]+\|[0-9]+\|transaction\|$' "$row" "small: one active, one waiting"
maxwait_ms=$(( $(cut -d'|' -f14 <<<"$row") * 1000 + $(cut -d'|' -f15 <<<"$row") / 1000 ))
assert_ge "$maxwait_ms" 200 "maxwait counts the wait"
assert_match '^C\|app\|small\|none\|waiting\|' "$(admin "SHOW CLIENTS" | grep '^C|app|small|none|waiting|')" "SHOW CLIENTS shows the waiter"
echo "COMMIT;" >&9
exec 9>&-
bg_wait "$waiter_pid" 20 || fail "the waiting client failed"
assert_eq waited "$(cat "$T/waiter.out")" "the waiter got the server"

# A leased SQLite client still shows, with its session as its server.
hold lite "$APP_USER" "$APP_PASS" lite lite_client
exec 6<>"$T/lite.fifo"
echo "SELECT 'lite-ok';" >&6
wait_until 10 "the SQLite client's query" grep -q '^lite-ok$' "$T/lite.out"
wait_until 10 "a lease in $MX_LOG" grep -q 'socket lent to the SQLite session' "$MX_LOG"
clients=$(admin "SHOW CLIENTS")
lite_row=$(printf '%s\n' "$clients" | grep '|lite_client|')
assert_match '^C\|app\|lite\|none\|active\|' "$lite_row" "the leased client in SHOW CLIENTS"
lite_link=$(cut -d'|' -f16 <<<"$lite_row")
assert_match '^S\|app\|lite\|none\|active\|unix\|' "$(admin "SHOW SERVERS" | awk -F'|' -v p="$lite_link" '$15 == p')" \
    "its SQLite session in SHOW SERVERS"
assert_match '^lite\|app\|1\|0\|0\|0\|1\|' "$(row_of "SHOW POOLS" lite app)" "the lite pool"
echo "\\q" >&6
exec 6>&-

# --- broken console clients disturb nobody ---------------------------------------------------------------
bg load pgclient "$(mx_conninfo)" concurrent 4 40
load_pid=$BG_PID
python3 - "127.0.0.1:$MX_PORT:$ADMIN_USER:$ADMIN_PASS:myrmex" "$HERE" <<'PY'
import socket, struct, sys
sys.path.insert(0, sys.argv[2])
import pswire
target = sys.argv[1]
# 1. A query, then gone without reading the answer.
c = pswire.Conn(target)
c.send(b"Q", b"SHOW CLIENTS; SHOW SERVERS; SHOW POOLS; SHOW CONFIG\0")
c.sock.close()
# 2. An invalid message length.
c = pswire.Conn(target)
c.sock.sendall(b"Q\x00\x00\x00\x02")
try:
    c.read()
except Exception:
    pass
c.sock.close()
# 3. Half a message, then gone.
c = pswire.Conn(target)
c.sock.sendall(b"Q\x00\x00\x00\x40SHOW")
c.sock.close()
# 4. Garbage message types in the extended protocol, then a Parse without a Sync.
c = pswire.Conn(target)
c.send(b"P", b"\0SHOW POOLS")  # no terminating NUL, no parameter count
c.send(b"S", b"")
try:
    while True:
        t, b = c.read()
        if t == "Z":
            break
except Exception:
    pass  # the proxy may refuse the message and close: as good
c.send(b"P", b"s1\0SHOW VERSION\0\0\0")
c.sock.close()
# 5. A login that stops half way.
s = socket.create_connection(("127.0.0.1", int(target.split(":")[1])), timeout=5)
s.sendall(struct.pack("!I", 40) + struct.pack("!I", 196608) + b"user\0mxadmin\0database\0my")
s.close()
print("broken clients done")
PY
# A console client that leaves right after its password (its pool's first session may still be
# logging in, or already attached): no console session is left behind, idle or otherwise.
python3 - "$MX_PORT" "$ADMIN2_USER" "$ADMIN2_PASS" <<'PY'
import hashlib, socket, struct, sys
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
s = socket.create_connection(("127.0.0.1", port), timeout=5)
body = struct.pack("!I", 196608) + b"user\0" + user.encode() + b"\0database\0myrmex\0\0"
s.sendall(struct.pack("!I", len(body) + 4) + body)
head = s.recv(5)
assert head[:1] == b"R", head
rest = s.recv(struct.unpack("!I", head[1:5])[0] - 4)
assert struct.unpack("!I", rest[:4])[0] == 5, rest
inner = hashlib.md5((password + user).encode()).hexdigest().encode()
pw = b"md5" + hashlib.md5(inner + rest[4:8]).hexdigest().encode() + b"\0"
s.sendall(b"p" + struct.pack("!I", len(pw) + 4) + pw)
s.close()
PY
admin2_gone() { [ -z "$(row_of "SHOW SERVERS" S "$ADMIN2_USER")" ]; }
wait_until 10 "no console session left for a client that left during login" admin2_gone
bg_wait "$load_pid" 60 || fail "the load beside the broken console clients failed: $(cat "$T/load.out")"
assert_match 'errors=0' "$(cat "$T/load.out")" "app clients undisturbed"
mx_alive || fail "the proxy died"
assert_match '^active\|yes$' "$(admin "SHOW STATE")" "the console still answers"
console_sessions() { [ "$(row_of "SHOW POOLS" myrmex "$ADMIN_USER" | cut -d'|' -f7)" = 1 ]; }
wait_until 10 "broken console sessions to end (only this one left)" console_sessions

echo "COMMIT;" >&7
exec 7>&-
exec 8>&-
# A console session still open at shutdown ends with the proxy, which exits 0.
hold lastconsole "$ADMIN_USER" "$ADMIN_PASS" myrmex last_console
exec 6<>"$T/lastconsole.fifo"
echo "SHOW STATE;" >&6
wait_until 10 "the last console query" grep -q '^active|yes$' "$T/lastconsole.out"
myrmex_stop
exec 6>&-
note "admin console: ok"
