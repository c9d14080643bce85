#!/usr/bin/env bash
# psycopg2 (python3-psycopg2) through the proxy: transaction mode, session mode and the SQLite
# backend, with SCRAM; parameters of every common type, rollback, errors, repeated statements.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_python_module psycopg2 psycopg2
clients_start
client_run_targets psycopg2 "$CLIENT_PYTHON" "$CLIENTS_DIR/python/psycopg2_client.py"
clients_finish
