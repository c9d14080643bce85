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
for section in l dn dt di dv ds df 'd authors' 'd tags' 'd books_author_published_idx' 'd cheap_books'; do
    assert_ne "" "$(extract "$section" "$T/sqlite.out")" "output of $section"
    assert_eq "$(extract "$section" "$T/pg.out")" "$(extract "$section" "$T/sqlite.out")" "$section as on PostgreSQL"
done

# --- sequences (the _myrmex_sequence table of the sequence emulation) -------------------------
mx_sql "CREATE TABLE IF NOT EXISTS _myrmex_sequence (name text PRIMARY KEY, data_type text NOT NULL,
    start_value int8 NOT NULL, min_value int8 NOT NULL, max_value int8 NOT NULL,
    increment_by int8 NOT NULL, cycle int8 NOT NULL, cache_size int8 NOT NULL,
    last_value int8 NOT NULL, is_called int8 NOT NULL, owner_table text, owner_column text)" >/dev/null
mx_sql "INSERT INTO _myrmex_sequence VALUES ('tags_book_id_seq', 'bigint', 1, 1, 9223372036854775807,
    1, 0, 1, 1, 0, 'tags', 'book_id') ON CONFLICT DO NOTHING" >/dev/null
ds=$(psql_app "$MX_PORT" -c '\ds' 2>&1)
printf '%s\n' "$ds"
assert_match 'public \| tags_book_id_seq +\| sequence \| app' "$ds" "\\ds lists the sequence"
assert_not_match '_myrmex_sequence' "$(psql_app "$MX_PORT" -c '\dt' 2>&1)" "myrmex's table is hidden"
dtags=$(psql_app "$MX_PORT" -c '\d tags' 2>&1)
assert_match "book_id \| bigint +\| +\| not null \| nextval\('tags_book_id_seq'::regclass\)" "$dtags" \
    "the owned column's default"
assert_match 'Owned by: public.tags.book_id' "$(psql_app "$MX_PORT" -c '\d tags_book_id_seq' 2>&1)" \
    "\\d on the sequence"

pgclient_build
# --- a catalog read needs no write lock: it runs while another session holds the writer's ----
out=$(pgclient -t 20 "$(mx_conninfo)" script <<'SQL'
BEGIN
INSERT INTO tags VALUES (999999, 'lock')
@2 SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = 'books'::regclass AND attnum > 0
@2 SELECT relname FROM pg_catalog.pg_class WHERE relname = 'tags' AND relkind = 'r'
ROLLBACK
SQL
)
printf '%s\n' "$out"
assert_match '^OK\|SELECT 1\|7\|' "$(printf '%s\n' "$out" | sed -n 4p)" "pg_attribute while a writer is active"
assert_match '^OK\|SELECT 1\|tags\|' "$(printf '%s\n' "$out" | sed -n 5p)" "pg_class while a writer is active"

# --- the catalog follows DDL in the session, and a ROLLBACK of it ----------------------------
out=$(pgclient -t 20 "$(mx_conninfo)" script <<'SQL'
SELECT count(*) FROM pg_catalog.pg_class WHERE relname = 'zz'
BEGIN
CREATE TABLE zz (a int4 PRIMARY KEY)
SELECT count(*) FROM pg_catalog.pg_class WHERE relname IN ('zz', 'zz_pkey')
ROLLBACK
SELECT count(*) FROM pg_catalog.pg_class WHERE relname IN ('zz', 'zz_pkey')
CREATE TABLE zz (a int4)
SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = 'zz'::regclass
SQL
)
printf '%s\n' "$out"
assert_eq "OK|SELECT 1|0|OK|SELECT 1|2|OK|SELECT 1|0|OK|SELECT 1|1|" \
    "$(printf '%s\n' "$out" | sed -n '2p;5p;7p;9p' | cut -d'|' -f1-3 | tr '\n' '|')" \
    "pg_class before, inside, after a rolled back CREATE TABLE, and after one"

# --- RowDescription: table OID and attnum ------------------------------------------------------
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
