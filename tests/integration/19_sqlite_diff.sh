#!/usr/bin/env bash
# Differential test of the embedded SQLite backend against PostgreSQL 15. Each corpus
# tests/integration/sqlite/diff_*.sql runs statement by statement (pgclient corpus) on a fresh
# PostgreSQL database and on a fresh sqlite:// database through the proxy, in the simple and in
# the extended query protocol. For every statement the normalised records must be identical:
# command tag or SQLSTATE, result column names with type OIDs, and the rows as text.
# Statements tagged "-- refused: why" must get 0A000 from SQLite (PostgreSQL's answer is not
# compared); statements tagged "-- differs: why" are known differences still to fix: counted
# and shown, not failed (there is one left: a plain numeric column keeps the number, not the
# scale it was written with, diff_types.sql).
# shellcheck source=tests/lib/harness.sh
source "$(dirname "$0")/../lib/harness.sh"

HERE=$(cd "$(dirname "$0")" && pwd)

pg_start
total=0
refused=0
known=0
failed=0
for mode in simple extended; do
    for corpus in "$HERE"/sqlite/diff_*.sql; do
        name="$(basename "$corpus" .sql).$mode"
        db="$T/$name.db"
        pgdb="diff_$((total + 1))"
        # Character classes of a UTF-8 locale, as a production cluster has them (upper/lower of
        # non-ASCII letters); byte order for sorting, as the rest of the suite uses.
        pg_sql_db postgres "CREATE DATABASE $pgdb OWNER $APP_USER TEMPLATE template0 LC_COLLATE 'C' LC_CTYPE 'C.UTF-8'" >/dev/null
        myrmex_start "$(printf '%s\n' "pool_mode = session" "default_pool_size = 2" \
            "[databases]" "app = sqlite://$db")"
        extra=()
        [ "$mode" = extended ] && extra=(extended)
        pgclient "$(pg_conninfo "$APP_USER" "$APP_PASS" "$pgdb")" corpus "$corpus" pg "${extra[@]}" >"$T/$name.pg.out" 2>"$T/$name.pg.err" ||
            fail "$name: pgclient on PostgreSQL failed: $(tail -n 3 "$T/$name.pg.out" "$T/$name.pg.err")"
        pgclient "$(mx_conninfo)" corpus "$corpus" sqlite "${extra[@]}" >"$T/$name.sqlite.out" 2>"$T/$name.sqlite.err" ||
            fail "$name: pgclient on SQLite failed: $(tail -n 3 "$T/$name.sqlite.out" "$T/$name.sqlite.err")"
        myrmex_stop
        n=$(sed -n 's/^DONE \([0-9]*\) statements$/\1/p' "$T/$name.pg.out")
        assert_eq "$n" "$(sed -n 's/^DONE \([0-9]*\) statements$/\1/p' "$T/$name.sqlite.out")" "$name: statements run"
        r=$(grep -c '^refused: ' "$T/$name.pg.out" || true)
        k=$(grep -c '^~ == ' "$T/$name.pg.out" || true)
        # The known differences that still differ, by statement number.
        still=$(diff <(grep '^~ ' "$T/$name.pg.out") <(grep '^~ ' "$T/$name.sqlite.out") |
            grep -c '^[<>] ~ [a-z]' || true)
        note "$name: $n statements, $r refused on SQLite, $k known differences ($still differing lines)"
        total=$((total + n))
        refused=$((refused + r))
        known=$((known + k))
        if ! diff -u -I '^~ ' "$T/$name.pg.out" "$T/$name.sqlite.out" >"$T/$name.diff"; then
            printf '%s differs from PostgreSQL:\n' "$name" >&2
            cat "$T/$name.diff" >&2
            failed=$((failed + 1))
        fi
    done
done
note "corpus: $total statements over both protocols, $refused refused, $known known differences"
assert_eq 0 "$failed" "corpora whose answers differ from PostgreSQL's"
assert_ge "$total" 600 "statements run (300 per protocol at least)"
