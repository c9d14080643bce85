/*
 * The monitor's console commands (DESIGN.md section 5): SHOW QUERIES, SHOW QUERY <queryid>
 * [db], SHOW QUERY HISTORY <queryid> [db], SHOW SLOW, SHOW BOTTLENECKS, SHOW ALERTS and
 * RESET QUERIES. They read copies the monitor hands out (monitor/monitor.h,
 * monitor/history.h) and free them before returning; they own no state.
 *
 * Column names follow pg_stat_statements where it has the column (calls, total_exec_time,
 * mean_exec_time, ..., rows); times are float8 milliseconds as there, counts int8, a queryid
 * 16 hex digits (text: the fingerprint is unsigned), timestamps text as in SHOW JOBS.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin_bottleneck.h"
#include "admin/admin_parse.h"
#include "admin_int.h"
#include "monitor/history.h"
#include "monitor/monitor.h"

#define ADMIN_MON_SLOW_DEFAULT 100 /* SHOW SLOW rows without LIMIT */
#define ADMIN_MON_BOTTLENECKS  10  /* SHOW BOTTLENECKS rows per database */
#define ADMIN_MON_NS_PER_MS    1e6

static void admin_mon_oom(struct admin_result *r)
{
    admin_result_error(r, "53200", "out of memory");
}

/* cmd's word i (after the verb), or NULL when there is none. */
static const char *admin_mon_word(const struct admin_parse_cmd *cmd, int i)
{
    return i < cmd->n_words ? cmd->words[i] : NULL;
}

static bool admin_mon_is(const struct admin_parse_cmd *cmd, int i, const char *keyword)
{
    return i < cmd->n_words && !cmd->string[i] && strcmp(cmd->words[i], keyword) == 0;
}

/* LIMIT's argument: a whole number, 0..INT_MAX. false with the error set in r. */
static bool admin_mon_limit(const struct admin_parse_cmd *cmd, int i, int *limit,
                            struct admin_result *r)
{
    const char *s = admin_mon_word(cmd, i);
    char *end;
    long n;

    if (!s || cmd->string[i]) {
        admin_result_error(r, "42601", "bad arguments: LIMIT takes a number of rows");
        return false;
    }
    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || *end || end == s || n < 0 || n > INT_MAX) {
        admin_result_error(r, "42601", "bad arguments: LIMIT takes a number of rows, not \"%s\"",
                           s);
        return false;
    }
    *limit = (int)n;
    return true;
}

/* A queryid argument: 16 hex digits. false with 22P02 set in r. */
static bool admin_mon_queryid(const struct admin_parse_cmd *cmd, int i, uint64_t *fp,
                              struct admin_result *r)
{
    const char *s = admin_mon_word(cmd, i);

    if (!s) {
        admin_result_error(r, "42601", "bad arguments: a queryid (16 hex digits) is needed");
        return false;
    }
    if (strlen(s) != 16 || !mon_fp_parse(s, fp)) {
        admin_result_error(r, "22P02", "invalid queryid: \"%s\" (16 hex digits expected)", s);
        return false;
    }
    return true;
}

/* ---- SHOW QUERIES ---------------------------------------------------------------------------- */

enum admin_mon_key {
    KEY_TOTAL_TIME,
    KEY_MEAN_TIME,
    KEY_P99,
    KEY_CALLS,
    KEY_WAIT_TIME,
    KEY_ERRORS,
    KEY_ROWS,
};

/* ORDER BY keys: the short names, and the columns they sort. */
static const struct {
    const char *name, *column;
    enum admin_mon_key key;
} admin_mon_keys[] = {
    {"total_time", "total_exec_time", KEY_TOTAL_TIME},
    {"mean_time", "mean_exec_time", KEY_MEAN_TIME},
    {"p99", "p99", KEY_P99},
    {"calls", "calls", KEY_CALLS},
    {"wait_time", "total_wait_time", KEY_WAIT_TIME},
    {"errors", "errors", KEY_ERRORS},
    {"rows", "rows", KEY_ROWS},
};

static bool admin_mon_key_of(const char *word, enum admin_mon_key *key)
{
    for (size_t i = 0; i < sizeof(admin_mon_keys) / sizeof(admin_mon_keys[0]); i++)
        if (strcmp(word, admin_mon_keys[i].name) == 0 ||
            strcmp(word, admin_mon_keys[i].column) == 0) {
            *key = admin_mon_keys[i].key;
            return true;
        }
    return false;
}

static double admin_mon_key_value(const struct mon_row *row, enum admin_mon_key key)
{
    switch (key) {
    case KEY_MEAN_TIME:
        return row->mean_ms;
    case KEY_P99:
        return row->p99_ms;
    case KEY_CALLS:
        return (double)row->calls;
    case KEY_WAIT_TIME:
        return row->wait_ms;
    case KEY_ERRORS:
        return (double)row->errors;
    case KEY_ROWS:
        return (double)row->rows;
    case KEY_TOTAL_TIME:
    default:
        return row->total_ms;
    }
}

/* A row's place in the order: key (negated for DESC), then the heaviest, then a fixed order. */
struct admin_mon_order {
    double key, total_ms;
    const struct mon_row *row;
};

static int admin_mon_order_cmp(const void *a, const void *b)
{
    const struct admin_mon_order *x = a, *y = b;
    int c;

    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->total_ms != y->total_ms)
        return x->total_ms > y->total_ms ? -1 : 1;
    c = strcmp(x->row->db, y->row->db);
    if (c)
        return c;
    c = strcmp(x->row->user, y->row->user);
    if (c)
        return c;
    return x->row->fp < y->row->fp ? -1 : x->row->fp > y->row->fp;
}

static const char *const admin_mon_usage_queries =
    "bad arguments: use SHOW QUERIES [db] [ORDER BY total_time|mean_time|p99|calls|wait_time|"
    "errors|rows [ASC|DESC]] [LIMIT n]";

void admin_show_queries(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                        struct admin_result *r)
{
    const char *db = NULL;
    enum admin_mon_key key = KEY_TOTAL_TIME;
    bool desc = true;
    int limit = -1, i = 1, n;
    struct mon_row *rows = NULL;
    struct admin_mon_order *order;

    (void)ctx;
    if (i < cmd->n_words && !admin_mon_is(cmd, i, "order") && !admin_mon_is(cmd, i, "limit"))
        db = cmd->words[i++];
    if (admin_mon_is(cmd, i, "order")) {
        if (!admin_mon_is(cmd, i + 1, "by") || i + 2 >= cmd->n_words || cmd->string[i + 2]) {
            admin_result_error(r, "42601", "%s", admin_mon_usage_queries);
            return;
        }
        if (!admin_mon_key_of(cmd->words[i + 2], &key)) {
            admin_result_error(r, "42601",
                               "bad arguments: cannot order SHOW QUERIES by \"%s\": use "
                               "total_time, mean_time, p99, calls, wait_time, errors or rows",
                               cmd->words[i + 2]);
            return;
        }
        i += 3;
        if (admin_mon_is(cmd, i, "asc") || admin_mon_is(cmd, i, "desc"))
            desc = strcmp(cmd->words[i++], "desc") == 0;
    }
    if (admin_mon_is(cmd, i, "limit")) {
        if (!admin_mon_limit(cmd, i + 1, &limit, r))
            return;
        i += 2;
    }
    if (i < cmd->n_words) {
        admin_result_error(r, "42601", "%s", admin_mon_usage_queries);
        return;
    }

    n = mon_snapshot(&rows, db);
    if (n < 0) {
        admin_mon_oom(r);
        return;
    }
    order = calloc((size_t)n + 1, sizeof(*order));
    if (!order) {
        mon_rows_free(rows, n);
        admin_mon_oom(r);
        return;
    }
    for (int k = 0; k < n; k++) {
        double v = admin_mon_key_value(&rows[k], key);
        order[k] = (struct admin_mon_order){desc ? -v : v, rows[k].total_ms, &rows[k]};
    }
    if (n > 1)
        qsort(order, (size_t)n, sizeof(*order), admin_mon_order_cmp);

    admin_result_columns(r, "ssssqfffffqqffffffTT", "database", "user", "queryid", "query", "calls",
                         "total_exec_time", "min_exec_time", "max_exec_time", "mean_exec_time",
                         "stddev_exec_time", "rows", "errors", "p50", "p95", "p99", "p999",
                         "total_wait_time", "mean_wait_time", "first_seen", "last_seen");
    for (int k = 0; k < n && (limit < 0 || k < limit); k++) {
        const struct mon_row *row = order[k].row;
        char id[17];
        mon_fp_format(row->fp, id);
        admin_result_row(r, row->db, row->user, id, row->query, (int64_t)row->calls, row->total_ms,
                         row->min_ms, row->max_ms, row->mean_ms, row->stddev_ms, (int64_t)row->rows,
                         (int64_t)row->errors, row->p50_ms, row->p95_ms, row->p99_ms, row->p999_ms,
                         row->wait_ms, row->calls ? row->wait_ms / (double)row->calls : 0.0,
                         row->first_seen, row->last_seen);
    }
    free(order);
    mon_rows_free(rows, n);
}

/* ---- SHOW QUERY <queryid> [db], SHOW QUERY HISTORY <queryid> [db] ---------------------------- */

static void admin_show_query_history(const struct admin_parse_cmd *cmd, struct admin_result *r)
{
    uint64_t fp;
    struct mon_minute *m = NULL;
    int n;

    if (admin_too_many_words(cmd, 4, r) || !admin_mon_queryid(cmd, 2, &fp, r))
        return;
    n = history_query(fp, admin_mon_word(cmd, 3), 0, &m);
    if (n < 0) {
        admin_result_error(r, "58030", "could not read the query history (see the log)");
        return;
    }
    admin_result_columns(r, "Tssqqqfffffff", "minute", "database", "user", "calls", "errors",
                         "rows", "total_ms", "mean_ms", "wait_ms", "p50_ms", "p95_ms", "p99_ms",
                         "max_ms");
    for (int i = 0; i < n; i++)
        admin_result_row(r, m[i].minute * 1000, m[i].db, m[i].user, (int64_t)m[i].calls,
                         (int64_t)m[i].errors, (int64_t)m[i].rows, m[i].total_ms,
                         m[i].calls ? m[i].total_ms / (double)m[i].calls : 0.0, m[i].wait_ms,
                         m[i].p50_ms, m[i].p95_ms, m[i].p99_ms, m[i].max_ms);
    free(m);
}

/* The histogram of one fingerprint, one row per non-empty bucket per (database, user). */
void admin_show_query(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r)
{
    enum { MAX_BUCKETS = (HIST_BLOCKS + 1) * HIST_SUB };
    struct hist_bucket *b;
    struct mon_row *rows = NULL;
    uint64_t fp;
    int n;

    (void)ctx;
    if (admin_mon_is(cmd, 1, "history")) {
        admin_show_query_history(cmd, r);
        return;
    }
    if (admin_too_many_words(cmd, 3, r) || !admin_mon_queryid(cmd, 1, &fp, r))
        return;
    n = mon_snapshot(&rows, admin_mon_word(cmd, 2));
    if (n < 0) {
        admin_mon_oom(r);
        return;
    }
    b = malloc(MAX_BUCKETS * sizeof(*b));
    if (!b) {
        mon_rows_free(rows, n);
        admin_mon_oom(r);
        return;
    }
    admin_result_columns(r, "ssffqf", "database", "user", "lo_ms", "hi_ms", "count",
                         "cumulative_percent");
    for (int i = 0; i < n; i++) {
        uint64_t seen = 0;
        int nb;
        if (rows[i].fp != fp || rows[i].hist.count == 0)
            continue;
        nb = hist_buckets(&rows[i].hist, b, MAX_BUCKETS);
        if (nb > MAX_BUCKETS)
            nb = MAX_BUCKETS;
        for (int k = 0; k < nb; k++) {
            seen += b[k].count;
            admin_result_row(r, rows[i].db, rows[i].user, (double)b[k].lo / ADMIN_MON_NS_PER_MS,
                             (double)b[k].hi / ADMIN_MON_NS_PER_MS, (int64_t)b[k].count,
                             100.0 * (double)seen / (double)rows[i].hist.count);
        }
    }
    free(b);
    mon_rows_free(rows, n);
}

/* ---- SHOW SLOW [db] [LIMIT n] -----------------------------------------------------------------
 */

void admin_show_slow(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                     struct admin_result *r)
{
    const char *db = NULL;
    int limit = ADMIN_MON_SLOW_DEFAULT, i = 1, n;
    struct mon_slow *s = NULL;

    (void)ctx;
    if (i < cmd->n_words && !admin_mon_is(cmd, i, "limit"))
        db = cmd->words[i++];
    if (admin_mon_is(cmd, i, "limit")) {
        if (!admin_mon_limit(cmd, i + 1, &limit, r))
            return;
        i += 2;
    }
    if (i < cmd->n_words) {
        admin_result_error(r, "42601", "bad arguments: use SHOW SLOW [db] [LIMIT n]");
        return;
    }
    n = limit > 0 ? mon_slow_list(&s, db, limit) : 0;
    if (n < 0) {
        admin_mon_oom(r);
        return;
    }
    admin_result_columns(r, "Tssssffssss", "at", "database", "user", "application_name",
                         "client_addr", "duration_ms", "wait_ms", "sqlstate", "queryid", "query",
                         "parameters");
    for (int k = 0; k < n && k < limit; k++) {
        char id[17];
        mon_fp_format(s[k].fp, id);
        admin_result_row(r, s[k].at, s[k].db, s[k].user, s[k].app, s[k].addr[0] ? s[k].addr : NULL,
                         s[k].ms, s[k].wait_ms, s[k].sqlstate[0] ? s[k].sqlstate : NULL, id,
                         s[k].text, s[k].params);
    }
    mon_slow_free(s, n);
}

/* ---- SHOW BOTTLENECKS [db] ------------------------------------------------------------------- */

/* A fingerprint and its share of its database's execution time. */
struct admin_mon_share {
    const struct mon_row *row;
    double share;
};

static int admin_mon_share_cmp(const void *a, const void *b)
{
    const struct admin_mon_share *x = a, *y = b;
    int c = strcmp(x->row->db, y->row->db);

    if (c)
        return c;
    if (x->share != y->share)
        return x->share > y->share ? -1 : 1;
    c = strcmp(x->row->user, y->row->user);
    if (c)
        return c;
    return x->row->fp < y->row->fp ? -1 : x->row->fp > y->row->fp;
}

void admin_show_bottlenecks(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                            struct admin_result *r)
{
    struct mon_row *rows = NULL;
    struct admin_mon_share *s;
    const char *db = NULL;
    int n, shown = 0;

    (void)ctx;
    if (admin_too_many_words(cmd, 2, r))
        return;
    n = mon_snapshot(&rows, admin_mon_word(cmd, 1));
    if (n < 0) {
        admin_mon_oom(r);
        return;
    }
    s = calloc((size_t)n + 1, sizeof(*s));
    if (!s) {
        mon_rows_free(rows, n);
        admin_mon_oom(r);
        return;
    }
    for (int i = 0; i < n; i++) {
        double db_ms = 0;
        for (int k = 0; k < n; k++)
            if (strcmp(rows[k].db, rows[i].db) == 0)
                db_ms += rows[k].total_ms;
        s[i].row = &rows[i];
        s[i].share = db_ms > 0 ? 100.0 * rows[i].total_ms / db_ms : 0;
    }
    if (n > 1)
        qsort(s, (size_t)n, sizeof(*s), admin_mon_share_cmp);

    admin_result_columns(r, "ssssqffffs", "database", "user", "queryid", "query", "calls",
                         "share_of_time", "wait_share", "error_rate", "p99", "suggestion");
    for (int i = 0; i < n; i++) {
        const struct mon_row *row = s[i].row;
        double busy = row->total_ms + row->wait_ms;
        struct admin_bottleneck_in in = {
            .db = row->db,
            .calls = row->calls,
            .errors = row->errors,
            .exec_ms = row->total_ms,
            .wait_ms = row->wait_ms,
            .span_s = (double)(row->last_seen - row->first_seen) / 1000.0,
        };
        char id[17], suggestion[256];

        if (row->calls == 0)
            continue;
        if (!db || strcmp(db, row->db) != 0) {
            db = row->db;
            shown = 0;
        }
        if (shown++ >= ADMIN_MON_BOTTLENECKS)
            continue;
        mon_fp_format(row->fp, id);
        admin_bottleneck_suggest(&in, suggestion, sizeof(suggestion));
        admin_result_row(r, row->db, row->user, id, row->query, (int64_t)row->calls, s[i].share,
                         busy > 0 ? 100.0 * row->wait_ms / busy : 0.0,
                         100.0 * (double)row->errors / (double)row->calls, row->p99_ms, suggestion);
    }
    free(s);
    mon_rows_free(rows, n);
}

/* ---- SHOW ALERTS ----------------------------------------------------------------------------- */

void admin_show_alerts(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                       struct admin_result *r)
{
    struct mon_alert *a = NULL;
    int n;

    (void)ctx;
    if (admin_too_many_words(cmd, 1, r))
        return;
    n = mon_alert_list(&a);
    if (n < 0) {
        admin_mon_oom(r);
        return;
    }
    admin_result_columns(r, "sssTffss", "name", "severity", "database", "since", "value",
                         "threshold", "message", "suggestion");
    for (int i = 0; i < n; i++)
        admin_result_row(r, a[i].name, mon_severity_name(a[i].severity),
                         a[i].db[0] ? a[i].db : NULL, a[i].since, a[i].value, a[i].threshold,
                         a[i].message, a[i].suggestion[0] ? a[i].suggestion : NULL);
    free(a);
}

/* ---- RESET QUERIES [queryid] ----------------------------------------------------------------- */

void admin_cmd_reset(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                     struct admin_result *r)
{
    uint64_t fp = 0;

    (void)ctx;
    if (!admin_mon_is(cmd, 0, "queries")) {
        admin_result_error(r, "42601", "bad arguments: use RESET QUERIES [queryid]");
        return;
    }
    if (admin_too_many_words(cmd, 2, r))
        return;
    if (cmd->n_words == 2) {
        if (!admin_mon_queryid(cmd, 1, &fp, r))
            return;
        if (fp == 0) { /* no fingerprint is 0, and mon_reset(0) forgets them all */
            admin_result_tag(r, "RESET");
            return;
        }
    }
    mon_reset(fp);
    admin_result_tag(r, "RESET");
}
