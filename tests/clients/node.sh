#!/usr/bin/env bash
# JavaScript drivers through the proxy: node-postgres ("pg": named queries) and postgres.js
# ("postgres": every query a named prepared statement, pipelining), against transaction mode,
# session mode and the SQLite backend, with SCRAM. The packages come from npm at the versions
# of tests/clients/node/package-lock.json, installed by `npm ci` into $MYRMEX_NODE_CACHE
# (default tests/clients/node/.cache, not committed), again only when the lock file changed.
# shellcheck source=tests/clients/lib/clients.sh
source "$(dirname "$0")/lib/clients.sh"

require_cmd node node
require_cmd node npm
NODE_SRC="$CLIENTS_DIR/node"
NODE_CACHE=${MYRMEX_NODE_CACHE:-$NODE_SRC/.cache}
lock_sum=$(cat "$NODE_SRC/package.json" "$NODE_SRC/package-lock.json" | sha256sum | cut -d' ' -f1)
if [ "$(cat "$NODE_CACHE/.stamp" 2>/dev/null)" != "$lock_sum" ] || [ ! -d "$NODE_CACHE/node_modules" ]; then
    note "npm ci into $NODE_CACHE"
    rm -rf "$NODE_CACHE"
    mkdir -p "$NODE_CACHE"
    cp "$NODE_SRC/package.json" "$NODE_SRC/package-lock.json" "$NODE_CACHE/"
    (cd "$NODE_CACHE" && timeout 150 npm ci --no-audit --no-fund --ignore-scripts) >"$T/npm-ci.out" 2>&1 ||
        { cat "$T/npm-ci.out"; fail "node: npm ci failed"; }
    echo "$lock_sum" >"$NODE_CACHE/.stamp"
fi
export NODE_PATH="$NODE_CACHE/node_modules"

clients_start
client_run_targets pg node "$NODE_SRC/pg_client.js"
client_run_targets postgresjs node "$NODE_SRC/postgresjs_client.js"
clients_finish
