/*
 * Unit tests for src/monitor/hist.c: quantiles against the exact nearest-rank quantiles of
 * sorted samples from several distributions, merging per-thread histograms, clamping, counts
 * at bucket bounds, the empty and the cleared histogram.
 */
#include <check.h>
#include <stdbool.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/hist.h"

#define N_SAMPLES 1000000

/* splitmix64: a small seeded generator, so every run sees the same samples. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform in (0, 1). */
static double rng_unit(void)
{
    return ((double)(rng_next() >> 11) + 0.5) / 9007199254740992.0;
}

static double rng_normal(void)
{
    return sqrt(-2.0 * log(rng_unit())) * cos(2.0 * M_PI * rng_unit());
}

enum dist { DIST_UNIFORM, DIST_EXPONENTIAL, DIST_LOGNORMAL, DIST_BIMODAL, DIST_CONSTANT };

static uint64_t sample(enum dist d)
{
    double v = 0;
    switch (d) {
    case DIST_UNIFORM: /* 10 us .. 10 ms */
        return 10000 + rng_next() % (10000000 - 10000);
    case DIST_EXPONENTIAL: /* mean 1 ms */
        v = -log(rng_unit()) * 1e6;
        break;
    case DIST_LOGNORMAL: /* median 1 ms, sigma 1.5: spans several octaves */
        v = exp(log(1e6) + 1.5 * rng_normal());
        break;
    case DIST_BIMODAL: /* 90 % around 50 us, 10 % around 200 ms */
        if (rng_next() % 10 != 0)
            v = 50000 + 5000 * rng_normal();
        else
            v = 200e6 + 20e6 * rng_normal();
        break;
    case DIST_CONSTANT:
        return 1234567;
    }
    return v < 0 ? 0 : (uint64_t)v;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The exact nearest-rank quantile of sorted v[0..n). */
static uint64_t exact_quantile(const uint64_t *v, size_t n, double q)
{
    size_t rank = (size_t)ceil(q * (double)n);
    if (rank < 1)
        rank = 1;
    return v[rank - 1];
}

/* Samples <= x in sorted v[0..n). */
static uint64_t exact_count_le(const uint64_t *v, size_t n, uint64_t x)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static const double quantiles[] = {0.5, 0.95, 0.99, 0.999};

START_TEST(test_quantiles_within_2_percent)
{
    static const char *names[] = {"uniform", "exponential", "lognormal", "bimodal", "constant"};
    uint64_t *v = malloc(N_SAMPLES * sizeof *v);
    ck_assert_ptr_nonnull(v);
    rng_state = 0x5eed0000 + (uint64_t)_i;
    struct hist h = {0};
    bool recorded = true; /* one assertion, not a million (each costs Check a write) */
    for (size_t j = 0; j < N_SAMPLES; j++) {
        v[j] = sample((enum dist)_i);
        recorded &= hist_record(&h, v[j]);
    }
    ck_assert(recorded);
    ck_assert_uint_eq(h.count, N_SAMPLES);
    qsort(v, N_SAMPLES, sizeof *v, cmp_u64);
    for (size_t j = 0; j < sizeof quantiles / sizeof quantiles[0]; j++) {
        double exact = (double)exact_quantile(v, N_SAMPLES, quantiles[j]);
        double got = (double)hist_quantile(&h, quantiles[j]);
        ck_assert_msg(fabs(got - exact) <= 0.02 * exact, "%s p%g: histogram %.0f, exact %.0f",
                      names[_i], quantiles[j] * 100, got, exact);
    }
    /* The extremes: q = 1 is the largest sample's bucket, a tiny q the smallest's. */
    ck_assert(fabs((double)hist_quantile(&h, 1.0) - (double)v[N_SAMPLES - 1]) <=
              0.02 * (double)v[N_SAMPLES - 1]);
    ck_assert(fabs((double)hist_quantile(&h, 1e-9) - (double)v[0]) <= 0.02 * (double)v[0]);

    /* At every bucket bound, hist_count_le is exact. */
    for (unsigned k = 0; k < HIST_BLOCKS; k++) {
        unsigned n = k == 0 ? 2 * HIST_SUB : HIST_SUB;
        for (unsigned i = 0; i < n; i++) {
            uint64_t hi = k == 0 ? i : (((uint64_t)(HIST_SUB + i + 1)) << k) - 1;
            ck_assert_uint_eq(hist_count_le(&h, hi), exact_count_le(v, N_SAMPLES, hi));
        }
    }
    hist_free(&h);
    free(v);
}
END_TEST

START_TEST(test_bucket_layout)
{
    struct hist h = {0};
    struct hist_bucket b[8];
    /* Block 0 is exact. */
    for (uint64_t x = 0; x < 2 * HIST_SUB; x++) {
        ck_assert(hist_record(&h, x));
        ck_assert_uint_eq(hist_quantile(&h, 1.0), x);
        ck_assert_int_eq(hist_buckets(&h, b, 8) > 0, 1);
        hist_clear(&h);
    }
    /* 64 and 65 share the first bucket of block 1 (width 2); 127 is the last one's. */
    ck_assert(hist_record(&h, 64) && hist_record(&h, 65) && hist_record(&h, 127) &&
              hist_record(&h, 128));
    ck_assert_int_eq(hist_buckets(&h, b, 8), 3);
    ck_assert_uint_eq(b[0].lo, 64);
    ck_assert_uint_eq(b[0].hi, 65);
    ck_assert_uint_eq(b[0].count, 2);
    ck_assert_uint_eq(b[1].lo, 126);
    ck_assert_uint_eq(b[1].hi, 127);
    ck_assert_uint_eq(b[2].lo, 128);
    ck_assert_uint_eq(b[2].hi, 131);
    ck_assert_uint_eq(hist_quantile(&h, 0.25), 65);  /* midpoint of [64, 65] */
    ck_assert_uint_eq(hist_quantile(&h, 1.0), 130);  /* midpoint of [128, 131] */
    ck_assert_uint_eq(hist_quantile(&h, 0.5), 65);   /* rank 2 of 4 */
    ck_assert_uint_eq(hist_quantile(&h, 0.51), 127); /* rank 3 */
    /* q outside (0, 1]: the smallest or the largest. */
    ck_assert_uint_eq(hist_quantile(&h, 0.0), 65);
    ck_assert_uint_eq(hist_quantile(&h, -1.0), 65);
    ck_assert_uint_eq(hist_quantile(&h, 2.0), 130);
    ck_assert_uint_eq(hist_quantile(&h, NAN), 65);
    /* Between bucket bounds, count_le counts whole buckets only. */
    ck_assert_uint_eq(hist_count_le(&h, 63), 0);
    ck_assert_uint_eq(hist_count_le(&h, 64), 0);
    ck_assert_uint_eq(hist_count_le(&h, 65), 2);
    ck_assert_uint_eq(hist_count_le(&h, 127), 3);
    ck_assert_uint_eq(hist_count_le(&h, 130), 3);
    ck_assert_uint_eq(hist_count_le(&h, 131), 4);
    /* hist_buckets reports the total even when out is short. */
    ck_assert_int_eq(hist_buckets(&h, b, 1), 3);
    ck_assert_int_eq(hist_buckets(&h, NULL, 0), 3);
    hist_free(&h);
}
END_TEST

START_TEST(test_merge_equals_union)
{
    enum { PARTS = 4, PER = N_SAMPLES / 8 };
    static struct hist_bucket bu[HIST_BLOCKS * HIST_SUB + HIST_SUB],
        bm[HIST_BLOCKS * HIST_SUB + HIST_SUB];
    struct hist part[PARTS] = {{0}}, all = {0}, merged = {0};
    bool recorded = true;
    rng_state = 42;
    for (int p = 0; p < PARTS; p++) {
        for (int j = 0; j < PER; j++) {
            /* Each part its own distribution, so their blocks differ. */
            uint64_t x = sample((enum dist)p);
            recorded &= hist_record(&part[p], x);
            recorded &= hist_record(&all, x);
        }
    }
    ck_assert(recorded);
    /* A cleared histogram with blocks merges as nothing. */
    struct hist cleared = {0};
    ck_assert(hist_record(&cleared, 5) && hist_record(&cleared, UINT64_C(1) << 40));
    hist_clear(&cleared);
    ck_assert(hist_merge(&merged, &cleared));
    for (int p = 0; p < PARTS; p++)
        ck_assert(hist_merge(&merged, &part[p]));
    ck_assert_uint_eq(merged.count, all.count);
    ck_assert_uint_eq(merged.count, (uint64_t)PARTS * PER);
    int nu = hist_buckets(&all, bu, (int)(sizeof bu / sizeof bu[0]));
    int nm = hist_buckets(&merged, bm, (int)(sizeof bm / sizeof bm[0]));
    ck_assert_int_gt(nu, 100);
    ck_assert_int_eq(nu, nm);
    for (int j = 0; j < nu; j++) {
        ck_assert_uint_eq(bu[j].lo, bm[j].lo);
        ck_assert_uint_eq(bu[j].hi, bm[j].hi);
        ck_assert_uint_eq(bu[j].count, bm[j].count);
    }
    for (size_t j = 0; j < sizeof quantiles / sizeof quantiles[0]; j++)
        ck_assert_uint_eq(hist_quantile(&merged, quantiles[j]), hist_quantile(&all, quantiles[j]));
    for (int p = 0; p < PARTS; p++)
        hist_free(&part[p]);
    hist_free(&all);
    hist_free(&merged);
    hist_free(&cleared);
}
END_TEST

START_TEST(test_clamp)
{
    struct hist h = {0};
    struct hist_bucket b[4];
    ck_assert(hist_record(&h, HIST_MAX_NS));
    ck_assert(hist_record(&h, HIST_MAX_NS + 1));
    ck_assert(hist_record(&h, UINT64_MAX));
    ck_assert_int_eq(hist_buckets(&h, b, 4), 1);
    ck_assert_uint_eq(b[0].hi, HIST_MAX_NS);
    ck_assert_uint_eq(b[0].lo, HIST_MAX_NS + 1 - (UINT64_C(1) << (HIST_BLOCKS - 1)));
    ck_assert_uint_eq(b[0].count, 3);
    uint64_t q = hist_quantile(&h, 1.0);
    ck_assert(q >= b[0].lo && q <= HIST_MAX_NS);
    ck_assert_uint_eq(hist_count_le(&h, b[0].lo - 1), 0);
    ck_assert_uint_eq(hist_count_le(&h, HIST_MAX_NS), 3);
    ck_assert_uint_eq(hist_count_le(&h, UINT64_MAX), 3);
    hist_free(&h);
}
END_TEST

START_TEST(test_empty_and_clear)
{
    struct hist h = {0};
    ck_assert_uint_eq(hist_quantile(&h, 0.5), 0);
    ck_assert_uint_eq(hist_quantile(&h, 1.0), 0);
    ck_assert_uint_eq(hist_count_le(&h, UINT64_MAX), 0);
    ck_assert_uint_eq(hist_count_le(&h, 1000), 0);
    ck_assert_int_eq(hist_buckets(&h, NULL, 0), 0);

    ck_assert(hist_record(&h, 3) && hist_record(&h, 1000000) && hist_record(&h, 1000000));
    uint64_t *b0 = h.block[0];
    int nonnull = 0;
    for (int k = 0; k < HIST_BLOCKS; k++)
        nonnull += h.block[k] != NULL;
    ck_assert_int_eq(nonnull, 2);
    hist_clear(&h);
    /* The blocks stay, zeroed. */
    ck_assert_ptr_eq(h.block[0], b0);
    for (int k = 0, again = 0; k < HIST_BLOCKS; k++) {
        again += h.block[k] != NULL;
        if (k == HIST_BLOCKS - 1)
            ck_assert_int_eq(again, nonnull);
        for (int i = 0; h.block[k] != NULL && i < HIST_SUB; i++)
            ck_assert_uint_eq(h.block[k][i], 0);
    }
    ck_assert_uint_eq(h.count, 0);
    ck_assert_uint_eq(hist_quantile(&h, 0.5), 0);
    ck_assert_uint_eq(hist_count_le(&h, UINT64_MAX), 0);
    ck_assert_int_eq(hist_buckets(&h, NULL, 0), 0);
    /* And record again. */
    ck_assert(hist_record(&h, 7));
    ck_assert_uint_eq(hist_quantile(&h, 0.5), 7);
    ck_assert_uint_eq(h.count, 1);
    hist_free(&h);
    for (int k = 0; k < HIST_BLOCKS; k++)
        ck_assert_ptr_null(h.block[k]);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hist");
    TCase *tc = tcase_create("hist");
    tcase_set_timeout(tc, 120); /* 1,000,000 samples a distribution: slower under sanitizers */
    tcase_add_loop_test(tc, test_quantiles_within_2_percent, DIST_UNIFORM, DIST_CONSTANT + 1);
    tcase_add_test(tc, test_bucket_layout);
    tcase_add_test(tc, test_merge_equals_union);
    tcase_add_test(tc, test_clamp);
    tcase_add_test(tc, test_empty_and_clear);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
