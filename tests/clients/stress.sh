#!/usr/bin/env bash
# Prepared statements under load (issue 4): 200 clients, each preparing an overlapping set of 50
# named statements (tests/clients/c/stress.c), against default_pool_size = 10 in transaction mode
# for MYRMEX_STRESS_SECONDS (default 30; 10 when the proxy is built with sanitizers). Every
# result must belong to the statement executed, and no server connection may hold more than
# max_prepared_statements (200) statements. A session-mode run (pool as large as the clients)
# checks the program itself.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_cmd stress cc
STRESS="$T/stress"
# shellcheck disable=SC2046
cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -pthread -o "$STRESS" "$CLIENTS_DIR/c/stress.c" \
    $(pkg-config --cflags --libs libpq) || fail "stress: cannot build stress.c"
SECONDS_DEFAULT=30
if ldd "$MYRMEX_BIN" 2>/dev/null | grep -q 'libasan\|libubsan'; then SECONDS_DEFAULT=10; fi
STRESS_SECONDS=${MYRMEX_STRESS_SECONDS:-$SECONDS_DEFAULT}
MAX_PREPARED=200

CLIENTS_POOL_SIZE=10
clients_start "max_prepared_statements = $MAX_PREPARED"
conninfo() { echo "host=127.0.0.1 port=$MX_PORT user=$APP_USER password=$APP_PASS dbname=$1 connect_timeout=30"; }
# One more prepared statement may show: the sampling statement itself, when the proxy prepares it.
client_run stress sess "$STRESS" "$(conninfo sess)" 10 50 3 $((MAX_PREPARED + 1))
client_run stress tx "$STRESS" "$(conninfo tx)" 200 50 "$STRESS_SECONDS" $((MAX_PREPARED + 1))
clients_finish
