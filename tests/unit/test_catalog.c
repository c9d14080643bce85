/*
 * Unit tests for the pg_catalog emulation's pure parts: the OID scheme (src/sql/catalog.c),
 * format_type(), catalog array text, the CREATE TABLE constraint splitter
 * (src/sqlite/sqlite_catalog_split.c) and the translation of catalog relations, reg* casts and
 * catalog array forms (src/sql/translate_catalog.c).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/sqlite/sqlite_catalog_int.h"
#include "sql/catalog.h"
#include "sql/translate.h"
#include "sql/types.h"

START_TEST(test_oid_scheme)
{
    /* Deterministic: the same name gives the same OID in every process (FNV-1a). */
    uint32_t a = pgcat_oid('r', "authors");
    ck_assert_uint_eq(a, pgcat_oid('r', "authors"));
    /* In PostgreSQL's user range, below 2^31. */
    const char *names[] = {"", "a", "books", "books_pkey", "x.y", "a_very_long_table_name_1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        for (const char *k = "rcd"; *k; k++) {
            uint32_t o = pgcat_oid(*k, names[i]);
            ck_assert_uint_ge(o, 16385u);
            ck_assert_uint_lt(o, 0x80000000u);
        }
    }
    /* Kind and name both matter. */
    ck_assert_uint_ne(pgcat_oid('r', "books"), pgcat_oid('c', "books"));
    ck_assert_uint_ne(pgcat_oid('r', "books"), pgcat_oid('r', "Books"));
    ck_assert_uint_ne(pgcat_oid('r', "ab"), pgcat_oid('r', "ba"));
}
END_TEST

START_TEST(test_oid_known_values)
{
    /* Pinned values: a change of scheme would change every client-visible OID. */
    uint32_t h = 2166136261u;
    const char *s = "r:t";
    for (const char *p = s; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    ck_assert_uint_eq(pgcat_oid('r', "t"), 16385u + h % (0x80000000u - 16385u));
}
END_TEST

static const char *ft(uint32_t oid, int32_t mod)
{
    static char buf[96];
    pgcat_format_type(oid, mod, buf, sizeof buf);
    return buf;
}

START_TEST(test_format_type)
{
    ck_assert_str_eq(ft(PGOID_INT4, -1), "integer");
    ck_assert_str_eq(ft(PGOID_INT8, -1), "bigint");
    ck_assert_str_eq(ft(PGOID_INT2, -1), "smallint");
    ck_assert_str_eq(ft(PGOID_BOOL, -1), "boolean");
    ck_assert_str_eq(ft(PGOID_FLOAT8, -1), "double precision");
    ck_assert_str_eq(ft(PGOID_FLOAT4, -1), "real");
    ck_assert_str_eq(ft(PGOID_TEXT, -1), "text");
    ck_assert_str_eq(ft(PGOID_VARCHAR, 104), "character varying(100)");
    ck_assert_str_eq(ft(PGOID_VARCHAR, -1), "character varying");
    ck_assert_str_eq(ft(PGOID_BPCHAR, 5), "character(1)");
    ck_assert_str_eq(ft(PGOID_NUMERIC, ((10 << 16) | 2) + 4), "numeric(10,2)");
    ck_assert_str_eq(ft(PGOID_NUMERIC, -1), "numeric");
    ck_assert_str_eq(ft(PGOID_TIMESTAMPTZ, -1), "timestamp with time zone");
    ck_assert_str_eq(ft(PGOID_TIMESTAMP, 3), "timestamp(3) without time zone");
    ck_assert_str_eq(ft(PGOID_TIME, -1), "time without time zone");
    ck_assert_str_eq(ft(PGOID_DATE, -1), "date");
    ck_assert_str_eq(ft(PGOID_UUID, -1), "uuid");
    ck_assert_str_eq(ft(PGOID_JSONB, -1), "jsonb");
    ck_assert_str_eq(ft(PGOID_BYTEA, -1), "bytea");
    ck_assert_str_eq(ft(PGOID_CHAR, -1), "\"char\"");
    ck_assert_str_eq(ft(PGOID_OID, -1), "oid");
    ck_assert_str_eq(ft(PGOID_INTERVAL, -1), "interval");
    ck_assert_str_eq(ft(424242, -1), "???");
}
END_TEST

static const char *elems(const char *arr)
{
    static char out[256];
    char el[64];
    bool is_null;
    size_t pos = 0;
    out[0] = '\0';
    while (pgcat_array_next(arr, &pos, el, sizeof el, &is_null)) {
        strcat(out, "[");
        strcat(out, is_null ? "<null>" : el);
        strcat(out, "]");
    }
    return out;
}

START_TEST(test_array_text)
{
    ck_assert_str_eq(elems("{a,b,c}"), "[a][b][c]");
    ck_assert_str_eq(elems("{}"), "");
    ck_assert_str_eq(elems("{\"x,y\",NULL,\"NULL\",\"q\\\"\"}"), "[x,y][<null>][NULL][q\"]");
    ck_assert_str_eq(elems("1 2 3"), "[1][2][3]");
    ck_assert_str_eq(elems(""), "");
    ck_assert_int_eq(pgcat_array_lower("{1}"), 1);
    ck_assert_int_eq(pgcat_array_lower("1 2"), 0);
}
END_TEST

START_TEST(test_split_table)
{
    struct cat_split sp;
    cat_split_table("CREATE TABLE \"books\" (\"id\" INTEGER PRIMARY KEY AUTOINCREMENT, "
                    "\"author_id\" int4 NOT NULL REFERENCES \"authors\" (\"id\") ON DELETE "
                    "CASCADE, \"price\" numeric(10,2) CHECK ((\"price\" >= 0)), \"a\" text "
                    "CONSTRAINT \"a_uq\" UNIQUE, \"b\" text, CONSTRAINT \"pos\" CHECK (\"b\" <> "
                    "'x,y'), UNIQUE (\"a\", \"b\"), FOREIGN KEY (\"b\") REFERENCES \"t\")",
                    &sp);
    ck_assert_uint_eq(sp.n, 7);
    ck_assert_int_eq(sp.v[0].kind, 'p');
    ck_assert_str_eq(sp.v[0].cols, "id");
    ck_assert_int_eq(sp.v[1].kind, 'f');
    ck_assert_str_eq(sp.v[1].cols, "author_id");
    ck_assert_ptr_nonnull(strstr(sp.v[1].fk, "ON DELETE CASCADE"));
    ck_assert_int_eq(sp.v[2].kind, 'c');
    ck_assert_str_eq(sp.v[2].cols, "price");
    ck_assert_str_eq(sp.v[2].expr, "(\"price\" >= 0)");
    ck_assert_ptr_null(sp.v[2].name);
    ck_assert_int_eq(sp.v[3].kind, 'u');
    ck_assert_str_eq(sp.v[3].name, "a_uq");
    ck_assert_int_eq(sp.v[4].kind, 'c');
    ck_assert_str_eq(sp.v[4].name, "pos");
    ck_assert_str_eq(sp.v[4].cols, "");
    ck_assert_str_eq(sp.v[4].expr, "\"b\" <> 'x,y'");
    ck_assert_int_eq(sp.v[5].kind, 'u');
    ck_assert_str_eq(sp.v[5].cols, "a,b");
    ck_assert_int_eq(sp.v[6].kind, 'f');
    ck_assert_str_eq(sp.v[6].cols, "b");
    cat_split_free(&sp);
    cat_split_table(NULL, &sp);
    ck_assert_uint_eq(sp.n, 0);
    cat_split_table("CREATE TABLE t (", &sp);
    ck_assert_uint_eq(sp.n, 0);
    cat_split_free(&sp);
}
END_TEST

static struct sql_stmt_list L;
static struct sql_error E;

static const struct sql_stmt *tr1(const char *sql)
{
    sql_stmt_list_free(&L);
    ck_assert_msg(sql_translate(sql, &L, &E), "%s: %s %s", sql, E.sqlstate, E.message);
    ck_assert_int_eq(L.n, 1);
    return &L.v[0];
}

START_TEST(test_translate_catalog)
{
    const struct sql_stmt *st = tr1("SELECT c.relname FROM pg_catalog.pg_class c WHERE "
                                    "c.relname OPERATOR(pg_catalog.~) '^(t)$' COLLATE "
                                    "pg_catalog.default");
    ck_assert(st->catalog);
    ck_assert(!st->writes);
    ck_assert_str_eq(st->sqlite, "SELECT \"c\".\"relname\" AS \"relname\" FROM "
                                 "temp.\"pg_class\" AS \"c\" WHERE pg_regex(\"c\".\"relname\", "
                                 "'^(t)$', 0)");
    st = tr1("SELECT table_name FROM information_schema.tables");
    ck_assert(st->catalog);
    ck_assert_str_eq(st->sqlite, "SELECT \"table_name\" AS \"table_name\" FROM "
                                 "temp.\"information_schema.tables\" AS \"tables\"");
    st = tr1("SELECT 'books'::regclass, c.oid::pg_catalog.regclass::pg_catalog.text FROM "
             "pg_class c");
    ck_assert_str_eq(st->sqlite, "SELECT pg_regname('regclass', pg_regoid('regclass', "
                                 "'books')) AS \"regclass\", pg_regname('regclass', "
                                 "pg_regoid('regclass', \"c\".\"oid\")) AS \"oid\" FROM "
                                 "temp.\"pg_class\" AS \"c\"");
    st = tr1("SELECT 1 FROM pg_class WHERE oid = 'books'::regclass");
    ck_assert_str_eq(st->sqlite, "SELECT 1 AS \"?column?\" FROM temp.\"pg_class\" WHERE "
                                 "(\"oid\" = pg_regoid('regclass', 'books'))");
    /* Catalog array forms. */
    st = tr1("SELECT ARRAY(SELECT b.rolname FROM pg_catalog.pg_roles b ORDER BY 1) AS m, "
             "'d' = any(stxkind), stxkeys[0], ARRAY['a', 'b'] FROM pg_catalog.pg_statistic_ext");
    ck_assert_str_eq(st->sqlite,
                     "SELECT (SELECT pg_array_agg(\"__v\") FROM (SELECT \"b\".\"rolname\" AS "
                     "\"__v\" FROM temp.\"pg_roles\" AS \"b\" ORDER BY 1 NULLS LAST)) AS \"m\", "
                     "pg_array_any_eq(\"stxkind\", 'd') AS \"?column?\", "
                     "pg_array_get(\"stxkeys\", 0) AS \"stxkeys\", pg_array('a', 'b') AS "
                     "\"array\" FROM temp.\"pg_statistic_ext\"");
    /* json_build_object in a catalog statement (SQLAlchemy's column reflection). */
    st = tr1(
        "SELECT (SELECT json_build_object('start', s.seqstart, 'cycle', s.seqcycle) FROM "
        "pg_catalog.pg_sequence s WHERE s.seqrelid = a.attrelid) FROM pg_catalog.pg_attribute a");
    ck_assert_str_eq(st->sqlite,
                     "SELECT (SELECT json_object('start', \"s\".\"seqstart\", 'cycle', "
                     "\"s\".\"seqcycle\") FROM temp.\"pg_sequence\" AS \"s\" WHERE "
                     "(\"s\".\"seqrelid\" = \"a\".\"attrelid\")) AS \"json_build_object\" "
                     "FROM temp.\"pg_attribute\" AS \"a\"");
    /* Set-returning functions over a catalog array in the targets: a join with its elements. */
    st = tr1("SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord FROM "
             "pg_index ix WHERE ix.indisprimary");
    ck_assert_str_eq(st->sqlite,
                     "SELECT \"__srf\".\"value\" AS \"attnum\", "
                     "pg_addint(\"__srf\".\"key\", 1) AS \"ord\" FROM temp.\"pg_index\" "
                     "AS \"ix\", json_each(pg_array_json(\"ix\".\"indkey\")) AS "
                     "\"__srf\" WHERE \"ix\".\"indisprimary\"");
    st = tr1("SELECT r.key_seq FROM (SELECT a.attnum AS a_attnum, "
             "(information_schema._pg_expandarray(i.indkey)).n AS key_seq, "
             "information_schema._pg_expandarray(i.indkey) AS keys FROM pg_catalog.pg_attribute a "
             "JOIN pg_catalog.pg_index i ON (a.attrelid = i.indrelid)) r WHERE r.a_attnum = "
             "(r.keys).x ORDER BY r.key_seq");
    ck_assert_str_eq(
        st->sqlite,
        "SELECT \"r\".\"key_seq\" AS \"key_seq\" FROM (SELECT \"a\".\"attnum\" AS "
        "\"a_attnum\", pg_addint(\"__srf\".\"key\", 1) AS \"key_seq\", \"__srf\".\"value\" "
        "AS \"keys\" FROM temp.\"pg_attribute\" AS \"a\" JOIN temp.\"pg_index\" AS \"i\" "
        "ON (\"a\".\"attrelid\" = \"i\".\"indrelid\"), "
        "json_each(pg_array_json(\"i\".\"indkey\")) AS \"__srf\") AS \"r\" WHERE "
        "(\"r\".\"a_attnum\" = \"r\".\"keys\") ORDER BY \"r\".\"key_seq\" NULLS LAST");
    sql_stmt_list_free(&L);
    ck_assert(!sql_translate("SELECT unnest(indkey), unnest(indclass) FROM pg_index", &L, &E));
    ck_assert_str_eq(E.sqlstate, "0A000");
    ck_assert(!sql_translate("SELECT unnest(a) FROM t", &L, &E));
    ck_assert_str_eq(E.sqlstate, "0A000");
    /* Unknown catalog relations and writes are refused; arrays stay refused elsewhere, and so
     * does json_build_object. */
    sql_stmt_list_free(&L);
    ck_assert(!sql_translate("SELECT json_build_object('a', 1)", &L, &E));
    ck_assert_str_eq(E.sqlstate, "0A000");
    ck_assert(!sql_translate("SELECT * FROM pg_catalog.pg_stat_activity", &L, &E));
    ck_assert_str_eq(E.sqlstate, "0A000");
    ck_assert_ptr_nonnull(strstr(E.message, "pg_stat_activity"));
    ck_assert(!sql_translate("DELETE FROM pg_catalog.pg_class", &L, &E));
    ck_assert_str_eq(E.sqlstate, "0A000");
    ck_assert(!sql_translate("SELECT ARRAY[1, 2]", &L, &E));
    ck_assert_str_eq(E.sqlstate, "0A000");
    st = tr1("SELECT a FROM t");
    ck_assert(!st->catalog);
    sql_stmt_list_free(&L);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("catalog");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, test_oid_scheme);
    tcase_add_test(tc, test_oid_known_values);
    tcase_add_test(tc, test_format_type);
    tcase_add_test(tc, test_array_text);
    tcase_add_test(tc, test_split_table);
    tcase_add_test(tc, test_translate_catalog);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
