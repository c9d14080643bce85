#!/usr/bin/env bash
# Leases: in session pooling, a client of an sqlite:// database has its socket lent to its
# session thread once nothing is owed either way (sqlite/sqlite_server.h). What the proxy did
# for the client must still hold while it talks to the session directly:
# - the lease is taken (debug log) and the answers are the same;
# - when the client leaves, the session is reset for the next client (settings, prepared
#   statements), and the next client's startup settings are applied to it;
# - a client that leaves inside a transaction (Terminate, or a killed process) leaves nothing
#   behind: its writes are rolled back and the write lock is free;
# - a cancel and query_timeout interrupt a leased client's query (57014);
# - idle_transaction_timeout and client_idle_timeout close a leased client with their FATAL
#   error; a shutdown ends idle leased clients with 57P01 and the proxy exits;
# - a client that sends the proxy's private lease message itself is refused (08P01), and other
#   clients are not disturbed.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
DB="$T/app.db"
LONG="WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n) SELECT count(*) FROM n"

pg_start
lease_conf() { # EXTRA-LINES...
    printf '%s\n' "pool_mode = session" "default_pool_size = 2" "log_level = debug" "$@" \
        "[databases]" "app = sqlite://$DB"
}

# --- lent, and reset for the next client -------------------------------------------------------
myrmex_start "$(lease_conf "default_pool_size = 1")"
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
CREATE TABLE t (id integer PRIMARY KEY, v text)
SET TimeZone = 'Asia/Tokyo'
SHOW TimeZone
SQL
)
printf '%s\n' "$out"
assert_match 'OK\|SHOW\|Asia/Tokyo' "$out" "a setting in the leased session"
wait_until 5 "a lease in $MX_LOG" grep -q 'socket lent to the SQLite session' "$MX_LOG"
out=$(PGTZ=America/New_York pgclient "$(mx_conninfo)" script <<'SQL'
SHOW TimeZone
SELECT 1
SHOW TimeZone
SQL
)
printf '%s\n' "$out"
assert_match '^OK\|SHOW\|America/New_York' "$(printf '%s\n' "$out" | sed -n 2p)" "the next client's startup TimeZone"
assert_match '^OK\|SHOW\|America/New_York' "$(printf '%s\n' "$out" | sed -n 4p)" "TimeZone while leased"
# A named statement of one leased client is gone for the next (pool_size = 1: same session).
out=$(python3 - "127.0.0.1:$MX_PORT:$APP_USER:$APP_PASS:app" "$HERE" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import pswire
for step in ("prepare", "use"):
    c = pswire.Conn(sys.argv[1])
    msgs = [pswire.Q("SELECT 1")]
    if step == "prepare":
        msgs += [pswire.P("s1", "SELECT 42"), pswire.B("s1"), pswire.E(), pswire.S()]
    else:
        msgs += [pswire.B("s1"), pswire.E(), pswire.S()]
    for t, b in msgs:
        c.send(t, b)
    got = []
    for _ in range(2):
        while True:
            t, b = c.read()
            if t in "DE":
                got.append(t + ":" + (pswire.fields(b).get("C", "") if t == "E" else b[6:].decode()))
            if t == "Z":
                break
    print(step, " ".join(got))
    c.close()
PY
)
printf '%s\n' "$out"
assert_match '^prepare D:1 D:42$' "$(printf '%s\n' "$out" | sed -n 1p)" "a named statement while leased"
assert_match '^use D:1 E:26000$' "$(printf '%s\n' "$out" | sed -n 2p)" "the last client's named statement is gone"

# --- leaving inside a transaction ---------------------------------------------------------------
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
SELECT 1
BEGIN
INSERT INTO t VALUES (1, 'terminated')
SQL
)
assert_match 'INSERT 0 1' "$out" "insert before Terminate"
bg killed pgclient "$(mx_conninfo)" script <<'SQL'
SELECT 1
BEGIN
INSERT INTO t VALUES (2, 'killed')
\echo inserted
\sleep 20000
SQL
killed=$BG_PID
wait_until 10 "the insert of the client to be killed" grep -q inserted "$T/killed.out"
# bg runs the pgclient function in a subshell: the client runs under timeout, its child.
tpid=$(pgrep -P "$killed" -x timeout) || fail "no client process to kill"
pkill -KILL -P "$tpid" || fail "no client process to kill"
bg_wait "$killed" 10 || true
start=$(now_ms)
out=$(pgclient "$(mx_conninfo)" script <<'SQL'
SELECT count(*) FROM t
SET statement_timeout = 2000
INSERT INTO t VALUES (3, 'after')
SELECT string_agg(v, ',') FROM t
SQL
)
printf '%s\n' "$out"
assert_match '^OK\|SELECT 1\|0\|' "$(printf '%s\n' "$out" | sed -n 2p)" "nothing left by clients that left mid-transaction"
assert_match '^OK\|INSERT 0 1' "$(printf '%s\n' "$out" | sed -n 4p)" "the write lock is free"
assert_match '^OK\|SELECT 1\|after\|' "$(printf '%s\n' "$out" | sed -n 5p)" "only the committed row"
assert_le "$(($(now_ms) - start))" 5000 "the session of the killed client is free at once (ms)"
mx_alive || fail "proxy died"
myrmex_stop

# --- cancel and query_timeout on a leased client --------------------------------------------------
myrmex_start "$(lease_conf "query_timeout = 1")"
start=$(now_ms)
err=$(PGPASSWORD=$APP_PASS timeout -s INT 1.5 psql -X -At -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" \
    -d app -c "SELECT 1" -c "SELECT 1 FROM pg_catalog.pg_class LIMIT 0" -c "$LONG" 2>&1) || true
took=$(($(now_ms) - start))
note "cancel took ${took} ms: $err"
assert_match 'canceling statement due to user request' "$err" "a leased client's query cancelled"
out=$(pgclient "$(mx_conninfo)" script <<SQL
SELECT 1
$LONG
SELECT 'still here'
$LONG
$LONG
SQL
)
printf '%s\n' "$out"
assert_match '^ERR\|57014\|' "$(printf '%s\n' "$out" | sed -n 3p)" "query_timeout on a leased client"
assert_match '^OK\|SELECT 1\|still here\|' "$(printf '%s\n' "$out" | sed -n 4p)" "usable after query_timeout"
assert_match '^ERR\|57014\|' "$(printf '%s\n' "$out" | sed -n 5p)" "query_timeout again"
assert_match '^ERR\|57014\|' "$(printf '%s\n' "$out" | sed -n 6p)" "query_timeout for each query"
myrmex_stop

# --- idle timeouts, a forged lease message, shutdown ---------------------------------------------
myrmex_start "$(lease_conf "idle_transaction_timeout = 2" "client_idle_timeout = 4")"
bg idletx pgclient "$(mx_conninfo)" script <<'SQL'
SELECT 1
BEGIN
INSERT INTO t VALUES (4, 'idle in transaction')
\sleep 3500
SELECT 'not reached'
SQL
bg idle pgclient "$(mx_conninfo)" script <<'SQL'
SELECT 1
\sleep 6000
SELECT 'not reached'
SQL
idletx=$BG_PID
bg_wait "$idletx" 20 || true
bg_wait "$BG_PID" 20 || true
cat "$T/idletx.out" "$T/idle.out"
assert_match '25P03|idle_transaction_timeout' "$(cat "$T/idletx.out")" "idle_transaction_timeout on a leased client"
assert_not_match 'not reached' "$(cat "$T/idletx.out")" "closed by idle_transaction_timeout"
assert_match '57P05|client_idle_timeout' "$(cat "$T/idle.out")" "client_idle_timeout on a leased client"
assert_eq 1 "$(mx_sql "SELECT count(*) FROM t")" "the idle transaction was rolled back"

out=$(python3 - "127.0.0.1:$MX_PORT:$APP_USER:$APP_PASS:app" "$HERE" <<'PY'
import struct, sys
sys.path.insert(0, sys.argv[2])
import pswire
c = pswire.Conn(sys.argv[1])
c.send(b"Q", b"SELECT 1\0")
while c.read()[0] != "Z":
    pass
# The proxy's own lease message, from a client whose socket is already lent.
c.send(b"y", b"\0" * 16)
t, b = c.read()
print(t, pswire.fields(b).get("C") if t == "E" else "")
try:
    t, b = c.read()
    print("then", t)
except (RuntimeError, OSError):
    print("then closed")
PY
)
printf '%s\n' "$out"
assert_match '^E 08P01' "$out" "a forged lease message is refused"
assert_match 'then closed' "$out" "and the connection closed"
assert_eq 1 "$(mx_sql "SELECT count(*) FROM t")" "other clients undisturbed"

# The migration engine's native-SQL message, from a leased client: refused, and nothing runs.
out=$(python3 - "127.0.0.1:$MX_PORT:$APP_USER:$APP_PASS:app" "$HERE" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import pswire
c = pswire.Conn(sys.argv[1])
c.send(b"Q", b"SELECT 1\0")
while c.read()[0] != "Z":
    pass
c.send(b"n", b"CREATE TABLE evil (x INTEGER)\0")
t, b = c.read()
print(t, pswire.fields(b).get("C") if t == "E" else "")
try:
    t, b = c.read()
    print("then", t)
except (RuntimeError, OSError):
    print("then closed")
PY
)
printf '%s\n' "$out"
assert_match '^E 08P01' "$out" "a client's native SQL message is refused"
assert_match 'then closed' "$out" "and the connection closed"
assert_eq 0 "$(mx_sql "SELECT count(*) FROM information_schema.tables WHERE table_name = 'evil'")" \
    "the native SQL did not run"

bg drained pgclient "$(mx_conninfo)" script <<'SQL'
SELECT 1
\echo leased
\sleep 3000
SELECT 'not reached'
SQL
drained=$BG_PID
wait_until 10 "the leased client" grep -q leased "$T/drained.out"
start=$(now_ms)
# SIGINT (SHUTDOWN WAIT_FOR_SERVERS): a client is closed as soon as it is between transactions.
kill -INT "$MX_PID"
wait_pid_exit "$MX_PID" 15 || fail "proxy still running 15 s after SIGINT"
rc=0
wait "$MX_PID" || rc=$?
MX_PID=""
assert_eq 0 "$rc" "exit status after SIGINT"
mx_check_sanitizer
note "shutdown with a leased idle client took $(($(now_ms) - start)) ms"
bg_wait "$drained" 10 || true
assert_match '57P01|shutting down' "$(cat "$T/drained.out")" "a leased idle client is ended by the shutdown"

# --- shutdown: a COPY in progress finishes; an idle transaction ends at shutdown_timeout -----------
myrmex_start "$(lease_conf "shutdown_timeout = 3")"
bg copying bash -c "{ echo 101; sleep 1.5; echo 102; } | PGPASSWORD=$APP_PASS timeout 30 psql -X -At -v ON_ERROR_STOP=1 \
    -h 127.0.0.1 -p $MX_PORT -U $APP_USER -d app -c 'SELECT 1' -c '\copy t (id) FROM STDIN'"
copying=$BG_PID
# (a reading transaction: one that wrote would hold the write lock the COPY needs)
bg idletx2 pgclient "$(mx_conninfo)" script <<'SQL'
SELECT 1
BEGIN
SELECT count(*) FROM t
\echo open
\sleep 8000
COMMIT
SQL
idletx2=$BG_PID
wait_until 10 "the open transaction" grep -q open "$T/idletx2.out"
sleep 0.5
start=$(now_ms)
myrmex_stop 15
took=$(($(now_ms) - start))
note "shutdown with a COPY and an idle transaction took $took ms"
assert_le "$took" 6000 "shutdown_timeout ends the idle transaction (ms)"
bg_wait "$copying" 20 || fail "the COPY did not finish: $(cat "$T/copying.out")"
bg_wait "$idletx2" 20 || true
cat "$T/copying.out" "$T/idletx2.out"
assert_match 'COPY 2' "$(cat "$T/copying.out")" "a leased COPY in progress finishes during the drain"
assert_match '57P01|shutdown_timeout|server closed|terminat' "$(cat "$T/idletx2.out")" "the idle transaction is ended"
myrmex_start "$(lease_conf)"
assert_eq "2|101|102" "$(mx_sql "SELECT count(*), min(id), max(id) FROM t WHERE id > 100")" "the COPY's rows kept"
myrmex_stop

# --- Describe answered with the Execute that follows: PostgreSQL's message order -------------
# (a RowDescription before the rows, and before the error of an Execute that fails)
myrmex_start "$(lease_conf)"
setup="CREATE TABLE dz (x integer); INSERT INTO dz VALUES (0), (2)"
pg_sql "DROP TABLE IF EXISTS dz; $setup; ALTER TABLE dz OWNER TO $APP_USER" >/dev/null
mx_sql "$setup" >/dev/null
order() { # TARGET
    python3 - "$1" "$HERE" <<'PY'
import sys
sys.path.insert(0, sys.argv[2])
import pswire
c = pswire.Conn(sys.argv[1])
out = []
for sql in ("SELECT 10 / x AS q FROM dz WHERE x = 2", "SELECT 10 / x AS q FROM dz WHERE x = 0",
            "SELECT x FROM dz WHERE x < 0"):
    for t, b in (pswire.P("", sql), pswire.B(""), pswire.D("P", ""), pswire.E(), pswire.S()):
        c.send(t, b)
    seq = []
    while True:
        t, b = c.read()
        seq.append(t + (":" + pswire.fields(b).get("C", "") if t == "E" else ""))
        if t == "Z":
            break
    out.append(" ".join(seq))
print("\n".join(out))
PY
}
pg_order=$(order "127.0.0.1:$PG_PORT:$APP_USER:$APP_PASS:app")
mx_order=$(order "127.0.0.1:$MX_PORT:$APP_USER:$APP_PASS:app")
printf 'PostgreSQL:\n%s\nSQLite:\n%s\n' "$pg_order" "$mx_order"
assert_eq "$pg_order" "$mx_order" "Parse/Bind/Describe/Execute/Sync replies"
myrmex_stop
