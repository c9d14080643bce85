#!/usr/bin/env bash
# libpq through the proxy, against transaction mode, session mode and the SQLite backend, with
# SCRAM: a C program (tests/clients/c/libpq_client.c: parameters and results in text and binary,
# PQprepare / PQdescribePrepared / PQexecPrepared, pipeline mode), psql, and pgbench -M prepared
# with 64 clients on a pool of 8 and no failed transaction.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_cmd libpq cc
require_cmd libpq pkg-config
require_cmd psql psql
require_cmd pgbench pgbench
LIBPQ_CLIENT="$T/libpq_client"
# shellcheck disable=SC2046
cc -std=gnu11 -O1 -g -Wall -Wextra -Werror -o "$LIBPQ_CLIENT" "$CLIENTS_DIR/c/libpq_client.c" \
    $(pkg-config --cflags --libs libpq) || fail "libpq: cannot build libpq_client.c"

clients_start
PGPASSWORD=$APP_PASS timeout 60 pgbench -i -s 1 -q -h 127.0.0.1 -p "$PG_PORT" -U "$APP_USER" app >"$T/pgbench-init.out" 2>&1 ||
    { cat "$T/pgbench-init.out"; fail "pgbench -i on PostgreSQL"; }
client_run_targets libpq "$LIBPQ_CLIENT"
client_run_targets psql bash "$CLIENTS_DIR/c/psql_client.sh"
client_run_targets pgbench bash "$CLIENTS_DIR/c/pgbench_client.sh"
clients_finish
