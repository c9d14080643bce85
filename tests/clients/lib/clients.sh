# shellcheck shell=bash
# tests/clients/lib/clients.sh: sourced by every client driver test (tests/clients/NAME.sh), after
# tests/lib/harness.sh (which it sources itself).
#
# clients_start starts one PostgreSQL 15 and one proxy with client authentication
# scram-sha-256 (auth_file holding the SCRAM secrets of app and app2) and three databases:
#   tx    PostgreSQL database app through the proxy in transaction mode
#   sess  PostgreSQL database app through the proxy in session mode
#   lite  the embedded SQLite backend (sqlite://$T/lite.db), transaction mode
# each with pool_size $CLIENTS_POOL_SIZE (default 8).
#
# client_run DRIVER TARGET COMMAND... runs a driver program against one target with
# MX_HOST, MX_PORT, MX_USER, MX_PASSWORD, MX_DBNAME, MX_TARGET and MX_TABLE (a table name of its
# own: t_<driver>_<target>) in its environment, bounded by $CLIENTS_TIMEOUT seconds. A driver
# program prints "FAIL <step>: <what>" and exits non-zero on the first failure. client_run
# records the outcome; clients_finish prints one line per (driver, target) and fails the test
# when any failed. Every target runs even after another failed, so that the log shows them all.
#
# Environment: CLIENTS_TARGETS (default "tx sess lite") restricts the targets, e.g.
# CLIENTS_TARGETS=lite tests/run.sh --no-unit clients/psycopg2; a fourth, lite_sess (the SQLite
# backend in session mode), is there for diagnosis.

# shellcheck source=tests/lib/harness.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../lib/harness.sh"

# shellcheck disable=SC2034 # used by the scripts that source this file
CLIENTS_DIR="$TOP/tests/clients"
CLIENTS_TARGETS=${CLIENTS_TARGETS:-tx sess lite}
CLIENTS_POOL_SIZE=${CLIENTS_POOL_SIZE:-8}
CLIENTS_TIMEOUT=${CLIENTS_TIMEOUT:-120}
# The drivers Debian packages for Python live in /usr/lib/python3/dist-packages: use Debian's
# interpreter, not whichever python3 comes first in PATH.
CLIENT_PYTHON=${CLIENT_PYTHON:-/usr/bin/python3}
CLIENTS_LITE_DB="$T/lite.db"
_CLIENT_RESULTS=()
_CLIENT_FAILED=0

# clients_start [EXTRA [myrmex] LINES]
clients_start() {
    # No statement text in the server log: a failing statement may carry a 1 MB value.
    pg_start "log_min_error_statement = panic"
    write_userlist "$USERLIST" "$APP_USER" "$(pg_scram_secret "$APP_USER")" \
        "$APP2_USER" "$(pg_scram_secret "$APP2_USER")"
    myrmex_start "auth_type = scram-sha-256
default_pool_size = $CLIENTS_POOL_SIZE
max_client_conn = 400
${1:-}
[databases]
$(db_line tx "pool_mode=transaction pool_size=$CLIENTS_POOL_SIZE")
$(db_line sess "pool_mode=session pool_size=$CLIENTS_POOL_SIZE")
lite = sqlite://$CLIENTS_LITE_DB?pool_size=$CLIENTS_POOL_SIZE
lite_sess = sqlite://$T/lite_sess.db?pool_size=$CLIENTS_POOL_SIZE&pool_mode=session"
}

# require_cmd DRIVER COMMAND: fail (never skip) when a driver's program is missing.
require_cmd() {
    command -v "$2" >/dev/null 2>&1 ||
        fail "$1: '$2' not found: install the packages of 'contrib/dev.sh packages' (contrib/dev.sh deps)"
}

# require_python_module DRIVER MODULE
require_python_module() {
    "$CLIENT_PYTHON" -c "import $2" >/dev/null 2>&1 ||
        fail "$1: python module '$2' not importable by $CLIENT_PYTHON: install the packages of 'contrib/dev.sh packages'"
}

# client_run DRIVER TARGET COMMAND...
client_run() {
    local driver=$1 target=$2 rc=0 t0 ms out
    shift 2
    out="$T/$driver.$target.out"
    note "$driver against $target: $*"
    t0=$(now_ms)
    MX_HOST=127.0.0.1 MX_PORT=$MX_PORT MX_USER=$APP_USER MX_PASSWORD=$APP_PASS MX_DBNAME=$target \
        MX_TARGET=$target CLIENTS_POOL_SIZE=$CLIENTS_POOL_SIZE MX_TABLE="t_${driver//[^a-z0-9]/_}_$target" \
        timeout -k 5 "$CLIENTS_TIMEOUT" "$@" </dev/null >"$out" 2>&1 || rc=$?
    ms=$(($(now_ms) - t0))
    sed "s/^/    [$driver $target] /" "$out" | tail -n 40
    if [ "$rc" -eq 0 ] && ! grep -q '^FAIL' "$out"; then
        _CLIENT_RESULTS+=("PASS $driver $target (${ms} ms)")
    else
        local why
        why=$(grep -m 1 '^FAIL' "$out" || true)
        [ -n "$why" ] || why="exit status $rc: $(tail -n 3 "$out" | tr '\n' ' ')"
        [ "$rc" -eq 124 ] && why="timed out after ${CLIENTS_TIMEOUT}s; $why"
        _CLIENT_RESULTS+=("FAIL $driver $target: ${why#FAIL }")
        _CLIENT_FAILED=1
    fi
    mx_alive || fail "$driver $target: the proxy is gone"
}

# client_run_targets DRIVER COMMAND...: client_run on every target of CLIENTS_TARGETS.
client_run_targets() {
    local driver=$1 target
    shift
    for target in $CLIENTS_TARGETS; do
        client_run "$driver" "$target" "$@"
    done
}

# clients_finish: print the results, stop the proxy (exit status and sanitizer log checked) and
# fail when any (driver, target) failed.
clients_finish() {
    local r
    echo "== results"
    for r in "${_CLIENT_RESULTS[@]}"; do echo "$r"; done
    myrmex_stop
    if [ "$_CLIENT_FAILED" -ne 0 ]; then
        for r in "${_CLIENT_RESULTS[@]}"; do
            [[ "$r" == FAIL* ]] && printf 'FAIL [%s] %s\n' "$TEST_NAME" "${r#FAIL }" >&2
        done
        _HARNESS_FAILED=1
        exit 1
    fi
}
