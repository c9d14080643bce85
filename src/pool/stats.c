/*
 * Statistics per pool (pool/stats.h): reading the counters, the periodic tick that records
 * the change over each stats_period, and the averages computed from it. The counters
 * themselves are bumped where the traffic is seen: client/client.c, server/server.c and, for a
 * leased SQLite client, the session thread (sqlite/sqlite_server.c).
 */
#include "pool/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

struct stats_db_set {
    struct stats_db *dbs;
    size_t n, cap;
    int64_t period_us;
};

/* pool_for_each, under pool_lock: add one pool's counters to its database's. */
static void stats_db_visit(void *arg, const struct pool *p)
{
    struct stats_db_set *set = arg;
    struct stats_db *db = NULL;
    struct stats_values now;

    for (size_t i = 0; i < set->n && !db; i++)
        if (strcmp(set->dbs[i].name, p->db_name) == 0)
            db = &set->dbs[i];
    if (!db) {
        if (set->n == set->cap) {
            set->cap = set->cap ? set->cap * 2 : 16;
            set->dbs = xrealloc(set->dbs, set->cap * sizeof(*set->dbs));
        }
        db = &set->dbs[set->n++];
        memset(db, 0, sizeof(*db));
        snprintf(db->name, sizeof(db->name), "%s", p->db_name);
    }
    stats_read(p, &now);
    stats_sum(&db->total, &now);
    stats_sum(&db->delta, &p->stats.delta);
    set->period_us = stats_delta_us; /* written with the deltas, under pool_lock */
}

static int stats_db_cmp(const void *a, const void *b)
{
    return strcmp(((const struct stats_db *)a)->name, ((const struct stats_db *)b)->name);
}

size_t stats_by_database(struct stats_db **out, int64_t *period_us)
{
    struct stats_db_set set = {0};

    pool_for_each(stats_db_visit, &set);
    if (period_us)
        *period_us = set.period_us;
    if (set.n > 1)
        qsort(set.dbs, set.n, sizeof(*set.dbs), stats_db_cmp);
    *out = set.dbs;
    return set.n;
}
