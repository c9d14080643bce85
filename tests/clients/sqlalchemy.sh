#!/usr/bin/env bash
# SQLAlchemy (python3-sqlalchemy, psycopg2 dialect) through the proxy: transaction mode, session
# mode and the SQLite backend, with SCRAM; create_all, reflection, an ORM round trip.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_python_module sqlalchemy sqlalchemy
require_python_module sqlalchemy psycopg2
clients_start
client_run_targets sqlalchemy "$CLIENT_PYTHON" "$CLIENTS_DIR/python/sqlalchemy_client.py"
clients_finish
