#!/usr/bin/env bash
# asyncpg (python3-asyncpg) through the proxy: transaction mode, session mode and the SQLite
# backend, with SCRAM; every statement is a named prepared statement in the binary format.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_python_module asyncpg asyncpg
clients_start
client_run_targets asyncpg "$CLIENT_PYTHON" "$CLIENTS_DIR/python/asyncpg_client.py"
clients_finish
