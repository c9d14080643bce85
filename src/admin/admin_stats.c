/*
 * SHOW STATS, STATS_TOTALS, STATS_AVERAGES, TOTALS and PREPARED_STATEMENTS: the traffic
 * counters of pool/stats.h, summed per database as PgBouncer does (its pools are per database
 * and user too), with the averages over the last stats_period. The counters are numeric
 * columns, as PgBouncer sends its uint64 counters; times are in microseconds.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"
#include "pool/pool.h"
#include "pool/stats.h"
#include "util/util.h"

/* Every database with a pool, by name. */
struct admin_stats_set {
    struct stats_db *dbs;
    size_t n;
    int64_t period_us;
};

static void admin_stats_collect(struct admin_stats_set *set)
{
    set->n = stats_by_database(&set->dbs, &set->period_us);
}

#define ADMIN_STATS_FMT "NNNNNNNNNNN"
#define ADMIN_STATS_ARGS(s)                                                                        \
    (s).v[STATS_ASSIGNMENTS], (s).v[STATS_XACTS], (s).v[STATS_QUERIES], (s).v[STATS_RECEIVED],     \
        (s).v[STATS_SENT], (s).v[STATS_XACT_TIME], (s).v[STATS_QUERY_TIME],                        \
        (s).v[STATS_WAIT_TIME], (s).v[STATS_CLIENT_PARSES], (s).v[STATS_SERVER_PARSES],            \
        (s).v[STATS_BINDS]

void admin_show_stats(struct admin_result *r)
{
    struct admin_stats_set set;
    struct stats_values avg;

    admin_stats_collect(&set);
    admin_result_columns(r, "s" ADMIN_STATS_FMT ADMIN_STATS_FMT, "database",
                         "total_server_assignment_count", "total_xact_count", "total_query_count",
                         "total_received", "total_sent", "total_xact_time", "total_query_time",
                         "total_wait_time", "total_client_parse_count", "total_server_parse_count",
                         "total_bind_count", "avg_server_assignment_count", "avg_xact_count",
                         "avg_query_count", "avg_recv", "avg_sent", "avg_xact_time",
                         "avg_query_time", "avg_wait_time", "avg_client_parse_count",
                         "avg_server_parse_count", "avg_bind_count");
    for (size_t i = 0; i < set.n; i++) {
        stats_average(&set.dbs[i].delta, set.period_us, &avg);
        admin_result_row(r, set.dbs[i].name, ADMIN_STATS_ARGS(set.dbs[i].total),
                         ADMIN_STATS_ARGS(avg));
    }
    free(set.dbs);
}

static void admin_stats_columns(struct admin_result *r)
{
    admin_result_columns(r, "s" ADMIN_STATS_FMT, "database", "server_assignment_count",
                         "xact_count", "query_count", "bytes_received", "bytes_sent", "xact_time",
                         "query_time", "wait_time", "client_parse_count", "server_parse_count",
                         "bind_count");
}

void admin_show_stats_totals(struct admin_result *r)
{
    struct admin_stats_set set;

    admin_stats_collect(&set);
    admin_stats_columns(r);
    for (size_t i = 0; i < set.n; i++)
        admin_result_row(r, set.dbs[i].name, ADMIN_STATS_ARGS(set.dbs[i].total));
    free(set.dbs);
}

void admin_show_stats_averages(struct admin_result *r)
{
    struct admin_stats_set set;
    struct stats_values avg;

    admin_stats_collect(&set);
    admin_stats_columns(r);
    for (size_t i = 0; i < set.n; i++) {
        stats_average(&set.dbs[i].delta, set.period_us, &avg);
        admin_result_row(r, set.dbs[i].name, ADMIN_STATS_ARGS(avg));
    }
    free(set.dbs);
}

/*
 * Key/value rows over every database. The byte counters keep the names PgBouncer's SHOW TOTALS
 * gives them (total_client_bytes, total_server_bytes, avg_client_bytes, avg_server_bytes).
 */
static const char *const admin_totals_names[STATS_N] = {
    [STATS_ASSIGNMENTS] = "server_assignment_count",
    [STATS_XACTS] = "xact_count",
    [STATS_QUERIES] = "query_count",
    [STATS_RECEIVED] = "client_bytes",
    [STATS_SENT] = "server_bytes",
    [STATS_XACT_TIME] = "xact_time",
    [STATS_QUERY_TIME] = "query_time",
    [STATS_WAIT_TIME] = "wait_time",
    [STATS_CLIENT_PARSES] = "client_parse_count",
    [STATS_SERVER_PARSES] = "server_parse_count",
    [STATS_BINDS] = "bind_count",
};

void admin_show_totals(struct admin_result *r)
{
    struct admin_stats_set set;
    struct stats_values total = {{0}}, delta = {{0}}, avg;
    char name[64];

    admin_stats_collect(&set);
    for (size_t i = 0; i < set.n; i++) {
        stats_sum(&total, &set.dbs[i].total);
        stats_sum(&delta, &set.dbs[i].delta);
    }
    stats_average(&delta, set.period_us, &avg);
    admin_result_columns(r, "sN", "name", "value");
    for (int i = 0; i < STATS_N; i++) {
        snprintf(name, sizeof(name), "total_%s", admin_totals_names[i]);
        admin_result_row(r, name, total.v[i]);
    }
    for (int i = 0; i < STATS_N; i++) {
        snprintf(name, sizeof(name), "avg_%s", admin_totals_names[i]);
        admin_result_row(r, name, avg.v[i]);
    }
    free(set.dbs);
}

/*
 * PgBouncer has no SHOW PREPARED_STATEMENTS; this one is myrmex's. It reports the prepared
 * statements of transaction pooling (pool/prepared.c) per pool, that is per database and
 * server user: Parses clients sent, Parses sent to servers (a statement prepared on a server
 * that had not seen it yet) and Binds of named statements. Pools that never saw a prepared
 * statement are left out.
 */
struct admin_ps_row {
    char database[64], user[64];
    uint64_t client_parses, server_parses, binds;
};

struct admin_ps_set {
    struct admin_ps_row *rows;
    size_t n, cap;
};

static void admin_ps_visit(void *arg, const struct pool *p)
{
    struct admin_ps_set *set = arg;
    struct admin_ps_row row;

    row.client_parses = atomic_load_explicit(&p->ps_client_parses, memory_order_relaxed);
    row.server_parses = atomic_load_explicit(&p->ps_server_parses, memory_order_relaxed);
    row.binds = atomic_load_explicit(&p->ps_binds, memory_order_relaxed);
    if (!row.client_parses && !row.server_parses && !row.binds)
        return;
    snprintf(row.database, sizeof(row.database), "%s", p->db_name);
    snprintf(row.user, sizeof(row.user), "%s", p->user);
    if (set->n == set->cap) {
        set->cap = set->cap ? set->cap * 2 : 16;
        set->rows = xrealloc(set->rows, set->cap * sizeof(*set->rows));
    }
    set->rows[set->n++] = row;
}

static int admin_ps_cmp(const void *a, const void *b)
{
    const struct admin_ps_row *x = a, *y = b;
    int c = strcmp(x->database, y->database);
    return c ? c : strcmp(x->user, y->user);
}

void admin_show_prepared_statements(struct admin_result *r)
{
    struct admin_ps_set set = {0};

    pool_for_each(admin_ps_visit, &set);
    if (set.n > 1)
        qsort(set.rows, set.n, sizeof(*set.rows), admin_ps_cmp);
    admin_result_columns(r, "ssNNN", "database", "user", "client_parse_count", "server_parse_count",
                         "bind_count");
    for (size_t i = 0; i < set.n; i++)
        admin_result_row(r, set.rows[i].database, set.rows[i].user, set.rows[i].client_parses,
                         set.rows[i].server_parses, set.rows[i].binds);
    free(set.rows);
}
