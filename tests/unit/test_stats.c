/*
 * Unit tests for src/pool/stats.c: PgBouncer's averages from the change of the counters over
 * one stats_period (rates per second; times per transaction and per query), and summing.
 */
#include <check.h>
#include <stdint.h>

#include "pool/stats.h"

START_TEST(test_average_rates)
{
    struct stats_values d = {{0}}, avg;

    d.v[STATS_ASSIGNMENTS] = 120;
    d.v[STATS_XACTS] = 100;
    d.v[STATS_QUERIES] = 300;
    d.v[STATS_RECEIVED] = 50000;
    d.v[STATS_SENT] = 7;
    d.v[STATS_XACT_TIME] = 25000;  /* 250 us per transaction */
    d.v[STATS_QUERY_TIME] = 15000; /* 50 us per query */
    d.v[STATS_WAIT_TIME] = 4000000;
    d.v[STATS_CLIENT_PARSES] = 10;
    d.v[STATS_SERVER_PARSES] = 3;
    d.v[STATS_BINDS] = 1000;
    stats_average(&d, 2000000, &avg); /* over 2 s */
    ck_assert_uint_eq(avg.v[STATS_ASSIGNMENTS], 60);
    ck_assert_uint_eq(avg.v[STATS_XACTS], 50);
    ck_assert_uint_eq(avg.v[STATS_QUERIES], 150);
    ck_assert_uint_eq(avg.v[STATS_RECEIVED], 25000);
    ck_assert_uint_eq(avg.v[STATS_SENT], 3); /* truncated, as PgBouncer does */
    ck_assert_uint_eq(avg.v[STATS_XACT_TIME], 250);
    ck_assert_uint_eq(avg.v[STATS_QUERY_TIME], 50);
    ck_assert_uint_eq(avg.v[STATS_WAIT_TIME], 2000000); /* per second */
    ck_assert_uint_eq(avg.v[STATS_CLIENT_PARSES], 5);
    ck_assert_uint_eq(avg.v[STATS_SERVER_PARSES], 1);
    ck_assert_uint_eq(avg.v[STATS_BINDS], 500);
}
END_TEST

START_TEST(test_average_idle)
{
    struct stats_values d = {{0}}, avg;

    /* No transaction or query in the period: their mean times are 0, not a division by 0. */
    d.v[STATS_XACT_TIME] = 999;
    d.v[STATS_QUERY_TIME] = 999;
    stats_average(&d, 1000000, &avg);
    ck_assert_uint_eq(avg.v[STATS_XACT_TIME], 0);
    ck_assert_uint_eq(avg.v[STATS_QUERY_TIME], 0);
    ck_assert_uint_eq(avg.v[STATS_XACTS], 0);
    /* Before the first period ends there is nothing to average. */
    d.v[STATS_XACTS] = 5;
    stats_average(&d, 0, &avg);
    for (int i = 0; i < STATS_N; i++)
        ck_assert_uint_eq(avg.v[i], 0);
    stats_average(&d, -5, &avg);
    ck_assert_uint_eq(avg.v[STATS_XACTS], 0);
}
END_TEST

START_TEST(test_average_large)
{
    struct stats_values d = {{0}}, avg;

    /* Byte counts whose product with 10^6 passes 2^64 still come out right. */
    d.v[STATS_SENT] = UINT64_C(1) << 50;
    stats_average(&d, 1000000, &avg);
    ck_assert_uint_eq(avg.v[STATS_SENT], UINT64_C(1) << 50);
    stats_average(&d, 4000000, &avg);
    ck_assert_uint_eq(avg.v[STATS_SENT], UINT64_C(1) << 48);
}
END_TEST

START_TEST(test_sum)
{
    struct stats_values a = {{0}}, b = {{0}};

    for (int i = 0; i < STATS_N; i++) {
        a.v[i] = (uint64_t)i;
        b.v[i] = 100;
    }
    stats_sum(&a, &b);
    for (int i = 0; i < STATS_N; i++)
        ck_assert_uint_eq(a.v[i], (uint64_t)i + 100);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");
    tcase_add_test(tc, test_average_rates);
    tcase_add_test(tc, test_average_idle);
    tcase_add_test(tc, test_average_large);
    tcase_add_test(tc, test_sum);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
