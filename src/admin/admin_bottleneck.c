/*
 * SHOW BOTTLENECKS' suggestions (admin/admin_bottleneck.h): the rules on one fingerprint's
 * counts, nothing else. The thresholds are coarse on purpose: a suggestion says where to
 * look first, the columns beside it say how much.
 */
#include "admin/admin_bottleneck.h"

#include <stdio.h>

enum admin_bottleneck_rule admin_bottleneck_suggest(const struct admin_bottleneck_in *in, char *out,
                                                    size_t len)
{
    double calls = (double)in->calls;
    double error_pct = calls > 0 ? 100.0 * (double)in->errors / calls : 0;
    double busy_ms = in->exec_ms + in->wait_ms;
    double wait_pct = busy_ms > 0 ? 100.0 * in->wait_ms / busy_ms : 0;
    double mean_ms = calls > 0 ? in->exec_ms / calls : 0;
    double per_s = calls / (in->span_s > 1.0 ? in->span_s : 1.0);

    if (len == 0)
        return ADMIN_BN_VOLUME;
    if (calls > 0 && error_pct >= ADMIN_BN_ERROR_PCT) {
        snprintf(out, len, "%.1f%% of calls fail: see SHOW SLOW and the server log", error_pct);
        return ADMIN_BN_ERRORS;
    }
    if (busy_ms > 0 && wait_pct >= ADMIN_BN_WAIT_PCT) {
        snprintf(out, len,
                 "clients wait for a server (%.0f%% of their time): raise pool_size for %s or "
                 "shorten transactions",
                 wait_pct, in->db ? in->db : "this database");
        return ADMIN_BN_WAIT;
    }
    if (calls > 0 && mean_ms >= ADMIN_BN_SLOW_MS) {
        snprintf(out, len,
                 "slow on its own (mean %.1f ms): EXPLAIN ANALYZE it, look for a missing index",
                 mean_ms);
        return ADMIN_BN_SLOW;
    }
    if (per_s >= ADMIN_BN_CHATTY_PER_S && mean_ms < ADMIN_BN_CHEAP_MS) {
        snprintf(out, len, "called %.0f times per second at %.3f ms: batch it or cache the result",
                 per_s, mean_ms);
        return ADMIN_BN_CHATTY;
    }
    snprintf(out, len, "no action: its share comes from volume");
    return ADMIN_BN_VOLUME;
}
