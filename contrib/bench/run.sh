#!/usr/bin/env bash
# contrib/bench/run.sh: pgbench throughput, latency and proxy CPU cost of direct PostgreSQL,
# PgBouncer and myrmex (workers = 1 and workers = 2), in one run on this machine; optionally
# also myrmex serving an SQLite database itself (targets myrmex-sqlite, myrmex-sqlite-tx).
#
# Starts a throwaway PostgreSQL 15 (in a temporary directory, loopback only), loads
# pgbench -i -s $SCALE, then for every workload x protocol x client count x target runs
#   pgbench -n -b WORKLOAD -M MODE -c C -j min(C,MAX_JOBS) -T DURATION
# REPEAT times over TCP 127.0.0.1. A proxy runs only while it is benchmarked (it is started
# for each workload/mode/clients block and stopped after it); its CPU time (utime+stime from
# /proc/PID/stat) is sampled around every run and divided by the transactions processed.
# Prints a table of medians and writes everything to $OUT.
#
# Targets myrmex-sqlite and myrmex-sqlite-tx: myrmex's embedded SQLite backend (sqlite://
# database, workers = 2, sqlite_synchronous = $SQLITE_SYNCHRONOUS), initialised once with
# pgbench -i -s $SCALE through the proxy itself; myrmex-sqlite in session pool mode (a pool that
# fits every client: each client's socket is lent to its session thread, no proxy hop),
# myrmex-sqlite-tx in transaction pool mode (every message through the worker).
# Its write-workload resets (RESET=1) run TRUNCATE pgbench_history through the proxy.
#
# Environment (defaults in brackets):
#   CLIENTS ["1 16 64 256"]  DURATION [10]  REPEAT [3]  SCALE [10]  POOL_SIZE [20]
#   WORKLOADS ["select-only tpcb-like"]  MODES ["simple extended"]  MAX_JOBS [2]
#   TARGETS ["postgres pgbouncer myrmex-w1 myrmex-w2"], also myrmex-sqlite, myrmex-sqlite-tx
#   WARMUP [1] (s, unrecorded, per block)  SQLITE_SYNCHRONOUS [full] (or normal, or off: what
#   the benchmark PostgreSQL's fsync = off matches)
#   RESET [1] (before each write-workload run: VACUUM branches/tellers, TRUNCATE history,
#              directly on PostgreSQL, outside the measured window)
#   OUT [/tmp/myrmex-bench-<timestamp>]  KEEP [0] (1 keeps the temporary PostgreSQL cluster)
#   MYRMEX_BIN [<top>/myrmex]  PGBOUNCER_BIN [/usr/sbin/pgbouncer]
#   PG_BIN [/usr/lib/postgresql/15/bin]  PYTHON [python3]
#
# A target myrmex-wN-LABEL is myrmex-wN under another name, its [myrmex] section extended by
# the hook myrmex_conf_extra (below): a script that sources this one (contrib/bench/monitor.sh)
# redefines the hooks and drives block() itself; sourced, this file only defines.
#
# Exit status: 0 when every run completed with no failed transaction and no proxy died;
# 1 otherwise; 2 for a setup error (missing binary, PostgreSQL would not start, ...).

set -Eeuo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
PGBOUNCER_BIN=${PGBOUNCER_BIN:-/usr/sbin/pgbouncer}
MYRMEX_BIN=${MYRMEX_BIN:-$TOP/myrmex}
PYTHON=${PYTHON:-python3}
SCALE=${SCALE:-10}
POOL_SIZE=${POOL_SIZE:-20}
CLIENTS=${CLIENTS:-1 16 64 256}
DURATION=${DURATION:-10}
REPEAT=${REPEAT:-3}
WARMUP=${WARMUP:-1}
RESET=${RESET:-1}
MAX_JOBS=${MAX_JOBS:-2}
WORKLOADS=${WORKLOADS:-select-only tpcb-like}
MODES=${MODES:-simple extended}
TARGETS=${TARGETS:-postgres pgbouncer myrmex-w1 myrmex-w2}
SQLITE_SYNCHRONOUS=${SQLITE_SYNCHRONOUS:-full}
OUT=${OUT:-/tmp/myrmex-bench-$(date +%Y%m%d-%H%M%S)}
KEEP=${KEEP:-0}

BENCH_USER=bench
BENCH_PASS=bench-Secret1
BENCH_DB=bench
PG_SUPER=postgres
PG_SUPER_PASS=super-Secret1
MAX_CLIENTS=280 # max_connections = 300, minus reserved slots and the script's own psql

# Never let the caller's libpq environment leak in.
unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSERVICE PGSERVICEFILE PGOPTIONS \
    PGAPPNAME PGTARGETSESSIONATTRS PGCHANNELBINDING PGSSLMODE PGREQUIRESSL
export PGPASSFILE=/nonexistent/pgpass PGSSLMODE=disable PGGSSENCMODE=disable PGCONNECT_TIMEOUT=10
export LC_ALL=C

# ---------------------------------------------------------------------------------------------
# Messages, checks

say() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() {
    printf '[bench] ERROR: %s\n' "$*" >&2
    exit 2
}

need_exe() { # path-or-name hint
    local p
    p=$(command -v "$1" 2>/dev/null || true)
    if [ -z "$p" ] || [ ! -x "$p" ]; then
        die "$1 not found or not executable. $2"
    fi
}

is_uint() { [[ "$1" =~ ^[0-9]+$ ]]; }

check_setup() {
    local hint_pg="Install PostgreSQL 15 (apt-get install -y postgresql-15 postgresql-client-15) or run contrib/dev.sh deps; set PG_BIN if it lives elsewhere."
    local b
    for b in initdb pg_ctl postgres psql pgbench; do
        need_exe "$PG_BIN/$b" "$hint_pg"
    done
    need_exe "$PGBOUNCER_BIN" "Install PgBouncer (apt-get install -y pgbouncer) or run contrib/dev.sh deps; set PGBOUNCER_BIN if it lives elsewhere."
    need_exe "$PYTHON" "Install Python 3 (apt-get install -y python3) or set PYTHON."
    for b in getconf timeout stat sha256sum; do
        need_exe "$b" "Install coreutils/libc-bin."
    done
    if [ "$(id -u)" -eq 0 ]; then
        id postgres >/dev/null 2>&1 ||
            die "running as root needs the 'postgres' system user (it comes with the postgresql-15 package): initdb and pgbouncer refuse to run as root"
        need_exe setpriv "Install util-linux."
    fi
    case " $TARGETS " in
    *" myrmex-"*)
        [ -x "$MYRMEX_BIN" ] || die "myrmex binary $MYRMEX_BIN not found; build it first: autoreconf -fi && ./configure && make -j2 (or set MYRMEX_BIN)"
        ;;
    esac

    local v
    for v in SCALE POOL_SIZE DURATION REPEAT WARMUP MAX_JOBS; do
        is_uint "${!v}" || die "$v must be a non-negative integer, got '${!v}'"
    done
    for v in SCALE DURATION REPEAT POOL_SIZE MAX_JOBS; do
        [ "${!v}" -ge 1 ] || die "$v must be >= 1"
    done
    [ -n "$CLIENTS" ] || die "CLIENTS is empty"
    for v in $CLIENTS; do
        if ! is_uint "$v" || [ "$v" -lt 1 ] || [ "$v" -gt "$MAX_CLIENTS" ]; then
            die "CLIENTS entries must be integers in 1..$MAX_CLIENTS (PostgreSQL max_connections = 300), got '$v'"
        fi
    done
    for v in $WORKLOADS; do
        case $v in select-only | tpcb-like | simple-update) ;; *) die "unknown workload '$v' (select-only, tpcb-like, simple-update)" ;; esac
    done
    for v in $MODES; do
        case $v in simple | extended | prepared) ;; *) die "unknown mode '$v' (simple, extended, prepared)" ;; esac
    done
    case $SQLITE_SYNCHRONOUS in full | normal | off) ;; *) die "SQLITE_SYNCHRONOUS must be full, normal or off, got '$SQLITE_SYNCHRONOUS'" ;; esac
    for v in $TARGETS; do
        [[ $v =~ ^(postgres|pgbouncer|myrmex-w[1-9][0-9]?(-[a-z0-9]+)?|myrmex-sqlite|myrmex-sqlite-tx)$ ]] ||
            die "unknown target '$v' (postgres, pgbouncer, myrmex-wN, myrmex-wN-LABEL, myrmex-sqlite, myrmex-sqlite-tx)"
    done
}

now_ms() { date +%s%3N; }

# wait_until SECONDS COMMAND...: poll COMMAND every 0.1 s; false when it never succeeded.
wait_until() {
    local deadline=$(($(now_ms) + $1 * 1000))
    shift
    while [ "$(now_ms)" -lt "$deadline" ]; do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    return 1
}

# free_port: a loopback TCP port nobody uses, below the ephemeral range (32768+) so that none
# of pgbench's outgoing connections takes it between the probe and the bind.
free_port() {
    "$PYTHON" - <<'EOF'
import random, socket, sys
for _ in range(500):
    p = random.randint(20000, 32000)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    sys.exit(0)
sys.exit("no free port")
EOF
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# proc_state PID: the state letter from /proc/PID/stat (empty when gone).
proc_state() {
    local line
    line=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
    line=${line##*) }
    printf '%s' "${line%% *}"
}

# alive PID: running and not a zombie (our children stay zombies until reaped).
alive() {
    local s
    [ -n "${1:-}" ] || return 1
    s=$(proc_state "$1")
    [ -n "$s" ] && [ "$s" != Z ] && [ "$s" != X ]
}

# cpu_ticks PID: utime + stime of the whole process (all threads), in clock ticks.
cpu_ticks() {
    local line f
    line=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    line=${line##*) }
    read -r -a f <<<"$line"
    [ "${f[0]}" != Z ] || return 1
    echo $((f[11] + f[12])) # fields 14 (utime) and 15 (stime); f[0] is field 3
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        setpriv --reuid=postgres --regid=postgres --clear-groups -- "$@"
    else
        "$@"
    fi
}

# ---------------------------------------------------------------------------------------------
# State and clean-up

W=""
PG_PID=""
PG_PORT=""
PROXY_PID=""
PROXY_NAME=""
PROXY_PORT=""
PROXY_LOG=""
LOG_OFF=0
PGBENCH_PID=""
FAILURES=0

stop_pg() {
    [ -n "$PG_PID" ] || return 0
    (cd "$W/pg" && as_pg "$PG_BIN/pg_ctl" -D "$W/pg/data" -w -t 30 -m "${1:-fast}" stop >/dev/null 2>&1) || true
    if alive "$PG_PID"; then
        kill -KILL "$PG_PID" 2>/dev/null || true
        wait_until 10 bash -c "! kill -0 $PG_PID" || true
    fi
    PG_PID=""
}

# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
    local rc=$?
    set +e
    trap - ERR
    if [ -n "$PGBENCH_PID" ] && alive "$PGBENCH_PID"; then
        kill -TERM "$PGBENCH_PID" 2>/dev/null
        wait_until 10 bash -c "! kill -0 $PGBENCH_PID" || kill -KILL "$PGBENCH_PID" 2>/dev/null
    fi
    if [ -n "$PROXY_PID" ] && alive "$PROXY_PID"; then
        say "stopping $PROXY_NAME (pid $PROXY_PID)"
        kill -TERM "$PROXY_PID" 2>/dev/null
        if ! wait_until 15 bash -c "s=\$(cut -d' ' -f3 /proc/$PROXY_PID/stat 2>/dev/null); [ -z \"\$s\" ] || [ \"\$s\" = Z ]"; then
            kill -KILL "$PROXY_PID" 2>/dev/null
        fi
    fi
    stop_pg immediate
    if [ -n "$W" ] && [ -d "$W" ]; then
        [ -f "$W/pg/postgres.log" ] && cp "$W/pg/postgres.log" "$OUT/logs/postgres.log" 2>/dev/null
        if [ "$KEEP" = 1 ]; then
            say "work directory kept: $W"
        else
            rm -rf "$W"
        fi
    fi
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
        printf '[bench] aborted (status %s); partial results in %s\n' "$rc" "$OUT" >&2
    fi
    exit "$rc"
}

# shellcheck disable=SC2317 # invoked by the ERR trap
on_err() {
    printf '[bench] ERROR: line %s: command exited %s: %s\n' "$2" "$1" "$3" >&2
}

# ---------------------------------------------------------------------------------------------
# PostgreSQL

su_sql() { # DB SQL...: psql as the superuser; each further argument is its own -c
    local db=$1 args=()
    shift
    local s
    for s in "$@"; do args+=(-c "$s"); done
    PGPASSWORD=$PG_SUPER_PASS timeout 300 "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
        -h 127.0.0.1 -p "$PG_PORT" -U "$PG_SUPER" -d "$db" "${args[@]}"
}

start_pg() {
    PG_PORT=$(free_port)
    mkdir -p "$W/pg"
    printf '%s\n' "$PG_SUPER_PASS" >"$W/pg/pwfile"
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres: "$W/pg"; fi
    say "initdb (PostgreSQL in $W/pg, port $PG_PORT)"
    (cd "$W/pg" && as_pg "$PG_BIN/initdb" -D "$W/pg/data" -U "$PG_SUPER" --auth=scram-sha-256 \
        --pwfile="$W/pg/pwfile" -E UTF8 --locale=C --no-sync >"$W/pg/initdb.out" 2>&1) ||
        {
            cat "$W/pg/initdb.out" >&2
            die "initdb failed"
        }
    cat >>"$W/pg/data/postgresql.conf" <<EOF
# contrib/bench/run.sh
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$W/pg'
password_encryption = 'scram-sha-256'
max_connections = 300
fsync = off
shared_buffers = 256MB
EOF
    (cd "$W/pg" && as_pg "$PG_BIN/pg_ctl" -D "$W/pg/data" -l "$W/pg/postgres.log" -w -t 120 start >/dev/null) ||
        {
            tail -n 30 "$W/pg/postgres.log" >&2
            die "PostgreSQL did not start"
        }
    PG_PID=$(head -1 "$W/pg/data/postmaster.pid")
    su_sql postgres "CREATE ROLE $BENCH_USER LOGIN PASSWORD '$BENCH_PASS'" \
        "CREATE DATABASE $BENCH_DB OWNER $BENCH_USER" >/dev/null || die "cannot create role/database"
    say "pgbench -i -s $SCALE"
    PGPASSWORD=$BENCH_PASS timeout 3600 "$PG_BIN/pgbench" -i -q -s "$SCALE" \
        -h 127.0.0.1 -p "$PG_PORT" -U "$BENCH_USER" "$BENCH_DB" >"$OUT/logs/pgbench-init.log" 2>&1 ||
        {
            tail -n 20 "$OUT/logs/pgbench-init.log" >&2
            die "pgbench -i failed"
        }
    su_sql "$BENCH_DB" "CHECKPOINT" >/dev/null
}

pg_check() {
    alive "$PG_PID" || die "PostgreSQL (pid $PG_PID) died; see $OUT/logs/postgres.log"
}

bench_backends() {
    su_sql postgres "SELECT count(*) FROM pg_stat_activity
        WHERE backend_type = 'client backend' AND usename = '$BENCH_USER'"
}

# shellcheck disable=SC2317 # invoked through wait_until
no_bench_backends() { [ "$(bench_backends)" = 0 ]; }

reset_tables() { # TARGET PORT
    if [[ $1 == myrmex-sqlite* ]]; then
        PGPASSWORD=$BENCH_PASS timeout 300 "$PG_BIN/psql" -X -q -At -v ON_ERROR_STOP=1 \
            -h 127.0.0.1 -p "$2" -U "$BENCH_USER" -d "$BENCH_DB" -c "TRUNCATE pgbench_history" >/dev/null
        return
    fi
    su_sql "$BENCH_DB" "VACUUM pgbench_branches" "VACUUM pgbench_tellers" \
        "TRUNCATE pgbench_history" >/dev/null
}

# ---------------------------------------------------------------------------------------------
# Proxies

write_userlist() {
    printf '"%s" "%s"\n' "$BENCH_USER" "$BENCH_PASS" >"$W/userlist.txt"
    chmod 0644 "$W/userlist.txt"
}

write_pgbouncer_conf() { # port
    cat >"$W/pgbouncer.ini" <<EOF
[databases]
$BENCH_DB = host=127.0.0.1 port=$PG_PORT dbname=$BENCH_DB

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $1
unix_socket_dir =
auth_type = md5
auth_file = $W/userlist.txt
pool_mode = transaction
default_pool_size = $POOL_SIZE
max_client_conn = 1000
server_tls_sslmode = disable
log_connections = 0
log_disconnections = 0
EOF
    chmod 0644 "$W/pgbouncer.ini"
}

# Hooks for a script that sources this one. myrmex_conf_extra TARGET: lines added to the
# [myrmex] section of a myrmex-wN[-LABEL] target. after_run TARGET PORT WORKLOAD MODE CLIENTS
# REP: called after each measured run of a proxy, while it still runs.
myrmex_conf_extra() { :; }
after_run() { :; }

write_myrmex_conf() { # workers port target
    cat >"$W/$3.ini" <<EOF
[myrmex]
listen_addr = 127.0.0.1
listen_port = $2
unix_socket_dir =
workers = $1
auth_type = md5
auth_file = $W/userlist.txt
pool_mode = transaction
default_pool_size = $POOL_SIZE
max_client_conn = 1000
log_level = warning
$(myrmex_conf_extra "$3")

[databases]
$BENCH_DB = host=127.0.0.1 port=$PG_PORT dbname=$BENCH_DB password=$BENCH_PASS
EOF
}

write_myrmex_sqlite_conf() { # port pool_mode
    # Session mode holds a server connection per client: the pool must fit every client.
    local pool=$POOL_SIZE c
    if [ "$2" = session ]; then
        for c in $CLIENTS; do [ "$c" -le "$pool" ] || pool=$c; done
    fi
    cat >"$W/myrmex-sqlite.ini" <<EOF
[myrmex]
listen_addr = 127.0.0.1
listen_port = $1
unix_socket_dir =
workers = 2
auth_type = md5
auth_file = $W/userlist.txt
pool_mode = $2
default_pool_size = $pool
max_client_conn = 1000
log_level = warning
sqlite_synchronous = $SQLITE_SYNCHRONOUS

[databases]
$BENCH_DB = sqlite://$W/sqlite/bench.db
EOF
}

# start_proxy TARGET [MODE]: start it in the background on a fresh port and wait until it
# answers (MODE: the pgbench protocol).
start_proxy() {
    PROXY_NAME=$1
    PROXY_PORT=$(free_port)
    PROXY_LOG="$OUT/logs/$1.log"
    printf -- '---- %s starting on port %s\n' "$(date '+%F %T')" "$PROXY_PORT" >>"$PROXY_LOG"
    LOG_OFF=$(stat -c %s "$PROXY_LOG")
    case $1 in
    pgbouncer)
        write_pgbouncer_conf "$PROXY_PORT"
        if [ "$(id -u)" -eq 0 ]; then
            setpriv --reuid=postgres --regid=postgres --clear-groups -- \
                "$PGBOUNCER_BIN" "$W/pgbouncer.ini" >>"$PROXY_LOG" 2>&1 &
        else
            "$PGBOUNCER_BIN" "$W/pgbouncer.ini" >>"$PROXY_LOG" 2>&1 &
        fi
        ;;
    myrmex-w*)
        local workers=${1#myrmex-w}
        write_myrmex_conf "${workers%%-*}" "$PROXY_PORT" "$1"
        "$W/myrmex" -c "$W/$1.ini" >>"$PROXY_LOG" 2>&1 &
        ;;
    myrmex-sqlite | myrmex-sqlite-tx)
        write_myrmex_sqlite_conf "$PROXY_PORT" "$([ "$1" = myrmex-sqlite ] && echo session || echo transaction)"
        "$W/myrmex" -c "$W/myrmex-sqlite.ini" >>"$PROXY_LOG" 2>&1 &
        ;;
    esac
    PROXY_PID=$!
    local deadline=$(($(now_ms) + 30000))
    while ! port_open "$PROXY_PORT"; do
        if ! alive "$PROXY_PID" || [ "$(now_ms)" -ge "$deadline" ]; then
            say "FAILED: $1 did not start listening on port $PROXY_PORT; last log lines:"
            tail -n 20 "$PROXY_LOG" >&2
            reap_proxy >/dev/null
            return 1
        fi
        sleep 0.05
    done
    # One query through it, so that a login problem shows up here and not as a failed run.
    if ! PGPASSWORD=$BENCH_PASS timeout 30 "$PG_BIN/psql" -X -q -At -h 127.0.0.1 -p "$PROXY_PORT" \
        -U "$BENCH_USER" -d "$BENCH_DB" -c 'SELECT 1' >/dev/null 2>"$W/psql.err"; then
        say "FAILED: cannot query through $1: $(head -c 500 "$W/psql.err")"
        stop_proxy >/dev/null || true
        return 1
    fi
    return 0
}

# reap_proxy: kill (if needed) and wait for the proxy; prints its exit status.
reap_proxy() {
    local rc=0
    [ -n "$PROXY_PID" ] || return 0
    if alive "$PROXY_PID"; then kill -KILL "$PROXY_PID" 2>/dev/null || true; fi
    wait "$PROXY_PID" 2>/dev/null || rc=$?
    PROXY_PID=""
    echo "$rc"
}

# stop_proxy: SIGINT (PgBouncer: safe shutdown) or SIGTERM (myrmex: drain), bounded wait.
# Returns non-zero when the proxy had to be killed or exited with a non-zero status.
stop_proxy() {
    local rc=0 sig=TERM st=0
    [ -n "$PROXY_PID" ] || return 0
    if ! alive "$PROXY_PID"; then # died earlier: already counted as a failure
        wait "$PROXY_PID" 2>/dev/null || st=$?
        say "$PROXY_NAME (pid $PROXY_PID) had exited with status $st"
        PROXY_PID=""
        return 0
    fi
    [ "$PROXY_NAME" = pgbouncer ] && sig=INT
    kill "-$sig" "$PROXY_PID" 2>/dev/null || true
    if ! wait_until 30 bash -c "s=\$(cut -d' ' -f3 /proc/$PROXY_PID/stat 2>/dev/null); [ -z \"\$s\" ] || [ \"\$s\" = Z ]"; then
        say "FAILED: $PROXY_NAME (pid $PROXY_PID) still running 30s after SIG$sig; killing it"
        kill -KILL "$PROXY_PID" 2>/dev/null || true
        rc=1
    fi
    wait "$PROXY_PID" 2>/dev/null || st=$?
    PROXY_PID=""
    if [ "$st" -ne 0 ] && [ "$rc" -eq 0 ]; then
        say "FAILED: $PROXY_NAME exited with status $st after SIG$sig"
        rc=1
    fi
    return "$rc"
}

# check_log LABEL: WARNING/ERROR lines the proxy logged since the last check, copied with
# LABEL to $OUT/log-issues.txt; sets LOG_WARN and LOG_ERR (line counts).
LOG_WARN=0
LOG_ERR=0
check_log() {
    local size new
    LOG_WARN=0
    LOG_ERR=0
    [ -n "$PROXY_LOG" ] && [ -f "$PROXY_LOG" ] || return 0
    size=$(stat -c %s "$PROXY_LOG")
    [ "$size" -gt "$LOG_OFF" ] || return 0
    new=$(tail -c +"$((LOG_OFF + 1))" "$PROXY_LOG" | head -c "$((size - LOG_OFF))" |
        grep -E '\] (WARNING|ERROR|FATAL|PANIC) |AddressSanitizer|LeakSanitizer|ThreadSanitizer|runtime error:' || true)
    LOG_OFF=$size
    [ -n "$new" ] || return 0
    LOG_WARN=$(printf '%s\n' "$new" | grep -c '\] WARNING ' || true)
    LOG_ERR=$(printf '%s\n' "$new" | grep -vc '\] WARNING ' || true)
    printf '%s\n' "$new" | sed "s|^|$PROXY_NAME $1: |" >>"$OUT/log-issues.txt"
}

# ---------------------------------------------------------------------------------------------
# Runs

RUN_NO=0
TOTAL_RUNS=0

# pgbench_run OUTFILE PORT WORKLOAD MODE CLIENTS SECONDS: bounded; returns pgbench's status.
pgbench_run() {
    local out=$1 port=$2 wl=$3 mode=$4 c=$5 secs=$6 jobs rc=0
    jobs=$((c < MAX_JOBS ? c : MAX_JOBS))
    PGPASSWORD=$BENCH_PASS timeout -k 10 $((secs + 120)) "$PG_BIN/pgbench" -n -b "$wl" -M "$mode" \
        -c "$c" -j "$jobs" -T "$secs" -h 127.0.0.1 -p "$port" -U "$BENCH_USER" "$BENCH_DB" \
        >"$out" 2>&1 &
    PGBENCH_PID=$!
    wait "$PGBENCH_PID" || rc=$?
    PGBENCH_PID=""
    return "$rc"
}

field() { # FILE SED-EXPRESSION
    sed -n "$2" "$1" | head -1
}

# one_run TARGET PORT WORKLOAD MODE CLIENTS REP: one measured run, appended to results.csv.
one_run() {
    local target=$1 port=$2 wl=$3 mode=$4 c=$5 rep=$6
    local raw="$OUT/raw/$wl-$mode-c$c-$target-r$rep.txt"
    local rc=0 cpu0="" cpu1="" tps lat processed failed conn_ms
    local cpu_us="" cpu_tx="" sconns="" palive="" ok=1 why="" load
    RUN_NO=$((RUN_NO + 1))
    pg_check
    if [ "$RESET" = 1 ] && [ "$wl" != select-only ]; then reset_tables "$target" "$port"; fi
    if [ "$target" != postgres ]; then cpu0=$(cpu_ticks "$PROXY_PID" || true); fi
    pgbench_run "$raw" "$port" "$wl" "$mode" "$c" "$DURATION" || rc=$?
    if [ "$target" != postgres ]; then
        cpu1=$(cpu_ticks "$PROXY_PID" || true)
        if alive "$PROXY_PID" && [ -n "$cpu0" ] && [ -n "$cpu1" ]; then
            palive=1
            cpu_us=$(((cpu1 - cpu0) * 1000000 / CLK_TCK))
        else
            palive=0
        fi
        check_log "$wl/$mode/c=$c/rep$rep"
    fi
    pg_check
    tps=$(field "$raw" 's/^tps = \([0-9.]*\) .*/\1/p')
    lat=$(field "$raw" 's/^latency average = \([0-9.]*\) ms.*/\1/p')
    processed=$(field "$raw" 's/^number of transactions actually processed: \([0-9]*\).*/\1/p')
    failed=$(field "$raw" 's/^number of failed transactions: \([0-9]*\).*/\1/p')
    conn_ms=$(field "$raw" 's/^initial connection time = \([0-9.]*\) ms.*/\1/p')
    load=$(cut -d' ' -f1 /proc/loadavg)
    if [ -n "$cpu_us" ] && [ -n "$processed" ] && [ "$processed" -gt 0 ]; then
        cpu_tx=$(awk -v u="$cpu_us" -v n="$processed" 'BEGIN { printf "%.2f", u / n }')
    fi
    if [ "$target" != postgres ] && [[ $target != myrmex-sqlite* ]] && [ "$palive" = 1 ]; then
        sconns=$(bench_backends || true)
    fi

    [ "$rc" -eq 0 ] || { ok=0; why+=" pgbench exited $rc;"; }
    if [ -z "$tps" ] || [ -z "$processed" ]; then
        ok=0
        why+=" no results;"
    fi
    [ -z "$failed" ] || [ "$failed" -eq 0 ] || { ok=0; why+=" $failed failed transactions;"; }
    [ "$palive" != 0 ] || { ok=0; why+=" proxy died;"; }
    if [ "$ok" -ne 1 ]; then
        FAILURES=$((FAILURES + 1))
        printf '%s %s c=%s %s rep %s:%s see %s\n' "$wl" "$mode" "$c" "$target" "$rep" "$why" "$raw" >>"$OUT/failures.txt"
    fi
    printf '%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n' \
        "$wl" "$mode" "$c" "$target" "$rep" "$DURATION" "$tps" "$lat" "$processed" "${failed:-}" \
        "$rc" "$conn_ms" "$cpu_us" "$cpu_tx" "$sconns" "$palive" "$LOG_WARN" "$LOG_ERR" "$load" "$ok" \
        >>"$OUT/results.csv"
    [ "$target" = postgres ] && { LOG_WARN=0; LOG_ERR=0; }
    local tps_s=-
    [ -z "$tps" ] || tps_s=$(printf '%.1f' "$tps")
    say "$(printf '[%d/%d] %-11s %-8s c=%-3s %-9s rep %s: tps %9s  lat %8s ms  cpu %7s us/tx  failed %s  load %s%s%s' \
        "$RUN_NO" "$TOTAL_RUNS" "$wl" "$mode" "$c" "$target" "$rep" "$tps_s" "${lat:--}" \
        "${cpu_tx:--}" "${failed:--}" "$load" "${sconns:+  srv $sconns}" "${why:+  FAILED:$why}")"
    if [ "$LOG_WARN" -gt 0 ] || [ "$LOG_ERR" -gt 0 ]; then
        say "  $target logged $LOG_WARN WARNING and $LOG_ERR ERROR line(s); see $OUT/log-issues.txt"
    fi
    return 0
}

# block TARGET WORKLOAD MODE CLIENTS [FIRST [COUNT]]: start the target, warm up, COUNT
# runs numbered from FIRST (by default REPEAT runs from 1), stop it.
block() {
    local target=$1 wl=$2 mode=$3 c=$4 first=${5:-1} count=${6:-$REPEAT} port rep
    if [ "$target" = pgbouncer ] && [ "$mode" = prepared ] && ! pgbouncer_has_prepared; then
        # PgBouncer before 1.21 cannot keep named statements in transaction pooling.
        RUN_NO=$((RUN_NO + count))
        return 0
    fi
    if [ "$target" = postgres ]; then
        port=$PG_PORT
    else
        if ! start_proxy "$target" "$mode"; then
            FAILURES=$((FAILURES + 1))
            printf '%s %s c=%s %s: proxy did not start; see %s\n' "$wl" "$mode" "$c" "$target" "$PROXY_LOG" >>"$OUT/failures.txt"
            RUN_NO=$((RUN_NO + count))
            return 0
        fi
        port=$PROXY_PORT
    fi
    if [ "$WARMUP" -gt 0 ]; then
        pgbench_run "$W/warmup.out" "$port" "$wl" "$mode" "$c" "$WARMUP" || true
        if [ "$target" != postgres ]; then check_log "$wl/$mode/c=$c/warmup"; fi
    fi
    for ((rep = first; rep < first + count; rep++)); do
        if [ "$target" != postgres ] && ! alive "$PROXY_PID"; then
            say "FAILED: $target (pid $PROXY_PID) is gone; skipping the rest of this block"
            FAILURES=$((FAILURES + 1))
            printf '%s %s c=%s %s rep %s: proxy died before the run\n' "$wl" "$mode" "$c" "$target" "$rep" >>"$OUT/failures.txt"
            RUN_NO=$((RUN_NO + first + count - rep))
            break
        fi
        one_run "$target" "$port" "$wl" "$mode" "$c" "$rep"
        if [ "$target" != postgres ] && alive "$PROXY_PID"; then
            after_run "$target" "$port" "$wl" "$mode" "$c" "$rep"
        fi
    done
    if [ "$target" != postgres ]; then
        if ! stop_proxy; then
            FAILURES=$((FAILURES + 1))
            printf '%s %s c=%s %s: proxy did not stop cleanly; see %s\n' "$wl" "$mode" "$c" "$target" "$PROXY_LOG" >>"$OUT/failures.txt"
        fi
        check_log "$wl/$mode/c=$c/shutdown"
        # Its server connections must be gone before the next block (max_connections).
        wait_until 30 no_bench_backends || say "warning: bench backends still open 30s after $target stopped"
    else
        wait_until 30 no_bench_backends || say "warning: bench backends still open 30s after the direct runs"
    fi
}

# init_sqlite: the SQLite database of target myrmex-sqlite, loaded by pgbench -i through the
# proxy (so the proxy's own DDL, COPY and table rebuild build it).
init_sqlite() {
    mkdir -p "$W/sqlite"
    start_proxy myrmex-sqlite simple || die "myrmex (SQLite target) did not start; see $PROXY_LOG"
    say "pgbench -i -s $SCALE through myrmex into $W/sqlite/bench.db"
    PGPASSWORD=$BENCH_PASS timeout 3600 "$PG_BIN/pgbench" -i -q -s "$SCALE" \
        -h 127.0.0.1 -p "$PROXY_PORT" -U "$BENCH_USER" "$BENCH_DB" >"$OUT/logs/pgbench-init-sqlite.log" 2>&1 ||
        {
            tail -n 20 "$OUT/logs/pgbench-init-sqlite.log" >&2
            stop_proxy || true
            die "pgbench -i through myrmex (SQLite) failed"
        }
    stop_proxy || die "myrmex (SQLite target) did not stop cleanly after loading"
    check_log init
}

# ---------------------------------------------------------------------------------------------
# Main

# PgBouncer 1.21 added named prepared statements in transaction pooling; older versions get
# no -M prepared runs (the table then compares myrmex's prepared with PgBouncer's extended).
pgbouncer_has_prepared() {
    local v
    v=$("$PGBOUNCER_BIN" --version 2>/dev/null | awk 'NR == 1 { print $2 }')
    [ -n "$v" ] && [ "$(printf '%s\n1.21.0\n' "$v" | sort -V | head -n 1)" = 1.21.0 ]
}

# bench_setup: check the settings, create $OUT and the work directory, set the traps, snapshot
# the binary, write env.txt.
bench_setup() {
    check_setup
    CLK_TCK=$(getconf CLK_TCK)
    mkdir -p "$OUT/raw" "$OUT/logs" || die "cannot create $OUT"
    : >"$OUT/log-issues.txt"
    : >"$OUT/failures.txt"
    echo "workload,mode,clients,target,rep,duration_s,tps,latency_ms,transactions,failed,pgbench_rc,conn_ms,proxy_cpu_us,proxy_cpu_us_per_tx,server_conns,proxy_alive,log_warnings,log_errors,loadavg1,ok" >"$OUT/results.csv"

    W=$(mktemp -d "${TMPDIR:-/tmp}/myrmex-bench-work.XXXXXX")
    chmod 0755 "$W"
    trap cleanup EXIT
    trap 'on_err $? $LINENO "$BASH_COMMAND"' ERR
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP

    # Snapshot the binary: a concurrent rebuild must not change it in the middle of the run.
    if [[ " $TARGETS " == *" myrmex-"* ]]; then
        cp "$MYRMEX_BIN" "$W/myrmex"
    fi

    {
        echo "date: $(date -Is)"
        echo "host: $(uname -srm), $(nproc) cpus, $(awk '/MemTotal/ { print $2 " kB" }' /proc/meminfo)"
        echo "myrmex: $MYRMEX_BIN $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '?') sha256 $([ -f "$W/myrmex" ] && sha256sum "$W/myrmex" | cut -c1-16)"
        echo "pgbouncer: $("$PGBOUNCER_BIN" --version 2>/dev/null | head -1)"
        echo "postgres: $("$PG_BIN/postgres" --version)"
        echo "pgbench: $("$PG_BIN/pgbench" --version)"
        echo "CLIENTS='$CLIENTS' DURATION=$DURATION REPEAT=$REPEAT SCALE=$SCALE POOL_SIZE=$POOL_SIZE"
        echo "WORKLOADS='$WORKLOADS' MODES='$MODES' TARGETS='$TARGETS' MAX_JOBS=$MAX_JOBS WARMUP=$WARMUP RESET=$RESET"
    } >"$OUT/env.txt"
}

# bench_finish [TABLE_ARGS...]: stop PostgreSQL, print the table (table.py with TABLE_ARGS),
# the proxies' log issues and the failures, and exit: 1 when a run failed, else table.py's
# status (3: a --min-ratio not met), else 0.
# shellcheck disable=SC2120 # contrib/bench/monitor.sh passes TABLE_ARGS
bench_finish() {
    local tstat=0
    stop_pg fast
    "$PYTHON" "$HERE/table.py" "$OUT/results.csv" --markdown "$@" >"$OUT/table.md" || true
    "$PYTHON" "$HERE/table.py" "$OUT/results.csv" "$@" >"$OUT/table.txt" || tstat=$?
    cat "$OUT/table.txt"

    echo
    if [ -s "$OUT/log-issues.txt" ]; then
        echo "Proxy WARNING/ERROR log lines ($OUT/log-issues.txt), first 40:"
        head -n 40 "$OUT/log-issues.txt"
    else
        echo "No WARNING/ERROR lines in the proxy logs."
    fi
    if [ "$FAILURES" -gt 0 ]; then
        echo
        echo "FAILED: $FAILURES problem(s) ($OUT/failures.txt):"
        cat "$OUT/failures.txt"
        echo "Results: $OUT"
        exit 1
    fi
    echo "All runs completed without failed transactions. Results: $OUT"
    [ "$tstat" -eq 0 ] || [ "$tstat" -eq 3 ] || die "table.py failed (status $tstat)"
    exit "$tstat"
}

bench_main() {
    local n_c n_w n_m n_t est wl mode c target
    bench_setup
    n_c=$(wc -w <<<"$CLIENTS")
    n_w=$(wc -w <<<"$WORKLOADS")
    n_m=$(wc -w <<<"$MODES")
    n_t=$(wc -w <<<"$TARGETS")
    TOTAL_RUNS=$((n_c * n_w * n_m * n_t * REPEAT))
    est=$((n_c * n_w * n_m * n_t * (REPEAT * (DURATION + 2) + WARMUP + 3)))
    cat "$OUT/env.txt"
    say "output in $OUT; $TOTAL_RUNS runs, about $((est / 60)) min plus loading"

    write_userlist
    start_pg
    if [[ " $TARGETS " == *" myrmex-sqlite"* ]]; then init_sqlite; fi

    for wl in $WORKLOADS; do
        for mode in $MODES; do
            for c in $CLIENTS; do
                for target in $TARGETS; do
                    block "$target" "$wl" "$mode" "$c"
                done
            done
        done
    done
    bench_finish
}

# Sourced (contrib/bench/monitor.sh): definitions only.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    bench_main
fi
