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
