/*
 * Unit tests for src/sql/translate*.c and src/sql/functions*.c: the exact SQLite text emitted
 * for PostgreSQL statements, statement kinds, tags, result columns and parameters; refusals
 * (0A000 naming the construct); and execution against an in-memory SQLite handle with the
 * pg_* functions registered, checking PostgreSQL semantics end to end.
 */
#include <check.h>
#include <dirent.h>
#include <event2/buffer.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "sql/functions.h"
#include "sql/translate.h"
#include "sql/types.h"
#include "sqlite/session.h"

static struct sql_stmt_list L;
static struct sql_error E;

static void teardown_list(void)
{
    sql_stmt_list_free(&L);
}

/* Translate a single statement that must succeed; returns its stmt. */
static struct sql_stmt *tr1(const char *sql)
{
    sql_stmt_list_free(&L);
    ck_assert_msg(sql_translate(sql, &L, &E), "%s: %s %s", sql, E.sqlstate, E.message);
    ck_assert_int_eq(L.n, 1);
    return &L.v[0];
}

static const char *tx(const char *sql)
{
    struct sql_stmt *st = tr1(sql);
    ck_assert_ptr_nonnull(st->sqlite);
    return st->sqlite;
}

#define ck_tx(pg, lite) ck_assert_str_eq(tx(pg), lite)

static void refused(const char *sql, const char *needle)
{
    sql_stmt_list_free(&L);
    ck_assert_msg(!sql_translate(sql, &L, &E), "%s was translated", sql);
    ck_assert_str_eq(E.sqlstate, "0A000");
    ck_assert_msg(strstr(E.message, needle) != NULL, "%s: message \"%s\" lacks \"%s\"", sql,
                  E.message, needle);
    ck_assert_int_eq(L.n, 0);
}

/* ---- SELECT ---- */

START_TEST(test_select_basic)
{
    ck_tx("SELECT a, b AS x FROM t WHERE a = 1",
          "SELECT \"a\" AS \"a\", \"b\" AS \"x\" FROM \"t\" WHERE (\"a\" = 1)");
    struct sql_stmt *st = tr1("select 1, 'a', 1.5, true, null, 3000000000");
    ck_assert_int_eq(st->kind, SQL_EXEC);
    ck_assert_str_eq(st->tag, "SELECT");
    ck_assert(st->returns_rows);
    ck_assert(!st->writes);
    ck_assert_str_eq(st->sqlite, "SELECT 1 AS \"?column?\", 'a' AS \"?column?\", 1.5 AS "
                                 "\"?column?\", 1 AS \"?column?\", NULL AS \"?column?\", "
                                 "3000000000 AS \"?column?\"");
    ck_assert_int_eq(st->n_columns, 6);
    ck_assert_str_eq(st->columns[0].name, "?column?");
    ck_assert_uint_eq(st->columns[0].type, PGOID_INT4);
    ck_assert_uint_eq(st->columns[1].type, PGOID_TEXT);
    ck_assert_uint_eq(st->columns[2].type, PGOID_NUMERIC);
    ck_assert_uint_eq(st->columns[3].type, PGOID_BOOL);
    ck_assert_uint_eq(st->columns[5].type, PGOID_INT8);
    ck_assert_int_eq(st->columns[0].typmod, -1);
    /* Identifiers keep case only when quoted; embedded quotes are doubled. */
    ck_tx("SELECT \"MixedCase\", Folded, \"we\"\"ird\" FROM T",
          "SELECT \"MixedCase\" AS \"MixedCase\", \"folded\" AS \"folded\", \"we\"\"ird\" AS "
          "\"we\"\"ird\" FROM \"t\"");
    ck_tx("SELECT public.t.a FROM public.t", "SELECT \"t\".\"a\" AS \"a\" FROM \"t\"");
    /* A star leaves the columns to the prepared statement. */
    st = tr1("SELECT * FROM t");
    ck_assert_int_eq(st->n_columns, 0);
    ck_assert_str_eq(st->sqlite, "SELECT * FROM \"t\"");
}
END_TEST

START_TEST(test_select_clauses)
{
    struct sql_stmt *st = tr1("SELECT a, count(*), sum(c), avg(d) FROM t WHERE b LIKE 'x%' "
                              "GROUP BY a HAVING count(*) > 1 ORDER BY a DESC, 2 NULLS FIRST, "
                              "3 LIMIT 10 OFFSET $1");
    ck_assert_str_eq(
        st->sqlite,
        "SELECT \"a\" AS \"a\", count(*) AS \"count\", CASE WHEN "
        "pg_colnumeric('t', 'c') = -1 THEN pg_numeric_sum(\"c\", pg_colnumeric('t', 'c'), 2) "
        "ELSE "
        "sum(\"c\") END AS \"sum\", "
        "pg_avg(\"d\") AS \"avg\" FROM \"t\" WHERE pg_like(\"b\", 'x%') GROUP BY "
        "\"a\" HAVING (count(*) > 1) ORDER BY \"a\" DESC NULLS FIRST, 2 NULLS "
        "FIRST, 3 NULLS LAST LIMIT 10 OFFSET ?1");
    ck_assert_int_eq(st->n_params, 1);
    ck_assert_uint_eq(st->param_types[0], PGOID_INT8);
    ck_assert_uint_eq(st->columns[1].type, PGOID_INT8);
    ck_assert_str_eq(st->columns[1].name, "count");
    ck_assert_uint_eq(st->columns[3].type, PGOID_NUMERIC);
    ck_tx("SELECT DISTINCT a FROM t OFFSET 5",
          "SELECT DISTINCT \"a\" AS \"a\" FROM \"t\" LIMIT -1 OFFSET 5");
    ck_tx("SELECT a FROM t LIMIT ALL", "SELECT \"a\" AS \"a\" FROM \"t\"");
    ck_tx("SELECT a FROM t FETCH FIRST 3 ROWS ONLY", "SELECT \"a\" AS \"a\" FROM \"t\" LIMIT 3");
    ck_tx("SELECT * FROM t JOIN u ON t.id = u.tid LEFT JOIN v USING (k) CROSS JOIN w",
          "SELECT * FROM \"t\" JOIN \"u\" ON (\"t\".\"id\" = \"u\".\"tid\") LEFT JOIN \"v\" "
          "USING (\"k\") CROSS JOIN \"w\"");
    ck_tx("SELECT x.a FROM t AS x, (SELECT 1 AS one) s",
          "SELECT \"x\".\"a\" AS \"a\" FROM \"t\" AS \"x\", (SELECT 1 AS \"one\") AS \"s\"");
    ck_tx("SELECT * FROM (VALUES (1, 'a')) AS v(id, name)",
          "SELECT * FROM (WITH \"v\"(\"id\", \"name\") AS (VALUES (1, 'a')) SELECT * FROM "
          "\"v\") AS \"v\"");
    /* FOR UPDATE has no syntax in SQLite; the statement asks for the write lock instead. */
    st = tr1("SELECT a FROM t FOR UPDATE");
    ck_assert(st->writes);
    ck_assert_str_eq(st->sqlite, "SELECT \"a\" AS \"a\" FROM \"t\"");
}
END_TEST

START_TEST(test_select_setops_ctes)
{
    ck_tx("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) "
          "SELECT n FROM r",
          "WITH RECURSIVE \"r\"(\"n\") AS (SELECT 1 AS \"?column?\" UNION ALL SELECT "
          "pg_addint(\"n\", 1) FROM \"r\" WHERE (\"n\" < 5)) SELECT \"n\" AS \"n\" FROM \"r\"");
    /* INTERSECT binds tighter than UNION in PostgreSQL; SQLite goes left to right. */
    ck_tx("SELECT a FROM t UNION SELECT b FROM u INTERSECT SELECT c FROM v ORDER BY 1",
          "SELECT \"a\" AS \"a\" FROM \"t\" UNION SELECT * FROM (SELECT \"b\" AS \"b\" FROM "
          "\"u\" INTERSECT SELECT \"c\" FROM \"v\") ORDER BY 1 NULLS LAST");
    ck_tx("(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL SELECT 2",
          "SELECT * FROM (SELECT \"a\" AS \"a\" FROM \"t\" ORDER BY \"a\" NULLS LAST LIMIT 1) "
          "UNION ALL SELECT 2");
    struct sql_stmt *st = tr1("VALUES (1, 'a'), (2, 'b')");
    ck_assert_str_eq(st->sqlite, "VALUES (1, 'a'), (2, 'b')");
    ck_assert_int_eq(st->n_columns, 2);
    ck_assert_str_eq(st->columns[1].name, "column2");
    ck_assert_uint_eq(st->columns[1].type, PGOID_TEXT);
    ck_tx("SELECT * FROM generate_series(1, 3) AS g",
          "SELECT * FROM (WITH RECURSIVE \"__gs\"(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM "
          "\"__gs\" WHERE v + 1 <= 3) SELECT v AS \"g\" FROM \"__gs\") AS \"g\"");
    ck_tx("SELECT row_number() OVER (PARTITION BY a ORDER BY b DESC) FROM t",
          "SELECT row_number() OVER (PARTITION BY \"a\" ORDER BY \"b\" DESC NULLS FIRST) AS "
          "\"row_number\" FROM \"t\"");
    st = tr1("SELECT DISTINCT ON (a) a, b AS bb FROM t WHERE c > 0 ORDER BY a, b DESC LIMIT 5");
    ck_assert_str_eq(st->sqlite,
                     "SELECT \"__c1\" AS \"a\", \"__c2\" AS \"bb\" FROM (SELECT \"a\" AS "
                     "\"__c1\", \"b\" AS \"__c2\", \"a\" AS \"__s1\", \"b\" AS \"__s2\", "
                     "row_number() OVER (PARTITION BY \"a\" ORDER BY \"a\" NULLS LAST, \"b\" "
                     "DESC NULLS FIRST) AS \"__rn\" FROM \"t\" WHERE (\"c\" > 0)) WHERE "
                     "\"__rn\" = 1 ORDER BY \"__s1\" NULLS LAST, \"__s2\" DESC NULLS FIRST "
                     "LIMIT 5");
    ck_assert_int_eq(st->n_columns, 2);
    ck_assert_str_eq(st->columns[1].name, "bb");
    ck_tx("SELECT count(*) FILTER (WHERE a > 1), count(DISTINCT b) FROM t",
          "SELECT count(*) FILTER (WHERE (\"a\" > 1)) AS \"count\", count(DISTINCT \"b\") AS "
          "\"count\" FROM \"t\"");
}
END_TEST

/* ---- expressions ---- */

START_TEST(test_expressions)
{
    ck_tx("SELECT a ~ 'x', a !~* 'y', a ILIKE 'A%', a NOT LIKE 'b_' ESCAPE '!'",
          "SELECT pg_regex(\"a\", 'x', 0) AS \"?column?\", (NOT pg_regex(\"a\", 'y', 1)) AS "
          "\"?column?\", pg_ilike(\"a\", 'A%') AS \"?column?\", (NOT pg_like(\"a\", 'b_', "
          "'!')) AS \"?column?\"");
    ck_tx("SELECT a IN (1, 2), a NOT IN (SELECT b FROM u), EXISTS (SELECT 1 FROM u)",
          "SELECT (\"a\" IN (1, 2)) AS \"?column?\", (NOT (\"a\" IN (SELECT \"b\" FROM \"u\"))) "
          "AS \"?column?\", EXISTS (SELECT 1 FROM \"u\") AS \"exists\"");
    ck_tx("SELECT a = ANY (ARRAY[1, 2]), a <> ALL (ARRAY[3])",
          "SELECT (\"a\" IN (1, 2)) AS \"?column?\", (\"a\" NOT IN (3)) AS \"?column?\"");
    ck_tx("SELECT a / b, a % 2, a / 2, -a, a || b, a BETWEEN 1 AND 2, a IS DISTINCT FROM b, "
          "a IS NOT DISTINCT FROM b",
          "SELECT pg_div(\"a\", \"b\") AS \"?column?\", (\"a\" % 2) AS \"?column?\", (\"a\" / "
          "2) AS \"?column?\", (-\"a\") AS \"?column?\", (\"a\" || \"b\") AS \"?column?\", "
          "(\"a\" BETWEEN 1 AND 2) AS \"?column?\", (\"a\" IS NOT \"b\") AS \"?column?\", "
          "(\"a\" IS \"b\") AS \"?column?\"");
    ck_tx("SELECT greatest(a, b, NULL), least(1, 2), coalesce(a, b), nullif(a, 1)",
          "SELECT pg_greatest(\"a\", \"b\", NULL) AS \"greatest\", pg_least(1, 2) AS \"least\", "
          "coalesce(\"a\", \"b\") AS \"coalesce\", nullif(\"a\", 1) AS \"nullif\"");
    ck_tx("SELECT CASE WHEN a > 1 THEN 'x' ELSE 'y' END, CASE a WHEN 1 THEN true END",
          "SELECT CASE WHEN (\"a\" > 1) THEN 'x' ELSE 'y' END AS \"case\", CASE \"a\" WHEN 1 "
          "THEN 1 END AS \"case\"");
    ck_tx("SELECT a IS NULL, b IS NOT NULL, c IS TRUE, d IS NOT FALSE, NOT e",
          "SELECT (\"a\" IS NULL) AS \"?column?\", (\"b\" IS NOT NULL) AS \"?column?\", (\"c\" "
          "IS TRUE) AS \"?column?\", (\"d\" IS NOT FALSE) AS \"?column?\", (NOT \"e\") AS "
          "\"?column?\"");
    /* Strings: standard_conforming_strings, E'' escapes, quotes doubled for SQLite. */
    ck_tx("SELECT 'it''s', E'a\\nb', 'back\\slash'",
          "SELECT 'it''s' AS \"?column?\", 'a\nb' AS \"?column?\", 'back\\slash' AS "
          "\"?column?\"");
    ck_tx("SELECT substring(a from 2 for 3), position('x' in a), trim(both 'x' from a), "
          "ltrim(a), length(a), lower(a), concat(a, 1), left(a, 2), split_part(a, ',', 2), "
          "md5(a), repeat(a, 3), replace(a, 'x', 'y')",
          "SELECT pg_substr(\"a\", 2, 3) AS \"substring\", instr(\"a\", 'x') AS \"position\", "
          "trim(\"a\", 'x') AS \"btrim\", ltrim(\"a\") AS \"ltrim\", length(\"a\") AS "
          "\"length\", pg_lower(\"a\") AS \"lower\", pg_concat(\"a\", 1) AS \"concat\", "
          "pg_left(\"a\", 2) AS \"left\", pg_split_part(\"a\", ',', 2) AS \"split_part\", "
          "pg_md5(\"a\") AS \"md5\", pg_repeat(\"a\", 3) AS \"repeat\", replace(\"a\", 'x', "
          "'y') AS \"replace\"");
    ck_tx("SELECT now(), current_timestamp, current_date, localtimestamp, "
          "extract(year from ts), date_trunc('month', ts), random(), gen_random_uuid()",
          "SELECT pg_now() AS \"now\", pg_now() AS \"current_timestamp\", pg_current_date() AS "
          "\"current_date\", pg_localtimestamp() AS \"localtimestamp\", pg_extract('year', "
          "\"ts\") AS \"extract\", pg_date_trunc('month', \"ts\") AS \"date_trunc\", "
          "pg_random() AS \"random\", pg_gen_random_uuid() AS \"gen_random_uuid\"");
    ck_tx("SELECT string_agg(a, ','), bool_and(b), bool_or(b), max(c), abs(d), round(e, 2)",
          "SELECT group_concat(\"a\", ',') AS \"string_agg\", min(\"b\") AS \"bool_and\", "
          "max(\"b\") AS \"bool_or\", max(\"c\") AS \"max\", abs(\"d\") AS \"abs\", "
          "pg_round(\"e\", 2) AS \"round\"");
    ck_tx("SELECT a COLLATE \"C\" FROM t", "SELECT \"a\" AS \"a\" FROM \"t\"");
    struct sql_stmt *st = tr1("SELECT now() - interval '1 day', d + $1::interval FROM t");
    ck_assert_str_eq(st->sqlite, "SELECT pg_ts_add(pg_now(), '1 day', -1) AS \"?column?\", "
                                 "pg_ts_add(\"d\", ?1, 1) AS \"?column?\" FROM \"t\"");
    ck_assert_uint_eq(st->columns[0].type, PGOID_TIMESTAMPTZ);
    ck_assert_uint_eq(st->columns[1].type, 0);
    ck_assert_int_eq(st->n_params, 1);
    ck_assert_uint_eq(st->param_types[0], PGOID_INTERVAL);
    st = tr1("SELECT j::jsonb -> 'a', j ->> 0 FROM t");
    ck_assert_str_eq(st->sqlite, "SELECT pg_json_get(pg_cast(\"j\", 'jsonb'), 'a', 0) AS "
                                 "\"?column?\", pg_json_get(\"j\", 0, 1) AS \"?column?\" FROM "
                                 "\"t\"");
    ck_assert_uint_eq(st->columns[0].type, PGOID_JSONB);
    ck_assert_uint_eq(st->columns[1].type, PGOID_TEXT);
}
END_TEST

START_TEST(test_casts_params_columns)
{
    struct sql_stmt *st = tr1("SELECT x::int, '5'::integer, $1::text, CAST(y AS numeric(10,2)), "
                              "$2::timestamptz, z::varchar(3), NULL::int, $3, now(), "
                              "current_date, 1 = 1, count(*)");
    ck_assert_str_eq(st->sqlite,
                     "SELECT pg_cast(\"x\", 'int4') AS \"x\", pg_cast('5', 'int4') AS \"int4\", "
                     "pg_cast(?1, 'text') AS \"text\", pg_cast(\"y\", 'numeric', 10, 2) AS "
                     "\"y\", pg_cast(?2, 'timestamptz') AS \"timestamptz\", pg_cast(\"z\", "
                     "'varchar', 3) AS \"z\", NULL AS \"int4\", ?3 AS \"?column?\", pg_now() AS "
                     "\"now\", pg_current_date() AS \"current_date\", (1 = 1) AS \"?column?\", "
                     "count(*) AS \"count\"");
    ck_assert_int_eq(st->n_params, 3);
    ck_assert_uint_eq(st->param_types[0], PGOID_TEXT);
    ck_assert_uint_eq(st->param_types[1], PGOID_TIMESTAMPTZ);
    ck_assert_uint_eq(st->param_types[2], 0);
    static const uint32_t want[] = {PGOID_INT4,        PGOID_INT4,    PGOID_TEXT, PGOID_NUMERIC,
                                    PGOID_TIMESTAMPTZ, PGOID_VARCHAR, PGOID_INT4, 0,
                                    PGOID_TIMESTAMPTZ, PGOID_DATE,    PGOID_BOOL, PGOID_INT8};
    ck_assert_int_eq(st->n_columns, 12);
    for (int i = 0; i < 12; i++)
        ck_assert_msg(st->columns[i].type == want[i], "column %d: %u", i, st->columns[i].type);
    ck_assert_str_eq(st->columns[7].name, "?column?");
    /* Parameters used twice count once; the highest number wins. The first use types a
     * parameter, as in PostgreSQL: a column it is compared with (the backend looks its type
     * up), or a cast. */
    st = tr1("SELECT * FROM t WHERE a = $2 OR b = $2::int8");
    ck_assert_int_eq(st->n_params, 2);
    ck_assert_uint_eq(st->param_types[0], 0);
    ck_assert_uint_eq(st->param_types[1], 0);
    ck_assert_ptr_nonnull(st->param_origins);
    ck_assert_ptr_null(st->param_origins[0].rel);
    ck_assert_str_eq(st->param_origins[1].rel, "t");
    ck_assert_str_eq(st->param_origins[1].col, "a");
    ck_assert(!st->param_origins[1].arith);
    st = tr1("SELECT * FROM t WHERE b = $2::int8 OR a = $2");
    ck_assert_int_eq(st->n_params, 2);
    ck_assert_uint_eq(st->param_types[1], PGOID_INT8);
    ck_assert_ptr_null(st->param_origins);
}
END_TEST

/* ---- DML ---- */

START_TEST(test_dml)
{
    struct sql_stmt *st = tr1("INSERT INTO t (a, b) VALUES (1, 'x'), (2, 'y') ON CONFLICT (a) "
                              "DO UPDATE SET b = EXCLUDED.b WHERE t.b <> EXCLUDED.b "
                              "RETURNING id, a AS aa");
    ck_assert_str_eq(st->sqlite,
                     "INSERT INTO \"t\" (\"a\", \"b\") VALUES (pg_assign(1, 't', 'a'), "
                     "pg_assign('x', 't', 'b')), (pg_assign(2, 't', 'a'), "
                     "pg_assign('y', 't', 'b')) ON CONFLICT "
                     "(\"a\") DO UPDATE SET \"b\" = excluded.\"b\" WHERE (\"t\".\"b\" <> "
                     "excluded.\"b\") RETURNING \"id\" AS \"id\", \"a\" AS \"aa\"");
    ck_assert_str_eq(st->tag, "INSERT");
    ck_assert(st->writes);
    ck_assert(st->returns_rows);
    ck_assert_int_eq(st->n_columns, 2);
    ck_assert_str_eq(st->columns[1].name, "aa");
    st = tr1("INSERT INTO t DEFAULT VALUES");
    ck_assert_str_eq(st->sqlite, "INSERT INTO \"t\" DEFAULT VALUES");
    ck_assert(!st->returns_rows);
    ck_tx("INSERT INTO t SELECT * FROM u ON CONFLICT DO NOTHING",
          "INSERT INTO \"t\" SELECT * FROM (SELECT * FROM \"u\") WHERE true ON CONFLICT DO "
          "NOTHING");
    ck_tx("INSERT INTO t (a) SELECT b FROM u",
          "INSERT INTO \"t\" (\"a\") SELECT \"b\" AS \"b\" FROM \"u\"");
    ck_tx("INSERT INTO t VALUES ($1, 2, 'x')",
          "INSERT INTO \"t\" VALUES (pg_assign(?1, 't', 0), pg_assign(2, 't', 1), "
          "pg_assign('x', 't', 2))");
    ck_tx("INSERT INTO t (id, a, b) VALUES (DEFAULT, $1, now())",
          "INSERT INTO \"t\" (\"a\", \"b\") VALUES (pg_assign(?1, 't', 'a'), pg_now())");
    ck_tx("INSERT INTO t (id) VALUES (DEFAULT)", "INSERT INTO \"t\" DEFAULT VALUES");
    ck_tx("UPDATE t SET a = 't', b = $1::int, c = c + 1",
          "UPDATE \"t\" SET \"a\" = pg_assign('t', 't', 'a'), \"b\" = pg_cast(?1, 'int4'), "
          "\"c\" = pg_assign(pg_addint(\"c\", 1), 't', 'c')");
    st = tr1("UPDATE t SET a = a + 1, b = u.b FROM u WHERE t.id = u.id RETURNING *");
    ck_assert_str_eq(
        st->sqlite,
        "UPDATE \"t\" SET \"a\" = pg_assign(pg_addint(\"a\", 1), 't', "
        "'a'), \"b\" = \"u\".\"b\" FROM \"u\" WHERE (\"t\".\"id\" = \"u\".\"id\") RETURNING *");
    ck_assert_str_eq(st->tag, "UPDATE");
    ck_assert(st->returns_rows);
    ck_tx("UPDATE t SET (a, b) = (1, 2)", "UPDATE \"t\" SET (\"a\", \"b\") = (1, 2)");
    st = tr1("DELETE FROM t USING u WHERE t.id = u.id AND u.x > 1");
    ck_assert_str_eq(st->sqlite, "DELETE FROM \"t\" WHERE EXISTS (SELECT 1 FROM \"u\" WHERE "
                                 "((\"t\".\"id\" = \"u\".\"id\") AND (\"u\".\"x\" > 1)))");
    ck_assert_str_eq(st->tag, "DELETE");
    ck_assert(st->writes);
    /* An untyped literal or parameter compared with a column is typed by that column. */
    ck_tx("SELECT * FROM t x JOIN u ON x.a = 'q' WHERE u.b <> $1 AND c = 'z' AND x.d IN ('1', "
          "'2') AND x.e BETWEEN $2 AND 5",
          "SELECT * FROM \"t\" AS \"x\" JOIN \"u\" ON (\"x\".\"a\" = pg_assign('q', 't', 'a')) "
          "WHERE ((\"u\".\"b\" <> pg_assign(?1, 'u', 'b')) AND (\"c\" = 'z') AND (\"x\".\"d\" "
          "IN (pg_assign('1', 't', 'd'), pg_assign('2', 't', 'd'))) AND (\"x\".\"e\" BETWEEN "
          "pg_assign(?2, 't', 'e') AND 5))");
    ck_tx("DELETE FROM t WHERE b = 't'",
          "DELETE FROM \"t\" WHERE (\"b\" = pg_assign('t', 't', 'b'))");
    ck_tx("SELECT * FROM (SELECT a FROM t) s WHERE a = 'x' AND a || 'y' = 'xy'",
          "SELECT * FROM (SELECT \"a\" AS \"a\" FROM \"t\") AS \"s\" WHERE ((\"a\" = 'x') AND "
          "((pg_coltext(\"a\", 't', 'a', 0) || 'y') = 'xy'))");
    ck_tx("WITH x AS (SELECT 1 AS id) DELETE FROM t WHERE id IN (SELECT id FROM x)",
          "WITH \"x\" AS (SELECT 1 AS \"id\") DELETE FROM \"t\" WHERE (\"id\" IN (SELECT \"id\" "
          "FROM \"x\"))");
}
END_TEST

/* ---- DDL ---- */

START_TEST(test_ddl)
{
    struct sql_stmt *st =
        tr1("CREATE TABLE IF NOT EXISTS users (id serial PRIMARY KEY, name varchar(20) NOT NULL "
            "UNIQUE, active boolean DEFAULT true, score numeric(10,2), created timestamptz DEFAULT "
            "now(), ref int REFERENCES other(id) ON DELETE CASCADE, CONSTRAINT pos CHECK (score > "
            "0))");
    ck_assert_str_eq(
        st->sqlite,
        "CREATE TABLE IF NOT EXISTS \"users\" (\"id\" int4 PRIMARY KEY "
        "NOT NULL DEFAULT (nextval('users_id_seq')), \"name\" varchar(20) NOT NULL UNIQUE "
        "CONSTRAINT "
        "\"varchar_length_20\" CHECK (length(\"name\") <= 20), \"active\" bool "
        "DEFAULT (1), \"score\" numeric(10,2), \"created\" timestamptz DEFAULT "
        "(pg_now()), \"ref\" int4 REFERENCES \"other\"(\"id\") ON DELETE CASCADE, "
        "CONSTRAINT \"pos\" CHECK ((\"score\" > 0)))");
    ck_assert_str_eq(st->tag, "CREATE TABLE");
    ck_assert(st->writes);
    ck_assert(!st->returns_rows);
    /* The serial column's sequence is made with the table, owned by the column. */
    ck_assert_int_eq(st->kind, SQL_DDL);
    ck_assert_int_eq(st->ddl->n_seqs, 1);
    ck_assert_str_eq(st->ddl->seqs[0].name, "users_id_seq");
    ck_assert_str_eq(st->ddl->seqs[0].data_type, "integer");
    ck_assert_str_eq(st->ddl->seqs[0].owner_table, "users");
    ck_assert_str_eq(st->ddl->seqs[0].owner_column, "id");
    ck_assert(st->ddl->if_not_exists);
    st = tr1("CREATE TABLE n (id smallserial, \"X\" bigint GENERATED ALWAYS AS IDENTITY (START "
             "WITH 10 INCREMENT BY 5), v text) WITH (fillfactor=90)");
    ck_assert_str_eq(st->sqlite, "CREATE TABLE \"n\" (\"id\" int2 NOT NULL DEFAULT "
                                 "(nextval('n_id_seq')), \"X\" int8 NOT NULL DEFAULT "
                                 "(nextval('\"n_X_seq\"')), \"v\" text)");
    ck_assert_int_eq(st->ddl->n_seqs, 2);
    ck_assert_str_eq(st->ddl->seqs[0].data_type, "smallint");
    ck_assert_str_eq(st->ddl->seqs[1].name, "n_X_seq");
    ck_assert(st->ddl->seqs[1].has_start && st->ddl->seqs[1].start == 10);
    ck_assert(st->ddl->seqs[1].has_increment && st->ddl->seqs[1].increment == 5);
    ck_assert_ptr_nonnull(strstr(st->notice, "fillfactor"));
    st = tr1("CREATE TABLE pgbench_tellers(tid int not null,bid int,tbalance int,filler "
             "char(84)) with (fillfactor=100)");
    ck_assert_int_eq(st->kind, SQL_EXEC);
    ck_assert_ptr_nonnull(strstr(st->notice, "no effect"));
    ck_tx("CREATE TABLE t (a int, b bigint, c text, PRIMARY KEY (a, b))",
          "CREATE TABLE \"t\" (\"a\" int4, \"b\" int8, \"c\" text, PRIMARY KEY (\"a\", \"b\"))");
    ck_tx("CREATE TABLE t (id bigserial, x int, PRIMARY KEY (id))",
          "CREATE TABLE \"t\" (\"id\" int8 PRIMARY KEY NOT NULL DEFAULT "
          "(nextval('t_id_seq')), \"x\" int4)");
    ck_tx("CREATE TABLE t2 (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v text)",
          "CREATE TABLE \"t2\" (\"id\" int8 PRIMARY KEY NOT NULL DEFAULT "
          "(nextval('t2_id_seq')), \"v\" text)");
    ck_tx("CREATE TABLE t2 (id int PRIMARY KEY, d date, tm time, ts timestamp, tz timestamp "
          "with time zone, iv interval, u uuid, j jsonb, by bytea, f real, g double precision, "
          "ch char(3), s smallint)",
          "CREATE TABLE \"t2\" (\"id\" int4 PRIMARY KEY NOT NULL, \"d\" date, \"tm\" time, "
          "\"ts\" timestamp, \"tz\" timestamptz, \"iv\" interval, \"u\" uuid, \"j\" jsonb, "
          "\"by\" bytea, \"f\" float4, \"g\" float8, \"ch\" bpchar(3) CONSTRAINT "
          "\"char_length_3\" CHECK (length(\"ch\") <= 3), \"s\" int2)");
    st = tr1("CREATE UNIQUE INDEX IF NOT EXISTS i1 ON t (lower(c), a DESC) WHERE a > 0");
    ck_assert_str_eq(st->sqlite, "CREATE UNIQUE INDEX IF NOT EXISTS \"i1\" ON \"t\" "
                                 "((pg_lower(\"c\")), \"a\" DESC) WHERE (\"a\" > 0)");
    ck_assert_str_eq(st->tag, "CREATE INDEX");
    ck_tx("CREATE INDEX ON t (a, b)", "CREATE INDEX \"t_a_b_idx\" ON \"t\" (\"a\", \"b\")");
    st = tr1("DROP TABLE IF EXISTS t, public.u");
    ck_assert_int_eq(st->kind, SQL_DROP);
    ck_assert(st->ddl->missing_ok);
    ck_assert_int_eq(st->ddl->n_names, 2);
    ck_assert_str_eq(st->ddl->names[1], "u");
    ck_assert_str_eq(st->tag, "DROP TABLE");
    st = tr1("DROP INDEX i1");
    ck_assert_str_eq(st->tag, "DROP INDEX");
    st = tr1("DROP VIEW public.v");
    ck_assert_str_eq(st->tag, "DROP VIEW");
    ck_assert_str_eq(st->ddl->names[0], "v");
    st = tr1("DROP SEQUENCE IF EXISTS s1, s2");
    ck_assert_int_eq(st->kind, SQL_SEQUENCE);
    ck_assert_int_eq(st->ddl->seq_op, SQL_SEQ_DROP);
    ck_assert_int_eq(st->ddl->n_names, 2);
    st = tr1("CREATE VIEW v AS SELECT a, count(*) FROM t GROUP BY a");
    ck_assert_str_eq(st->sqlite, "CREATE VIEW \"v\" AS SELECT \"a\" AS \"a\", count(*) AS "
                                 "\"count\" FROM \"t\" GROUP BY \"a\"");
    ck_assert_str_eq(st->tag, "CREATE VIEW");
    ck_tx("ALTER TABLE t ADD COLUMN d int DEFAULT 0",
          "ALTER TABLE \"t\" ADD COLUMN \"d\" int4 DEFAULT (0)");
    ck_tx("ALTER TABLE t DROP COLUMN d", "ALTER TABLE \"t\" DROP COLUMN \"d\"");
    ck_tx("ALTER TABLE t RENAME COLUMN a TO aa", "ALTER TABLE \"t\" RENAME COLUMN \"a\" TO \"aa\"");
    st = tr1("ALTER TABLE t RENAME TO tt");
    ck_assert_str_eq(st->sqlite, "ALTER TABLE \"t\" RENAME TO \"tt\"");
    ck_assert_str_eq(st->tag, "ALTER TABLE");
    ck_assert_int_eq(st->kind, SQL_DDL);
    ck_assert_str_eq(st->ddl->new_name, "tt");
    st = tr1("TRUNCATE TABLE pgbench_accounts, pgbench_branches RESTART IDENTITY CASCADE");
    ck_assert_int_eq(st->kind, SQL_TRUNCATE);
    ck_assert_int_eq(st->ddl->n_names, 2);
    ck_assert(st->ddl->restart_identity && st->ddl->cascade);
    ck_assert_str_eq(st->tag, "TRUNCATE TABLE");
    ck_assert(st->writes);
    /* ALTER TABLE forms SQLite cannot do in place describe a rebuild. */
    st = tr1("ALTER TABLE pgbench_accounts ADD PRIMARY KEY (aid)");
    ck_assert_int_eq(st->kind, SQL_REBUILD);
    ck_assert_str_eq(st->ddl->table, "pgbench_accounts");
    ck_assert_int_eq(st->ddl->n_alters, 1);
    ck_assert_int_eq(st->ddl->alters[0].op, SQL_ALTER_ADD_CONSTRAINT);
    ck_assert_int_eq(st->ddl->alters[0].contype, 'p');
    ck_assert_str_eq(st->ddl->alters[0].name, "pgbench_accounts_pkey");
    ck_assert_str_eq(st->ddl->alters[0].text, "PRIMARY KEY (\"aid\")");
    ck_assert_str_eq(st->ddl->alters[0].keys[0], "aid");
    st = tr1("ALTER TABLE t ADD CONSTRAINT c1 CHECK (a > 0), ADD UNIQUE (a, b), ADD FOREIGN KEY "
             "(b) REFERENCES u (id), ADD CHECK (b <> 0), DROP CONSTRAINT IF EXISTS old");
    ck_assert_int_eq(st->ddl->n_alters, 5);
    ck_assert_str_eq(st->ddl->alters[0].name, "c1");
    ck_assert_str_eq(st->ddl->alters[0].text, "CHECK ((\"a\" > 0))");
    ck_assert_str_eq(st->ddl->alters[1].name, "t_a_b_key");
    ck_assert_str_eq(st->ddl->alters[2].name, "t_b_fkey");
    ck_assert_str_eq(st->ddl->alters[2].text, "FOREIGN KEY (\"b\") REFERENCES \"u\"(\"id\")");
    ck_assert_str_eq(st->ddl->alters[3].name, "t_b_check");
    ck_assert_int_eq(st->ddl->alters[4].op, SQL_ALTER_DROP_CONSTRAINT);
    ck_assert(st->ddl->alters[4].missing_ok);
    st = tr1("ALTER TABLE t ALTER COLUMN a TYPE varchar(10), ALTER b TYPE bigint USING b * 2, "
             "ALTER c SET NOT NULL, ALTER d DROP NOT NULL, ALTER e SET DEFAULT 'x', ALTER f DROP "
             "DEFAULT");
    ck_assert_int_eq(st->ddl->n_alters, 6);
    ck_assert_int_eq(st->ddl->alters[0].op, SQL_ALTER_TYPE);
    ck_assert_str_eq(st->ddl->alters[0].text, "varchar(10)");
    ck_assert_str_eq(st->ddl->alters[0].check,
                     "CONSTRAINT \"varchar_length_10\" CHECK (length(\"a\") <= 10)");
    ck_assert_ptr_nonnull(st->ddl->alters[0].using_expr);
    ck_assert_str_eq(st->ddl->alters[1].using_expr, "(\"b\" * 2)");
    ck_assert_int_eq(st->ddl->alters[2].op, SQL_ALTER_SET_NOT_NULL);
    ck_assert_str_eq(st->ddl->alters[2].column, "c");
    ck_assert_int_eq(st->ddl->alters[3].op, SQL_ALTER_DROP_NOT_NULL);
    ck_assert_int_eq(st->ddl->alters[4].op, SQL_ALTER_SET_DEFAULT);
    ck_assert_str_eq(st->ddl->alters[4].text, "'x'");
    ck_assert_int_eq(st->ddl->alters[5].op, SQL_ALTER_DROP_DEFAULT);
    /* Sequences. */
    st = tr1("CREATE SEQUENCE IF NOT EXISTS public.s AS integer INCREMENT BY -2 MINVALUE -100 NO "
             "MAXVALUE START 7 CACHE 5 CYCLE OWNED BY t.a");
    ck_assert_int_eq(st->kind, SQL_SEQUENCE);
    ck_assert_str_eq(st->tag, "CREATE SEQUENCE");
    ck_assert(st->ddl->if_not_exists);
    {
        const struct sql_seq *q = &st->ddl->seqs[0];
        ck_assert_str_eq(q->name, "s");
        ck_assert_str_eq(q->data_type, "integer");
        ck_assert(q->has_increment && q->increment == -2);
        ck_assert(q->has_min && !q->no_min && q->min_value == -100);
        ck_assert(q->has_max && q->no_max);
        ck_assert(q->has_start && q->start == 7);
        ck_assert(q->has_cache && q->cache == 5);
        ck_assert(q->has_cycle && q->cycle);
        ck_assert_str_eq(q->owner_table, "t");
        ck_assert_str_eq(q->owner_column, "a");
    }
    st = tr1("ALTER SEQUENCE s RESTART WITH 3 NO CYCLE OWNED BY NONE");
    ck_assert_int_eq(st->ddl->seq_op, SQL_SEQ_ALTER);
    ck_assert(st->ddl->seqs[0].has_restart && st->ddl->seqs[0].restart == 3);
    ck_assert(st->ddl->seqs[0].has_owner && !st->ddl->seqs[0].owner_table);
    ck_tx("SELECT nextval('s'::regclass), currval('s')", "SELECT nextval('s') AS \"nextval\", "
                                                         "currval('s') AS \"currval\"");
    ck_assert(tr1("SELECT nextval('s')")->writes);
    ck_assert(!tr1("SELECT currval('s')")->writes);
    st = tr1("CREATE SCHEMA IF NOT EXISTS public");
    ck_assert_int_eq(st->kind, SQL_NOTICE_NOOP);
    ck_assert_ptr_nonnull(st->notice);
    st = tr1("COMMENT ON TABLE t IS 'x'");
    ck_assert_int_eq(st->kind, SQL_NOTICE_NOOP);
    ck_assert_str_eq(st->tag, "COMMENT");
}
END_TEST

/* ---- utility statements ---- */

START_TEST(test_utility)
{
    static const struct {
        const char *sql;
        enum sql_kind kind;
        const char *tag;
        const char *name;
    } cases[] = {
        {"BEGIN", SQL_BEGIN, "BEGIN", NULL},
        {"BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY", SQL_BEGIN, "BEGIN", NULL},
        {"START TRANSACTION", SQL_BEGIN, "START TRANSACTION", NULL},
        {"COMMIT", SQL_COMMIT, "COMMIT", NULL},
        {"END", SQL_COMMIT, "COMMIT", NULL},
        {"ROLLBACK", SQL_ROLLBACK, "ROLLBACK", NULL},
        {"ABORT", SQL_ROLLBACK, "ROLLBACK", NULL},
        {"SAVEPOINT sp1", SQL_SAVEPOINT, "SAVEPOINT", "sp1"},
        {"RELEASE SAVEPOINT sp1", SQL_RELEASE, "RELEASE", "sp1"},
        {"ROLLBACK TO sp1", SQL_ROLLBACK_TO, "ROLLBACK", "sp1"},
        {"RESET DateStyle", SQL_RESET, "RESET", "datestyle"},
        {"RESET ALL", SQL_RESET, "RESET", NULL},
        {"SHOW TimeZone", SQL_SHOW, "SHOW", "timezone"},
        {"DEALLOCATE PREPARE p1", SQL_DEALLOCATE, "DEALLOCATE", "p1"},
        {"DEALLOCATE ALL", SQL_DEALLOCATE, "DEALLOCATE ALL", NULL},
        {"DISCARD ALL", SQL_DISCARD_ALL, "DISCARD ALL", NULL},
        {"SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", SQL_NOTICE_NOOP, "SET", NULL},
        {"", SQL_EMPTY, "", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct sql_stmt *st = tr1(cases[i].sql);
        ck_assert_msg(st->kind == cases[i].kind, "%s: kind %d", cases[i].sql, st->kind);
        ck_assert_str_eq(st->tag, cases[i].tag);
        if (cases[i].name)
            ck_assert_str_eq(st->name, cases[i].name);
        else
            ck_assert_ptr_null(st->name);
        ck_assert_ptr_null(st->sqlite);
        ck_assert(!st->writes);
    }
    /* PostgreSQL lists every setting; the backend keeps a few: refused, not answered half. */
    refused("SHOW ALL", "SHOW ALL is not supported");
    struct sql_stmt *st = tr1("ANALYZE");
    ck_assert_int_eq(st->kind, SQL_VACUUM);
    ck_assert(st->writes);
    st = tr1("SET search_path TO public, pg_catalog");
    ck_assert_int_eq(st->kind, SQL_SET);
    ck_assert_str_eq(st->name, "search_path");
    ck_assert_str_eq(st->value, "public, pg_catalog");
    ck_assert(!st->is_local);
    st = tr1("SET LOCAL statement_timeout = 5000");
    ck_assert(st->is_local);
    ck_assert_str_eq(st->value, "5000");
    st = tr1("SET TIME ZONE 'Europe/Berlin'");
    ck_assert_str_eq(st->name, "timezone");
    ck_assert_str_eq(st->value, "Europe/Berlin");
    st = tr1("SET client_encoding TO DEFAULT");
    ck_assert_int_eq(st->kind, SQL_SET);
    ck_assert_ptr_null(st->value);
    st = tr1("SHOW search_path");
    ck_assert(st->returns_rows);
    st = tr1("VACUUM");
    ck_assert_int_eq(st->kind, SQL_VACUUM);
    ck_assert_str_eq(st->tag, "VACUUM");
    st = tr1("VACUUM ANALYZE pgbench_branches");
    ck_assert(st->ddl->vacuum && st->ddl->analyze);
    ck_assert_str_eq(st->ddl->names[0], "pgbench_branches");
    st = tr1("COPY pgbench_accounts FROM STDIN WITH (FREEZE ON)");
    ck_assert_int_eq(st->kind, SQL_COPY_FROM);
    ck_assert_ptr_nonnull(strstr(st->notice, "FREEZE"));

    /* Several statements keep their order and offsets. */
    sql_stmt_list_free(&L);
    ck_assert(sql_translate("BEGIN; INSERT INTO t VALUES (1);  COMMIT", &L, &E));
    ck_assert_int_eq(L.n, 3);
    ck_assert_int_eq(L.v[0].kind, SQL_BEGIN);
    ck_assert_str_eq(L.v[1].tag, "INSERT");
    ck_assert_int_eq(L.v[1].location, 6);
    ck_assert_int_eq(L.v[2].kind, SQL_COMMIT);
}
END_TEST

START_TEST(test_copy)
{
    struct sql_stmt *st = tr1("COPY t (a, \"B\") FROM STDIN WITH (FORMAT csv, HEADER true, "
                              "DELIMITER ';', NULL 'NA')");
    ck_assert_int_eq(st->kind, SQL_COPY_FROM);
    ck_assert_str_eq(st->tag, "COPY");
    ck_assert(st->writes);
    ck_assert_str_eq(st->copy.table, "\"t\"");
    ck_assert_int_eq(st->copy.n_columns, 2);
    ck_assert_str_eq(st->copy.columns[1], "\"B\"");
    ck_assert(st->copy.csv);
    ck_assert(st->copy.header);
    ck_assert_int_eq(st->copy.delimiter, ';');
    ck_assert_int_eq(st->copy.quote, '"');
    ck_assert_int_eq(st->copy.escape, '"');
    ck_assert_str_eq(st->copy.null_string, "NA");
    st = tr1("COPY t TO STDOUT");
    ck_assert_int_eq(st->kind, SQL_COPY_TO);
    ck_assert(!st->copy.csv);
    ck_assert_int_eq(st->copy.delimiter, '\t');
    ck_assert_str_eq(st->copy.null_string, "\\N");
    ck_assert_str_eq(st->sqlite, "SELECT * FROM \"t\"");
    ck_assert(!st->writes);
    st = tr1("COPY (SELECT a FROM t WHERE a > 1) TO STDOUT WITH CSV HEADER");
    ck_assert_int_eq(st->kind, SQL_COPY_TO);
    ck_assert_str_eq(st->sqlite, "SELECT \"a\" AS \"a\" FROM \"t\" WHERE (\"a\" > 1)");
    ck_assert(st->copy.csv);
    ck_assert(st->copy.header);
    ck_assert_int_eq(st->copy.delimiter, ',');
    ck_assert_str_eq(st->copy.null_string, "");
}
END_TEST

START_TEST(test_errors_and_refusals)
{
    sql_stmt_list_free(&L);
    ck_assert(!sql_translate("SELECT 1; SELEC 2", &L, &E));
    ck_assert_str_eq(E.sqlstate, "42601");
    ck_assert_int_eq(E.position, 11);
    ck_assert(strstr(E.message, "SELEC") != NULL);
    ck_assert_int_eq(L.n, 0);

    refused("SELECT * FROM t, LATERAL (SELECT 1) x", "LATERAL");
    refused("SELECT DISTINCT ON (a) * FROM t", "DISTINCT ON with *");
    refused("SELECT array_agg(a) FROM t", "array_agg");
    refused("SELECT ARRAY[1, 2]", "ARRAY");
    refused("SELECT a FROM t GROUP BY ROLLUP (a)", "ROLLUP");
    refused("SELECT string_agg(a, ',' ORDER BY a) FROM t", "ORDER BY inside an aggregate");
    refused("SELECT a SIMILAR TO 'x' FROM t", "SIMILAR TO");
    refused("SELECT a > ANY (SELECT b FROM u) FROM t", "ANY");
    refused("SELECT x::tsvector", "tsvector"); /* regclass is the catalog's (test_catalog.c) */
    refused("SELECT interval '1 day'", "interval");
    refused("SELECT interval '1 day' - now()", "interval arithmetic");
    refused("SELECT printf('%d', 1)", "printf");
    refused("SELECT * FROM app.t", "schema \"app\"");
    refused("INSERT INTO t VALUES (DEFAULT)", "DEFAULT");
    refused("INSERT INTO t (a) VALUES (1), (DEFAULT)", "DEFAULT");
    refused("INSERT INTO t VALUES (1) ON CONFLICT ON CONSTRAINT t_pkey DO NOTHING",
            "ON CONSTRAINT");
    refused("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "data-modifying");
    refused("SELECT a FROM t INTERSECT ALL SELECT a FROM u", "INTERSECT ALL");
    refused("SELECT rank() OVER (ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM t",
            "window frame");
    refused("ALTER TABLE t ADD COLUMN id serial", "serial");
    refused("CREATE TABLE t (x int[])", "arrays");
    refused("CREATE TABLE t (x int) INHERITS (u)", "INHERITS");
    refused("DROP TABLE t CASCADE", "CASCADE");
    refused("ALTER TABLE t ALTER COLUMN a SET STATISTICS 10", "ALTER TABLE");
    refused("ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID", "NOT VALID");
    refused("ALTER TABLE t ADD COLUMN b int, DROP COLUMN a", "DROP COLUMN");
    refused("CREATE SCHEMA app", "CREATE SCHEMA");
    refused("COPY t FROM '/tmp/x'", "file");
    refused("COPY t TO STDOUT (FORMAT binary)", "binary");
    refused("EXPLAIN SELECT 1", "EXPLAIN");
    refused("LISTEN foo", "LISTEN");
    refused("NOTIFY foo", "NOTIFY");
    refused("CREATE TEMP SEQUENCE s", "temporary sequences");
    refused("CREATE FUNCTION f() RETURNS int AS 'select 1' LANGUAGE sql", "CREATE FUNCTION");
    refused("PREPARE p AS SELECT 1", "PREPARE");
    refused("SELECT generate_series(1, 3)", "generate_series");
    refused("CREATE INDEX i ON t USING gin (a)", "gin");
}
END_TEST

/* ---- execution on SQLite ---- */

static sqlite3 *db;
static struct sql_fn_context fctx;

static const char *session_timezone;

static const char *setting(void *arg, const char *name)
{
    (void)arg;
    if (strcmp(name, "timezone") == 0)
        return session_timezone;
    return strcmp(name, "search_path") == 0 ? "public" : NULL;
}

static void setup_db(void)
{
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    /* The backend disables double-quoted string literals so a misspelled column errors. */
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, NULL);
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DDL, 0, NULL);
    memset(&fctx, 0, sizeof fctx);
    session_timezone = "UTC";
    fctx.xact_start_us = 1700000000123456LL; /* 2023-11-14 22:13:20.123456 UTC */
    fctx.get_setting = setting;
    ck_assert(sql_functions_register(db, &fctx));
}

static void teardown_db(void)
{
    sqlite3_close(db);
    db = NULL;
    sql_stmt_list_free(&L);
}

/* Run every statement of sql; returns NULL or the SQLite error message (static copy). */
static const char *run(const char *sql, char *first, size_t cap)
{
    static char errbuf[600];
    sql_stmt_list_free(&L);
    ck_assert_msg(sql_translate(sql, &L, &E), "%s: %s", sql, E.message);
    if (first)
        snprintf(first, cap, "<no row>");
    for (int i = 0; i < L.n; i++) {
        if (!L.v[i].sqlite)
            continue;
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v3(db, L.v[i].sqlite, -1, 0, &st, NULL);
        ck_assert_msg(rc == SQLITE_OK, "prepare %s: %s", L.v[i].sqlite, sqlite3_errmsg(db));
        bool got = false;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            if (first && !got) {
                const unsigned char *v = sqlite3_column_text(st, 0);
                snprintf(first, cap, "%s", v ? (const char *)v : "NULL");
            }
            got = true;
        }
        if (rc != SQLITE_DONE) {
            snprintf(errbuf, sizeof errbuf, "%s", sqlite3_errmsg(db));
            sqlite3_finalize(st);
            return errbuf;
        }
        sqlite3_finalize(st);
    }
    return NULL;
}

static void exec_ok(const char *sql)
{
    const char *err = run(sql, NULL, 0);
    ck_assert_msg(err == NULL, "%s: %s", sql, err);
}

static char result[512];

/* First column of the first row as text ("NULL" for NULL). */
static const char *q1(const char *sql)
{
    const char *err = run(sql, result, sizeof result);
    ck_assert_msg(err == NULL, "%s: %s", sql, err);
    return result;
}

#define ck_q(pg, want) ck_assert_str_eq(q1(pg), want)

/* The statement must fail with this SQLSTATE prefix. */
static void ck_fails(const char *sql, const char *sqlstate)
{
    const char *err = run(sql, NULL, 0);
    ck_assert_msg(err != NULL, "%s succeeded", sql);
    char state[6];
    const char *msg;
    ck_assert_msg(sql_functions_error_sqlstate(err, state, &msg), "%s: %s", sql, err);
    ck_assert_msg(!strcmp(state, sqlstate), "%s: %s", sql, err);
}

START_TEST(test_exec_patterns)
{
    ck_q("SELECT 'Abc' LIKE 'a%'", "0");
    ck_q("SELECT 'Abc' LIKE 'A%'", "1");
    ck_q("SELECT 'Abc' ILIKE 'a%'", "1");
    ck_q("SELECT 'Abc' NOT ILIKE 'a_C'", "0");
    ck_q("SELECT 'a_c' LIKE 'a\\_c'", "1");
    ck_q("SELECT 'abc' LIKE 'a\\_c'", "0");
    ck_q("SELECT 'a%c' LIKE 'a!%c' ESCAPE '!'", "1");
    ck_q("SELECT 'héllo' LIKE 'h_llo'", "1");
    ck_q("SELECT 'abc' LIKE '%%%c'", "1");
    ck_q("SELECT NULL LIKE 'a'", "NULL");
    ck_q("SELECT 'foo123' ~ '^foo\\d+$'", "1");
    ck_q("SELECT 'FOO' ~ 'foo'", "0");
    ck_q("SELECT 'FOO' ~* 'foo'", "1");
    ck_q("SELECT 'FOO' !~* 'foo'", "0");
    ck_q("SELECT 'é' ~ '^.$'", "1");
    ck_q("SELECT 'ÉCOLE' ~* '^école$'", "1");
    ck_q("SELECT 'Émile' ILIKE 'émile'", "1");
    ck_q("SELECT 'Émile' LIKE 'émile'", "0");
    ck_q("SELECT lower('ÀB') || upper('éa')", "àbÉA");
    ck_fails("SELECT 'x' ~ '('", "2201B");
    ck_fails("SELECT 'x' LIKE 'x\\'", "22025");
}
END_TEST

START_TEST(test_exec_functions)
{
    ck_q("SELECT greatest(1, NULL, 3)", "3");
    ck_q("SELECT least(NULL, 2, 5)", "2");
    ck_q("SELECT greatest(NULL, NULL)", "NULL");
    ck_q("SELECT greatest('apple', 'banana')", "banana");
    ck_q("SELECT coalesce(NULL, 'x')", "x");
    ck_q("SELECT 7 / 2", "3");
    ck_q("SELECT -7 / 2", "-3");
    ck_q("SELECT 7 % 3", "1");
    ck_fails("SELECT 1 / 0", "22012");
    ck_fails("SELECT 1 % (1 - 1)", "22012");
    ck_q("SELECT substring('hello' from 2 for 3)", "ell");
    ck_q("SELECT substring('hello', 0, 2)", "h");
    ck_q("SELECT substring('hello', -1, 3)", "h");
    ck_fails("SELECT substring('hello', 1, -1)", "22011");
    ck_q("SELECT position('l' in 'hello')", "3");
    ck_q("SELECT concat('a', NULL, 1, 'b')", "a1b");
    ck_q("SELECT concat_ws('-', 'a', NULL, 'b')", "a-b");
    ck_q("SELECT left('héllo', 2)", "hé");
    ck_q("SELECT left('hello', -2)", "hel");
    ck_q("SELECT right('hello', 2)", "lo");
    ck_q("SELECT right('hello', -2)", "llo");
    ck_q("SELECT repeat('ab', 3)", "ababab");
    ck_q("SELECT split_part('a,b,c', ',', 2)", "b");
    ck_q("SELECT split_part('a,b,c', ',', -1)", "c");
    ck_q("SELECT split_part('a,b,c', ',', 5)", "");
    ck_q("SELECT md5('abc')", "900150983cd24fb0d6963f7d28e17f72");
    ck_q("SELECT trim(both 'x' from 'xxhixx')", "hi");
    ck_q("SELECT lpad('5', 3, '0')", "005");
    ck_q("SELECT rpad('abcd', 2)", "ab");
    ck_q("SELECT reverse('abc')", "cba");
    ck_q("SELECT initcap('hello wORLD')", "Hello World");
    ck_q("SELECT chr(65) || ascii('a')", "A97");
    ck_q("SELECT length(gen_random_uuid()::text)", "36");
    ck_q("SELECT random() BETWEEN 0 AND 1", "1");
    ck_q("SELECT round(2.5)", "3");
    ck_q("SELECT round(2.345, 2)", "2.35");
    ck_q("SELECT current_setting('search_path')", "public");
    ck_fails("SELECT current_setting('nope')", "42704");
    ck_q("SELECT current_setting('nope', true)", "NULL");
    ck_q("SELECT count(*) FROM generate_series(1, 10) g", "10");
    ck_q("SELECT sum(x) FROM generate_series(10, 1, -3) AS s(x)", "22");
}
END_TEST

START_TEST(test_exec_casts)
{
    ck_q("SELECT '42'::int + 1", "43");
    ck_q("SELECT ' 7 '::int4", "7");
    ck_fails("SELECT 'abc'::int", "22P02");
    ck_fails("SELECT '1.5'::integer", "22P02");
    ck_fails("SELECT '99999'::int2", "22003");
    ck_fails("SELECT 3000000000::int4", "22003");
    ck_q("SELECT 2.5::int", "3");
    ck_q("SELECT 'yes'::boolean", "1");
    ck_q("SELECT 'f'::bool", "0");
    ck_q("SELECT ' TRUE '::bool", "1");
    ck_fails("SELECT 'maybe'::bool", "22P02");
    ck_q("SELECT '1.25'::float8 * 2", "2.5");
    ck_fails("SELECT 'x1'::float8", "22P02");
    ck_q("SELECT '12.345'::numeric(5,2)", "12.35");
    ck_fails("SELECT 1234.5::numeric(5,2)", "22003");
    ck_fails("SELECT 'abc'::numeric", "22P02");
    ck_q("SELECT 12::text || 'x'", "12x");
    ck_q("SELECT 1.5::float8::text", "1.5");
    ck_q("SELECT 'abcdef'::varchar(3)", "abc");
    /* char(n) drops its trailing blanks as text, as PostgreSQL 15 does ('ab|'). */
    ck_q("SELECT 'ab'::char(4) || '|'", "ab|");
    ck_q("SELECT length('ab  '::char(4))", "2");
    ck_q("SELECT '2024-02-29'::date", "2024-02-29");
    ck_fails("SELECT '2023-02-29'::date", "22008");
    ck_fails("SELECT 'soon'::date", "22007");
    ck_q("SELECT '2024-01-02 03:04:05.5+02'::timestamptz", "2024-01-02 01:04:05.5+00");
    ck_q("SELECT '2024-01-02T03:04:05Z'::timestamptz", "2024-01-02 03:04:05+00");
    ck_q("SELECT '2024-01-02 03:04:05+02'::timestamp", "2024-01-02 03:04:05");
    ck_q("SELECT '2024-01-02'::timestamp", "2024-01-02 00:00:00");
    ck_q("SELECT '13:45'::time", "13:45:00");
    ck_q("SELECT 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid",
         "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    ck_q("SELECT '{a0eebc999c0b4ef8bb6d6bb9bd380a11}'::uuid",
         "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    ck_fails("SELECT 'not-a-uuid'::uuid", "22P02");
    ck_q("SELECT '{\"a\": [1, 2.5e3, null]}'::json", "{\"a\": [1, 2.5e3, null]}");
    ck_fails("SELECT '{a: 1}'::jsonb", "22P02");
    ck_q("SELECT length('\\x414243'::bytea)", "3");
    ck_q("SELECT '\\x414243'::bytea::text", "\\x414243");
    ck_q("SELECT NULL::int", "NULL");
    ck_q("SELECT '{\"a\": {\"b\": \"x\"}}'::jsonb -> 'a' ->> 'b'", "x");
}
END_TEST

START_TEST(test_exec_datetime)
{
    ck_q("SELECT now()", "2023-11-14 22:13:20.123456+00");
    ck_q("SELECT current_timestamp", "2023-11-14 22:13:20.123456+00");
    ck_q("SELECT localtimestamp", "2023-11-14 22:13:20.123456");
    ck_q("SELECT current_date", "2023-11-14");
    ck_q("SELECT date_trunc('month', '2024-03-15 10:20:30'::timestamp)", "2024-03-01 00:00:00");
    ck_q("SELECT date_trunc('hour', '2024-03-15 10:20:30+00'::timestamptz)",
         "2024-03-15 10:00:00+00");
    ck_q("SELECT date_trunc('week', '2024-03-15 10:20:30'::timestamp)", "2024-03-11 00:00:00");
    ck_q("SELECT date_trunc('quarter', '2024-05-15'::timestamp)", "2024-04-01 00:00:00");
    ck_q("SELECT extract(year from '2024-03-15 10:20:30'::timestamp)", "2024");
    ck_q("SELECT extract(dow from '2024-03-17'::date)", "0");
    ck_q("SELECT extract(doy from '2024-03-01'::date)", "61");
    ck_q("SELECT extract(week from '2024-01-01'::date)", "1");
    ck_q("SELECT extract(epoch from '1970-01-02 00:00:00+00'::timestamptz)", "86400");
    ck_q("SELECT extract(second from '2024-01-01 00:00:01.5'::timestamp)", "1.5");
    ck_q("SELECT date_part('month', '2024-03-15'::date)", "3.0");
    ck_q("SELECT '2024-01-31'::date + interval '1 month'", "2024-02-29 00:00:00");
    ck_q("SELECT '2024-03-10 12:00:00+00'::timestamptz - interval '1 day 2 hours'",
         "2024-03-09 10:00:00+00");
    ck_q("SELECT interval '1 year' + '2023-05-01 00:00:00'::timestamp", "2024-05-01 00:00:00");
    ck_fails("SELECT now() + interval 'soon'", "22007");
    ck_fails("SELECT date_trunc('fortnight', '2024-03-15'::timestamp)", "22023");
}
END_TEST

START_TEST(test_exec_timezone)
{
    /* Session TimeZone Europe/Berlin (UTC+1 in winter, +2 in summer). */
    session_timezone = "Europe/Berlin";
    ck_q("SELECT '2024-01-15 10:00:00'::timestamptz", "2024-01-15 09:00:00+00");
    ck_q("SELECT '2024-07-15 10:00:00'::timestamptz", "2024-07-15 08:00:00+00");
    ck_q("SELECT '2024-07-15 10:00:00-05'::timestamptz", "2024-07-15 15:00:00+00");
    /* Stored instants are shown, truncated and split in local time. */
    ck_q("SELECT '2024-01-15 23:30:00+00'::timestamptz::date", "2024-01-16");
    ck_q("SELECT '2024-01-15 23:30:00+00'::timestamptz::timestamp", "2024-01-16 00:30:00");
    ck_q("SELECT date_trunc('day', '2024-01-15 23:30:00+00'::timestamptz)",
         "2024-01-15 23:00:00+00");
    ck_q("SELECT extract(hour from '2024-01-15 23:30:00+00'::timestamptz)", "0");
    ck_q("SELECT extract(epoch from '1970-01-01 01:00:00+01'::timestamptz)", "0");
    ck_q("SELECT localtimestamp", "2023-11-14 23:13:20.123456");
    ck_q("SELECT current_date", "2023-11-14");
    ck_q("SELECT now()", "2023-11-14 22:13:20.123456+00");
    /* A zone written in timestamp input is ignored, as PostgreSQL does. */
    ck_q("SELECT '2024-01-15 10:00:00+05'::timestamp", "2024-01-15 10:00:00");
    /* A day across the spring DST change is 23 hours of elapsed time. */
    ck_q("SELECT '2024-03-30 12:00:00+00'::timestamptz + interval '1 day'",
         "2024-03-31 11:00:00+00");
    ck_q("SELECT '2024-03-30 12:00:00+00'::timestamptz + interval '24 hours'",
         "2024-03-31 12:00:00+00");
}
END_TEST

START_TEST(test_exec_tables)
{
    /* Serial columns draw from the backend's sequences (src/sqlite/sqlite_seq.c): its
     * functions on this handle, and the row CREATE TABLE makes for users.id. */
    static struct sq_session seqs;
    memset(&seqs, 0, sizeof seqs);
    seqs.db = db;
    ck_assert(sq_seq_register(&seqs));
    ck_assert_int_eq(
        sqlite3_exec(db,
                     "CREATE TABLE _myrmex_sequence (name TEXT PRIMARY KEY, data_type TEXT NOT "
                     "NULL, start_value INTEGER NOT NULL, min_value INTEGER NOT NULL, max_value "
                     "INTEGER NOT NULL, increment_by INTEGER NOT NULL, cycle INTEGER NOT NULL, "
                     "cache_size INTEGER NOT NULL, last_value INTEGER NOT NULL, is_called "
                     "INTEGER NOT NULL, owner_table TEXT, owner_column TEXT); INSERT INTO "
                     "_myrmex_sequence VALUES ('users_id_seq', 'integer', 1, 1, 2147483647, 1, "
                     "0, 1, 1, 0, 'users', 'id'), ('tiny', 'smallint', 32766, 1, 32767, 1, 0, 1, "
                     "32766, 0, NULL, NULL)",
                     NULL, NULL, NULL),
        SQLITE_OK);
    ck_fails("SELECT currval('users_id_seq')", "55000");
    ck_fails("SELECT nextval('nope')", "42P01");
    ck_q("SELECT nextval('tiny')", "32766");
    ck_q("SELECT nextval('public.tiny')", "32767");
    ck_fails("SELECT nextval('tiny')", "2200H");
    ck_q("SELECT currval('tiny')", "32767");
    ck_q("SELECT setval('tiny', 5, false)", "5");
    ck_q("SELECT nextval('tiny')", "5");
    ck_fails("SELECT setval('tiny', 0)", "22003");
    ck_q("SELECT lastval()", "5");
    exec_ok("CREATE TABLE users (id serial PRIMARY KEY, name varchar(5) NOT NULL UNIQUE, "
            "active boolean NOT NULL DEFAULT true, score numeric(6,2), created timestamptz "
            "DEFAULT now())");
    ck_q("SELECT id FROM users ORDER BY id", "<no row>");
    ck_q("INSERT INTO users (name) VALUES ('ann'), ('bob') RETURNING id", "1");
    ck_q("SELECT count(*) FROM users", "2");
    ck_q("SELECT active FROM users WHERE name = 'ann'", "1");
    sqlite3_stmt *st = NULL;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT typeof(active) FROM users", -1, &st, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_str_eq((const char *)sqlite3_column_text(st, 0), "integer");
    sqlite3_finalize(st);
    ck_q("SELECT created FROM users WHERE id = 1", "2023-11-14 22:13:20.123456+00");
    ck_q("SELECT count(*) FROM users WHERE active AND NOT false", "2");
    /* varchar(5) is enforced by a named CHECK the backend maps to 22001. */
    const char *err = run("INSERT INTO users (name) VALUES ('toolong')", NULL, 0);
    ck_assert_ptr_nonnull(err);
    ck_assert_msg(strstr(err, "varchar_length_5") != NULL, "%s", err);
    /* ON CONFLICT DO UPDATE with EXCLUDED and a WHERE. */
    ck_q("INSERT INTO users (name, score) VALUES ('ann', 1.5) ON CONFLICT (name) DO UPDATE SET "
         "score = EXCLUDED.score WHERE users.active RETURNING id, score",
         "1");
    ck_q("SELECT score FROM users WHERE name = 'ann'", "1.5");
    ck_q("INSERT INTO users (name) VALUES ('bob') ON CONFLICT DO NOTHING RETURNING id", "<no row>");
    exec_ok("INSERT INTO users (name) SELECT 'cy' ON CONFLICT (name) DO NOTHING");
    ck_q("SELECT string_agg(name, ',') FROM (SELECT name FROM users ORDER BY id) s", "ann,bob,cy");
    /* UPDATE ... FROM, RETURNING. */
    exec_ok("CREATE TABLE bonus (name text PRIMARY KEY, pts int)");
    exec_ok("INSERT INTO bonus VALUES ('bob', 5), ('cy', 7)");
    ck_q("UPDATE users SET score = b.pts FROM bonus b WHERE users.name = b.name AND b.pts > 6 "
         "RETURNING users.name",
         "cy");
    /* DELETE ... USING as EXISTS. */
    exec_ok("DELETE FROM users u USING bonus b WHERE u.name = b.name AND b.pts = 5");
    ck_q("SELECT string_agg(name, ',') FROM users", "ann,cy");
    /* NULL ordering follows PostgreSQL: NULLs last ascending, first descending. */
    exec_ok("CREATE TABLE n (v int)");
    exec_ok("INSERT INTO n VALUES (2), (NULL), (1)");
    ck_q("SELECT v FROM n ORDER BY v", "1");
    ck_q("SELECT coalesce(v::text, 'null') FROM n ORDER BY v DESC", "null");
    ck_q("SELECT v FROM n ORDER BY v NULLS FIRST", "NULL");
    /* Emptied (TRUNCATE is carried out by the backend), then the bool cast on stored values. */
    exec_ok("DELETE FROM n");
    ck_q("SELECT count(*) FROM n", "0");
    ck_q("SELECT bool_and(active), bool_or(NOT active) FROM users", "1");
    ck_q("SELECT pg_get_serial_sequence('users', 'id')", "public.users_id_seq");
    ck_q("SELECT currval('users_id_seq')", "5");
    /* Index and view. */
    exec_ok("CREATE UNIQUE INDEX users_lower ON users (lower(name)) WHERE active");
    exec_ok("CREATE VIEW v AS SELECT name, count(*) FROM users GROUP BY name");
    ck_q("SELECT count FROM v WHERE name = 'cy'", "1");
    /* A misspelt column is an error, not a string. */
    sql_stmt_list_free(&L);
    ck_assert(sql_translate("SELECT nme FROM users", &L, &E));
    ck_assert_int_ne(sqlite3_prepare_v3(db, L.v[0].sqlite, -1, 0, &st, NULL), SQLITE_OK);
    sqlite3_finalize(st);
    /* ALTER TABLE forms SQLite does in place. */
    exec_ok("ALTER TABLE users ADD COLUMN note text DEFAULT 'x'");
    exec_ok("ALTER TABLE users RENAME COLUMN note TO remark");
    ck_q("SELECT remark FROM users LIMIT 1", "x");
    exec_ok("ALTER TABLE users DROP COLUMN remark");
    /* DISTINCT, set operations and CTEs run. */
    ck_q("WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) "
         "SELECT sum(n) FROM r",
         "15");
    ck_q("SELECT count(*) FROM (SELECT 1 UNION SELECT 2 INTERSECT SELECT 2) x", "2");
    ck_q("SELECT b FROM (VALUES (1, 'one'), (2, 'two')) AS v(a, b) WHERE a = 2", "two");
    /* Literals and untyped parameters take the target column's type, as in PostgreSQL. */
    exec_ok("CREATE TABLE typed (b bool, ts timestamptz, d date, n numeric(6,2), i int, "
            "j jsonb, u uuid, raw bytea, s text)");
    exec_ok("INSERT INTO typed (b, ts, d, n, i, j, u, raw, s) VALUES ('t', '2024-01-02 "
            "03:04:05+02', '2024-1-2', '3.14159', '42', '[1]', "
            "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '\\x00ff', 'x')");
    ck_q("SELECT b FROM typed", "1");
    ck_q("SELECT ts FROM typed", "2024-01-02 01:04:05+00");
    ck_q("SELECT d FROM typed", "2024-01-02");
    ck_q("SELECT n FROM typed", "3.14");
    ck_q("SELECT i + 1 FROM typed", "43");
    ck_q("SELECT u FROM typed", "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
    ck_q("SELECT length(raw) FROM typed", "2");
    ck_fails("INSERT INTO typed (i) VALUES ('abc')", "22P02");
    ck_fails("INSERT INTO typed (b) VALUES ('maybe')", "22P02");
    ck_fails("UPDATE typed SET j = '{bad'", "22P02");
    ck_fails("INSERT INTO typed (n) VALUES ('12345.6')", "22003");
    exec_ok("UPDATE typed SET b = 'off'");
    ck_q("SELECT b FROM typed", "0");
    ck_q("SELECT count(*) FROM typed WHERE b = 'false' AND ts = '2024-01-02 02:04:05+01' AND "
         "d BETWEEN '2024-01-01' AND '2024-01-03' AND i IN ('41', '42')",
         "1");
    ck_q("SELECT count(*) FROM typed WHERE ts > '2024-01-02 01:04:06Z'", "0");
    ck_fails("SELECT count(*) FROM typed WHERE i = 'x'", "22P02");
    exec_ok("INSERT INTO typed VALUES ('yes', '2024-06-01 12:00:00-01:30', NULL, NULL, NULL, "
            "NULL, NULL, NULL, NULL)");
    ck_q("SELECT ts FROM typed WHERE b = 'y'", "2024-06-01 13:30:00+00");
    ck_fails("INSERT INTO typed VALUES (NULL, NULL, NULL, NULL, 'abc', NULL, NULL, NULL, NULL)",
             "22P02");
    exec_ok("DELETE FROM typed WHERE b = 'on'");
    ck_q("SELECT count(*) FROM typed", "1");
    /* DISTINCT ON keeps the first row of each group in ORDER BY order. */
    exec_ok("CREATE TABLE ev (k text, at int, what text)");
    exec_ok("INSERT INTO ev VALUES ('a', 1, 'a1'), ('a', 3, 'a3'), ('b', 2, 'b2'), ('b', 5, "
            "'b5'), ('c', NULL, 'cnull'), ('c', 4, 'c4')");
    ck_q("SELECT string_agg(what, ',') FROM (SELECT DISTINCT ON (k) k, what FROM ev ORDER BY k, "
         "at DESC) s",
         "a3,b5,cnull");
    ck_q("SELECT DISTINCT ON (k) what FROM ev ORDER BY k DESC, at LIMIT 1", "c4");
    /* Declared types are the PostgreSQL names (read back with sqlite3_column_decltype). */
    sql_stmt_list_free(&L);
    ck_assert(sql_translate("SELECT active, score, created FROM users", &L, &E));
    ck_assert_int_eq(sqlite3_prepare_v3(db, L.v[0].sqlite, -1, 0, &st, NULL), SQLITE_OK);
    ck_assert_str_eq(sqlite3_column_decltype(st, 0), "bool");
    ck_assert_str_eq(sqlite3_column_decltype(st, 1), "numeric(6,2)");
    ck_assert_str_eq(sqlite3_column_decltype(st, 2), "timestamptz");
    ck_assert_str_eq(sqlite3_column_name(st, 0), "active");
    sqlite3_finalize(st);
    sq_seq_fini(&seqs);
}
END_TEST

START_TEST(test_exec_params)
{
    exec_ok("CREATE TABLE p (id int PRIMARY KEY, v text)");
    sql_stmt_list_free(&L);
    ck_assert(sql_translate("INSERT INTO p VALUES ($1::int, $2) RETURNING id + 1", &L, &E));
    ck_assert_int_eq(L.v[0].n_params, 2);
    sqlite3_stmt *st;
    ck_assert_int_eq(sqlite3_prepare_v3(db, L.v[0].sqlite, -1, 0, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_bind_parameter_count(st), 2);
    sqlite3_bind_text(st, 1, "41", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, "x", -1, SQLITE_STATIC);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert_int_eq(sqlite3_column_int(st, 0), 42);
    sqlite3_finalize(st);
    /* A primary key that is not a rowid still refuses NULL, as in PostgreSQL. */
    const char *err = run("INSERT INTO p VALUES (NULL, 'y')", NULL, 0);
    ck_assert_ptr_nonnull(err);
}
END_TEST

/* The text PostgreSQL would print for the first column of sql's first row, as the backend
 * formats it (type and typmod from the translator). */
static const char *q1_formatted(const char *sql)
{
    static char out[256];
    struct pg_format_settings fs;
    struct evbuffer *buf = evbuffer_new();
    const char *err = NULL;
    sqlite3_stmt *st;
    pg_format_settings_default(&fs);
    sql_stmt_list_free(&L);
    ck_assert_msg(sql_translate(sql, &L, &E), "%s: %s", sql, E.message);
    ck_assert_int_eq(sqlite3_prepare_v3(db, L.v[0].sqlite, -1, 0, &st, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    ck_assert(pgtype_format_text(L.v[0].columns[0].type, L.v[0].columns[0].typmod,
                                 sqlite3_column_value(st, 0), &fs, buf, &err));
    size_t n = evbuffer_get_length(buf);
    snprintf(out, sizeof out, "%.*s", (int)n, (const char *)evbuffer_pullup(buf, (ssize_t)n));
    sqlite3_finalize(st);
    evbuffer_free(buf);
    return out;
}

START_TEST(test_exec_numeric_results)
{
    /* numeric division and avg(): PostgreSQL's scale, exact digits, numeric comparisons. */
    ck_assert_str_eq(q1_formatted("SELECT 1::numeric / 3"), "0.33333333333333333333");
    ck_assert_str_eq(q1_formatted("SELECT 10::numeric / 4"), "2.5000000000000000");
    ck_assert_str_eq(q1_formatted("SELECT -2::numeric / 3"), "-0.66666666666666666667");
    ck_assert_str_eq(q1_formatted("SELECT 9999999999::numeric / 3"), "3333333333.00000000");
    ck_fails("SELECT 1::numeric / 0", "22012");
    exec_ok("CREATE TABLE av (x int4)");
    exec_ok("INSERT INTO av VALUES (1), (2), (4)");
    ck_assert_str_eq(q1_formatted("SELECT avg(x) FROM av"), "2.3333333333333333");
    ck_q("SELECT 1::numeric / 3 > 0.3", "1");
    ck_q("SELECT count(*) FROM av HAVING avg(x) > 2", "3");
    ck_q("SELECT x FROM av ORDER BY x / 1.0::numeric DESC LIMIT 1", "4");
    /* ^ is float8 power with PostgreSQL's errors. */
    ck_q("SELECT 2 ^ 10", "1024.0");
    ck_fails("SELECT 0 ^ (-1)", "2201F");
    ck_fails("SELECT (-8) ^ 0.5", "2201F");
    /* float8 round() and casts to integer round halves to even; numeric away from zero. */
    ck_q("SELECT round(2.5::float8)", "2.0");
    ck_q("SELECT 2.5::float8::int4", "2");
    ck_q("SELECT 2.5::int4", "3");
    /* Assignment casts: numeric(p,s) rounds on the way in, integers are range-checked. */
    exec_ok("CREATE TABLE nn (p numeric(10,2), i int4, k int8)");
    exec_ok("INSERT INTO nn (p) VALUES (3.333)");
    ck_q("SELECT p * 2 FROM nn", "6.66");
    ck_fails("INSERT INTO nn (i) VALUES (3000000000)", "22003");
    ck_fails("INSERT INTO nn (k) VALUES (9223372036854775808)", "22003");
    exec_ok("UPDATE nn SET k = 9223372036854775807");
    ck_fails("SELECT k + 1 FROM nn", "22003");
    ck_fails("SELECT k - (-1) FROM nn", "22003");
    /* A date column +/- an integer moves by days; date - date is a number of days. */
    exec_ok("CREATE TABLE dd (d date)");
    exec_ok("INSERT INTO dd VALUES ('2024-02-28')");
    ck_q("SELECT d + 1 FROM dd", "2024-02-29");
    ck_q("SELECT d - 59 FROM dd", "2023-12-31");
    ck_q("SELECT d - '2024-01-01'::date FROM dd", "58");
    /* jsonb is stored normalised: the last duplicate key wins for ->>. */
    exec_ok("CREATE TABLE jj (j jsonb)");
    exec_ok("INSERT INTO jj VALUES ('{\"a\": 1, \"a\": 3}')");
    ck_q("SELECT j ->> 'a' FROM jj", "3");
    /* json -> / ->> keep the json's own text, unescape strings, count negative indexes from
     * the end, and give NULL for a missing key or the other kind of container. */
    ck_q("SELECT '{\"o\": {\"k\":  [1,  2]}}'::json -> 'o'", "{\"k\":  [1,  2]}");
    ck_q("SELECT '{\"s\": \"a\\\"b\\u00e9\"}'::json ->> 's'", "a\"b\xc3\xa9");
    ck_q("SELECT '[1, 2, 3]'::json -> -1", "3");
    ck_q("SELECT '[1, 2, 3]'::json -> 3", "NULL");
    ck_q("SELECT '{\"a\": null}'::json ->> 'a'", "NULL");
    ck_q("SELECT '{\"a\": null}'::json -> 'a'", "null");
    ck_q("SELECT '[1]'::json -> 'a'", "NULL");
    ck_q("SELECT 'infinity'::timestamp", "infinity");
}
END_TEST

START_TEST(test_error_prefix)
{
    char state[6] = "";
    const char *msg;
    ck_assert(sql_functions_error_sqlstate("[22P02] invalid input", state, &msg));
    ck_assert_str_eq(state, "22P02");
    ck_assert_str_eq(msg, "invalid input");
    ck_assert(!sql_functions_error_sqlstate("no such table: t", state, &msg));
    ck_assert_str_eq(msg, "no such table: t");
}
END_TEST

/* ---- golden files: tests/data/translate/NAME.sql ---- */

/*
 * Each file holds cases, a case being marker lines (a marker's text may go on over the
 * following lines that do not start with "--"; other "--" lines are comments):
 *   -- pg: SQL                   the PostgreSQL statement (one)
 *   -- sqlite: SQL               the exact SQLite text expected ("(none)": no SQLite text)
 *   -- error: SQLSTATE fragment  or the error expected, its message containing fragment
 *   -- columns: name:oid ...     optional: result column names and type OIDs (0: left to
 *                                the backend)
 *   -- params: $N:T ...          optional: the parameters, T being the type OID, or the
 *                                table column it follows (sql_param_origin) as TABLE.COLUMN,
 *                                TABLE.#POSITION, with a ~ in front for an arithmetic operand
 *   -- insert: TABLE at N values N positions P,...   optional: the sql_insert_fill ("none")
 *   -- grouping: CHECK; ...      optional: the sql_group_checks ("none"), each as
 *                                "items ALIAS=TABLE|ALIAS=(COL,...) grouped Q.C,... refs
 *                                Q.C@POS,... aggrefs C,..." ("-": none) and the words
 *                                opaque / grouped
 */
struct golden_case {
    char file[96];
    int line;
    char *pg, *sqlite, *error, *columns, *params, *insert, *grouping;
};

static char **golden_slot(struct golden_case *c, const char *line, size_t *skip)
{
    static const struct {
        const char *marker;
        size_t off;
    } markers[] = {
        {"-- pg:", offsetof(struct golden_case, pg)},
        {"-- sqlite:", offsetof(struct golden_case, sqlite)},
        {"-- error:", offsetof(struct golden_case, error)},
        {"-- columns:", offsetof(struct golden_case, columns)},
        {"-- params:", offsetof(struct golden_case, params)},
        {"-- insert:", offsetof(struct golden_case, insert)},
        {"-- grouping:", offsetof(struct golden_case, grouping)},
    };
    for (size_t i = 0; i < sizeof markers / sizeof markers[0]; i++) {
        size_t n = strlen(markers[i].marker);
        if (strncmp(line, markers[i].marker, n) == 0) {
            *skip = n + (line[n] == ' ');
            return (char **)(void *)((char *)c + markers[i].off);
        }
    }
    return NULL;
}

static void golden_append(char **dst, const char *text, bool newline)
{
    size_t old = *dst ? strlen(*dst) : 0, n = strlen(text);
    char *p = realloc(*dst, old + n + 2);
    ck_assert_ptr_nonnull(p);
    if (old && newline)
        p[old++] = '\n';
    memcpy(p + old, text, n + 1);
    *dst = p;
}

static void golden_free(struct golden_case *c)
{
    free(c->pg);
    free(c->sqlite);
    free(c->error);
    free(c->columns);
    free(c->params);
    free(c->insert);
    free(c->grouping);
    memset(c, 0, sizeof *c);
}

/* Append printf output to buf[cap] at *used (truncating). */
static void golden_put(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void golden_put(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    va_list ap;
    if (*used >= cap)
        return;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n > 0)
        *used += (size_t)n;
}

static void golden_colrefs(char *buf, size_t cap, size_t *used, const char *label,
                           const struct sql_colref *v, int n, const int *positions)
{
    golden_put(buf, cap, used, " %s %s", label, n ? "" : "-");
    for (int i = 0; i < n; i++) {
        golden_put(buf, cap, used, "%s%s%s%s", i ? "," : "", v[i].qual ? v[i].qual : "",
                   v[i].qual ? "." : "", v[i].column);
        if (positions)
            golden_put(buf, cap, used, "@%d", positions[i]);
    }
}

/* The sql_insert_fill and sql_group_checks of st in the golden files' notation. */
static void golden_render_checks(const struct sql_stmt *st, char *ins, char *grp, size_t cap)
{
    size_t used = 0;
    const struct sql_insert_fill *f = st->insert_fill;
    ins[0] = grp[0] = '\0';
    if (!f) {
        golden_put(ins, cap, &used, "none");
    } else {
        golden_put(ins, cap, &used, "%s at %zu values %d positions ", f->table, f->at, f->n_values);
        for (int i = 0; i < f->n_values; i++)
            golden_put(ins, cap, &used, "%s%d", i ? "," : "", f->positions[i]);
    }
    used = 0;
    if (!st->n_group_checks)
        golden_put(grp, cap, &used, "none");
    for (int k = 0; k < st->n_group_checks; k++) {
        const struct sql_group_check *g = &st->group_checks[k];
        golden_put(grp, cap, &used, "%sitems ", k ? "; " : "");
        for (int i = 0; i < g->n_items; i++) {
            const struct sql_group_item *it = &g->items[i];
            golden_put(grp, cap, &used, "%s%s=", i ? "," : "", it->alias);
            if (it->table) {
                golden_put(grp, cap, &used, "%s", it->table);
                continue;
            }
            golden_put(grp, cap, &used, "(");
            for (int c = 0; c < it->n_columns; c++)
                golden_put(grp, cap, &used, "%s%s", c ? "," : "", it->columns[c]);
            golden_put(grp, cap, &used, ")");
        }
        golden_colrefs(grp, cap, &used, "grouped", g->grouped, g->n_grouped, NULL);
        golden_colrefs(grp, cap, &used, "refs", g->refs, g->n_refs, g->positions);
        golden_colrefs(grp, cap, &used, "aggrefs", g->agg_refs, g->n_agg_refs, NULL);
        if (g->opaque)
            golden_put(grp, cap, &used, " opaque");
        if (g->is_grouped)
            golden_put(grp, cap, &used, " grouped");
    }
}

/* Check one case; returns the number of failures (printed). */
static int golden_check(const struct golden_case *c)
{
    char cols[2048];
    size_t used = 0;
    struct sql_stmt_list list = {0};
    struct sql_error err;
    int bad = 0;

    memset(&err, 0, sizeof err);
    if (!c->pg || (!c->sqlite == !c->error)) {
        fprintf(stderr, "%s:%d: a case needs -- pg: and one of -- sqlite: / -- error:\n", c->file,
                c->line);
        return 1;
    }
    bool ok = sql_translate(c->pg, &list, &err);
    if (c->error) {
        char state[6];
        snprintf(state, sizeof state, "%s", c->error);
        const char *frag = strlen(c->error) > 6 ? c->error + 6 : "";
        if (ok || strcmp(state, err.sqlstate) != 0 || !strstr(err.message, frag)) {
            fprintf(stderr, "%s:%d: %s\n  expected error %s\n  got %s %s\n", c->file, c->line,
                    c->pg, c->error, ok ? "success" : err.sqlstate, ok ? "" : err.message);
            bad++;
        }
        sql_stmt_list_free(&list);
        return bad;
    }
    if (!ok || list.n != 1) {
        fprintf(stderr, "%s:%d: %s\n  expected %s\n  got %s %s (%d statements)\n", c->file, c->line,
                c->pg, c->sqlite, ok ? "" : err.sqlstate, ok ? "" : err.message, list.n);
        sql_stmt_list_free(&list);
        return 1;
    }
    const struct sql_stmt *st = &list.v[0];
    const char *got = st->sqlite ? st->sqlite : "(none)";
    if (strcmp(got, c->sqlite) != 0) {
        fprintf(stderr, "%s:%d: %s\n  expected %s\n  got      %s\n", c->file, c->line, c->pg,
                c->sqlite, got);
        bad++;
    }
    if (c->columns) {
        cols[0] = '\0';
        for (int i = 0; i < st->n_columns && used < sizeof cols; i++)
            used += (size_t)snprintf(cols + used, sizeof cols - used, "%s%s:%u", i ? " " : "",
                                     st->columns[i].name, st->columns[i].type);
        if (strcmp(cols, c->columns) != 0) {
            fprintf(stderr, "%s:%d: %s\n  expected columns %s\n  got columns      %s\n", c->file,
                    c->line, c->pg, c->columns, cols);
            bad++;
        }
    }
    if (c->params) {
        char ps[2048];
        used = 0;
        ps[0] = '\0';
        for (int i = 0; i < st->n_params; i++) {
            const struct sql_param_origin *o =
                st->param_origins && st->param_origins[i].rel ? &st->param_origins[i] : NULL;
            golden_put(ps, sizeof ps, &used, "%s$%d:", i ? " " : "", i + 1);
            if (!o)
                golden_put(ps, sizeof ps, &used, "%u", st->param_types ? st->param_types[i] : 0);
            else if (o->col)
                golden_put(ps, sizeof ps, &used, "%s%s.%s", o->arith ? "~" : "", o->rel, o->col);
            else
                golden_put(ps, sizeof ps, &used, "%s%s.#%d", o->arith ? "~" : "", o->rel,
                           o->position);
        }
        if (strcmp(ps, c->params) != 0) {
            fprintf(stderr, "%s:%d: %s\n  expected params %s\n  got params      %s\n", c->file,
                    c->line, c->pg, c->params, ps);
            bad++;
        }
    }
    if (c->insert || c->grouping) {
        char ins[2048], grp[2048];
        golden_render_checks(st, ins, grp, sizeof ins); /* both of that size */
        if (c->insert && strcmp(ins, c->insert) != 0) {
            fprintf(stderr, "%s:%d: %s\n  expected insert %s\n  got insert      %s\n", c->file,
                    c->line, c->pg, c->insert, ins);
            bad++;
        }
        if (c->grouping && strcmp(grp, c->grouping) != 0) {
            fprintf(stderr, "%s:%d: %s\n  expected grouping %s\n  got grouping      %s\n", c->file,
                    c->line, c->pg, c->grouping, grp);
            bad++;
        }
    }
    sql_stmt_list_free(&list);
    return bad;
}

static int golden_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

START_TEST(test_golden_files)
{
    char dir[4096], path[8192], line[8192];
    char *names[256];
    int n_names = 0, n_cases = 0, failures = 0;
    snprintf(dir, sizeof dir, "%s/translate", TEST_DATA_DIR);
    DIR *d = opendir(dir);
    ck_assert_msg(d != NULL, "cannot open %s", dir);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n_names < 256) {
        size_t n = strlen(e->d_name);
        if (n > 4 && strcmp(e->d_name + n - 4, ".sql") == 0)
            names[n_names++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, (size_t)n_names, sizeof names[0], golden_cmp);
    ck_assert_int_gt(n_names, 0);
    for (int f = 0; f < n_names; f++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[f]);
        FILE *fp = fopen(path, "r");
        ck_assert_msg(fp != NULL, "cannot open %s", path);
        struct golden_case c;
        memset(&c, 0, sizeof c);
        char **open_slot = NULL;
        int lineno = 0;
        while (fgets(line, sizeof line, fp)) {
            size_t n = strlen(line), skip = 0;
            lineno++;
            while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
                line[--n] = '\0';
            char **slot = golden_slot(&c, line, &skip);
            if (slot && slot == &c.pg && c.pg) {
                failures += golden_check(&c);
                n_cases++;
                golden_free(&c);
                slot = &c.pg;
            }
            if (slot) {
                if (slot == &c.pg) {
                    snprintf(c.file, sizeof c.file, "%s", names[f]);
                    c.line = lineno;
                }
                ck_assert_msg(*slot == NULL, "%s:%d: marker given twice", names[f], lineno);
                golden_append(slot, line + skip, false);
                open_slot = slot;
            } else if (strncmp(line, "--", 2) == 0 || n == 0) {
                open_slot = NULL;
            } else if (open_slot) {
                golden_append(open_slot, line, **open_slot != '\0');
            } else {
                ck_abort_msg("%s:%d: text outside a case", names[f], lineno);
            }
        }
        if (c.pg) {
            failures += golden_check(&c);
            n_cases++;
        }
        golden_free(&c);
        fclose(fp);
        free(names[f]);
    }
    ck_assert_msg(failures == 0, "%d of %d golden translation cases failed (see above)", failures,
                  n_cases);
    ck_assert_int_ge(n_cases, 100);
}
END_TEST

static Suite *translate_suite(void)
{
    Suite *s = suite_create("translate");
    TCase *tc = tcase_create("translate");
    tcase_add_checked_fixture(tc, NULL, teardown_list);
    tcase_add_test(tc, test_select_basic);
    tcase_add_test(tc, test_select_clauses);
    tcase_add_test(tc, test_select_setops_ctes);
    tcase_add_test(tc, test_expressions);
    tcase_add_test(tc, test_casts_params_columns);
    tcase_add_test(tc, test_dml);
    tcase_add_test(tc, test_ddl);
    tcase_add_test(tc, test_utility);
    tcase_add_test(tc, test_copy);
    tcase_add_test(tc, test_errors_and_refusals);
    tcase_add_test(tc, test_error_prefix);
    tcase_add_test(tc, test_golden_files);
    suite_add_tcase(s, tc);
    TCase *ex = tcase_create("execute");
    tcase_add_checked_fixture(ex, setup_db, teardown_db);
    tcase_add_test(ex, test_exec_patterns);
    tcase_add_test(ex, test_exec_functions);
    tcase_add_test(ex, test_exec_casts);
    tcase_add_test(ex, test_exec_datetime);
    tcase_add_test(ex, test_exec_timezone);
    tcase_add_test(ex, test_exec_tables);
    tcase_add_test(ex, test_exec_params);
    tcase_add_test(ex, test_exec_numeric_results);
    suite_add_tcase(s, ex);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(translate_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
