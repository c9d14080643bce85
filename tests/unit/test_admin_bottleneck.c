/*
 * Unit tests for src/admin/admin_bottleneck.c: which suggestion SHOW BOTTLENECKS gives for a
 * fingerprint's counts, each rule at its threshold and just below, and their order.
 */
#include <check.h>
#include <string.h>

#include "admin/admin_bottleneck.h"

static enum admin_bottleneck_rule rule(uint64_t calls, uint64_t errors, double exec_ms,
                                       double wait_ms, double span_s, char *out, size_t len)
{
    struct admin_bottleneck_in in = {.db = "app",
                                     .calls = calls,
                                     .errors = errors,
                                     .exec_ms = exec_ms,
                                     .wait_ms = wait_ms,
                                     .span_s = span_s};
    return admin_bottleneck_suggest(&in, out, len);
}

START_TEST(test_errors)
{
    char s[256];

    ck_assert_int_eq(rule(100, 5, 100, 0, 60, s, sizeof s), ADMIN_BN_ERRORS);
    ck_assert_str_eq(s, "5.0% of calls fail: see SHOW SLOW and the server log");
    ck_assert_int_eq(rule(1000, 49, 1000, 0, 600, s, sizeof s), ADMIN_BN_VOLUME);
    ck_assert_str_eq(s, "no action: its share comes from volume");
    /* Errors come first, even when the calls also wait and are slow. */
    ck_assert_int_eq(rule(10, 10, 10000, 90000, 60, s, sizeof s), ADMIN_BN_ERRORS);
    ck_assert_str_eq(s, "100.0% of calls fail: see SHOW SLOW and the server log");
}
END_TEST

START_TEST(test_wait)
{
    char s[256];

    /* 20 ms of wait for 80 ms of execution: 20%. */
    ck_assert_int_eq(rule(100, 0, 80, 20, 600, s, sizeof s), ADMIN_BN_WAIT);
    ck_assert_str_eq(s, "clients wait for a server (20% of their time): raise pool_size for app "
                        "or shorten transactions");
    ck_assert_int_eq(rule(100, 0, 81, 19, 600, s, sizeof s), ADMIN_BN_VOLUME);
    /* Before slow: a slow statement that mostly waits needs servers first. */
    ck_assert_int_eq(rule(10, 0, 2000, 3000, 60, s, sizeof s), ADMIN_BN_WAIT);
    ck_assert_str_eq(s, "clients wait for a server (60% of their time): raise pool_size for app "
                        "or shorten transactions");
}
END_TEST

START_TEST(test_slow)
{
    char s[256];

    ck_assert_int_eq(rule(4, 0, 1000, 0, 60, s, sizeof s), ADMIN_BN_SLOW);
    ck_assert_str_eq(s, "slow on its own (mean 250.0 ms): EXPLAIN ANALYZE it, look for a missing "
                        "index");
    ck_assert_int_eq(rule(10, 0, 1000, 0, 60, s, sizeof s), ADMIN_BN_SLOW);
    ck_assert_int_eq(rule(10, 0, 999, 0, 60, s, sizeof s), ADMIN_BN_VOLUME);
}
END_TEST

START_TEST(test_chatty)
{
    char s[256];

    /* 6000 calls in 60 s at 0.5 ms. */
    ck_assert_int_eq(rule(6000, 0, 3000, 0, 60, s, sizeof s), ADMIN_BN_CHATTY);
    ck_assert_str_eq(s, "called 100 times per second at 0.500 ms: batch it or cache the result");
    /* 49 a second is not chatty; neither is 100 a second at 5 ms each. */
    ck_assert_int_eq(rule(2940, 0, 1470, 0, 60, s, sizeof s), ADMIN_BN_VOLUME);
    ck_assert_int_eq(rule(6000, 0, 30000, 0, 60, s, sizeof s), ADMIN_BN_VOLUME);
    /* A span under a second counts as one second. */
    ck_assert_int_eq(rule(50, 0, 5, 0, 0.01, s, sizeof s), ADMIN_BN_CHATTY);
    ck_assert_str_eq(s, "called 50 times per second at 0.100 ms: batch it or cache the result");
    ck_assert_int_eq(rule(49, 0, 5, 0, 0, s, sizeof s), ADMIN_BN_VOLUME);
}
END_TEST

START_TEST(test_edges)
{
    char s[256], small[8];
    struct admin_bottleneck_in in = {.calls = 100, .wait_ms = 100, .exec_ms = 1, .span_s = 60};

    /* Nothing counted yet. */
    ck_assert_int_eq(rule(0, 0, 0, 0, 0, s, sizeof s), ADMIN_BN_VOLUME);
    /* No database name. */
    ck_assert_int_eq(admin_bottleneck_suggest(&in, s, sizeof s), ADMIN_BN_WAIT);
    ck_assert_ptr_nonnull(strstr(s, "raise pool_size for this database"));
    /* A short buffer is cut, still terminated. */
    ck_assert_int_eq(rule(100, 50, 1, 0, 60, small, sizeof small), ADMIN_BN_ERRORS);
    ck_assert_str_eq(small, "50.0% o");
}
END_TEST

int main(void)
{
    Suite *s = suite_create("admin_bottleneck");
    TCase *tc = tcase_create("admin_bottleneck");
    tcase_add_test(tc, test_errors);
    tcase_add_test(tc, test_wait);
    tcase_add_test(tc, test_slow);
    tcase_add_test(tc, test_chatty);
    tcase_add_test(tc, test_edges);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
