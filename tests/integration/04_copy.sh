#!/usr/bin/env bash
# COPY through the proxy: 10 MB COPY FROM STDIN and COPY TO STDOUT round-trip with equal
# checksums; a COPY with bad data and a client-aborted COPY leave the session usable; psql's
# \copy through the proxy gives the same bytes as directly from the server.
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

pg_start
pgclient_build
myrmex_start "
pool_mode = transaction
default_pool_size = 2
"
rc=0
out=$(pgclient "$(mx_conninfo)" copy 10) || rc=$?
printf '%s\n' "$out"
assert_eq 0 "$rc" "COPY round trip"
assert_match '^copy: ok$' "$out"
rows=$(printf '%s\n' "$out" | sed -n 's/^copy_in rows=\([0-9]*\) .*/\1/p')
assert_eq "$rows" "$(pg_sql "SELECT count(*) FROM myrmex_copy")" "rows on the server"

# psql \copy out through the proxy and directly: identical files.
PGPASSWORD=$APP_PASS timeout 60 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$MX_PORT" -U app -d app \
    -c "\\copy (SELECT * FROM myrmex_copy ORDER BY id) TO '$T/via_proxy.tsv'"
PGPASSWORD=$APP_PASS timeout 60 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U app -d app \
    -c "\\copy (SELECT * FROM myrmex_copy ORDER BY id) TO '$T/direct.tsv'"
a=$(sha256sum <"$T/via_proxy.tsv" | cut -d' ' -f1)
b=$(sha256sum <"$T/direct.tsv" | cut -d' ' -f1)
note "psql \\copy: $(wc -c <"$T/direct.tsv") bytes, sha256 $b"
assert_eq "$b" "$a" "\\copy through the proxy differs from the server's"

# psql \copy in through the proxy.
mx_sql "CREATE TABLE copy2 (LIKE myrmex_copy)" >/dev/null
PGPASSWORD=$APP_PASS timeout 60 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$MX_PORT" -U app -d app \
    -c "\\copy copy2 FROM '$T/direct.tsv'"
assert_eq 0 "$(pg_sql "SELECT count(*) FROM (SELECT * FROM myrmex_copy EXCEPT ALL SELECT * FROM copy2) d")" "\\copy in"
assert_eq "$rows" "$(pg_sql "SELECT count(*) FROM copy2")" "\\copy in row count"
rm -f "$T/via_proxy.tsv" "$T/direct.tsv"
myrmex_stop

# COPY FROM STDIN by the extended protocol (libpq's PQexecParams sends a Sync right after the
# Execute; the server ignores it while it copies) in transaction pooling, with the prepared-
# statement tracking on and off: the server goes back to the pool at the end of the copy's
# transaction, so with a pool of one server another client gets it while the first stays
# connected.
for ps in 200 0; do
    myrmex_start "
pool_mode = transaction
default_pool_size = 1
max_prepared_statements = $ps
query_wait_timeout = 3
"
    holder_out="$T/holder$ps.out"
    bg "holder$ps" pgclient "$(mx_conninfo)" copy_extended 4000
    holder_pid=$BG_PID
    copied() { grep -q '^copy_extended:' "$holder_out"; }
    wait_until 10 "the extended COPY (max_prepared_statements=$ps)" copied
    assert_eq "copy_extended: COPY 2, then 2 rows" "$(grep "^copy_extended:" "$holder_out")" "extended COPY, max_prepared_statements=$ps"
    assert_eq 7 "$(mx_sql "SELECT 7")" "the pool's one server is free after the extended COPY (max_prepared_statements=$ps)"
    bg_wait "$holder_pid" 15 || fail "the COPY client failed"
    myrmex_stop
done
