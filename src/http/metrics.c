/*
 * GET /metrics in the Prometheus text exposition format 0.0.4. The pool and traffic families
 * keep the stems of PgBouncer's exporter (pgbouncer_exporter) under myrmex_, so its dashboards
 * and alert rules carry over with a prefix changed; the query families are the monitor's.
 *
 * Numbers come from where the console reads them: pool counts from the snapshot SHOW POOLS
 * uses (admin_pool_counts: it waits for each worker, hence built on the HTTP builder thread,
 * http_defer), traffic from each pool's counters (pool/stats.h, read under pool_lock like
 * SHOW STATS), queries from the monitor's shared table (mon_snapshot) and alerts from
 * mon_alert_list. Each family is written once, with its HELP and TYPE, even when it has no
 * sample. Label values are escaped as the format says: backslash, double quote, newline.
 */
#include "http/metrics.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "core/control.h"
#include "core/proxy.h"
#include "http/http.h"
#include "monitor/hist.h"
#include "monitor/monitor.h"
#include "pool/pool.h"
#include "pool/stats.h"
#include "util/util.h"

#define METRICS_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* The histogram buckets' upper bounds: label text and nanoseconds. */
static const struct {
    const char *le;
    uint64_t ns;
} metrics_buckets[] = {
    {"0.0005", 500000},  {"0.001", 1000000},  {"0.0025", 2500000}, {"0.005", 5000000},
    {"0.01", 10000000},  {"0.025", 25000000}, {"0.05", 50000000},  {"0.1", 100000000},
    {"0.25", 250000000}, {"0.5", 500000000},  {"1", 1000000000},   {"2.5", 2500000000},
    {"5", 5000000000},   {"10", 10000000000},
};

/* The length of the valid UTF-8 sequence at s, 0 when there is none. */
static size_t metrics_utf8_len(const unsigned char *s)
{
    size_t n;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xC2 && s[0] <= 0xDF)
        n = 2;
    else if (s[0] >= 0xE0 && s[0] <= 0xEF)
        n = 3;
    else if (s[0] >= 0xF0 && s[0] <= 0xF4)
        n = 4;
    else
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    /* Overlong forms, surrogates and code points past U+10FFFF. */
    if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
        (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
        return 0;
    return n;
}

/* A label value, escaped; a byte that is not UTF-8 becomes U+FFFD (the format is UTF-8). */
static void metrics_label_value(struct evbuffer *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    while (*p) {
        size_t n = metrics_utf8_len(p);
        if (*p == '\\')
            evbuffer_add(out, "\\\\", 2);
        else if (*p == '"')
            evbuffer_add(out, "\\\"", 2);
        else if (*p == '\n')
            evbuffer_add(out, "\\n", 2);
        else if (n == 0)
            evbuffer_add(out, "\xEF\xBF\xBD", 3);
        else
            evbuffer_add(out, p, n);
        p += n ? n : 1;
    }
}

/* name="value" (with a leading comma unless first). */
static void metrics_label(struct evbuffer *out, bool first, const char *name, const char *value)
{
    evbuffer_add_printf(out, "%s%s=\"", first ? "" : ",", name);
    metrics_label_value(out, value);
    evbuffer_add(out, "\"", 1);
}

static void metrics_family(struct evbuffer *out, const char *name, const char *type,
                           const char *help)
{
    evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A number as the format reads it (Go's ParseFloat): whole numbers without exponent. */
static void metrics_value(struct evbuffer *out, double v)
{
    if (v == (double)(int64_t)v && v < 9007199254740992.0 && v > -9007199254740992.0)
        evbuffer_add_printf(out, " %lld\n", (long long)v);
    else
        evbuffer_add_printf(out, " %.15g\n", v);
}

/* ---- pools ---- */

/* One gauge of every pool: field picks the number. */
static void metrics_pools(struct evbuffer *out, const struct admin_pool_count *pools, int n,
                          const char *name, const char *help,
                          double (*field)(const struct admin_pool_count *))
{
    metrics_family(out, name, "gauge", help);
    for (int i = 0; i < n; i++) {
        evbuffer_add_printf(out, "%s{", name);
        metrics_label(out, true, "database", pools[i].database);
        metrics_label(out, false, "user", pools[i].user);
        evbuffer_add(out, "}", 1);
        metrics_value(out, field(&pools[i]));
    }
}

#define METRICS_POOL_FIELD(f)                                                                      \
    static double metrics_pool_##f(const struct admin_pool_count *p)                               \
    {                                                                                              \
        return (double)p->f;                                                                       \
    }
METRICS_POOL_FIELD(cl_active)
METRICS_POOL_FIELD(cl_waiting)
METRICS_POOL_FIELD(sv_active)
METRICS_POOL_FIELD(sv_idle)
METRICS_POOL_FIELD(sv_used)
METRICS_POOL_FIELD(sv_tested)
METRICS_POOL_FIELD(sv_login)

static double metrics_pool_maxwait(const struct admin_pool_count *p)
{
    return (double)p->maxwait_us / 1e6;
}

static int metrics_pool_cmp(const void *a, const void *b)
{
    const struct admin_pool_count *x = a, *y = b;
    int c = strcmp(x->database, y->database);
    return c ? c : strcmp(x->user, y->user);
}

/* ---- traffic per database (SHOW STATS) ---- */

/* One counter per database; scale turns the counter into the metric's unit. */
static void metrics_stats(struct evbuffer *out, const struct stats_db *dbs, size_t n_dbs,
                          const char *name, const char *help, enum stats_counter which,
                          double scale)
{
    metrics_family(out, name, "counter", help);
    for (size_t i = 0; i < n_dbs; i++) {
        evbuffer_add_printf(out, "%s{", name);
        metrics_label(out, true, "database", dbs[i].name);
        evbuffer_add(out, "}", 1);
        metrics_value(out, (double)dbs[i].total.v[which] * scale);
    }
}

/* ---- databases (SHOW DATABASES) ---- */

enum metrics_db_field {
    METRICS_DB_POOL_SIZE,
    METRICS_DB_RESERVE_POOL_SIZE,
    METRICS_DB_MAX_CONNECTIONS,
    METRICS_DB_CURRENT_CONNECTIONS,
    METRICS_DB_PAUSED,
    METRICS_DB_DISABLED,
};

static double metrics_db_field(const struct config *cfg, const struct db_config *db,
                               const struct admin_pool_count *pools, int n_pools,
                               enum metrics_db_field f)
{
    int n = 0;

    switch (f) {
    case METRICS_DB_POOL_SIZE:
        return config_pool_size(cfg, db);
    case METRICS_DB_RESERVE_POOL_SIZE:
        return db->reserve_pool_size >= 0 ? db->reserve_pool_size : cfg->reserve_pool_size;
    case METRICS_DB_MAX_CONNECTIONS:
        return db->max_db_connections >= 0 ? db->max_db_connections : cfg->max_db_connections;
    case METRICS_DB_CURRENT_CONNECTIONS:
        for (int i = 0; i < n_pools; i++)
            if (strcmp(pools[i].database, db->name) == 0)
                n += pools[i].n_servers;
        return n;
    case METRICS_DB_PAUSED:
        return control_db_paused_itself(db->name) || control_all_paused() || control_suspended();
    case METRICS_DB_DISABLED:
        return control_disabled(db->name);
    }
    return 0;
}

static void metrics_databases(struct evbuffer *out, const struct config *cfg,
                              const struct admin_pool_count *pools, int n_pools)
{
    static const struct {
        const char *name, *help;
    } fams[] = {
        [METRICS_DB_POOL_SIZE] = {"myrmex_databases_pool_size",
                                  "Server connections a pool of the database may open."},
        [METRICS_DB_RESERVE_POOL_SIZE] = {"myrmex_databases_reserve_pool_size",
                                          "Extra server connections when clients wait too long."},
        [METRICS_DB_MAX_CONNECTIONS] = {"myrmex_databases_max_connections",
                                        "Server connections the database may have (0: no limit)."},
        [METRICS_DB_CURRENT_CONNECTIONS] = {"myrmex_databases_current_connections",
                                            "Server connections the database has now."},
        [METRICS_DB_PAUSED] = {"myrmex_databases_paused", "1 when the database is paused."},
        [METRICS_DB_DISABLED] = {"myrmex_databases_disabled",
                                 "1 when new clients of the database are refused."},
    };

    for (size_t f = 0; f < sizeof(fams) / sizeof(fams[0]); f++) {
        metrics_family(out, fams[f].name, "gauge", fams[f].help);
        for (size_t i = 0; i < cfg->n_dbs; i++) {
            const struct db_config *db = &cfg->dbs[i];
            evbuffer_add_printf(out, "%s{", fams[f].name);
            metrics_label(out, true, "name", db->name);
            metrics_label(out, false, "backend",
                          db->backend == DB_BACKEND_SQLITE ? "sqlite" : "postgresql");
            evbuffer_add(out, "}", 1);
            metrics_value(out, metrics_db_field(cfg, db, pools, n_pools, (enum metrics_db_field)f));
        }
    }
}

/* ---- queries (the monitor) ---- */

static int metrics_row_cmp(const void *a, const void *b)
{
    const struct mon_row *x = *(const struct mon_row *const *)a;
    const struct mon_row *y = *(const struct mon_row *const *)b;
    if (x->total_ms != y->total_ms)
        return x->total_ms < y->total_ms ? 1 : -1;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static void metrics_query_labels(struct evbuffer *out, const char *name, const char *suffix,
                                 const struct mon_row *r)
{
    char fp[17];

    mon_fp_format(r->fp, fp);
    evbuffer_add_printf(out, "%s%s{", name, suffix);
    metrics_label(out, true, "database", r->db);
    metrics_label(out, false, "user", r->user);
    metrics_label(out, false, "fingerprint", fp);
}

static void metrics_queries(struct evbuffer *out, struct mon_row *const *top, int n)
{
    static const char *const hname = "myrmex_query_duration_seconds";
    static const struct {
        const char *name, *help;
        size_t offset;
    } counters[] = {
        {"myrmex_query_calls_total", "Statements run, per fingerprint (the heaviest by time).",
         offsetof(struct mon_row, calls)},
        {"myrmex_query_errors_total", "Statements that failed, per fingerprint.",
         offsetof(struct mon_row, errors)},
        {"myrmex_query_rows_total", "Rows returned or affected, per fingerprint.",
         offsetof(struct mon_row, rows)},
    };

    metrics_family(out, hname, "histogram",
                   "Statement latency, first message to completion, for the "
                   "monitor_top_fingerprints heaviest fingerprints by total time.");
    for (int i = 0; i < n; i++) {
        const struct mon_row *r = top[i];
        for (size_t b = 0; b < sizeof(metrics_buckets) / sizeof(metrics_buckets[0]); b++) {
            uint64_t le = hist_count_le(&r->hist, metrics_buckets[b].ns);
            /* Cumulative counts never exceed the +Inf bucket, which is calls. */
            if (le > r->calls)
                le = r->calls;
            metrics_query_labels(out, hname, "_bucket", r);
            metrics_label(out, false, "le", metrics_buckets[b].le);
            evbuffer_add_printf(out, "} %llu\n", (unsigned long long)le);
        }
        metrics_query_labels(out, hname, "_bucket", r);
        evbuffer_add_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)r->calls);
        metrics_query_labels(out, hname, "_sum", r);
        evbuffer_add(out, "}", 1);
        metrics_value(out, r->total_ms / 1000.0);
        metrics_query_labels(out, hname, "_count", r);
        evbuffer_add_printf(out, "} %llu\n", (unsigned long long)r->calls);
    }
    for (size_t c = 0; c < sizeof(counters) / sizeof(counters[0]); c++) {
        metrics_family(out, counters[c].name, "counter", counters[c].help);
        for (int i = 0; i < n; i++) {
            uint64_t v;
            memcpy(&v, (const char *)top[i] + counters[c].offset, sizeof(v));
            metrics_query_labels(out, counters[c].name, "", top[i]);
            evbuffer_add_printf(out, "} %llu\n", (unsigned long long)v);
        }
    }
}

/* ---- alerts ---- */

static int metrics_alert_cmp(const void *a, const void *b)
{
    const struct mon_alert *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    if (c == 0)
        c = (int)x->severity - (int)y->severity;
    return c ? c : strcmp(x->db, y->db);
}

/*
 * One sample per (name, severity, database): 1 for an alert, the count when several share
 * the labels (p99 of two fingerprints of one database), since a series must not repeat.
 */
static void metrics_alerts(struct evbuffer *out)
{
    struct mon_alert *alerts = NULL;
    int n = mon_alert_list(&alerts);

    if (n < 0)
        n = 0;
    if (n > 1)
        qsort(alerts, (size_t)n, sizeof(*alerts), metrics_alert_cmp);
    metrics_family(out, "myrmex_alerts", "gauge",
                   "Active alerts (SHOW ALERTS) by name, severity and database.");
    for (int i = 0; i < n;) {
        int j = i + 1;
        while (j < n && metrics_alert_cmp(&alerts[i], &alerts[j]) == 0)
            j++;
        evbuffer_add(out, "myrmex_alerts{", 14);
        metrics_label(out, true, "name", alerts[i].name);
        metrics_label(out, false, "severity", mon_severity_name(alerts[i].severity));
        metrics_label(out, false, "database", alerts[i].db);
        evbuffer_add_printf(out, "} %d\n", j - i);
        i = j;
    }
    metrics_family(out, "myrmex_alerts_active", "gauge", "Active alerts in all.");
    evbuffer_add_printf(out, "myrmex_alerts_active %d\n", n);
    free(alerts);
}

/* ---- the page ---- */

static int metrics_build(struct evbuffer *out, const char **type, const char *query, void *arg)
{
    const struct config *cfg = proxy_config();
    struct admin_pool_count *pools = NULL;
    struct stats_db *dbs = NULL;
    size_t n_dbs;
    struct mon_row *rows = NULL, **top = NULL;
    bool complete;
    int n_pools, n_rows, n_top = 0;

    (void)query;
    (void)arg;
    *type = METRICS_TYPE;
    n_pools = admin_pool_counts(&pools, &complete);
    if (n_pools > 1)
        qsort(pools, (size_t)n_pools, sizeof(*pools), metrics_pool_cmp);
    n_dbs = stats_by_database(&dbs, NULL);

    metrics_family(out, "myrmex_up", "gauge",
                   "1 when every worker answered for this scrape (0: some are stopping).");
    evbuffer_add_printf(out, "myrmex_up %d\n", complete ? 1 : 0);
    metrics_family(out, "myrmex_config_max_client_connections", "gauge",
                   "Client connections the proxy accepts (max_client_conn).");
    evbuffer_add_printf(out, "myrmex_config_max_client_connections %d\n", cfg->max_client_conn);

    metrics_pools(out, pools, n_pools, "myrmex_pools_client_active_connections",
                  "Clients logged in and not waiting for a server.", metrics_pool_cl_active);
    metrics_pools(out, pools, n_pools, "myrmex_pools_client_waiting_connections",
                  "Clients waiting for a server.", metrics_pool_cl_waiting);
    metrics_pools(out, pools, n_pools, "myrmex_pools_server_active_connections",
                  "Server connections linked to a client.", metrics_pool_sv_active);
    metrics_pools(out, pools, n_pools, "myrmex_pools_server_idle_connections",
                  "Server connections idle and ready.", metrics_pool_sv_idle);
    metrics_pools(out, pools, n_pools, "myrmex_pools_server_used_connections",
                  "Idle server connections to be checked before their next use.",
                  metrics_pool_sv_used);
    metrics_pools(out, pools, n_pools, "myrmex_pools_server_testing_connections",
                  "Server connections running their reset or check query.", metrics_pool_sv_tested);
    metrics_pools(out, pools, n_pools, "myrmex_pools_server_login_connections",
                  "Server connections connecting or logging in.", metrics_pool_sv_login);
    metrics_pools(out, pools, n_pools, "myrmex_pools_client_maxwait_seconds",
                  "The longest wait for a server of a client waiting now.", metrics_pool_maxwait);

    metrics_stats(out, dbs, n_dbs, "myrmex_stats_queries_pooled_total",
                  "Queries (up to their ReadyForQuery) run through the pools.", STATS_QUERIES, 1);
    metrics_stats(out, dbs, n_dbs, "myrmex_stats_queries_duration_seconds_total",
                  "Time spent in queries, first message to ReadyForQuery.", STATS_QUERY_TIME, 1e-6);
    metrics_stats(out, dbs, n_dbs, "myrmex_stats_sql_transactions_pooled_total",
                  "Transactions (and autocommit statements) run through the pools.", STATS_XACTS,
                  1);
    metrics_stats(out, dbs, n_dbs, "myrmex_stats_server_in_transaction_seconds_total",
                  "Time spent in transactions.", STATS_XACT_TIME, 1e-6);
    metrics_stats(out, dbs, n_dbs, "myrmex_stats_server_assignments_total",
                  "Times a server connection was given to a client.", STATS_ASSIGNMENTS, 1);
    metrics_stats(out, dbs, n_dbs, "myrmex_stats_received_bytes_total",
                  "Bytes received from clients.", STATS_RECEIVED, 1);
    metrics_stats(out, dbs, n_dbs, "myrmex_stats_sent_bytes_total",
                  "Bytes sent by servers to their clients.", STATS_SENT, 1);
    metrics_stats(out, dbs, n_dbs, "myrmex_stats_client_wait_seconds_total",
                  "Time clients spent waiting for a server.", STATS_WAIT_TIME, 1e-6);

    metrics_databases(out, cfg, pools, n_pools);

    n_rows = mon_snapshot(&rows, NULL);
    if (n_rows > 0) {
        top = xcalloc((size_t)n_rows, sizeof(*top));
        for (int i = 0; i < n_rows; i++)
            top[i] = &rows[i];
        qsort(top, (size_t)n_rows, sizeof(*top), metrics_row_cmp);
        n_top = cfg->monitor_top_fingerprints < n_rows ? cfg->monitor_top_fingerprints : n_rows;
        if (n_top < 0)
            n_top = 0;
    }
    metrics_queries(out, top, n_top);
    metrics_alerts(out);

    free(top);
    if (n_rows >= 0)
        mon_rows_free(rows, n_rows);
    free(dbs);
    free(pools);
    return 200;
}

static void metrics_handle(struct evhttp_request *req, void *arg)
{
    (void)arg;
    http_defer(req, metrics_build, NULL);
}

void metrics_register(void)
{
    http_route("/metrics", metrics_handle, NULL);
}
