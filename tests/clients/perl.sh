#!/usr/bin/env bash
# Perl DBD::Pg (libdbd-pg-perl) through the proxy: transaction mode, session mode and the SQLite
# backend, with SCRAM; server-side prepared statements re-executed.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_cmd dbdpg perl
perl -MDBD::Pg -e 1 2>/dev/null || fail "dbdpg: DBD::Pg not installed: install libdbd-pg-perl (contrib/dev.sh deps)"
clients_start
client_run_targets dbdpg perl "$CLIENTS_DIR/perl/dbdpg_client.pl"
clients_finish
