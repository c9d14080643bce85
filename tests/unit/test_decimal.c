/*
 * Unit tests for src/sql/decimal.c: parsing and printing of 128-bit decimals with their display
 * scale, rounding, + - * / with PostgreSQL 15's result scales, and numeric ^ numeric. Every
 * expected value below is what PostgreSQL 15 prints for the same operation.
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/decimal.h"

static struct dec D(const char *s) {
    struct dec d;
    ck_assert_msg(dec_parse(s, &d), "parse %s", s);
    return d;
}

static const char *
T(const struct dec *d)
{
    static char buf[DEC_TEXT_CAP];
    ck_assert(dec_text(d, buf, sizeof buf));
    return buf;
}

START_TEST(test_parse_text)
{
    static const char *const cases[][2] = {
        {"1.50", "1.50"},
        {"  -0.50  ", "-0.50"},
        {"1e3", "1000"},
        {"1.5e-3", "0.0015"},
        {"1.50e1", "15.0"},
        {"-0", "0"},
        {"0.000", "0.000"},
        {"+7", "7"},
        {".5", "0.5"},
        {"00012.3400", "12.3400"},
        {"123456789012345678901234567890123456", "123456789012345678901234567890123456"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dec d = D(cases[i][0]);
        ck_assert_str_eq(T(&d), cases[i][1]);
    }
    struct dec d;
    ck_assert(!dec_parse("abc", &d));
    ck_assert(!dec_parse("", &d));
    ck_assert(!dec_parse("1.2.3", &d));
    ck_assert(!dec_parse("1e500", &d));
    ck_assert(!dec_parse("NaN", &d));
    ck_assert(!dec_parse("1234567890123456789012345678901234567", &d)); /* 37 digits */
    /* A small buffer is refused, not overrun. */
    char small[4];
    d = D("12.50");
    ck_assert(!dec_text(&d, small, sizeof small));
    ck_assert_int_eq(dec_digits(0), 1);
    ck_assert_int_eq(dec_digits(-12345), 5);
}
END_TEST

START_TEST(test_round)
{
    static const struct {
        const char *in;
        int scale;
        const char *out;
    } cases[] = {
        {"1.25", 1, "1.3"},    {"-1.25", 1, "-1.3"},      {"1.24", 1, "1.2"},
        {"1.5", 3, "1.500"},   {"0.004", 2, "0.00"},      {"0.005", 2, "0.01"},
        {"9.995", 2, "10.00"}, {"0", 5, "0.00000"},       {"12", 0, "12"},
        {"0.5", 0, "1"},       {"-0.0000001", 2, "0.00"}, {"123.456", 0, "123"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dec d = D(cases[i].in);
        ck_assert(dec_round(&d, cases[i].scale));
        ck_assert_str_eq(T(&d), cases[i].out);
    }
    struct dec d = D("123456789012345678901234567890");
    ck_assert(!dec_round(&d, 10)); /* 40 digits */
    ck_assert(!dec_round(&d, -1));
}
END_TEST

START_TEST(test_add_mul)
{
    struct dec r, a = D("1.50"), b = D("2.125");
    ck_assert(dec_add(&a, &b, false, &r));
    ck_assert_str_eq(T(&r), "3.625");
    ck_assert(dec_add(&a, &b, true, &r));
    ck_assert_str_eq(T(&r), "-0.625");
    a = D("76.6666666666666667");
    b = D("2");
    ck_assert(dec_mul(&a, &b, &r));
    ck_assert_str_eq(T(&r), "153.3333333333333334");
    b = D("3.5000000000000000");
    ck_assert(dec_mul(&a, &b, &r));
    ck_assert_str_eq(T(&r), "268.33333333333333345000000000000000");
    a = D("1.50");
    b = D("1.50");
    ck_assert(dec_add(&a, &b, true, &r));
    ck_assert_str_eq(T(&r), "0.00");
    /* Out of 36 digits: false, for the caller's fallback. */
    a = D("100000000000000000000000000000000000");
    b = D("0.5");
    ck_assert(!dec_add(&a, &b, false, &r));
    b = D("10");
    ck_assert(!dec_mul(&a, &b, &r));
}
END_TEST

START_TEST(test_div)
{
    static const char *const cases[][3] = {
        {"1", "3", "0.33333333333333333333"},
        {"460", "6", "76.6666666666666667"},
        {"10", "4", "2.5000000000000000"},
        {"7.0", "2", "3.5000000000000000"},
        {"1.50", "3", "0.50000000000000000000"},
        {"-1", "3", "-0.33333333333333333333"},
        {"0.99999999999999999999", "3", "0.33333333333333333333"},
        {"123456789", "0.001", "123456789000.00000000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dec a = D(cases[i][0]), b = D(cases[i][1]);
        char out[DEC_TEXT_CAP];
        dec_div_text(&a, &b, dec_div_scale(&a, &b), out, sizeof out);
        ck_assert_msg(!strcmp(out, cases[i][2]), "%s / %s: %s", cases[i][0], cases[i][1], out);
    }
}
END_TEST

START_TEST(test_pow)
{
    static const char *const cases[][3] = {
        {"2.0", "0.5", "1.4142135623730950"},
        {"2", "0.5", "1.4142135623730950"},
        {"10.5", "2", "110.2500000000000000"},
        {"10.5", "3", "1157.6250000000000000"},
        {"2.5", "-2", "0.1600000000000000"},
        {"3.0", "-3", "0.0370370370370370"},
        {"0.0", "0", "1.0000000000000000"},
        {"0", "0.0", "1.0000000000000000"},
        {"0.0", "0.5", "0.0000000000000000"},
        {"1.5", "0", "1.0000000000000000"},
        {"1.5", "40", "11057332.3209400121422732"},
        {"0.001", "5", "0.0000000000000010"},
        {"-2.0", "3", "-8.0000000000000000"},
        {"-2.0", "2", "4.0000000000000000"},
        {"0.5", "0.5", "0.7071067811865475"},
        {"1.1", "1.1", "1.1105342410545757"},
        {"4.0", "0.5", "2.0000000000000000"},
        {"1e3", "0.5", "31.622776601683793"},
        {"100.0", "0.5", "10.000000000000000"},
        {"100000000", "1.5", "1000000000000.00000"},
        {"1000000", "-1.5", "0.0000000010000000000000000"},
        {"0.95", "2.5", "0.8796481896190090"},
        {"2.0353488724", "-20", "0.0000006717733666"},
        {"0.016", "3.81", "0.0000001437795545993380"},
        {"10000000", "1.0001", "10016131.092283090"},
    };
    char out[DEC_TEXT_CAP];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct dec a = D(cases[i][0]), b = D(cases[i][1]);
        ck_assert_int_eq(dec_pow_text(&a, &b, out, sizeof out), DEC_POW_OK);
        ck_assert_msg(!strcmp(out, cases[i][2]), "%s ^ %s: %s", cases[i][0], cases[i][1], out);
    }
    static const struct {
        const char *a, *b;
        enum dec_pow_result r;
    } errors[] = {
        {"0", "-1", DEC_POW_ZERO_NEGATIVE},     {"0.0", "-0.5", DEC_POW_ZERO_NEGATIVE},
        {"-8.0", "0.5", DEC_POW_COMPLEX},       {"10", "5000.5", DEC_POW_OVERFLOW},
        {"2", "100.5", DEC_POW_TOO_PRECISE},    {"10.5", "20", DEC_POW_TOO_PRECISE},
        {"0.1", "5000.5", DEC_POW_TOO_PRECISE},
    };
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        struct dec a = D(errors[i].a), b = D(errors[i].b);
        ck_assert_msg(dec_pow_text(&a, &b, out, sizeof out) == errors[i].r, "%s ^ %s", errors[i].a,
                      errors[i].b);
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("decimal");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_parse_text);
    tcase_add_test(tc, test_round);
    tcase_add_test(tc, test_add_mul);
    tcase_add_test(tc, test_div);
    tcase_add_test(tc, test_pow);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
