#!/usr/bin/env bash
# psycopg 3 (python3-psycopg) through the proxy: transaction mode, session mode and the SQLite
# backend, with SCRAM; prepare_threshold=0 (named prepared statements at once), binary cursors
# and pipelines.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_python_module psycopg3 psycopg
clients_start
client_run_targets psycopg3 "$CLIENT_PYTHON" "$CLIENTS_DIR/python/psycopg3_client.py"
clients_finish
