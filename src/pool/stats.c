/*
 * Statistics per pool (pool/stats.h): reading the counters, the periodic tick that records
 * the change over each stats_period, and the averages computed from it. The counters
 * themselves are bumped where the traffic is seen: client/client.c, server/server.c and, for a
 * leased SQLite client, the session thread (sqlite/sqlite_server.c).
 */
#include "pool/stats.h"

#include "core/proxy.h"
#include "pool/pool.h"
#include "util/util.h"

static int64_t stats_last_tick_ms;
/* The period the pools' deltas cover; written with them, under pool_lock. */
static int64_t stats_delta_us;

void stats_read(const struct pool *p, struct stats_values *out)
{
    for (int i = 0; i < STATS_OWN; i++)
        out->v[i] = atomic_load_explicit(&p->stats.c[i], memory_order_relaxed);
    out->v[STATS_CLIENT_PARSES] = atomic_load_explicit(&p->ps_client_parses, memory_order_relaxed);
    out->v[STATS_SERVER_PARSES] = atomic_load_explicit(&p->ps_server_parses, memory_order_relaxed);
    out->v[STATS_BINDS] = atomic_load_explicit(&p->ps_binds, memory_order_relaxed);
}

void stats_sum(struct stats_values *a, const struct stats_values *b)
{
    for (int i = 0; i < STATS_N; i++)
        a->v[i] += b->v[i];
}

static uint64_t stats_rate(uint64_t n, int64_t period_us)
{
    /* Per second; n * 10^6 overflows only past 1.8e13 in one period. */
    return (uint64_t)((unsigned __int128)n * 1000000u / (uint64_t)period_us);
}

void stats_average(const struct stats_values *delta, int64_t period_us, struct stats_values *avg)
{
    for (int i = 0; i < STATS_N; i++)
        avg->v[i] = 0;
    if (period_us <= 0)
        return;
    for (int i = 0; i < STATS_N; i++)
        avg->v[i] = stats_rate(delta->v[i], period_us);
    avg->v[STATS_XACT_TIME] =
        delta->v[STATS_XACTS] ? delta->v[STATS_XACT_TIME] / delta->v[STATS_XACTS] : 0;
    avg->v[STATS_QUERY_TIME] =
        delta->v[STATS_QUERIES] ? delta->v[STATS_QUERY_TIME] / delta->v[STATS_QUERIES] : 0;
}

static void stats_tick_pool(void *arg, const struct pool *cp)
{
    /* The tick owns prev and delta; pool_for_each holds pool_lock, which guards them. */
    struct pool *p = (struct pool *)cp;
    struct stats_values now;

    stats_delta_us = *(const int64_t *)arg;
    stats_read(p, &now);
    for (int i = 0; i < STATS_N; i++) {
        p->stats.delta.v[i] = now.v[i] - p->stats.prev.v[i];
        p->stats.prev.v[i] = now.v[i];
    }
}

void stats_tick(int64_t now_ms)
{
    int64_t period_ms = proxy_config()->stats_period_ms;
    int64_t elapsed_us;

    if (period_ms <= 0)
        period_ms = 1000;
    if (stats_last_tick_ms == 0) {
        /* The first tick only starts the first period (pools begin at zero). */
        stats_last_tick_ms = now_ms;
        return;
    }
    if (now_ms - stats_last_tick_ms < period_ms)
        return;
    elapsed_us = (now_ms - stats_last_tick_ms) * 1000;
    stats_last_tick_ms = now_ms;
    pool_for_each(stats_tick_pool, &elapsed_us);
}

int64_t stats_period_us(void)
{
    return stats_delta_us;
}

void stats_clock_begin(struct stats_clock *k)
{
    if (!k->query_us)
        k->query_us = now_us();
    if (!k->xact_us)
        k->xact_us = k->query_us;
}

void stats_clock_ready(struct pool_stats *st, struct stats_clock *k, char status, bool more)
{
    int64_t now;

    if (!k->query_us)
        return;
    now = now_us();
    stats_add(st, STATS_QUERIES, 1);
    stats_add(st, STATS_QUERY_TIME, (uint64_t)(now - k->query_us));
    k->query_us = more ? now : 0;
    if (status == 'I' && k->xact_us) {
        stats_add(st, STATS_XACTS, 1);
        stats_add(st, STATS_XACT_TIME, (uint64_t)(now - k->xact_us));
        k->xact_us = more ? now : 0;
    }
}
