#!/usr/bin/env bash
# Ruby pg (ruby-pg) through the proxy: transaction mode, session mode and the SQLite backend,
# with SCRAM; exec_params in text and binary, prepare / describe_prepared / exec_prepared.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_cmd ruby-pg ruby
ruby -e 'require "pg"' 2>/dev/null || fail "ruby-pg: the pg gem is not installed: install ruby-pg (contrib/dev.sh deps)"
clients_start
client_run_targets ruby-pg ruby "$CLIENTS_DIR/ruby/pg_client.rb"
clients_finish
