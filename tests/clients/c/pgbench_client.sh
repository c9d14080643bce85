#!/usr/bin/env bash
# pgbench -M prepared against one target (run by tests/clients/libpq.sh through client_run):
# 64 clients over a pool of 8 server connections, a fixed number of TPC-B-like transactions
# each, no failed transaction, and the balances agree afterwards. On PostgreSQL the tables come
# from pgbench -i run directly on the server (tx and sess share them); on the SQLite backend
# pgbench -i runs through the proxy.
set -euo pipefail
CLIENTS=${PGBENCH_CLIENTS:-64}
# pgbench keeps every client's connection until the run ends: in session mode a client holds its
# server connection that long, so no more clients than the pool has servers can run at all.
if [[ "$MX_TARGET" == *sess ]]; then CLIENTS=${CLIENTS_POOL_SIZE:-8}; fi
TX=${PGBENCH_TRANSACTIONS:-20}
pgb() { PGPASSWORD=$MX_PASSWORD timeout -k 5 60 pgbench -h "$MX_HOST" -p "$MX_PORT" -U "$MX_USER" "$@" "$MX_DBNAME" 2>&1; }
psql_mx() { PGPASSWORD=$MX_PASSWORD timeout 30 psql -X -At -v ON_ERROR_STOP=1 -h "$MX_HOST" -p "$MX_PORT" -U "$MX_USER" -d "$MX_DBNAME" -c "$1"; }
if [[ "$MX_TARGET" == lite* ]]; then
    out=$(pgb -i -s 1 -q) || { printf '%s\n' "$out"; echo "FAIL pgbench -i through the proxy"; exit 1; }
    echo "ok pgbench -i"
fi
before=$(psql_mx "SELECT count(*) FROM pgbench_history")
rc=0
out=$(pgb -n -M prepared -c "$CLIENTS" -j 4 -t "$TX") || rc=$?
{ printf '%s\n' "$out" | grep -E '^(number of|tps|latency average)|error|abort' | head -n 20; } || true
if [ "$rc" -ne 0 ]; then
    why=$(printf '%s\n' "$out" | grep -E 'error|abort' | head -n 3 | tr '\n' ' ' || true)
    echo "FAIL pgbench -M prepared -c $CLIENTS: exit status $rc: $why"
    exit 1
fi
grep -q "^number of failed transactions: 0 " <<<"$out" || { echo "FAIL pgbench -M prepared: failed transactions"; exit 1; }
grep -q "^number of transactions actually processed: $((CLIENTS * TX))/$((CLIENTS * TX))" <<<"$out" ||
    { echo "FAIL pgbench -M prepared: not every transaction processed"; exit 1; }
echo "ok pgbench -M prepared -c $CLIENTS -t $TX"
after=$(psql_mx "SELECT count(*) FROM pgbench_history")
[ "$((after - before))" -eq $((CLIENTS * TX)) ] || { echo "FAIL history rows: $((after - before)), want $((CLIENTS * TX))"; exit 1; }
sums=$(psql_mx "SELECT (SELECT sum(abalance) FROM pgbench_accounts) = (SELECT sum(bbalance) FROM pgbench_branches) AND (SELECT sum(tbalance) FROM pgbench_tellers) = (SELECT sum(delta) FROM pgbench_history)")
[ "$sums" = t ] || { echo "FAIL balances do not agree after pgbench"; exit 1; }
echo "ok balances agree"
