/*
 * A log-linear latency histogram (HDR-style): values in nanoseconds, each power of two split
 * into HIST_SUB linear buckets, so a bucket's midpoint is within 1/(2*HIST_SUB) (1.6%) of any
 * value in it. Blocks of buckets are allocated per power of two on first use: memory is
 * bounded (HIST_BLOCKS * HIST_SUB counters at most) and small for the usual few octaves a
 * query's latencies span. Histograms merge by adding counts: merging per-thread histograms
 * gives exactly the histogram of the union of their samples.
 *
 * One writer; not thread-safe by itself (the monitor merges under its own lock).
 */
#ifndef MYRMEX_MONITOR_HIST_H
#define MYRMEX_MONITOR_HIST_H

#include <stdbool.h>
#include <stdint.h>

#define HIST_SUB_BITS 5
#define HIST_SUB      (1 << HIST_SUB_BITS) /* buckets per power of two */
#define HIST_BLOCKS   40 /* block 0: values below 2*HIST_SUB; block k: [2^(k+5), 2^(k+6)) */
#define HIST_MAX_NS   ((UINT64_C(1) << (HIST_BLOCKS + HIST_SUB_BITS)) - 1) /* about 9.8 hours */

struct hist {
    uint64_t count;
    uint64_t *block[HIST_BLOCKS]; /* HIST_SUB counters each (block 0: 2 * HIST_SUB), or NULL */
};

/* One sample (values above HIST_MAX_NS count as HIST_MAX_NS). false when out of memory. */
bool hist_record(struct hist *h, uint64_t ns);
/* dst += src. false when out of memory (dst then holds part of src). */
bool hist_merge(struct hist *dst, const struct hist *src);
/* All counts to zero; the blocks are kept. */
void hist_clear(struct hist *h);
void hist_free(struct hist *h);
/* The q-quantile (0 < q <= 1, nearest rank) as its bucket's midpoint in ns; 0 when empty. */
uint64_t hist_quantile(const struct hist *h, double q);
/* Samples <= ns (exact at bucket bounds: ns + 1 a multiple of the bucket width). */
uint64_t hist_count_le(const struct hist *h, uint64_t ns);

/* The non-empty buckets in order: [lo, hi] in ns and their count. */
struct hist_bucket {
    uint64_t lo, hi, count;
};
/* Up to max buckets into out; returns how many there are in all. */
int hist_buckets(const struct hist *h, struct hist_bucket *out, int max);

#endif
