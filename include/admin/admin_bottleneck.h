/*
 * SHOW BOTTLENECKS' one-line suggestion for a fingerprint: which of a few documented rules its
 * counts meet first. Pure (no proxy state), unit-tested on its own.
 *
 * The rules, in order (the first that holds wins):
 *   1. errors:  at least ADMIN_BN_ERROR_PCT % of its calls failed;
 *   2. wait:    pool wait is at least ADMIN_BN_WAIT_PCT % of wait + execution time;
 *   3. slow:    its mean execution time is at least ADMIN_BN_SLOW_MS;
 *   4. chatty:  at least ADMIN_BN_CHATTY_PER_S calls a second, each under ADMIN_BN_CHEAP_MS;
 *   5. volume:  none of these: its share of the time comes from how often it runs.
 */
#ifndef MYRMEX_ADMIN_ADMIN_BOTTLENECK_H
#define MYRMEX_ADMIN_ADMIN_BOTTLENECK_H

#include <stddef.h>
#include <stdint.h>

#define ADMIN_BN_ERROR_PCT    5.0
#define ADMIN_BN_WAIT_PCT     20.0
#define ADMIN_BN_SLOW_MS      100.0
#define ADMIN_BN_CHATTY_PER_S 50.0
#define ADMIN_BN_CHEAP_MS     5.0

enum admin_bottleneck_rule {
    ADMIN_BN_ERRORS = 0,
    ADMIN_BN_WAIT,
    ADMIN_BN_SLOW,
    ADMIN_BN_CHATTY,
    ADMIN_BN_VOLUME,
};

/* One fingerprint's counts: times are totals over its calls, in milliseconds. */
struct admin_bottleneck_in {
    const char *db;
    uint64_t calls, errors;
    double exec_ms, wait_ms;
    double span_s; /* seconds from its first call to its last (rates use at least 1 s) */
};

/* The rule that applies and its suggestion in out (always NUL-terminated when len > 0). */
enum admin_bottleneck_rule admin_bottleneck_suggest(const struct admin_bottleneck_in *in, char *out,
                                                    size_t len);

#endif
