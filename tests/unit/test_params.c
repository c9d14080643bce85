/*
 * Unit tests for src/pool/params.c: recognising session-level SET / RESET / DISCARD of the
 * parameters PostgreSQL does not report, the conservative scan that marks a server's state
 * unknown, and the SQL that moves a server's parameters to a client's.
 */
#include <check.h>
#include <stdbool.h>
#include <string.h>

#include "pool/params.h"

static bool parse(const char *sql, int *id, char *value, size_t cap)
{
    return params_parse_set(sql, strlen(sql) + 1, id, value, cap);
}

START_TEST(test_parse_set_forms)
{
    char v[128];
    int id = -5;

    ck_assert(parse("SET search_path = s1, public", &id, v, sizeof v));
    ck_assert_int_eq(id, PARAM_SEARCH_PATH);
    ck_assert_str_eq(v, "s1, public");
    ck_assert(parse("  set SESSION Search_Path TO \"My Schema\";  ", &id, v, sizeof v));
    ck_assert_int_eq(id, PARAM_SEARCH_PATH);
    ck_assert_str_eq(v, "\"My Schema\"");
    ck_assert(parse("SET extra_float_digits = 3", &id, v, sizeof v));
    ck_assert_int_eq(id, PARAM_EXTRA_FLOAT_DIGITS);
    ck_assert_str_eq(v, "3");
    ck_assert(parse("SET search_path TO DEFAULT", &id, v, sizeof v));
    ck_assert_str_eq(v, "");
    ck_assert(parse("RESET search_path", &id, v, sizeof v));
    ck_assert_int_eq(id, PARAM_SEARCH_PATH);
    ck_assert_str_eq(v, "");
    ck_assert(parse("RESET ALL", &id, v, sizeof v));
    ck_assert_int_eq(id, -1);
    ck_assert(parse("/* c */ DISCARD ALL -- bye", &id, v, sizeof v));
    ck_assert_int_eq(id, -1);
}
END_TEST

START_TEST(test_parse_set_refused)
{
    char v[8];
    int id;

    /* Reported parameters are learnt from ParameterStatus, not parsed. */
    ck_assert(!parse("SET TimeZone = 'UTC'", &id, v, sizeof v));
    /* Transaction-scoped, several statements, other commands, too long a value. */
    ck_assert(!parse("SET LOCAL search_path = x", &id, v, sizeof v));
    ck_assert(!parse("SET search_path = a; SELECT 1", &id, v, sizeof v));
    ck_assert(!parse("SELECT set_config('search_path', 'x', false)", &id, v, sizeof v));
    ck_assert(!parse("SET search_path = a_very_long_schema_name", &id, v, sizeof v));
    ck_assert(!parse("DISCARD PLANS", &id, v, sizeof v));
    ck_assert(!parse("SET search_path", &id, v, sizeof v));
}
END_TEST

static bool may(const char *sql)
{
    return params_may_set_unreported(sql, strlen(sql));
}

START_TEST(test_may_set_unreported)
{
    ck_assert(may("BEGIN; SET search_path = x; COMMIT"));
    ck_assert(may("SELECT set_config('search_path', 'x', false)"));
    ck_assert(may("select 1; reset all"));
    ck_assert(may("DISCARD ALL"));
    ck_assert(may("SET extra_float_digits TO 2; SELECT 1"));
    /* Reading a setting or merely naming one changes nothing. */
    ck_assert(!may("SELECT current_setting('search_path'), current_setting('extra_float_digits')"));
    ck_assert(!may("SHOW search_path"));
    ck_assert(!may("SELECT 1 AS reset_count"));
    ck_assert(!may("UPDATE t SET x = 1"));
    /* Transaction-scoped settings and reported parameters are not session state to follow. */
    ck_assert(!may("SET LOCAL search_path = x"));
    ck_assert(!may("BEGIN; SET LOCAL search_path = x; SELECT 1; COMMIT"));
    ck_assert(!may("SET TimeZone = 'UTC'; SET application_name = 'a'"));
    ck_assert(!may("SELECT 'SET search_path = x'"));
    ck_assert(!may("DISCARD PLANS"));
    ck_assert(may("SELECT 1; SET SESSION search_path = x"));
    ck_assert(may("set \"search_path\" = x"));
    ck_assert(may("RESET extra_float_digits"));
    ck_assert(!may("RESET TimeZone"));
}
END_TEST

static enum params_tx_end tx_end(const char *sql)
{
    return params_tx_end(sql, strlen(sql));
}

START_TEST(test_tx_end)
{
    ck_assert_int_eq(tx_end("COMMIT"), PARAMS_TX_COMMIT);
    ck_assert_int_eq(tx_end(" end work ;"), PARAMS_TX_COMMIT);
    ck_assert_int_eq(tx_end("commit transaction"), PARAMS_TX_COMMIT);
    ck_assert_int_eq(tx_end("ROLLBACK"), PARAMS_TX_ROLLBACK);
    ck_assert_int_eq(tx_end("abort"), PARAMS_TX_ROLLBACK);
    ck_assert_int_eq(tx_end("ROLLBACK WORK"), PARAMS_TX_ROLLBACK);
    ck_assert_int_eq(tx_end("ROLLBACK TO SAVEPOINT a"), PARAMS_TX_SAVEPOINT);
    ck_assert_int_eq(tx_end("rollback transaction to b"), PARAMS_TX_SAVEPOINT);
    ck_assert_int_eq(tx_end("COMMIT AND CHAIN"), PARAMS_TX_OTHER);
    ck_assert_int_eq(tx_end("COMMIT PREPARED 'x'"), PARAMS_TX_OTHER);
    ck_assert_int_eq(tx_end("ROLLBACK PREPARED 'x'"), PARAMS_TX_OTHER);
    ck_assert_int_eq(tx_end("SELECT 1; COMMIT"), PARAMS_TX_OTHER);
    ck_assert_int_eq(tx_end("SELECT 'commit'"), PARAMS_TX_OTHER);
}
END_TEST

START_TEST(test_sync_sql)
{
    struct params want = {0}, srv = {0};
    char sql[512] = "";

    params_set(&want, PARAM_TIMEZONE, "Europe/Berlin");
    params_set(&want, PARAM_APPLICATION_NAME, "it's");
    params_set(&want, PARAM_SEARCH_PATH, "s1, public");
    params_set(&srv, PARAM_EXTRA_FLOAT_DIGITS, "3");
    ck_assert_int_eq(params_sync_sql(&want, &srv, sql, sizeof sql), 4);
    ck_assert_str_eq(sql, "SET TimeZone TO 'Europe/Berlin';SET application_name TO 'it''s';"
                          "SET search_path TO s1, public;RESET extra_float_digits;");
    /* Unreported parameters are now known on the server; reported ones await its report. */
    ck_assert_str_eq(srv.v[PARAM_SEARCH_PATH], "s1, public");
    ck_assert_ptr_null(srv.v[PARAM_EXTRA_FLOAT_DIGITS]);
    ck_assert_ptr_null(srv.v[PARAM_TIMEZONE]);
    params_set(&srv, PARAM_TIMEZONE, "Europe/Berlin");
    params_set(&srv, PARAM_APPLICATION_NAME, "it's");
    sql[0] = '\0';
    ck_assert_int_eq(params_sync_sql(&want, &srv, sql, sizeof sql), 0);
    ck_assert_str_eq(sql, "");
    /* A client on the server default never resets a reported parameter. */
    params_set(&want, PARAM_TIMEZONE, NULL);
    ck_assert_int_eq(params_sync_sql(&want, &srv, sql, sizeof sql), 0);
    /* A statement that does not fit is left out whole. */
    char small[40] = "";
    params_set(&srv, PARAM_SEARCH_PATH, NULL);
    params_set(&srv, PARAM_APPLICATION_NAME, "other");
    ck_assert_int_eq(params_sync_sql(&want, &srv, small, sizeof small), 1);
    ck_assert_str_eq(small, "SET application_name TO 'it''s';");
    params_clear(&want);
    params_clear(&srv);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("params");
    TCase *tc = tcase_create("params");
    tcase_add_test(tc, test_parse_set_forms);
    tcase_add_test(tc, test_parse_set_refused);
    tcase_add_test(tc, test_may_set_unreported);
    tcase_add_test(tc, test_sync_sql);
    tcase_add_test(tc, test_tx_end);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
