/*
 * Query fingerprints. fp_shape is the hot path: one pass over a query text, no allocation,
 * a 64-bit hash of its shape (literal values, whitespace runs and comments do not count), so
 * texts with equal shapes have equal fingerprints. fp_compute is what a shape never seen
 * costs: the statements of the text, each fingerprinted with libpg_query's
 * pg_query_fingerprint (equal for statements differing only in literals, IN-list length or
 * layout) and normalized with pg_query_normalize ($n for literals); a statement the parser
 * refuses falls back to a literal-stripping normalizer and a hash of its result.
 */
#ifndef MYRMEX_MONITOR_FINGERPRINT_H
#define MYRMEX_MONITOR_FINGERPRINT_H

#include <stddef.h>
#include <stdint.h>

#define FP_MAX_STATEMENTS 64

/* Never 0. The text ends at len or at its first NUL byte (so does fp_compute's). */
uint64_t fp_shape(const char *text, size_t len);

struct fp_statement {
    uint64_t fp;      /* never 0 */
    char *normalized; /* malloc'd */
};
/*
 * The statements of text[0..len) (need not be NUL-terminated) in order, as PostgreSQL runs
 * them for a simple Query: one CommandComplete each (empty statements between semicolons do
 * not count; an empty text has none). A text the parser refuses is one entry, fingerprinted
 * by the fallback: PostgreSQL parses the whole text first and runs none of it. Up to max into
 * out; returns how many there are in all (the rest are not filled), or -1 when out of memory.
 * Safe to call from several threads at once; each thread that calls it uses up one pthread
 * key for good (libpg_query 15-4 creates one per thread and never deletes it; glibc has 1024),
 * so call it from long-lived threads, not from a thread per task.
 */
int fp_compute(const char *text, size_t len, struct fp_statement *out, int max);
void fp_statements_free(struct fp_statement *s, int n);

#endif
