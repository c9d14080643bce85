/*
 * The log-linear latency histogram (see monitor/hist.h).
 *
 * Layout: block 0 counts the values 0 .. 2*HIST_SUB-1 exactly, one counter each. Block k >= 1
 * counts [2^(k+5), 2^(k+6)) in HIST_SUB buckets of width 2^k: a value v there has its highest
 * set bit at k+5, so v >> k lies in [HIST_SUB, 2*HIST_SUB) and its bucket is (v >> k) - HIST_SUB.
 * The bucket is found with one count-leading-zeros and two conditional moves; a block is
 * allocated the first time a value falls in it.
 */
#include "monitor/hist.h"

#include <stdlib.h>
#include <string.h>

/* Counters in block k. */
static inline unsigned hist_block_len(unsigned k)
{
    return k == 0 ? 2 * HIST_SUB : HIST_SUB;
}

/* The block and bucket of v (v <= HIST_MAX_NS). */
static inline void hist_index(uint64_t v, unsigned *block, unsigned *bucket)
{
    unsigned msb = 63u - (unsigned)__builtin_clzll(v | 1);
    unsigned k = msb > HIST_SUB_BITS ? msb - HIST_SUB_BITS : 0;
    *block = k;
    *bucket = (unsigned)(v >> k) - (k != 0 ? HIST_SUB : 0);
}

/* The lowest value of bucket i of block k, and its width. */
static inline uint64_t hist_lo(unsigned k, unsigned i)
{
    return k == 0 ? i : ((uint64_t)(HIST_SUB + i)) << k;
}

static inline uint64_t hist_width(unsigned k)
{
    return UINT64_C(1) << k;
}

__attribute__((noinline, cold)) static uint64_t *hist_block(struct hist *h, unsigned k)
{
    if (h->block[k] == NULL)
        h->block[k] = calloc(hist_block_len(k), sizeof(uint64_t));
    return h->block[k];
}

bool hist_record(struct hist *h, uint64_t ns)
{
    unsigned k, i;
    ns = ns > HIST_MAX_NS ? HIST_MAX_NS : ns;
    hist_index(ns, &k, &i);
    uint64_t *b = h->block[k];
    if (__builtin_expect(b == NULL, 0) && (b = hist_block(h, k)) == NULL)
        return false;
    b[i]++;
    h->count++;
    return true;
}

bool hist_merge(struct hist *dst, const struct hist *src)
{
    for (unsigned k = 0; k < HIST_BLOCKS; k++) {
        const uint64_t *s = src->block[k];
        if (s == NULL)
            continue;
        unsigned n = hist_block_len(k);
        uint64_t *d = dst->block[k];
        if (d == NULL) {
            /* Skip an all-zero block (a cleared histogram keeps its blocks). */
            unsigned j = 0;
            while (j < n && s[j] == 0)
                j++;
            if (j == n)
                continue;
            if ((d = hist_block(dst, k)) == NULL)
                return false;
        }
        for (unsigned j = 0; j < n; j++) {
            d[j] += s[j];
            dst->count += s[j];
        }
    }
    return true;
}

void hist_clear(struct hist *h)
{
    for (unsigned k = 0; k < HIST_BLOCKS; k++)
        if (h->block[k] != NULL)
            memset(h->block[k], 0, hist_block_len(k) * sizeof(uint64_t));
    h->count = 0;
}

void hist_free(struct hist *h)
{
    for (unsigned k = 0; k < HIST_BLOCKS; k++) {
        free(h->block[k]);
        h->block[k] = NULL;
    }
    h->count = 0;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
    if (h->count == 0)
        return 0;
    /* Nearest rank: the smallest sample with at least ceil(q * count) samples <= it. */
    double r = q * (double)h->count;
    uint64_t rank;
    if (!(r > 1.0)) /* also q outside (0, 1] or NaN */
        rank = 1;
    else if (r >= (double)h->count)
        rank = h->count;
    else if ((double)(rank = (uint64_t)r) < r)
        rank++;
    uint64_t seen = 0;
    for (unsigned k = 0; k < HIST_BLOCKS; k++) {
        const uint64_t *b = h->block[k];
        if (b == NULL)
            continue;
        unsigned n = hist_block_len(k);
        for (unsigned i = 0; i < n; i++) {
            seen += b[i];
            if (seen >= rank)
                return hist_lo(k, i) + hist_width(k) / 2;
        }
    }
    return HIST_MAX_NS; /* not reached while count matches the counters */
}

uint64_t hist_count_le(const struct hist *h, uint64_t ns)
{
    if (ns >= HIST_MAX_NS)
        return h->count;
    unsigned kb, ib;
    hist_index(ns, &kb, &ib);
    /* Whole buckets below ns's bucket, and its own when ns is its last value. */
    if (hist_lo(kb, ib) + hist_width(kb) - 1 == ns)
        ib++;
    uint64_t sum = 0;
    for (unsigned k = 0; k <= kb; k++) {
        const uint64_t *b = h->block[k];
        if (b == NULL)
            continue;
        unsigned n = k < kb ? hist_block_len(k) : ib;
        for (unsigned i = 0; i < n; i++)
            sum += b[i];
    }
    return sum;
}

int hist_buckets(const struct hist *h, struct hist_bucket *out, int max)
{
    int n = 0;
    for (unsigned k = 0; k < HIST_BLOCKS; k++) {
        const uint64_t *b = h->block[k];
        if (b == NULL)
            continue;
        unsigned len = hist_block_len(k);
        for (unsigned i = 0; i < len; i++) {
            if (b[i] == 0)
                continue;
            if (n < max) {
                out[n].lo = hist_lo(k, i);
                out[n].hi = hist_lo(k, i) + hist_width(k) - 1;
                out[n].count = b[i];
            }
            n++;
        }
    }
    return n;
}
