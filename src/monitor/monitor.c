/*
 * The monitor's tables (monitor/monitor.h): each recording thread's own, the shared one they
 * are folded into, the recent past per database, the minute roll into the history, slow
 * statements and alerts.
 *
 * Locks: mon_lock guards the shared table and the per-database aggregates; slow_lock the slow
 * list and log; alert_lock the alerts; dbuser_lock the id table. Never two at once, except
 * mon_lock then alert_lock in the minute roll.
 */
#include "config.h" /* _GNU_SOURCE, for asprintf */

#include "monitor/monitor.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "monitor/fingerprint.h"
#include "monitor/history.h"
#include "monitor_int.h"
#include "client/client.h"
#include "pool/pool.h"
#include "util/log.h"
#include "util/util.h"

#define MON_MAX_DBUSER      4096 /* (database, user) pairs followed */
#define MON_MAX_DB          1024
#define MON_LOCAL_MIN       64   /* a thread's table (open addressing, power of two) grows */
#define MON_LOCAL_MAX       1024 /* up to this; past 3/4 of it, it is folded and emptied */
#define MON_SHAPE_SLOTS     2048 /* a thread's shape cache (direct mapped, power of two) */
#define MON_SLOW_RING       256
#define MON_RECENT_POINTS   (3600 / MON_POINT_SECONDS)
#define MON_MAX_ALERTS      256
#define MON_ALERT_MIN_CALLS 10 /* a minute with fewer calls says nothing about p99 or errors */

/* ---------------------------------------------------------------------------------------- */
/* Options */

static _Atomic bool mon_on = true;
static _Atomic int64_t mon_slow_ns = 1000000000;
static _Atomic bool mon_params;
static _Atomic int mon_max_entries = 5000;
static _Atomic int64_t mon_wait_alert_ms = 5000;
static _Atomic int64_t mon_p99_alert_ns = 1000000000;
static _Atomic int mon_error_rate_pct = 10;
static _Atomic int64_t mon_login_retry_ms = 15000;

bool monitor_enabled(void)
{
    return atomic_load_explicit(&mon_on, memory_order_relaxed);
}

int64_t mon_slow_threshold_ns(void)
{
    return atomic_load_explicit(&mon_slow_ns, memory_order_relaxed);
}

bool mon_wants_bind(void)
{
    return mon_slow_threshold_ns() > 0 && mon_slow_parameters();
}

bool mon_slow_parameters(void)
{
    return atomic_load_explicit(&mon_params, memory_order_relaxed);
}

int64_t mon_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t mon_wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mon_fp_format(uint64_t fp, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)fp);
}

bool mon_fp_parse(const char *s, uint64_t *fp)
{
    uint64_t v = 0;
    size_t n = strlen(s);
    if (n == 0 || n > 16)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9'   ? c - '0'
                : c >= 'a' && c <= 'f' ? c - 'a' + 10
                : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                       : -1;
        if (d < 0)
            return false;
        v = v << 4 | (uint64_t)d;
    }
    *fp = v;
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* (database, user) ids */

static pthread_mutex_t dbuser_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    char *db, *user;
    int dbidx;
} dbusers[MON_MAX_DBUSER];
static _Atomic int n_dbusers;
static char *dbnames[MON_MAX_DB];
static int n_dbnames;

int mon_dbuser(const char *db, const char *user)
{
    int id = -1, n;

    pthread_mutex_lock(&dbuser_lock);
    n = atomic_load_explicit(&n_dbusers, memory_order_relaxed);
    for (int i = 0; i < n; i++)
        if (strcmp(dbusers[i].db, db) == 0 && strcmp(dbusers[i].user, user) == 0) {
            id = i;
            break;
        }
    if (id < 0 && n < MON_MAX_DBUSER) {
        int dbidx = -1;
        for (int i = 0; i < n_dbnames; i++)
            if (strcmp(dbnames[i], db) == 0)
                dbidx = i;
        if (dbidx < 0 && n_dbnames < MON_MAX_DB) {
            dbnames[n_dbnames] = strdup(db);
            if (dbnames[n_dbnames])
                dbidx = n_dbnames++;
        }
        dbusers[n].db = strdup(db);
        dbusers[n].user = strdup(user);
        dbusers[n].dbidx = dbidx;
        if (dbusers[n].db && dbusers[n].user && dbidx >= 0) {
            id = n;
            atomic_store_explicit(&n_dbusers, n + 1, memory_order_release);
        } else {
            free(dbusers[n].db);
            free(dbusers[n].user);
        }
    }
    pthread_mutex_unlock(&dbuser_lock);
    return id;
}

void mon_dbuser_names(int id, const char **db, const char **user)
{
    /* Entries below n_dbusers never change once published. */
    *db = dbusers[id].db;
    *user = dbusers[id].user;
}

static void mon_copy_name(char dst[MON_NAME_MAX], const char *src)
{
    snprintf(dst, MON_NAME_MAX, "%s", src ? src : "");
}

/* ---------------------------------------------------------------------------------------- */
/* Counts of one key: a thread's since its last fold, or the shared table's. */

struct mon_counts {
    uint64_t calls, errors, rows;
    uint64_t total_ns, wait_ns, min_ns, max_ns;
    double mean_ns, m2; /* Welford: mean and sum of squared deviations, for stddev */
};

static void counts_add_one(struct mon_counts *c, uint64_t ns, uint64_t wait_ns, uint64_t rows,
                           bool error)
{
    double d;

    c->calls++;
    c->errors += error;
    c->rows += rows;
    c->total_ns += ns;
    c->wait_ns += wait_ns;
    if (c->calls == 1 || ns < c->min_ns)
        c->min_ns = ns;
    if (ns > c->max_ns)
        c->max_ns = ns;
    d = (double)ns - c->mean_ns;
    c->mean_ns += d / (double)c->calls;
    c->m2 += d * ((double)ns - c->mean_ns);
}

/* a += b (Chan et al. for the variance). */
static void counts_merge(struct mon_counts *a, const struct mon_counts *b)
{
    double n, d;

    if (b->calls == 0)
        return;
    if (a->calls == 0 || b->min_ns < a->min_ns)
        a->min_ns = b->min_ns;
    if (b->max_ns > a->max_ns)
        a->max_ns = b->max_ns;
    n = (double)(a->calls + b->calls);
    d = b->mean_ns - a->mean_ns;
    a->m2 += b->m2 + d * d * (double)a->calls * (double)b->calls / n;
    a->mean_ns += d * (double)b->calls / n;
    a->calls += b->calls;
    a->errors += b->errors;
    a->rows += b->rows;
    a->total_ns += b->total_ns;
    a->wait_ns += b->wait_ns;
}

/* ---------------------------------------------------------------------------------------- */
/* A recording thread's table and shape cache */

struct mon_local {
    uint64_t fp; /* 0: free slot */
    int dbuser;
    bool dirty;
    char *text; /* its normalized text, when this thread's shape cache had it */
    struct mon_counts c;
    struct hist hist;
};

struct mon_shape {
    uint64_t shape; /* 0: empty */
    int n;          /* statements; fps/norms hold min(n, FP_MAX_STATEMENTS) */
    uint64_t *fps;
    char **norms;
};

struct mon_shard {
    struct mon_local *tab; /* cap slots */
    int cap, n_used;
    int *dirty; /* cap indexes */
    int n_dirty;
    struct mon_shape shapes[MON_SHAPE_SLOTS];
};

static __thread struct mon_shard *mon_me;

static uint64_t mon_key_hash(int dbuser, uint64_t fp)
{
    uint64_t h = fp ^ ((uint64_t)(uint32_t)dbuser * 0x9e3779b97f4a7c15ULL);
    h ^= h >> 31;
    h *= 0xbf58476d1ce4e5b9ULL;
    return h ^ (h >> 29);
}

/* A table of cap slots for sh (the entries, all clean, are moved); false when out of memory. */
static bool mon_local_resize(struct mon_shard *sh, int cap)
{
    struct mon_local *tab = calloc((size_t)cap, sizeof(*tab));
    int *dirty = calloc((size_t)cap, sizeof(*dirty));

    if (!tab || !dirty) {
        free(tab);
        free(dirty);
        return false;
    }
    for (int i = 0; i < sh->cap; i++) {
        const struct mon_local *e = &sh->tab[i];
        size_t k;
        if (!e->fp)
            continue;
        k = mon_key_hash(e->dbuser, e->fp) & (size_t)(cap - 1);
        while (tab[k].fp)
            k = (k + 1) & (size_t)(cap - 1);
        tab[k] = *e;
    }
    free(sh->tab);
    free(sh->dirty);
    sh->tab = tab;
    sh->dirty = dirty;
    sh->cap = cap;
    return true;
}

static struct mon_shard *mon_shard(void)
{
    if (!mon_me && (mon_me = calloc(1, sizeof(*mon_me))) != NULL &&
        !mon_local_resize(mon_me, MON_LOCAL_MIN)) {
        free(mon_me);
        mon_me = NULL;
    }
    return mon_me;
}

static void shape_free(struct mon_shape *s)
{
    int kept = s->n < FP_MAX_STATEMENTS ? s->n : FP_MAX_STATEMENTS;
    for (int i = 0; s->norms && i < kept; i++)
        free(s->norms[i]);
    free(s->norms);
    free(s->fps);
    memset(s, 0, sizeof(*s));
}

int mon_fingerprints(const char *text, size_t len, uint64_t *fps, int max)
{
    struct mon_shard *sh = mon_shard();
    uint64_t shape = fp_shape(text, len);
    struct mon_shape *slot;
    struct fp_statement st[FP_MAX_STATEMENTS];
    int n, kept;

    if (!sh)
        return 0;
    slot = &sh->shapes[shape & (MON_SHAPE_SLOTS - 1)];
    if (slot->shape != shape) {
        n = fp_compute(text, len, st, FP_MAX_STATEMENTS);
        if (n < 0)
            return 0;
        kept = n < FP_MAX_STATEMENTS ? n : FP_MAX_STATEMENTS;
        shape_free(slot);
        slot->fps = calloc((size_t)kept + 1, sizeof(*slot->fps));
        slot->norms = calloc((size_t)kept + 1, sizeof(*slot->norms));
        if (!slot->fps || !slot->norms) {
            shape_free(slot);
            fp_statements_free(st, kept);
            return 0;
        }
        for (int i = 0; i < kept; i++) {
            slot->fps[i] = st[i].fp;
            slot->norms[i] = st[i].normalized; /* taken over */
        }
        slot->n = n;
        slot->shape = shape;
    }
    kept = slot->n < FP_MAX_STATEMENTS ? slot->n : FP_MAX_STATEMENTS;
    for (int i = 0; i < kept && i < max; i++)
        fps[i] = slot->fps[i];
    return slot->n;
}

/* The normalized text of fp from this thread's shape cache, or NULL. */
static const char *mon_shard_text(const struct mon_shard *sh, uint64_t fp)
{
    for (int i = 0; i < MON_SHAPE_SLOTS; i++) {
        const struct mon_shape *s = &sh->shapes[i];
        int kept = s->n < FP_MAX_STATEMENTS ? s->n : FP_MAX_STATEMENTS;
        for (int j = 0; s->shape && j < kept; j++)
            if (s->fps[j] == fp)
                return s->norms[j];
    }
    return NULL;
}

void mon_thread_flush(void);

void mon_record(int dbuser, uint64_t fp, int64_t dur_ns, int64_t wait_ns, uint64_t rows, bool error)
{
    struct mon_shard *sh = mon_shard();
    struct mon_local *e;
    size_t i;

    if (!sh || dbuser < 0 || fp == 0)
        return;
    if (sh->n_used >= sh->cap * 3 / 4) {
        /* Fold first: dirty indexes do not survive a resize. At the largest size the fold
         * empties the table. */
        mon_thread_flush();
        if (sh->n_used >= sh->cap * 3 / 4 && !mon_local_resize(sh, sh->cap * 2))
            return;
    }
    i = mon_key_hash(dbuser, fp) & (size_t)(sh->cap - 1);
    while (sh->tab[i].fp && (sh->tab[i].fp != fp || sh->tab[i].dbuser != dbuser))
        i = (i + 1) & (size_t)(sh->cap - 1);
    e = &sh->tab[i];
    if (!e->fp) {
        const char *text = mon_shard_text(sh, fp); /* once per key while the table holds it */
        e->fp = fp;
        e->dbuser = dbuser;
        e->text = text ? strdup(text) : NULL;
        sh->n_used++;
    }
    counts_add_one(&e->c, dur_ns > 0 ? (uint64_t)dur_ns : 0, wait_ns > 0 ? (uint64_t)wait_ns : 0,
                   rows, error);
    hist_record(&e->hist, dur_ns > 0 ? (uint64_t)dur_ns : 0);
    if (!e->dirty) {
        e->dirty = true;
        sh->dirty[sh->n_dirty++] = (int)i;
    }
}

/* ---------------------------------------------------------------------------------------- */
/* The shared table and the per-database aggregates (mon_lock) */

struct mon_entry {
    struct mon_entry *next; /* hash chain */
    uint64_t fp;
    int dbuser;
    char *query;
    struct mon_counts c;
    struct hist hist;
    int64_t first_seen, last_seen; /* unix ms */
    /* The minute being filled (history, p99 alerts) and the decayed use (eviction). */
    struct mon_counts m;
    struct hist m_hist;
    double usage;
    bool p99_alert; /* raised on the minute so far */
};

struct mon_agg {
    uint64_t calls, errors, rows, total_ns, wait_ns, max_ns;
    struct hist hist;
};

struct mon_dbstate {
    struct mon_agg interval, minute;
    bool error_alert;
    struct mon_point *ring; /* MON_RECENT_POINTS, oldest overwritten */
    int ring_head, ring_n;
};

static pthread_mutex_t mon_lock = PTHREAD_MUTEX_INITIALIZER;
static bool mon_closed; /* monitor_free ran: a thread that outlived shutdown folds nothing */
#define MON_BUCKETS 16384
static struct mon_entry *mon_buckets[MON_BUCKETS];
static int mon_n_entries;
static struct mon_dbstate mon_dbs[MON_MAX_DB];

static void agg_add(struct mon_agg *a, const struct mon_counts *c, const struct hist *h)
{
    a->calls += c->calls;
    a->errors += c->errors;
    a->rows += c->rows;
    a->total_ns += c->total_ns;
    a->wait_ns += c->wait_ns;
    if (c->max_ns > a->max_ns)
        a->max_ns = c->max_ns;
    hist_merge(&a->hist, h);
}

static void agg_reset(struct mon_agg *a)
{
    struct hist h = a->hist;
    hist_clear(&h);
    memset(a, 0, sizeof(*a));
    a->hist = h;
}

static struct mon_entry **mon_find_slot(int dbuser, uint64_t fp)
{
    struct mon_entry **pp = &mon_buckets[mon_key_hash(dbuser, fp) & (MON_BUCKETS - 1)];
    while (*pp && ((*pp)->fp != fp || (*pp)->dbuser != dbuser))
        pp = &(*pp)->next;
    return pp;
}

static void mon_entry_free(struct mon_entry *e)
{
    free(e->query);
    hist_free(&e->hist);
    hist_free(&e->m_hist);
    free(e);
}

static int mon_score_cmp(const void *a, const void *b)
{
    const struct mon_entry *x = *(struct mon_entry *const *)a, *y = *(struct mon_entry *const *)b;
    double sx = x->usage + (double)x->m.calls, sy = y->usage + (double)y->m.calls;
    return sx < sy ? -1 : sx > sy;
}

/* Make room for one more entry: evict the least used twentieth. Under mon_lock. */
static void mon_evict(int max)
{
    struct mon_entry **all;
    int n = 0, victims;

    all = malloc(sizeof(*all) * (size_t)(mon_n_entries ? mon_n_entries : 1));
    if (!all)
        return;
    for (int b = 0; b < MON_BUCKETS; b++)
        for (struct mon_entry *e = mon_buckets[b]; e; e = e->next)
            all[n++] = e;
    qsort(all, (size_t)n, sizeof(*all), mon_score_cmp);
    victims = n - max + 1;
    if (victims < max / 20)
        victims = max / 20;
    if (victims < 1)
        victims = 1;
    for (int i = 0; i < victims && i < n; i++) {
        struct mon_entry **pp = mon_find_slot(all[i]->dbuser, all[i]->fp);
        *pp = all[i]->next;
        mon_entry_free(all[i]);
        mon_n_entries--;
    }
    free(all);
}

/* The shared entry of a key, created (evicting when full); NULL when out of memory. */
static struct mon_entry *mon_entry_get(int dbuser, uint64_t fp, int64_t now)
{
    struct mon_entry **pp = mon_find_slot(dbuser, fp), *e;
    int max = atomic_load_explicit(&mon_max_entries, memory_order_relaxed);

    if (*pp)
        return *pp;
    if (max < 1)
        max = 1;
    if (mon_n_entries >= max) {
        mon_evict(max);
        pp = mon_find_slot(dbuser, fp);
    }
    e = calloc(1, sizeof(*e));
    if (!e)
        return NULL;
    e->fp = fp;
    e->dbuser = dbuser;
    e->first_seen = now;
    *pp = e;
    mon_n_entries++;
    return e;
}

void mon_thread_flush(void)
{
    struct mon_shard *sh = mon_me;
    int64_t now;

    if (!sh || sh->n_dirty == 0)
        return;
    now = mon_wall_ms();
    pthread_mutex_lock(&mon_lock);
    for (int i = 0; i < sh->n_dirty && !mon_closed; i++) {
        struct mon_local *l = &sh->tab[sh->dirty[i]];
        struct mon_entry *e = mon_entry_get(l->dbuser, l->fp, now);
        int dbidx = dbusers[l->dbuser].dbidx;
        if (e) {
            if (!e->query && l->text)
                e->query = strdup(l->text);
            counts_merge(&e->c, &l->c);
            counts_merge(&e->m, &l->c);
            hist_merge(&e->hist, &l->hist);
            hist_merge(&e->m_hist, &l->hist);
            e->last_seen = now;
        }
        if (dbidx >= 0) {
            agg_add(&mon_dbs[dbidx].interval, &l->c, &l->hist);
            agg_add(&mon_dbs[dbidx].minute, &l->c, &l->hist);
        }
    }
    pthread_mutex_unlock(&mon_lock);
    for (int i = 0; i < sh->n_dirty; i++) {
        struct mon_local *l = &sh->tab[sh->dirty[i]];
        memset(&l->c, 0, sizeof(l->c));
        hist_clear(&l->hist);
        l->dirty = false;
    }
    sh->n_dirty = 0;
    if (sh->n_used >= MON_LOCAL_MAX * 3 / 4) {
        for (int i = 0; i < sh->cap; i++) {
            hist_free(&sh->tab[i].hist);
            free(sh->tab[i].text);
        }
        memset(sh->tab, 0, sizeof(*sh->tab) * (size_t)sh->cap);
        sh->n_used = 0;
    }
}

void mon_thread_exit(void)
{
    struct mon_shard *sh = mon_me;

    if (!sh)
        return;
    mon_thread_flush();
    for (int i = 0; i < sh->cap; i++) {
        hist_free(&sh->tab[i].hist);
        free(sh->tab[i].text);
    }
    free(sh->tab);
    free(sh->dirty);
    for (int i = 0; i < MON_SHAPE_SLOTS; i++)
        shape_free(&sh->shapes[i]);
    free(sh);
    mon_me = NULL;
}

static double ns_ms(double ns)
{
    return ns / 1e6;
}

static bool mon_row_fill(struct mon_row *r, const struct mon_entry *e)
{
    const char *db, *user;

    memset(r, 0, sizeof(*r));
    mon_dbuser_names(e->dbuser, &db, &user);
    mon_copy_name(r->db, db);
    mon_copy_name(r->user, user);
    r->fp = e->fp;
    r->query = strdup(e->query ? e->query : "");
    if (!r->query || !hist_merge(&r->hist, &e->hist)) {
        free(r->query);
        hist_free(&r->hist);
        return false;
    }
    r->calls = e->c.calls;
    r->errors = e->c.errors;
    r->rows = e->c.rows;
    r->total_ms = ns_ms((double)e->c.total_ns);
    r->min_ms = ns_ms((double)e->c.min_ns);
    r->max_ms = ns_ms((double)e->c.max_ns);
    r->mean_ms = e->c.calls ? r->total_ms / (double)e->c.calls : 0;
    r->stddev_ms = e->c.calls ? ns_ms(sqrt(e->c.m2 / (double)e->c.calls)) : 0;
    r->wait_ms = ns_ms((double)e->c.wait_ns);
    r->p50_ms = ns_ms((double)hist_quantile(&r->hist, 0.50));
    r->p95_ms = ns_ms((double)hist_quantile(&r->hist, 0.95));
    r->p99_ms = ns_ms((double)hist_quantile(&r->hist, 0.99));
    r->p999_ms = ns_ms((double)hist_quantile(&r->hist, 0.999));
    r->first_seen = e->first_seen;
    r->last_seen = e->last_seen;
    return true;
}

int mon_snapshot(struct mon_row **rows, const char *db)
{
    struct mon_row *out;
    int n = 0;

    mon_thread_flush(); /* the caller's own thread, when it records too */
    pthread_mutex_lock(&mon_lock);
    out = calloc((size_t)mon_n_entries + 1, sizeof(*out));
    if (!out) {
        pthread_mutex_unlock(&mon_lock);
        return -1;
    }
    for (int b = 0; b < MON_BUCKETS; b++)
        for (struct mon_entry *e = mon_buckets[b]; e; e = e->next) {
            if (db && strcmp(dbusers[e->dbuser].db, db) != 0)
                continue;
            if (!mon_row_fill(&out[n], e)) {
                pthread_mutex_unlock(&mon_lock);
                mon_rows_free(out, n);
                return -1;
            }
            n++;
        }
    pthread_mutex_unlock(&mon_lock);
    *rows = out;
    return n;
}

void mon_rows_free(struct mon_row *rows, int n)
{
    for (int i = 0; rows && i < n; i++) {
        free(rows[i].query);
        hist_free(&rows[i].hist);
    }
    free(rows);
}

int mon_reset(uint64_t fp)
{
    int removed = 0;

    pthread_mutex_lock(&mon_lock);
    for (int b = 0; b < MON_BUCKETS; b++) {
        struct mon_entry **pp = &mon_buckets[b];
        while (*pp) {
            struct mon_entry *e = *pp;
            if (fp == 0 || e->fp == fp) {
                *pp = e->next;
                mon_entry_free(e);
                mon_n_entries--;
                removed++;
            } else {
                pp = &e->next;
            }
        }
    }
    pthread_mutex_unlock(&mon_lock);
    return removed;
}

/* ---------------------------------------------------------------------------------------- */
/* The recent past per database */

static void point_fill(struct mon_point *p, int64_t t, int dbidx, const struct mon_agg *a)
{
    memset(p, 0, sizeof(*p));
    p->t = t;
    mon_copy_name(p->db, dbnames[dbidx]);
    p->calls = a->calls;
    p->errors = a->errors;
    p->total_ms = ns_ms((double)a->total_ns);
    p->wait_ms = ns_ms((double)a->wait_ns);
    p->p50_ms = ns_ms((double)hist_quantile(&a->hist, 0.50));
    p->p95_ms = ns_ms((double)hist_quantile(&a->hist, 0.95));
    p->p99_ms = ns_ms((double)hist_quantile(&a->hist, 0.99));
}

static int64_t mon_interval_start; /* unix s of the point being filled (mon_lock) */

/* Close the point being filled, at unix second now. Under mon_lock. */
static void mon_roll_interval(int64_t now_s)
{
    int n;

    pthread_mutex_lock(&dbuser_lock);
    n = n_dbnames;
    pthread_mutex_unlock(&dbuser_lock);
    for (int i = 0; i < n; i++) {
        struct mon_dbstate *d = &mon_dbs[i];
        if (!d->ring)
            d->ring = calloc(MON_RECENT_POINTS, sizeof(*d->ring));
        if (d->ring) {
            int at = (d->ring_head + d->ring_n) % MON_RECENT_POINTS;
            point_fill(&d->ring[at], mon_interval_start, i, &d->interval);
            if (d->ring_n < MON_RECENT_POINTS)
                d->ring_n++;
            else
                d->ring_head = (d->ring_head + 1) % MON_RECENT_POINTS;
        }
        agg_reset(&d->interval);
    }
    mon_interval_start = now_s - now_s % MON_POINT_SECONDS;
}

int mon_recent(struct mon_point **out, const char *db, int64_t since)
{
    struct mon_point *pts;
    int n = 0, ndb;

    pthread_mutex_lock(&dbuser_lock);
    ndb = n_dbnames;
    pthread_mutex_unlock(&dbuser_lock);
    pts = calloc((size_t)ndb * (MON_RECENT_POINTS + 1) + 1, sizeof(*pts));
    if (!pts)
        return -1;
    pthread_mutex_lock(&mon_lock);
    for (int i = 0; i < ndb; i++) {
        struct mon_dbstate *d = &mon_dbs[i];
        if (db && strcmp(dbnames[i], db) != 0)
            continue;
        for (int k = 0; d->ring && k < d->ring_n; k++) {
            const struct mon_point *p = &d->ring[(d->ring_head + k) % MON_RECENT_POINTS];
            if (p->t >= since)
                pts[n++] = *p;
        }
        if (mon_interval_start >= since && mon_interval_start > 0)
            point_fill(&pts[n++], mon_interval_start, i, &d->interval);
    }
    pthread_mutex_unlock(&mon_lock);
    *out = pts;
    return n;
}

/* ---------------------------------------------------------------------------------------- */
/* Alerts */

static pthread_mutex_t alert_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mon_alert alerts[MON_MAX_ALERTS];
static int n_alerts;

const char *mon_severity_name(enum mon_severity s)
{
    return s == MON_CRITICAL ? "critical" : "warning";
}

void mon_alert_raise(const struct mon_alert *a)
{
    int i;
    bool fresh = false;

    pthread_mutex_lock(&alert_lock);
    for (i = 0; i < n_alerts; i++)
        if (strcmp(alerts[i].key, a->key) == 0)
            break;
    if (i == n_alerts && n_alerts == MON_MAX_ALERTS && strcmp(a->name, "p99") != 0) {
        /* Full (a storm of slow statements): a fingerprint's p99 gives way to the rest. */
        for (i = 0; i < n_alerts && strcmp(alerts[i].name, "p99") != 0; i++)
            ;
        if (i < n_alerts)
            alerts[i] = alerts[--n_alerts];
        i = n_alerts;
    }
    if (i == n_alerts && n_alerts < MON_MAX_ALERTS) {
        n_alerts++;
        fresh = true;
    }
    if (i < n_alerts) {
        int64_t since = fresh ? mon_wall_ms() : alerts[i].since;
        alerts[i] = *a;
        alerts[i].since = since;
    }
    pthread_mutex_unlock(&alert_lock);
    if (fresh)
        log_warning("alert %s (%s): %s; %s", a->name, mon_severity_name(a->severity), a->message,
                    a->suggestion);
}

void mon_alert_clear(const char *key)
{
    char name[32] = "", message[256] = "";

    pthread_mutex_lock(&alert_lock);
    for (int i = 0; i < n_alerts; i++)
        if (strcmp(alerts[i].key, key) == 0) {
            memcpy(name, alerts[i].name, sizeof(name));
            memcpy(message, alerts[i].message, sizeof(message));
            alerts[i] = alerts[--n_alerts];
            break;
        }
    pthread_mutex_unlock(&alert_lock);
    if (name[0])
        log_info("alert %s cleared: %s", name, message);
}

int mon_alert_list(struct mon_alert **out)
{
    int n;

    pthread_mutex_lock(&alert_lock);
    n = n_alerts;
    *out = calloc((size_t)n + 1, sizeof(**out));
    if (*out)
        memcpy(*out, alerts, sizeof(**out) * (size_t)n);
    pthread_mutex_unlock(&alert_lock);
    return *out ? n : -1;
}

/* Clear the alerts named name whose key is not among keep[0..n). */
static void mon_alert_clear_others(const char *name, char (*keep)[160], int n)
{
    char gone[MON_MAX_ALERTS][160];
    int n_gone = 0;

    pthread_mutex_lock(&alert_lock);
    for (int i = 0; i < n_alerts; i++) {
        bool kept = false;
        if (strcmp(alerts[i].name, name) != 0)
            continue;
        for (int k = 0; k < n && !kept; k++)
            kept = strcmp(keep[k], alerts[i].key) == 0;
        if (!kept)
            memcpy(gone[n_gone++], alerts[i].key, 160);
    }
    pthread_mutex_unlock(&alert_lock);
    for (int i = 0; i < n_gone; i++)
        mon_alert_clear(gone[i]);
}

struct mon_pool_scan {
    int64_t now_ms;
    char (*wait_keys)[160];
    int n_wait;
    char (*down_keys)[160];
    int n_down;
    struct mon_alert raise[2 * MON_MAX_ALERTS];
    int n_raise;
    char up[MON_MAX_ALERTS][MON_NAME_MAX]; /* databases with a pool that has a server */
    int n_up;
};

/* pool_for_each, under pool_lock: which pools have clients waiting too long, or no server. */
static void mon_scan_pool(void *arg, const struct pool *p)
{
    struct mon_pool_scan *s = arg;
    int64_t wait_limit = atomic_load_explicit(&mon_wait_alert_ms, memory_order_relaxed);
    int64_t retry = atomic_load_explicit(&mon_login_retry_ms, memory_order_relaxed);

    if (s->n_raise >= 2 * MON_MAX_ALERTS - 2)
        return;
    if (wait_limit > 0 && !list_empty(&p->waiting) && s->n_wait < MON_MAX_ALERTS) {
        const struct client *c = list_entry(p->waiting.next, struct client, wait_node);
        int64_t waited = s->now_ms - c->wait_start_ms;
        if (waited >= wait_limit) {
            struct mon_alert *a = &s->raise[s->n_raise++];
            memset(a, 0, sizeof(*a));
            snprintf(a->key, sizeof(a->key), "pool_wait:%s/%s", p->db_name, p->user);
            snprintf(a->name, sizeof(a->name), "pool_wait");
            a->severity = MON_WARNING;
            mon_copy_name(a->db, p->db_name);
            a->value = (double)waited / 1000.0;
            a->threshold = (double)wait_limit / 1000.0;
            snprintf(a->message, sizeof(a->message),
                     "%d client(s) of %s/%s waiting for a server, the oldest for %.1f s",
                     p->n_waiting, p->db_name, p->user, a->value);
            snprintf(a->suggestion, sizeof(a->suggestion),
                     "the pool is too small for the load: raise pool_size of %s (now %d "
                     "servers) or shorten its transactions",
                     p->db_name, p->n_servers);
            memcpy(s->wait_keys[s->n_wait++], a->key, 160);
        }
    }
    if (p->n_servers > p->n_connecting && s->n_up < MON_MAX_ALERTS)
        mon_copy_name(s->up[s->n_up++], p->db_name);
    if (p->login_failed_ms > 0 && p->n_servers == p->n_connecting &&
        s->now_ms - p->login_failed_ms < 2 * retry + 5000 && s->n_down < MON_MAX_ALERTS) {
        struct mon_alert *a = &s->raise[s->n_raise++];
        memset(a, 0, sizeof(*a));
        snprintf(a->key, sizeof(a->key), "backend_down:%s", p->db_name);
        snprintf(a->name, sizeof(a->name), "backend_down");
        a->severity = MON_CRITICAL;
        mon_copy_name(a->db, p->db_name);
        snprintf(a->message, sizeof(a->message), "database %s is unreachable: %.150s", p->db_name,
                 p->login_error);
        snprintf(a->suggestion, sizeof(a->suggestion),
                 "check that the server is up and the [databases] entry of %s (host, port, "
                 "credentials); CHECK DATABASES tests it",
                 p->db_name);
        memcpy(s->down_keys[s->n_down++], a->key, 160);
    }
}

static void mon_check_pools(void)
{
    struct mon_pool_scan *s = calloc(1, sizeof(*s));
    char(*wait_keys)[160] = calloc(MON_MAX_ALERTS, 160);
    char(*down_keys)[160] = calloc(MON_MAX_ALERTS, 160);

    if (s && wait_keys && down_keys) {
        s->now_ms = now_ms();
        s->wait_keys = wait_keys;
        s->down_keys = down_keys;
        pool_for_each(mon_scan_pool, s);
        /* A failed login in one pool (one user's wrong password) while another pool of the
         * same database has servers: the database is up. */
        for (int i = 0; i < s->n_raise; i++) {
            bool up = false;
            for (int k = 0; k < s->n_up && !up && strcmp(s->raise[i].name, "backend_down") == 0;
                 k++)
                up = strcmp(s->up[k], s->raise[i].db) == 0;
            if (up)
                s->raise[i].key[0] = '\0';
        }
        s->n_down = 0;
        for (int i = 0; i < s->n_raise; i++)
            if (strcmp(s->raise[i].name, "backend_down") == 0 && s->raise[i].key[0])
                memcpy(down_keys[s->n_down++], s->raise[i].key, 160);
        for (int i = 0; i < s->n_raise; i++)
            if (s->raise[i].key[0])
                mon_alert_raise(&s->raise[i]);
        mon_alert_clear_others("pool_wait", wait_keys, s->n_wait);
        mon_alert_clear_others("backend_down", down_keys, s->n_down);
    }
    free(s);
    free(wait_keys);
    free(down_keys);
}

/* ---------------------------------------------------------------------------------------- */
/* Alerts on the minute so far (every point), and the minute roll: history rows, decay of use */

struct mon_roll {
    struct mon_minute *rows;
    int n, cap;
    struct mon_alert *raise;
    int n_raise;
    char (*p99_keys)[160];
    int n_p99;
    char (*err_keys)[160];
    int n_err;
};

/*
 * Whether an alert on the minute so far holds: with enough calls, the value decides; with
 * too few, it stays as it was until the minute ends, and a minute that ended with too few
 * clears it (nothing shows the problem any more).
 */
static bool mon_alert_holds(bool enough, bool over, bool was, bool minute_end)
{
    if (enough)
        return over;
    return minute_end ? false : was;
}

/* A new alert to raise, whose key the caller adds to the n_keys it keeps; NULL when full. */
static struct mon_alert *roll_alert(struct mon_roll *r, int n_keys, int quota)
{
    struct mon_alert *a;
    if (r->n_raise >= MON_MAX_ALERTS || n_keys >= quota)
        return NULL;
    a = &r->raise[r->n_raise++];
    memset(a, 0, sizeof(*a));
    return a;
}

/* Under mon_lock: the p99 and error-rate alerts on the minute being filled. */
static void mon_eval_alerts(struct mon_roll *r, bool minute_end)
{
    int64_t p99_limit = atomic_load_explicit(&mon_p99_alert_ns, memory_order_relaxed);
    int err_pct = atomic_load_explicit(&mon_error_rate_pct, memory_order_relaxed);
    int ndb;

    for (int b = 0; b < MON_BUCKETS; b++)
        for (struct mon_entry *e = mon_buckets[b]; e; e = e->next) {
            uint64_t p99 = hist_quantile(&e->m_hist, 0.99);
            const char *db, *user;
            struct mon_alert *a;
            char fp[17];
            e->p99_alert = p99_limit > 0 &&
                           mon_alert_holds(e->m.calls >= MON_ALERT_MIN_CALLS,
                                           (int64_t)p99 >= p99_limit, e->p99_alert, minute_end);
            if (!e->p99_alert || !(a = roll_alert(r, r->n_p99, MON_MAX_ALERTS / 2)))
                continue;
            mon_dbuser_names(e->dbuser, &db, &user);
            mon_fp_format(e->fp, fp);
            snprintf(a->key, sizeof(a->key), "p99:%s/%s/%s", db, user, fp);
            snprintf(a->name, sizeof(a->name), "p99");
            a->severity = MON_WARNING;
            mon_copy_name(a->db, db);
            a->value = (double)p99 / 1e9;
            a->threshold = (double)p99_limit / 1e9;
            snprintf(a->message, sizeof(a->message),
                     "query %s of %s/%s: p99 %.3f s over the last minute (%llu calls): %.80s", fp,
                     db, user, a->value, (unsigned long long)e->m.calls, e->query ? e->query : "");
            snprintf(a->suggestion, sizeof(a->suggestion),
                     "SHOW QUERY %s for its distribution; EXPLAIN ANALYZE it and look for a "
                     "missing index or lock waits",
                     fp);
            memcpy(r->p99_keys[r->n_p99++], a->key, 160);
        }
    pthread_mutex_lock(&dbuser_lock);
    ndb = n_dbnames;
    pthread_mutex_unlock(&dbuser_lock);
    for (int i = 0; i < ndb; i++) {
        struct mon_dbstate *d = &mon_dbs[i];
        const struct mon_agg *m = &d->minute;
        struct mon_alert *a;
        d->error_alert =
            err_pct > 0 && mon_alert_holds(m->calls >= 2 * MON_ALERT_MIN_CALLS,
                                           m->errors * 100 >= (uint64_t)err_pct * m->calls,
                                           d->error_alert, minute_end);
        if (!d->error_alert || !(a = roll_alert(r, r->n_err, MON_MAX_ALERTS / 4)))
            continue;
        snprintf(a->key, sizeof(a->key), "error_rate:%s", dbnames[i]);
        snprintf(a->name, sizeof(a->name), "error_rate");
        a->severity = MON_WARNING;
        mon_copy_name(a->db, dbnames[i]);
        a->value = m->calls ? 100.0 * (double)m->errors / (double)m->calls : 0;
        a->threshold = err_pct;
        snprintf(a->message, sizeof(a->message),
                 "%.1f%% of the statements on %s failed over the last minute (%llu of %llu)",
                 a->value, dbnames[i], (unsigned long long)m->errors, (unsigned long long)m->calls);
        snprintf(a->suggestion, sizeof(a->suggestion),
                 "SHOW QUERIES %s ORDER BY errors shows which statements fail; the server log "
                 "says why",
                 dbnames[i]);
        memcpy(r->err_keys[r->n_err++], a->key, 160);
    }
}

static struct mon_minute *roll_row(struct mon_roll *r)
{
    if (r->n == r->cap) {
        int cap = r->cap ? 2 * r->cap : 256;
        struct mon_minute *rows = realloc(r->rows, sizeof(*rows) * (size_t)cap);
        if (!rows)
            return NULL;
        r->rows = rows;
        r->cap = cap;
    }
    memset(&r->rows[r->n], 0, sizeof(r->rows[0]));
    return &r->rows[r->n++];
}

static void minute_row_fill(struct mon_minute *m, int64_t minute, const char *db, const char *user,
                            uint64_t fp, const struct mon_agg *a)
{
    m->minute = minute;
    mon_copy_name(m->db, db);
    mon_copy_name(m->user, user);
    m->fp = fp;
    m->calls = a->calls;
    m->errors = a->errors;
    m->rows = a->rows;
    m->total_ms = ns_ms((double)a->total_ns);
    m->wait_ms = ns_ms((double)a->wait_ns);
    m->max_ms = ns_ms((double)a->max_ns);
    m->p50_ms = ns_ms((double)hist_quantile(&a->hist, 0.50));
    m->p95_ms = ns_ms((double)hist_quantile(&a->hist, 0.95));
    m->p99_ms = ns_ms((double)hist_quantile(&a->hist, 0.99));
}

/* Under mon_lock: the rows of the minute that began at unix second minute; the next begins. */
static void mon_roll_minute(struct mon_roll *r, int64_t minute)
{
    int ndb;

    for (int b = 0; b < MON_BUCKETS; b++)
        for (struct mon_entry *e = mon_buckets[b]; e; e = e->next) {
            struct mon_minute *m;
            const char *db, *user;
            e->usage = e->usage / 2 + (double)e->m.calls;
            if (e->m.calls == 0)
                continue;
            mon_dbuser_names(e->dbuser, &db, &user);
            if ((m = roll_row(r)) != NULL) {
                struct mon_agg a = {e->m.calls,   e->m.errors, e->m.rows, e->m.total_ns,
                                    e->m.wait_ns, e->m.max_ns, e->m_hist};
                minute_row_fill(m, minute, db, user, e->fp, &a);
            }
            memset(&e->m, 0, sizeof(e->m));
            hist_clear(&e->m_hist);
        }
    pthread_mutex_lock(&dbuser_lock);
    ndb = n_dbnames;
    pthread_mutex_unlock(&dbuser_lock);
    for (int i = 0; i < ndb; i++) {
        struct mon_agg *a = &mon_dbs[i].minute;
        struct mon_minute *m;
        if (a->calls > 0 && (m = roll_row(r)) != NULL)
            minute_row_fill(m, minute, dbnames[i], "", 0, a);
        agg_reset(a);
    }
}

/* ---------------------------------------------------------------------------------------- */
/* Slow statements */

static pthread_mutex_t slow_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mon_slow slow_ring[MON_SLOW_RING];
static int slow_head, slow_n;
static int slow_fd = -1;
static char *slow_path;

static void slow_log_write(const struct mon_slow *s, const struct mon_slow_event *ev)
{
    char stamp[64], prefix[512];
    struct tm tm;
    time_t t = (time_t)(s->at / 1000);
    const char *text = s->text ? s->text : "";
    char *line;
    int n;

    gmtime_r(&t, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(prefix, sizeof(prefix), "%s.%03d UTC [%d]: user=%s,db=%s,app=%s,client=%s ", stamp,
             (int)(s->at % 1000), ev->tap->pid, s->user, s->db, s->app[0] ? s->app : "[unknown]",
             s->addr);
    if (ev->portal)
        n = asprintf(&line, "%sLOG:  duration: %.3f ms  execute %s: %s\n", prefix, s->ms,
                     ev->portal[0] ? ev->portal : "<unnamed>", text);
    else
        n = asprintf(&line, "%sLOG:  duration: %.3f ms  statement: %s\n", prefix, s->ms, text);
    if (n > 0) {
        if (write(slow_fd, line, (size_t)n) < 0)
            log_warning("slow_query_log: could not write: %s", strerror(errno));
        free(line);
    }
    if (s->params && asprintf(&line, "%sDETAIL:  parameters: %s\n", prefix, s->params) > 0) {
        if (write(slow_fd, line, strlen(line)) < 0)
            log_warning("slow_query_log: could not write: %s", strerror(errno));
        free(line);
    }
}

void mon_slow_add(const struct mon_slow_event *ev)
{
    struct mon_slow s;
    const char *db, *user;

    memset(&s, 0, sizeof(s));
    s.at = mon_wall_ms();
    mon_dbuser_names(ev->tap->dbuser, &db, &user);
    mon_copy_name(s.db, db);
    mon_copy_name(s.user, user);
    mon_copy_name(s.app, ev->tap->app);
    mon_copy_name(s.addr, ev->tap->addr);
    s.fp = ev->fp;
    s.ms = ns_ms((double)ev->dur_ns);
    s.wait_ms = ns_ms((double)ev->wait_ns);
    if (ev->sqlstate)
        snprintf(s.sqlstate, sizeof(s.sqlstate), "%s", ev->sqlstate);
    if (ev->text)
        s.text = strdup(ev->text);
    else {
        const char *norm = mon_me ? mon_shard_text(mon_me, ev->fp) : NULL;
        s.text = strdup(norm ? norm : "");
    }
    s.params = ev->params ? strdup(ev->params) : NULL;
    if (!s.text) {
        free(s.params);
        return;
    }
    pthread_mutex_lock(&slow_lock);
    if (slow_fd >= 0)
        slow_log_write(&s, ev);
    if (slow_n == MON_SLOW_RING) {
        struct mon_slow *old = &slow_ring[slow_head];
        free(old->text);
        free(old->params);
        slow_head = (slow_head + 1) % MON_SLOW_RING;
        slow_n--;
    }
    slow_ring[(slow_head + slow_n) % MON_SLOW_RING] = s;
    slow_n++;
    pthread_mutex_unlock(&slow_lock);
}

int mon_slow_list(struct mon_slow **out, const char *db, int limit)
{
    int n = 0;

    pthread_mutex_lock(&slow_lock);
    *out = calloc((size_t)slow_n + 1, sizeof(**out));
    if (!*out) {
        pthread_mutex_unlock(&slow_lock);
        return -1;
    }
    for (int k = slow_n - 1; k >= 0 && (limit <= 0 || n < limit); k--) {
        const struct mon_slow *s = &slow_ring[(slow_head + k) % MON_SLOW_RING];
        if (db && strcmp(s->db, db) != 0)
            continue;
        (*out)[n] = *s;
        (*out)[n].text = strdup(s->text);
        (*out)[n].params = s->params ? strdup(s->params) : NULL;
        n++;
    }
    pthread_mutex_unlock(&slow_lock);
    return n;
}

void mon_slow_free(struct mon_slow *s, int n)
{
    for (int i = 0; s && i < n; i++) {
        free(s[i].text);
        free(s[i].params);
    }
    free(s);
}

/* Open (or close) the slow log for path; under slow_lock. */
static void slow_log_open(const char *path)
{
    if (slow_path && path && strcmp(slow_path, path) == 0 && slow_fd >= 0)
        return;
    if (slow_fd >= 0)
        close(slow_fd);
    slow_fd = -1;
    free(slow_path);
    slow_path = path && *path ? strdup(path) : NULL;
    if (!slow_path)
        return;
    slow_fd = open(slow_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (slow_fd < 0)
        log_error("slow_query_log %s: %s", slow_path, strerror(errno));
}

/* ---------------------------------------------------------------------------------------- */
/* The monitor thread */

static pthread_t mon_thread;
static bool mon_thread_running;
static pthread_mutex_t mon_stop_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t mon_stop_cv = PTHREAD_COND_INITIALIZER;
static bool mon_stopping;
static bool mon_history_ok;

static void mon_tick(int64_t now_s, int64_t *minute)
{
    struct mon_roll r;
    int64_t this_minute = now_s - now_s % 60;
    bool roll = *minute && this_minute != *minute;
    bool point = now_s - now_s % MON_POINT_SECONDS != mon_interval_start;
    bool eval = point || roll;

    memset(&r, 0, sizeof(r));
    if (eval) {
        r.raise = calloc(MON_MAX_ALERTS, sizeof(*r.raise));
        r.p99_keys = calloc(MON_MAX_ALERTS, 160);
        r.err_keys = calloc(MON_MAX_ALERTS, 160);
        if (!r.raise || !r.p99_keys || !r.err_keys)
            eval = false;
    }
    pthread_mutex_lock(&mon_lock);
    if (point)
        mon_roll_interval(now_s);
    if (eval)
        mon_eval_alerts(&r, roll);
    if (roll)
        mon_roll_minute(&r, *minute);
    pthread_mutex_unlock(&mon_lock);
    if (eval) {
        for (int i = 0; i < r.n_raise; i++)
            mon_alert_raise(&r.raise[i]);
        mon_alert_clear_others("p99", r.p99_keys, r.n_p99);
        mon_alert_clear_others("error_rate", r.err_keys, r.n_err);
    }
    if (roll && mon_history_ok && r.n > 0 && !history_append(r.rows, r.n))
        log_warning("could not store the query history of the last minute");
    if (!*minute || roll)
        *minute = this_minute;
    free(r.rows);
    free(r.raise);
    free(r.p99_keys);
    free(r.err_keys);
    mon_check_pools();
}

static void *mon_main(void *arg)
{
    int64_t minute = 0;
    (void)arg;

    pthread_mutex_lock(&mon_stop_lock);
    while (!mon_stopping) {
        struct timespec ts;
        pthread_mutex_unlock(&mon_stop_lock);
        mon_tick(mon_wall_ms() / 1000, &minute);
        pthread_mutex_lock(&mon_stop_lock);
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        ts.tv_nsec = 0; /* on the second: points and minutes roll on time */
        while (!mon_stopping && pthread_cond_timedwait(&mon_stop_cv, &mon_stop_lock, &ts) == 0)
            ;
    }
    pthread_mutex_unlock(&mon_stop_lock);
    return NULL;
}

void monitor_configure(const struct config *cfg)
{
    atomic_store(&mon_on, cfg->monitor);
    atomic_store(&mon_slow_ns, cfg->slow_query_threshold_ms * 1000000);
    atomic_store(&mon_params, cfg->slow_query_log_parameters);
    atomic_store(&mon_max_entries,
                 cfg->monitor_max_fingerprints > 0 ? cfg->monitor_max_fingerprints : 1);
    atomic_store(&mon_wait_alert_ms, cfg->alert_wait_threshold_ms);
    atomic_store(&mon_p99_alert_ns, cfg->alert_p99_threshold_ms * 1000000);
    atomic_store(&mon_error_rate_pct, cfg->alert_error_rate);
    atomic_store(&mon_login_retry_ms, cfg->server_login_retry_ms);
    pthread_mutex_lock(&slow_lock);
    slow_log_open(cfg->slow_query_log);
    pthread_mutex_unlock(&slow_lock);
    if (mon_history_ok)
        history_set_keep_days(cfg->monitor_history_days);
}

bool monitor_start(const struct config *cfg)
{
    char err[512];

    monitor_configure(cfg);
    mon_history_ok = history_open(cfg->state_dir, cfg->monitor_history_days, err, sizeof(err));
    if (!mon_history_ok)
        log_error("query history disabled: %s", err);
    mon_stopping = false;
    if (pthread_create(&mon_thread, NULL, mon_main, NULL) != 0) {
        log_error("could not start the monitor thread");
        return false;
    }
    mon_thread_running = true;
    return true;
}

void monitor_stop(void)
{
    if (mon_thread_running) {
        pthread_mutex_lock(&mon_stop_lock);
        mon_stopping = true;
        pthread_cond_signal(&mon_stop_cv);
        pthread_mutex_unlock(&mon_stop_lock);
        pthread_join(mon_thread, NULL);
        mon_thread_running = false;
    }
}

void monitor_free(void)
{
    mon_thread_exit();
    /* The minute in progress goes to the history too (its row is replaced if the next start
     * stores more of the same minute). Workers and sessions have ended: their counts are in. */
    if (mon_history_ok) {
        struct mon_roll r;
        int64_t now_s = mon_wall_ms() / 1000;
        memset(&r, 0, sizeof(r));
        pthread_mutex_lock(&mon_lock);
        mon_roll_minute(&r, now_s - now_s % 60);
        pthread_mutex_unlock(&mon_lock);
        if (r.n > 0 && !history_append(r.rows, r.n))
            log_warning("could not store the query history of the last minute");
        free(r.rows);
        history_close();
        mon_history_ok = false;
    }
    pthread_mutex_lock(&mon_lock);
    mon_closed = true; /* a session still running (stuck past the shutdown wait) folds nothing */
    for (int b = 0; b < MON_BUCKETS; b++)
        while (mon_buckets[b]) {
            struct mon_entry *e = mon_buckets[b];
            mon_buckets[b] = e->next;
            mon_entry_free(e);
        }
    mon_n_entries = 0;
    for (int i = 0; i < MON_MAX_DB; i++) {
        hist_free(&mon_dbs[i].interval.hist);
        hist_free(&mon_dbs[i].minute.hist);
        free(mon_dbs[i].ring);
        memset(&mon_dbs[i], 0, sizeof(mon_dbs[i]));
    }
    pthread_mutex_unlock(&mon_lock);
    pthread_mutex_lock(&slow_lock);
    slow_log_open(NULL);
    for (int k = 0; k < slow_n; k++) {
        free(slow_ring[(slow_head + k) % MON_SLOW_RING].text);
        free(slow_ring[(slow_head + k) % MON_SLOW_RING].params);
    }
    slow_n = slow_head = 0;
    pthread_mutex_unlock(&slow_lock);
    /* The (database, user) names stay: a tap of a thread that outlived shutdown may read them
     * (they are reachable, not leaked). */
}
