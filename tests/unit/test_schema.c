/*
 * Unit tests for src/sqlite/sqlite_schema.c: splitting stored CREATE TABLE texts (the
 * translator's and hand-written ones) into columns, types and constraint clauses, PostgreSQL's
 * default constraint names, and rendering the model back unchanged. Also the SQLite backend's
 * other pure helper, sq_parse_ms (statement_timeout values).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/schema.h"
#include "sqlite/session.h"

static struct schema_table T;
static char err[256];

static void parse_ok(const char *sql)
{
    schema_table_fini(&T);
    ck_assert_msg(schema_parse(sql, &T, err, sizeof err), "%s: %s", sql, err);
}

static void teardown(void)
{
    schema_table_fini(&T);
}

static const struct schema_column *col(int i)
{
    ck_assert_int_lt(i, T.n_items);
    ck_assert(T.items[i].is_column);
    return &T.items[i].col;
}

START_TEST(test_translator_output)
{
    /* What the translator emits for a table with a bit of everything. */
    const char *sql =
        "CREATE TABLE IF NOT EXISTS \"users\" (\"id\" INTEGER PRIMARY KEY DEFAULT "
        "(nextval('users_id_seq')), \"name\" varchar(20) NOT NULL UNIQUE CONSTRAINT "
        "\"varchar_length_20\" CHECK (length(\"name\") <= 20), \"active\" bool DEFAULT (1), "
        "\"score\" numeric(10,2), \"ref\" int4 REFERENCES \"other\"(\"id\") ON DELETE SET NULL "
        "NOT NULL, CONSTRAINT \"pos\" CHECK ((\"score\" > 0)), PRIMARY KEY (\"a\", \"b\" DESC))";
    parse_ok(sql);
    ck_assert_str_eq(T.name, "users");
    ck_assert_int_eq(T.n_items, 7);
    ck_assert_str_eq(col(0)->name, "id");
    ck_assert_str_eq(col(0)->type, "INTEGER");
    ck_assert_int_eq(col(0)->n_cons, 2);
    ck_assert_int_eq(col(0)->cons[0].kind, SCHEMA_CONS_PRIMARY);
    ck_assert_str_eq(col(0)->cons[0].text, "PRIMARY KEY");
    ck_assert_int_eq(col(0)->cons[1].kind, SCHEMA_CONS_DEFAULT);
    ck_assert_str_eq(col(0)->cons[1].text, "DEFAULT (nextval('users_id_seq'))");

    ck_assert_str_eq(col(1)->type, "varchar(20)");
    ck_assert_int_eq(col(1)->n_cons, 3);
    ck_assert_int_eq(col(1)->cons[0].kind, SCHEMA_CONS_NOT_NULL);
    ck_assert_int_eq(col(1)->cons[1].kind, SCHEMA_CONS_UNIQUE);
    ck_assert_int_eq(col(1)->cons[2].kind, SCHEMA_CONS_CHECK);
    ck_assert_str_eq(col(1)->cons[2].name, "varchar_length_20");
    ck_assert_str_eq(col(1)->cons[2].text, "CHECK (length(\"name\") <= 20)");

    ck_assert_str_eq(col(3)->type, "numeric(10,2)");
    ck_assert_int_eq(col(3)->n_cons, 0);

    /* ON DELETE SET NULL belongs to REFERENCES; the NOT NULL after it is its own clause. */
    ck_assert_int_eq(col(4)->n_cons, 2);
    ck_assert_int_eq(col(4)->cons[0].kind, SCHEMA_CONS_FOREIGN);
    ck_assert_str_eq(col(4)->cons[0].text, "REFERENCES \"other\"(\"id\") ON DELETE SET NULL");
    ck_assert_int_eq(col(4)->cons[1].kind, SCHEMA_CONS_NOT_NULL);

    ck_assert(!T.items[5].is_column);
    ck_assert_int_eq(T.items[5].cons.kind, SCHEMA_CONS_CHECK);
    ck_assert_str_eq(T.items[5].cons.name, "pos");
    ck_assert_str_eq(T.items[5].cons.text, "CHECK ((\"score\" > 0))");

    ck_assert_int_eq(T.items[6].cons.kind, SCHEMA_CONS_PRIMARY);
    ck_assert_ptr_null(T.items[6].cons.name);
    ck_assert_int_eq(T.items[6].n_keys, 2);
    ck_assert_str_eq(T.items[6].keys[0], "a");
    ck_assert_str_eq(T.items[6].keys[1], "b");
    ck_assert_str_eq(T.options, "");

    /* Rendering gives the same text back (under the name asked for). */
    char *out = schema_render(&T, "users");
    char want[1024];
    snprintf(want, sizeof want, "CREATE TABLE %s", sql + strlen("CREATE TABLE IF NOT EXISTS "));
    ck_assert_str_eq(out, want);
    free(out);
}
END_TEST

START_TEST(test_hand_written)
{
    /* Quoting styles, comments, commas inside strings and parentheses, table options. */
    parse_ok("create table main.[My Tab] ( -- the key\n"
             "  `a``b` text default 'x, y' collate nocase,\n"
             "  \"c\"\"d\" /* odd, name */ int default -1 not null,\n"
             "  e default null,\n"
             "  f int generated always as (e + 1) stored,\n"
             "  g real check (g > 0 and (g < 10 or g = 100)),\n"
             "  h int references p on update cascade not deferrable,\n"
             "  constraint \"u1\" unique (\"c\"\"d\", e),\n"
             "  foreign key (h) references p (id) deferrable initially deferred\n"
             ") without rowid, strict");
    ck_assert_str_eq(T.name, "My Tab");
    ck_assert_int_eq(T.n_items, 8);
    ck_assert_str_eq(col(0)->name, "a`b");
    ck_assert_str_eq(col(0)->type, "text");
    ck_assert_int_eq(col(0)->n_cons, 2);
    ck_assert_str_eq(col(0)->cons[0].text, "default 'x, y'");
    ck_assert_int_eq(col(0)->cons[1].kind, SCHEMA_CONS_COLLATE);
    ck_assert_str_eq(col(1)->name, "c\"d");
    ck_assert_str_eq(col(1)->type, "int");
    ck_assert_int_eq(col(1)->n_cons, 2);
    ck_assert_str_eq(col(1)->cons[0].text, "default -1");
    ck_assert_int_eq(col(1)->cons[1].kind, SCHEMA_CONS_NOT_NULL);
    /* No declared type; DEFAULT NULL is one clause. */
    ck_assert_str_eq(col(2)->type, "");
    ck_assert_int_eq(col(2)->n_cons, 1);
    ck_assert_str_eq(col(2)->cons[0].text, "default null");
    ck_assert_int_eq(col(3)->n_cons, 1);
    ck_assert_int_eq(col(3)->cons[0].kind, SCHEMA_CONS_GENERATED);
    ck_assert_str_eq(col(3)->cons[0].text, "generated always as (e + 1) stored");
    ck_assert_int_eq(col(4)->n_cons, 1);
    ck_assert_str_eq(col(4)->cons[0].text, "check (g > 0 and (g < 10 or g = 100))");
    /* NOT DEFERRABLE stays inside REFERENCES. */
    ck_assert_int_eq(col(5)->n_cons, 1);
    ck_assert_str_eq(col(5)->cons[0].text, "references p on update cascade not deferrable");
    ck_assert_str_eq(T.items[6].cons.name, "u1");
    ck_assert_int_eq(T.items[6].n_keys, 2);
    ck_assert_str_eq(T.items[6].keys[0], "c\"d");
    ck_assert_str_eq(T.items[6].keys[1], "e");
    ck_assert_int_eq(T.items[7].cons.kind, SCHEMA_CONS_FOREIGN);
    ck_assert_int_eq(T.items[7].n_keys, 1);
    ck_assert_str_eq(T.items[7].keys[0], "h");
    ck_assert_str_eq(T.options, " without rowid, strict");
    ck_assert_int_eq(schema_find_column(&T, "e"), 2);
    ck_assert_int_eq(schema_find_column(&T, "u1"), -1);

    char *out = schema_render(&T, "t2");
    ck_assert_str_eq(out, "CREATE TABLE \"t2\" (\"a`b\" text default 'x, y' collate nocase, "
                          "\"c\"\"d\" int default -1 not null, \"e\" default null, \"f\" int "
                          "generated always as (e + 1) stored, \"g\" real check (g > 0 and (g < "
                          "10 or g = 100)), \"h\" int references p on update cascade not "
                          "deferrable, CONSTRAINT \"u1\" unique (\"c\"\"d\", e), foreign key (h) "
                          "references p (id) deferrable initially deferred) without rowid, "
                          "strict");
    free(out);
}
END_TEST

START_TEST(test_constraint_names)
{
    parse_ok("CREATE TABLE \"acc\" (\"id\" int4 PRIMARY KEY NOT NULL, \"e\" text UNIQUE, \"n\" "
             "int4 CHECK (\"n\" > 0) REFERENCES \"p\"(\"id\"), CONSTRAINT \"named\" UNIQUE "
             "(\"e\"), UNIQUE (\"e\", \"n\"), CHECK ((\"n\" < 10) AND (\"e\" <> '')), CHECK "
             "(1 = 1), FOREIGN KEY (\"e\", \"n\") REFERENCES \"q\"(\"a\", \"b\"))");
    const struct schema_item *it = T.items;
    char *n;
    n = schema_constraint_name("acc", &it[0], &it[0].col, &it[0].col.cons[0]);
    ck_assert_str_eq(n, "acc_pkey");
    free(n);
    ck_assert_ptr_null(schema_constraint_name("acc", &it[0], &it[0].col, &it[0].col.cons[1]));
    n = schema_constraint_name("acc", &it[1], &it[1].col, &it[1].col.cons[0]);
    ck_assert_str_eq(n, "acc_e_key");
    free(n);
    n = schema_constraint_name("acc", &it[2], &it[2].col, &it[2].col.cons[0]);
    ck_assert_str_eq(n, "acc_n_check");
    free(n);
    n = schema_constraint_name("acc", &it[2], &it[2].col, &it[2].col.cons[1]);
    ck_assert_str_eq(n, "acc_n_fkey");
    free(n);
    n = schema_constraint_name("acc", &it[3], NULL, &it[3].cons);
    ck_assert_str_eq(n, "named");
    free(n);
    n = schema_constraint_name("acc", &it[4], NULL, &it[4].cons);
    ck_assert_str_eq(n, "acc_e_n_key");
    free(n);
    n = schema_constraint_name("acc", &it[5], NULL, &it[5].cons);
    ck_assert_str_eq(n, "acc_n_check");
    free(n);
    n = schema_constraint_name("acc", &it[6], NULL, &it[6].cons);
    ck_assert_str_eq(n, "acc_check");
    free(n);
    n = schema_constraint_name("acc", &it[7], NULL, &it[7].cons);
    ck_assert_str_eq(n, "acc_e_n_fkey");
    free(n);
}
END_TEST

START_TEST(test_edit_and_errors)
{
    parse_ok("CREATE TABLE t (a int NOT NULL DEFAULT 3, b text)");
    struct schema_column *a = &T.items[0].col;
    ck_assert_int_eq(schema_column_drop(a, SCHEMA_CONS_NOT_NULL), 1);
    ck_assert_int_eq(schema_column_drop(a, SCHEMA_CONS_NOT_NULL), 0);
    schema_column_add(a, SCHEMA_CONS_CHECK, "pos", "CHECK (a > 0)");
    char *out = schema_render(&T, "t");
    ck_assert_str_eq(out, "CREATE TABLE \"t\" (\"a\" int DEFAULT 3 CONSTRAINT \"pos\" CHECK (a > "
                          "0), \"b\" text)");
    free(out);
    out = schema_quote("x\"y");
    ck_assert_str_eq(out, "\"x\"\"y\"");
    free(out);

    schema_table_fini(&T);
    ck_assert(!schema_parse("CREATE VIEW v AS SELECT 1", &T, err, sizeof err));
    ck_assert(!schema_parse("CREATE TABLE t AS SELECT 1", &T, err, sizeof err));
    ck_assert(!schema_parse("CREATE TABLE t (a text DEFAULT 'x", &T, err, sizeof err));
    ck_assert(!schema_parse("CREATE TABLE t (a int", &T, err, sizeof err));
    ck_assert(!schema_parse("", &T, err, sizeof err));
    ck_assert_int_eq(T.n_items, 0);
    ck_assert_ptr_null(T.name);
}
END_TEST

START_TEST(test_parse_ms)
{
    ck_assert_int_eq(sq_parse_ms("200ms"), 200);
    ck_assert_int_eq(sq_parse_ms("200"), 200);
    ck_assert_int_eq(sq_parse_ms("1.5s"), 1500);
    ck_assert_int_eq(sq_parse_ms("2 min"), 120000);
    ck_assert_int_eq(sq_parse_ms("1h"), 3600000);
    ck_assert_int_eq(sq_parse_ms("1d"), 86400000);
    ck_assert_int_eq(sq_parse_ms("2500us"), 2);
    ck_assert_int_eq(sq_parse_ms("0"), 0);
    ck_assert_int_eq(sq_parse_ms(""), 0);
    ck_assert_int_eq(sq_parse_ms(NULL), 0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("schema");
    TCase *tc = tcase_create("split");
    tcase_add_checked_fixture(tc, NULL, teardown);
    tcase_add_test(tc, test_translator_output);
    tcase_add_test(tc, test_hand_written);
    tcase_add_test(tc, test_constraint_names);
    tcase_add_test(tc, test_edit_and_errors);
    tcase_add_test(tc, test_parse_ms);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
