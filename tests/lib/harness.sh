# shellcheck shell=bash
# tests/lib/harness.sh: sourced by every integration test (tests/integration/NN_name.sh).
#
# Each test gets its own temporary directory, free loopback ports and pid bookkeeping; a real
# PostgreSQL 15 (pg_start) and the proxy (myrmex_start) run inside it. An EXIT trap stops what
# the test started, by PID, checks the proxy's log for sanitizer reports and, when the test
# failed, prints the last lines of every log. A test passes when its script exits 0.
#
# Modelled on Hitch's src/tests/hitch_test.sh. Nothing here ever targets anything but 127.0.0.1
# or a unix socket inside the test directory; every wait is bounded.
#
# Environment:
#   MYRMEX_BIN            proxy binary (default: <top>/myrmex)
#   MYRMEX_TEST_BIN_DIR   where helper programs (pgclient) are built and pg_start keeps the cluster
#                         initdb made, for the next tests; default: the test dir (no cache)
#   MYRMEX_TEST_KEEP=1    keep the test directory even when the test passed
#   MYRMEX_TEST_LOG_LEVEL proxy log_level (default: info)
#   MYRMEX_TEST_PROXY=pgbouncer  run the tests against PgBouncer instead (reference run)
#   PG_BIN                PostgreSQL binaries (default: /usr/lib/postgresql/15/bin)

set -Eeuo pipefail

HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HARNESS_DIR/../.." && pwd)
TEST_NAME=$(basename "$0" .sh)
MYRMEX_BIN=${MYRMEX_BIN:-$TOP/myrmex}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PYTHON=${PYTHON:-$(command -v python3 || echo python3)}
MYRMEX_TEST_PROXY=${MYRMEX_TEST_PROXY:-myrmex}

# Never let the caller's libpq environment leak into a test.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGSERVICEFILE PGOPTIONS \
    PGAPPNAME PGCLIENTENCODING PGDATESTYLE PGTZ PGSSLMODE PGREQUIRESSL PGTARGETSESSIONATTRS \
    PGCHANNELBINDING PGGSSENCMODE
export PGCONNECT_TIMEOUT=5
export PGPASSFILE=/nonexistent/pgpass
export PGSSLMODE=disable
export PGGSSENCMODE=disable
export LC_ALL=C

# Passwords of the roles pg_start creates.
PG_SUPER=postgres
PG_SUPER_PASS=super-Secret1
APP_USER=app
APP_PASS=app-Secret1
APP2_USER=app2
APP2_PASS=app2-Secret2

T=$(mktemp -d "${TMPDIR:-/tmp}/myrmex-it-$TEST_NAME.XXXXXX")
chmod 0755 "$T"
export TMPDIR="$T"

PG_PORT=""
PG_HOST=127.0.0.1
PG_PID=""
PG_DATA="$T/pg/data"
PG_SOCKDIR="$T/pg/sock"
PG_LOG="$T/pg/postgres.log"

MX_PORT=""

MX_PID=""
MX_CONF="$T/myrmex.ini"
MX_SOCKDIR="$T/mxsock"
MX_LOG=""
MX_RUNS=0
MX_LOGS=()
USERLIST="$T/userlist.txt"
BG_PIDS=()
PGCLIENT=""
_USED_PORTS=" "
_HARNESS_FAILED=0
_SAN_REPORTED=" "

# ---------------------------------------------------------------------------------------------
# Messages and assertions

note() { printf '# %s\n' "$*"; }

fail() {
    _HARNESS_FAILED=1
    local where="${BASH_SOURCE[1]:-?}:${BASH_LINENO[0]:-?}"
    printf 'FAIL [%s] %s: %s\n' "$TEST_NAME" "${where##*/}" "$*" >&2
    exit 1
}

_harness_err() {
    local rc=$1 line=$2 cmd=$3
    # Print once, from the top-level shell; subshells only propagate their status.
    if [ "${BASH_SUBSHELL:-0}" -eq 0 ] && [ "$_HARNESS_FAILED" -eq 0 ]; then
        _HARNESS_FAILED=1
        printf 'FAIL [%s] line %s: command exited %s: %s\n' "$TEST_NAME" "$line" "$rc" "$cmd" >&2
        local i
        for ((i = 1; i < ${#FUNCNAME[@]}; i++)); do
            printf '    called from %s() at %s:%s\n' "${FUNCNAME[$i]}" "${BASH_SOURCE[$i]##*/}" "${BASH_LINENO[$((i - 1))]}" >&2
        done
    fi
}
trap '_harness_err $? $LINENO "$BASH_COMMAND"' ERR

assert_eq() { # expected actual [message]
    [ "$1" == "$2" ] || fail "${3:-values differ}: expected '$1', got '$2'"
}
assert_ne() { # unexpected actual [message]
    [ "$1" != "$2" ] || fail "${3:-value is forbidden}: got '$2'"
}
assert_match() { # extended-regex actual [message]
    grep -Eq -- "$1" <<<"$2" || fail "${3:-no match}: /$1/ not found in: $(printf '%s' "$2" | head -c 2000)"
}
assert_not_match() { # extended-regex actual [message]
    if grep -Eq -- "$1" <<<"$2"; then
        fail "${3:-unexpected match}: /$1/ found in: $(printf '%s' "$2" | head -c 2000)"
    fi
}
assert_int() { # name value
    [[ "$2" =~ ^-?[0-9]+$ ]] || fail "$1 is not an integer: '$2'"
}
assert_le() { # a b [message]  (a <= b)
    assert_int "left operand" "$1"
    assert_int "right operand" "$2"
    [ "$1" -le "$2" ] || fail "${3:-expected a <= b}: $1 > $2"
}
assert_ge() { # a b [message]  (a >= b)
    assert_int "left operand" "$1"
    assert_int "right operand" "$2"
    [ "$1" -ge "$2" ] || fail "${3:-expected a >= b}: $1 < $2"
}

now_ms() { date +%s%3N; }

# wait_until SECONDS DESCRIPTION COMMAND...: poll COMMAND every 0.1 s until it succeeds.
wait_until() {
    local secs=$1 desc=$2
    shift 2
    local deadline=$(($(now_ms) + secs * 1000))
    while [ "$(now_ms)" -lt "$deadline" ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    fail "timed out after ${secs}s waiting for: $desc"
}

# ---------------------------------------------------------------------------------------------
# Ports, processes

# free_port: a loopback TCP port nobody listens on, outside the ephemeral range so that no
# outgoing connection takes it between the probe and the bind.
free_port() {
    local p i
    for i in $(seq 1 50); do
        p=$("$PYTHON" - <<'EOF'
import random, socket
for _ in range(200):
    p = random.randint(20000, 32000)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
EOF
)
        if [ -n "$p" ] && [[ "$_USED_PORTS" != *" $p "* ]]; then
            _USED_PORTS+="$p "
            echo "$p"
            return 0
        fi
    done
    fail "no free port found"
}

port_open() { # host port
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

# wait_pid_exit PID SECONDS: true when PID is gone within SECONDS.
wait_pid_exit() {
    local pid=$1 deadline=$(($(now_ms) + $2 * 1000))
    while pid_alive "$pid"; do
        [ "$(now_ms)" -lt "$deadline" ] || return 1
        sleep 0.05
    done
    return 0
}

# bg NAME COMMAND...: run COMMAND in the background, output in $T/NAME.out; sets BG_PID.
# COMMAND reads bg's standard input (bg name cmd <<EOF ... works).
bg() {
    local name=$1
    shift
    "$@" 0<&0 >"$T/$name.out" 2>&1 &
    BG_PID=$!
    BG_PIDS+=("$BG_PID")
}

# bg_wait PID SECONDS: wait (bounded) for a background job; returns its exit status.
bg_wait() {
    local pid=$1 secs=$2 rc=0
    if ! wait_pid_exit "$pid" "$secs"; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
        fail "background job $pid did not finish within ${secs}s"
    fi
    wait "$pid" || rc=$?
    return "$rc"
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

# pg_start [extra postgresql.conf lines]: initdb and start a private PostgreSQL 15 on a free
# loopback port, with roles app and app2 (SCRAM passwords) and database app owned by app.
pg_start() {
    [ -x "$PG_BIN/initdb" ] || fail "PostgreSQL binaries not found in $PG_BIN (run contrib/dev.sh deps)"
    PG_PORT=$(free_port)
    mkdir -p "$T/pg" "$PG_SOCKDIR"
    printf '%s\n' "$PG_SUPER_PASS" >"$T/pg/pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$T/pg"; fi
    # initdb once per test run: later tests copy the cluster it made (in MYRMEX_TEST_BIN_DIR,
    # which tests/run.sh shares between its tests), before anything is added to it.
    local cache=""
    [ -n "${MYRMEX_TEST_BIN_DIR:-}" ] && cache="$MYRMEX_TEST_BIN_DIR/pg-initdb"
    if [ -n "$cache" ] && [ -f "$cache/PG_VERSION" ]; then
        cp -a "$cache" "$PG_DATA" || fail "cannot copy the initdb cache $cache"
    else
        (cd "$T/pg" && as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U "$PG_SUPER" --auth=scram-sha-256 \
            --pwfile="$T/pg/pwfile" -E UTF8 --locale=C --no-sync >"$T/pg/initdb.out" 2>&1) ||
            { cat "$T/pg/initdb.out" >&2; fail "initdb failed"; }
        if [ -n "$cache" ]; then
            mkdir -p "$MYRMEX_TEST_BIN_DIR"
            cp -a "$PG_DATA" "$cache.$$" && { mv -T "$cache.$$" "$cache" 2>/dev/null || rm -rf "$cache.$$"; }
        fi
    fi
    cat >>"$PG_DATA/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$PG_SOCKDIR'
password_encryption = 'scram-sha-256'
max_connections = 200
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_line_prefix = '%m [%p] %q%u@%d '
log_connections = on
${1:-}
EOF
    pg_ctl_start
    pg_sql_db postgres "CREATE ROLE $APP_USER LOGIN PASSWORD '$APP_PASS';
        CREATE ROLE $APP2_USER LOGIN PASSWORD '$APP2_PASS';" >/dev/null
    pg_sql_db postgres "CREATE DATABASE app OWNER $APP_USER" >/dev/null
    pg_sql "GRANT ALL ON SCHEMA public TO $APP2_USER;" >/dev/null
}

pg_ctl_start() {
    (cd "$T/pg" && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 start >/dev/null) ||
        fail "pg_ctl start failed"
    PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
    note "postgres pid $PG_PID listening on 127.0.0.1:$PG_PORT"
}

# pg_restart: pg_ctl restart -m fast (waits until the server accepts connections again).
pg_restart() {
    (cd "$T/pg" && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -m fast restart >/dev/null) ||
        fail "pg_ctl restart failed"
    PG_PID=$(head -1 "$PG_DATA/postmaster.pid")
}

pg_stop() {
    [ -n "$PG_PID" ] || return 0
    (cd "$T/pg" && as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -t 20 -m "${1:-fast}" stop >/dev/null 2>&1) || true
    if pid_alive "$PG_PID"; then kill -KILL "$PG_PID" 2>/dev/null || true; fi
    PG_PID=""
}

# pg_sql SQL / pg_sql_db DB SQL: run SQL directly on PostgreSQL as the superuser; prints tuples
# unaligned, '|'-separated.
pg_sql_db() {
    PGPASSWORD=$PG_SUPER_PASS timeout 60 psql -X -q -At -v ON_ERROR_STOP=1 \
        -h "$PG_HOST" -p "$PG_PORT" -U "$PG_SUPER" -d "$1" -c "$2"
}
pg_sql() { pg_sql_db app "$1"; }

# pg_scram_secret ROLE: the SCRAM-SHA-256 secret stored in pg_authid.
pg_scram_secret() {
    pg_sql_db postgres "SELECT rolpassword FROM pg_authid WHERE rolname = '$1'"
}

# md5_secret USER PASSWORD: PgBouncer/PostgreSQL md5 secret ("md5" || md5(password || user)).
md5_secret() {
    printf 'md5%s\n' "$(printf '%s%s' "$2" "$1" | md5sum | cut -d' ' -f1)"
}

# write_userlist FILE USER SECRET [USER SECRET...]: a userlist.txt ("user" "secret" lines).
write_userlist() {
    local f=$1
    shift
    : >"$f"
    while [ $# -ge 2 ]; do
        printf '"%s" "%s"\n' "$1" "$2" >>"$f"
        shift 2
    done
}

# pg_query_is EXPECTED SQL: true when SQL (as superuser, database postgres) returns EXPECTED;
# for wait_until, which re-runs it on every poll.
pg_query_is() {
    [ "$(pg_sql_db postgres "$2" 2>/dev/null)" = "$1" ]
}

# server_backends [USER] [DB]: client backends PostgreSQL has for USER on DB (default app/app).
server_backends() {
    pg_sql_db postgres "SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'
        AND usename = '${1:-$APP_USER}' AND datname = '${2:-app}'"
}

# ---------------------------------------------------------------------------------------------
# The proxy

# db_line [NAME] [EXTRA]: a [databases] entry for database app on the test's PostgreSQL,
# logging in as app with its password.
db_line() {
    printf '%s = host=127.0.0.1 port=%s dbname=app user=%s password=%s%s\n' \
        "${1:-app}" "$PG_PORT" "$APP_USER" "$APP_PASS" "${2:+ $2}"
}

# mx_conf BODY: the configuration file text. BODY holds [myrmex] keys first (with or without
# the [myrmex] header) and optionally further sections. Defaults below are added for keys BODY
# does not set; a [databases] section with db_line is added when BODY has none.
mx_conf() {
    local body=${1-} key section=myrmex
    local -A set_keys=()
    while IFS= read -r line; do
        if [[ "$line" =~ ^[[:space:]]*([A-Za-z_][A-Za-z0-9_]*)[[:space:]]*= ]]; then
            set_keys[${BASH_REMATCH[1]}]=1
        fi
    done <<<"$body"
    [ "$MYRMEX_TEST_PROXY" = pgbouncer ] && section=pgbouncer
    printf '[%s]\n' "$section"
    local defaults=(
        "listen_addr = 127.0.0.1"
        "listen_port = $MX_PORT"
        "unix_socket_dir = $MX_SOCKDIR"
        "workers = 2"
        "log_level = ${MYRMEX_TEST_LOG_LEVEL:-info}"
        "auth_type = md5"
        "auth_file = $USERLIST"
        "pool_mode = transaction"
        "default_pool_size = 5"
        "max_client_conn = 200"
        "shutdown_timeout = 10"
        "query_wait_timeout = 30"
    )
    local d
    for d in "${defaults[@]}"; do
        key=${d%% =*}
        [ -n "${set_keys[$key]:-}" ] && continue
        if [ "$MYRMEX_TEST_PROXY" = pgbouncer ]; then
            case $key in workers | log_level | shutdown_timeout) continue ;; esac
        fi
        printf '%s\n' "$d"
    done
    # BODY, without a leading [myrmex] header (and, for PgBouncer, without myrmex-only keys).
    if [ "$MYRMEX_TEST_PROXY" = pgbouncer ]; then
        body=$(printf '%s\n' "$body" | grep -Ev '^[[:space:]]*(workers|log_level|shutdown_timeout)[[:space:]]*=' || true)
    fi
    printf '%s\n' "$body" | awk -v sec="$section" '
        !started && /^[[:space:]]*$/ { next }
        !started && /^[[:space:]]*\[myrmex\][[:space:]]*$/ { started = 1; next }
        { started = 1; if ($0 ~ /^[[:space:]]*\[myrmex\][[:space:]]*$/) print "[" sec "]"; else print }'
    # A here-string, not a pipe: grep -q exits at the first match, and under pipefail the
    # writer's SIGPIPE would read as "no [databases]" and add a second one.
    if ! grep -q '^[[:space:]]*\[databases\]' <<<"$body"; then
        printf '[databases]\n'
        db_line app
    fi
}

_mx_user_setup() {
    [ -n "$MX_PORT" ] || MX_PORT=$(free_port)
    mkdir -p "$MX_SOCKDIR"
    if [ ! -e "$USERLIST" ]; then
        write_userlist "$USERLIST" "$APP_USER" "$APP_PASS" "$APP2_USER" "$APP2_PASS"
    fi
}

# myrmex_write_conf BODY: (re)write $MX_CONF, e.g. before a SIGHUP.
myrmex_write_conf() {
    _mx_user_setup
    mx_conf "${1-}" >"$MX_CONF.tmp"
    mv "$MX_CONF.tmp" "$MX_CONF"
}

# myrmex_start [BODY]: write the configuration, start the proxy in the background (logs in
# $MX_LOG) and wait until it accepts TCP connections.
myrmex_start() {
    myrmex_write_conf "${1-}"
    MX_RUNS=$((MX_RUNS + 1))
    MX_LOG="$T/myrmex.$MX_RUNS.log"
    MX_LOGS+=("$MX_LOG")
    if [ "$MYRMEX_TEST_PROXY" = pgbouncer ]; then
        chmod 0755 "$MX_SOCKDIR"
        if [ "$(id -u)" -eq 0 ]; then chown postgres: "$MX_SOCKDIR"; fi
        if [ "$(id -u)" -eq 0 ]; then
            setpriv --reuid=postgres --regid=postgres --clear-groups pgbouncer "$MX_CONF" >"$MX_LOG" 2>&1 &
        else
            pgbouncer "$MX_CONF" >"$MX_LOG" 2>&1 &
        fi
    else
        [ -x "$MYRMEX_BIN" ] || fail "proxy binary $MYRMEX_BIN not built"
        "$MYRMEX_BIN" -c "$MX_CONF" >"$MX_LOG" 2>&1 &
    fi
    MX_PID=$!
    local deadline=$(($(now_ms) + 30000))
    while ! port_open 127.0.0.1 "$MX_PORT"; do
        if ! pid_alive "$MX_PID"; then
            local rc=0
            wait "$MX_PID" || rc=$?
            MX_PID=""
            fail "proxy exited (status $rc) during start-up; see $MX_LOG"
        fi
        [ "$(now_ms)" -lt "$deadline" ] || fail "proxy not accepting connections on port $MX_PORT after 30s"
        sleep 0.05
    done
    note "proxy pid $MX_PID listening on 127.0.0.1:$MX_PORT"
}

# mx_check_sanitizer [LOG]: fail when a sanitizer reported an error in the proxy's log.
mx_check_sanitizer() {
    local log=${1:-$MX_LOG}
    [ -f "$log" ] || return 0
    if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer' "$log"; then
        _SAN_REPORTED+=" $log "
        grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer' "$log" | head -60 >&2
        fail "sanitizer report in $log"
    fi
}

# myrmex_stop [SECONDS]: SIGTERM the proxy, wait (bounded, default 20 s) and require exit 0 and
# a clean sanitizer log. Sets MX_RC.
myrmex_stop() {
    local secs=${1:-20}
    MX_RC=""
    [ -n "$MX_PID" ] || return 0
    kill -TERM "$MX_PID" 2>/dev/null || true
    if ! wait_pid_exit "$MX_PID" "$secs"; then
        kill -KILL "$MX_PID" 2>/dev/null || true
        wait "$MX_PID" 2>/dev/null || true
        MX_PID=""
        fail "proxy did not exit within ${secs}s of SIGTERM"
    fi
    MX_RC=0
    wait "$MX_PID" || MX_RC=$?
    MX_PID=""
    mx_check_sanitizer "$MX_LOG"
    # PgBouncer 1.18 exits 1 on SIGTERM ("fast exit"); only myrmex is held to 0.
    [ "$MYRMEX_TEST_PROXY" = pgbouncer ] || assert_eq 0 "$MX_RC" "proxy exit status after SIGTERM"
}

mx_alive() { pid_alive "$MX_PID"; }

# mx_fds_at_most N: true when the proxy has at most N open descriptors (for wait_until).
mx_fds_at_most() { [ "$(mx_fd_count)" -le "$1" ]; }

# mx_fd_count: open file descriptors of the proxy.
mx_fd_count() {
    local n
    n=$(find "/proc/$MX_PID/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    echo "$n"
}

# mx_conninfo [USER] [PASSWORD] [DB]: libpq conninfo for a TCP connection through the proxy.
mx_conninfo() {
    printf 'host=127.0.0.1 port=%s user=%s password=%s dbname=%s connect_timeout=5' \
        "$MX_PORT" "${1:-$APP_USER}" "${2:-$APP_PASS}" "${3:-app}"
}
pg_conninfo() {
    printf 'host=127.0.0.1 port=%s user=%s password=%s dbname=%s connect_timeout=5' \
        "$PG_PORT" "${1:-$APP_USER}" "${2:-$APP_PASS}" "${3:-app}"
}

# mx_sql SQL: run SQL through the proxy as app on app (psql, tuples only, unaligned).
mx_sql() {
    PGPASSWORD=$APP_PASS timeout 60 psql -X -q -At -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$MX_PORT" -U "$APP_USER" -d app -c "$1"
}

# ---------------------------------------------------------------------------------------------
# The libpq test client (tests/integration/pgclient.c)

pgclient_build() {
    local dir=${MYRMEX_TEST_BIN_DIR:-$T} src="$TOP/tests/integration/pgclient.c"
    mkdir -p "$dir"
    PGCLIENT="$dir/pgclient"
    if [ ! -x "$PGCLIENT" ] || [ "$src" -nt "$PGCLIENT" ]; then
        local tmp="$PGCLIENT.$$"
        # shellcheck disable=SC2046
        cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -o "$tmp" "$src" \
            $(pkg-config --cflags --libs libpq) -lpthread || fail "cannot build pgclient"
        mv -f "$tmp" "$PGCLIENT"
    fi
}

# pgclient CONNINFO COMMAND [ARGS...]: run the client (bounded by 120 s).
pgclient() {
    [ -n "$PGCLIENT" ] || pgclient_build
    timeout -k 5 120 "$PGCLIENT" "$@"
}

# sqlstate_of OUTPUT: the SQLSTATE from the first ERR/CONNERR line of pgclient script output.
sqlstate_of() {
    printf '%s\n' "$1" | awk -F'|' '$1 == "ERR" || $1 == "CONNERR" { print $2; exit }'
}

# ---------------------------------------------------------------------------------------------
# Clean-up

_harness_dump_logs() {
    local f
    echo "---- logs of $TEST_NAME (test dir $T) ----" >&2
    for f in "${MX_LOGS[@]}" "$PG_LOG" "$T"/*.out; do
        [ -f "$f" ] || continue
        echo "---- last 50 lines of $f ----" >&2
        tail -n 50 "$f" >&2
    done
}

_harness_exit() {
    local rc=$?
    set +e
    trap - ERR
    local pid
    for pid in "${BG_PIDS[@]}"; do
        if pid_alive "$pid"; then kill -TERM "$pid" 2>/dev/null; fi
    done
    if [ -n "$MX_PID" ] && pid_alive "$MX_PID"; then
        kill -TERM "$MX_PID" 2>/dev/null
        if ! wait_pid_exit "$MX_PID" 10; then
            echo "# proxy $MX_PID ignored SIGTERM for 10s; killing it" >&2
            kill -KILL "$MX_PID" 2>/dev/null
        fi
    fi
    for pid in "${BG_PIDS[@]}"; do
        if pid_alive "$pid"; then kill -KILL "$pid" 2>/dev/null; fi
    done
    local log
    for log in "${MX_LOGS[@]}"; do
        [[ "$_SAN_REPORTED" == *" $log "* ]] && continue
        if [ -f "$log" ] && grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|WARNING: ThreadSanitizer' "$log"; then
            echo "FAIL [$TEST_NAME]: sanitizer report in $log" >&2
            grep -E -A30 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$log" | head -60 >&2
            [ "$rc" -ne 0 ] || rc=1
        fi
    done
    pg_stop immediate
    if [ "$rc" -ne 0 ]; then
        _harness_dump_logs
        rm -rf "$PG_DATA"
        echo "# test directory kept: $T" >&2
    elif [ "${MYRMEX_TEST_KEEP:-0}" = 1 ]; then
        echo "# test directory kept: $T"
    else
        rm -rf "$T"
    fi
    exit "$rc"
}
trap _harness_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
