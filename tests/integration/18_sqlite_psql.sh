#!/usr/bin/env bash
# psql 15's meta-commands on the embedded SQLite backend (pg_catalog / information_schema
# emulation):
# - \l \dn \dt \di \dv \ds \df \du \d \d+ on a schema with serial keys, NOT NULL, defaults,
#   varchar(n), numeric(p,s), boolean, timestamptz, uuid, unique / plain / multi-column
#   indexes, a foreign key, a CHECK and a view give the committed transcript
#   (sqlite/psql_meta.expected) and no ERROR;
# - the same commands run on PostgreSQL 15 without error too; sections listed in
#   sqlite/psql_meta.sql print exactly what PostgreSQL prints, the others differ as it says;
# - RowDescription carries pg_class.oid and pg_attribute.attnum for table columns;
# - \copy to and from a file round trips (checksum).
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

HERE=$(cd "$(dirname "$0")" && pwd)
DB="$T/app.db"

pg_start
myrmex_start "$(printf '%s\n' "pool_mode = session" "default_pool_size = 2" "[databases]" "app = sqlite://$DB")"

psql_app() { # PORT ARGS...
    local port=$1
    shift
    PGPASSWORD=$APP_PASS timeout 60 psql -X -h 127.0.0.1 -p "$port" -U "$APP_USER" -d app "$@"
}

psql_app "$MX_PORT" -q -v ON_ERROR_STOP=1 -f "$HERE/sqlite/psql_schema.sql"
psql_app "$PG_PORT" -q -v ON_ERROR_STOP=1 -f "$HERE/sqlite/psql_schema.sql"

# psql reads the script from stdin so that its messages do not name a checkout's path.
psql_app "$MX_PORT" <"$HERE/sqlite/psql_meta.sql" >"$T/sqlite.out" 2>&1
psql_app "$PG_PORT" <"$HERE/sqlite/psql_meta.sql" >"$T/pg.out" 2>&1

assert_eq 0 "$(grep -c 'ERROR' "$T/sqlite.out" || true)" "ERROR lines on SQLite"
assert_eq 0 "$(grep -c 'ERROR' "$T/pg.out" || true)" "ERROR lines on PostgreSQL"
if ! diff -u "$HERE/sqlite/psql_meta.expected" "$T/sqlite.out" >"$T/meta.diff"; then
    cat "$T/meta.diff" >&2
fi
assert_eq 0 "$(grep -c '^[-+][^-+]' "$T/meta.diff" || true)" "lines differing from psql_meta.expected"
# Where the transcript is PostgreSQL's own (see the comment in psql_meta.sql).
diff -u "$T/pg.out" "$T/sqlite.out" >"$T/pg_vs_sqlite.diff" || true
note "lines differing from PostgreSQL 15: $(grep -c '^[-+][^-+]' "$T/pg_vs_sqlite.diff" || true)"
extract() { # SECTION FILE
    awk -v s="== $1" '$0 == s { on = 1; next } /^== / { on = 0 } on' "$2"
}
for section in l dn dt di dv df 'd tags' 'd books_author_published_idx' 'd cheap_books'; do
    assert_ne "" "$(extract "$section" "$T/sqlite.out")" "output of $section"
    assert_eq "$(extract "$section" "$T/pg.out")" "$(extract "$section" "$T/sqlite.out")" "$section as on PostgreSQL"
done

# --- RowDescription: table OID and attnum ------------------------------------------------------
pgclient_build
out=$(pgclient "$(mx_conninfo)" describe "SELECT title, 1 AS one, author_id FROM books" 2>&1 || true)
printf '%s\n' "$out"
oids=$(mx_sql "SELECT c.oid || ':' || a.attnum FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid WHERE c.relname = 'books' AND a.attname IN ('title', 'author_id') ORDER BY a.attname DESC")
title=$(printf '%s\n' "$oids" | sed -n 1p)
author=$(printf '%s\n' "$oids" | sed -n 2p)
assert_match "title table=${title%%:*} attnum=${title##*:}( |$)" "$out" "title's table OID and attnum"
assert_match "one table=0 attnum=0( |$)" "$out" "an expression has none"
assert_match "author_id table=${author%%:*} attnum=${author##*:}( |$)" "$out" "author_id's"
# Stable across connections: the OID is a function of the name.
assert_eq "$(mx_sql "SELECT 'books'::regclass::oid")" "${title%%:*}" "regclass OID in a new session"
assert_ge "${title%%:*}" 16384 "OID in the user range"

# --- \copy both ways ------------------------------------------------------------------------------
awk 'BEGIN { for (i = 1; i <= 2000; i++) printf "%d\ttag%d\n", i, i % 7 }' >"$T/tags.tsv"
psql_app "$MX_PORT" -q -v ON_ERROR_STOP=1 -c "\\copy tags FROM '$T/tags.tsv'"
psql_app "$MX_PORT" -q -v ON_ERROR_STOP=1 -c "\\copy (SELECT * FROM tags ORDER BY book_id) TO '$T/tags.out'"
assert_eq "$(sha256sum <"$T/tags.tsv" | cut -d' ' -f1)" "$(sha256sum <"$T/tags.out" | cut -d' ' -f1)" "\\copy round trip"

myrmex_stop
mx_check_sanitizer
