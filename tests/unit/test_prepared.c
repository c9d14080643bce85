/*
 * Unit tests for the SQL classification of src/pool/prepared.c: which queries PREPARE,
 * EXECUTE, DEALLOCATE or DISCARD ALL statements, the name a DEALLOCATE names, and queries
 * where such a statement hides among others (quotes, comments, dollar quotes).
 */
#include <check.h>
#include <string.h>

#include "pool/prepared.h"

static enum ps_sql_kind kind_of(const char *sql, char *name, size_t cap)
{
    return ps_sql_classify(sql, strlen(sql), name, cap);
}

static enum ps_sql_kind kind(const char *sql)
{
    char name[64];
    return kind_of(sql, name, sizeof name);
}

START_TEST(test_single_statements)
{
    ck_assert_int_eq(kind("SELECT 1"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("PREPARE p AS SELECT 1"), PS_SQL_PREPARE);
    ck_assert_int_eq(kind("  prepare p(int) as select $1;"), PS_SQL_PREPARE);
    ck_assert_int_eq(kind("PREPARE TRANSACTION 'gid'"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("/* x */ EXECUTE p(1)"), PS_SQL_EXECUTE);
    ck_assert_int_eq(kind("DISCARD ALL"), PS_SQL_DISCARD_ALL);
    ck_assert_int_eq(kind("discard all;  -- done"), PS_SQL_DISCARD_ALL);
    ck_assert_int_eq(kind("DISCARD PLANS"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("DEALLOCATE ALL"), PS_SQL_DEALLOCATE_ALL);
    ck_assert_int_eq(kind("DEALLOCATE PREPARE ALL"), PS_SQL_DEALLOCATE_ALL);
    ck_assert_int_eq(kind(""), PS_SQL_OTHER);
    ck_assert_int_eq(kind(" ; ; "), PS_SQL_OTHER);
}
END_TEST

START_TEST(test_deallocate_names)
{
    char name[64];

    ck_assert_int_eq(kind_of("DEALLOCATE _pg3_0", name, sizeof name), PS_SQL_DEALLOCATE);
    ck_assert_str_eq(name, "_pg3_0");
    ck_assert_int_eq(kind_of("deallocate prepare S_12;", name, sizeof name), PS_SQL_DEALLOCATE);
    ck_assert_str_eq(name, "s_12"); /* folded, as PostgreSQL folds an unquoted name */
    ck_assert_int_eq(kind_of("DEALLOCATE \"My \"\"x\"\"\"", name, sizeof name), PS_SQL_DEALLOCATE);
    ck_assert_str_eq(name, "My \"x\"");
    ck_assert_int_eq(kind_of("DEALLOCATE \"all\"", name, sizeof name), PS_SQL_DEALLOCATE);
    ck_assert_str_eq(name, "all");
    ck_assert_int_eq(kind_of("DEALLOCATE \"prepare\"", name, sizeof name), PS_SQL_DEALLOCATE);
    ck_assert_str_eq(name, "prepare");
    /* Forms it does not know are left to the server. */
    ck_assert_int_eq(kind("DEALLOCATE"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("DEALLOCATE a b"), PS_SQL_OTHER);
}
END_TEST

START_TEST(test_several_statements)
{
    ck_assert_int_eq(kind("SELECT 1; DEALLOCATE x"), PS_SQL_MULTI_MIXED);
    ck_assert_int_eq(kind("BEGIN; PREPARE p AS SELECT 1; COMMIT"), PS_SQL_MULTI_MIXED);
    ck_assert_int_eq(kind("SELECT 1; SELECT 2"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("DISCARD ALL;"), PS_SQL_DISCARD_ALL);
    /* Inside literals, identifiers, comments and dollar quotes nothing counts. */
    ck_assert_int_eq(kind("SELECT 'a; EXECUTE p'"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("SELECT E'it\\'s; EXECUTE p'"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("SELECT \"x;EXECUTE\" FROM t"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("SELECT 1 /* ; EXECUTE p */"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("SELECT 1 -- ; EXECUTE p\n"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("DO $$BEGIN EXECUTE 'x'; END$$"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("DO $f$BEGIN EXECUTE 'x'; END$f$; SELECT 1"), PS_SQL_OTHER);
    ck_assert_int_eq(kind("SELECT 'x'; EXECUTE p"), PS_SQL_MULTI_MIXED);
    ck_assert_int_eq(kind("SELECT $1; DISCARD ALL"), PS_SQL_MULTI_MIXED);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("prepared");
    TCase *tc = tcase_create("classify");
    tcase_add_test(tc, test_single_statements);
    tcase_add_test(tc, test_deallocate_names);
    tcase_add_test(tc, test_several_statements);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
