/*
 * Unit tests for src/sql/lift.c and the lifted translation (sql/lift.h): which integer
 * literals of a query text are found (as PostgreSQL 15's lexer tokenises it), the shape, and
 * which of them the translator takes as parameters: only constants whose value matters as a
 * value, never one whose value shapes the translation (ORDER BY 1, a negated constant, a
 * constant inside a cast or a function call) or one in a statement that is not plain DML.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/lift.h"
#include "sql/translate.h"

/* The literals found, as "value@offset" joined by spaces, and the shape with '#' markers. */
static void scan(const char *text, char *lits, size_t cap, char *shape, size_t scap)
{
    struct sql_lift l;
    lits[0] = shape[0] = '\0';
    if (!sql_lift_scan(text, &l))
        return;
    size_t n = 0;
    for (int i = 0; i < l.n; i++)
        n += (size_t)snprintf(lits + n, cap - n, "%s%d@%d", i ? " " : "", l.tok[i].value,
                              l.tok[i].offset);
    snprintf(shape, scap, "%s", l.shape);
    for (char *p = shape; *p; p++)
        if (*p == SQL_LIFT_MARKER)
            *p = '#';
    sql_lift_free(&l);
}

START_TEST(test_scan)
{
    static const char *const cases[][3] = {
        {"SELECT * FROM t WHERE id = 42", "42@27", "SELECT * FROM t WHERE id = #"},
        {"SELECT 1, 2", "1@7 2@10", "SELECT #, #"},
        /* not integer literals of their own */
        {"SELECT 1.5, .5, 1e5, 2E-3, 3e+4, 1., x1, \"c2\", $1, t.3", "", ""},
        {"SELECT '12', E'\\'7', $$ 8 $$, $q$ 9 $q$ -- 10\n", "", ""},
        {"SELECT /* 1 /* 2 */ 3 */ 4", "4@25", "SELECT /* 1 /* 2 */ 3 */ #"},
        {"SELECT 'it''s 5', 6", "6@18", "SELECT 'it''s 5', #"},
        {"SELECT 2147483647, 2147483648", "2147483647@7", "SELECT #, 2147483648"},
        {"SELECT 007, 1abc", "7@7", "SELECT #, 1abc"},
        {"SELECT x-1, -2, a.b=3", "1@9 2@13 3@20", "SELECT x-#, -#, a.b=#"},
        {"SELECT U&'\\0041' || 5, B'101'", "5@20", "SELECT U&'\\0041' || #, B'101'"},
        /* unterminated: not scanned */
        {"SELECT 'abc", "", ""},
        {"SELECT 1 /* open", "", ""},
        {"SELECT $a$ 1", "", ""},
    };
    char lits[256], shape[256];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        scan(cases[i][0], lits, sizeof lits, shape, sizeof shape);
        ck_assert_msg(strcmp(lits, cases[i][1]) == 0, "%s: literals %s, not %s", cases[i][0], lits,
                      cases[i][1]);
        ck_assert_msg(strcmp(shape, cases[i][2]) == 0, "%s: shape %s, not %s", cases[i][0], shape,
                      cases[i][2]);
    }
    struct sql_lift l;
    ck_assert(!sql_lift_scan("SELECT \1 1", &l)); /* the marker byte itself */
}
END_TEST

/* The lifted translation of text: its SQLite text and "k,k" of the lifted literals. */
static void lifted(const char *text, char *sql, size_t cap, char *ids, size_t icap)
{
    struct sql_lift l;
    struct sql_stmt_list list;
    struct sql_error err;
    ck_assert_msg(sql_lift_scan(text, &l), "scan %s", text);
    ck_assert_msg(sql_translate_lifted(text, &l, &list, &err), "%s: %s", text, err.message);
    ck_assert_int_eq(list.n, 1);
    snprintf(sql, cap, "%s", list.v[0].sqlite ? list.v[0].sqlite : "");
    size_t n = 0;
    ids[0] = '\0';
    for (int i = 0; i < list.v[0].n_lift; i++)
        n += (size_t)snprintf(ids + n, icap - n, "%s%d", i ? "," : "", list.v[0].lift_ids[i]);
    sql_stmt_list_free(&list);
    sql_lift_free(&l);
}

START_TEST(test_translate_lifted)
{
    static const char *const cases[][2] = {
        {"SELECT abalance FROM pgbench_accounts WHERE aid = 12345", "0"},
        {"SELECT a FROM t WHERE a IN (1, 2) AND b BETWEEN 3 AND 4", "0,1,2,3"},
        {"INSERT INTO t (a, b) VALUES (1, 2)", "0,1"},
        {"UPDATE t SET b = 5 WHERE a = 6", "0,1"},
        {"DELETE FROM t WHERE a <> 7", "0"},
        /* values that shape the translation stay literals */
        {"SELECT a FROM t ORDER BY 1", ""},
        {"SELECT a FROM t WHERE a = -5", ""},
        {"SELECT a FROM t WHERE a = 5::int8", ""},
        {"SELECT a + 1 FROM t LIMIT 2", ""},
        {"SELECT a FROM t WHERE a = abs(3)", ""},
        /* not plain DML */
        {"CREATE TABLE t2 (a int CHECK (a > 0))", ""},
        {"SELECT relname FROM pg_class WHERE relnatts = 3", ""},
    };
    char sql[1024], ids[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        lifted(cases[i][0], sql, sizeof sql, ids, sizeof ids);
        ck_assert_msg(strcmp(ids, cases[i][1]) == 0, "%s: lifted [%s], not [%s] (%s)", cases[i][0],
                      ids, cases[i][1], sql);
        for (const char *q = sql; !cases[i][1][0] && (q = strchr(q, '?')); q++)
            ck_assert_msg(q[1] < '0' || q[1] > '9', "%s: %s", cases[i][0], sql);
    }
    lifted("SELECT abalance FROM pgbench_accounts WHERE aid = 12345", sql, sizeof sql, ids,
           sizeof ids);
    ck_assert_msg(strstr(sql, "= ?1") && !strstr(sql, "12345"), "%s", sql);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lift");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_scan);
    tcase_add_test(tc, test_translate_lifted);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
