/*
 * GET /dashboard: one HTML page, rendered here, that needs nothing else: inline CSS, charts as
 * inline SVG drawn from the numbers, no script (the page reloads itself every
 * DASHBOARD_REFRESH_S seconds with a meta refresh). It shows the active alerts, the pools (what
 * SHOW POOLS counts), the last hour in memory (mon_recent: statements and latency per
 * MON_POINT_SECONDS interval, per database), the last 24 hours of per-minute history
 * (history_query of the database totals) and the heaviest fingerprints (mon_snapshot).
 *
 * Built on the HTTP builder thread (http_defer): the pool snapshot waits for the workers and
 * the history is read from SQLite. Every text that comes from outside (names, query texts,
 * alert messages) goes through dashboard_text, which escapes it for HTML.
 */
#include "config.h" /* PACKAGE_VERSION */

#include "http/dashboard.h"

#include <event2/buffer.h>
#include <event2/http.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "admin/admin.h"
#include "core/proxy.h"
#include "http/http.h"
#include "monitor/history.h"
#include "monitor/monitor.h"
#include "util/util.h"

#define DASHBOARD_REFRESH_S   10
#define DASHBOARD_HOUR_S      3600
#define DASHBOARD_DAY_S       86400
#define DASHBOARD_QUERY_CHARS 400 /* bytes of a query text shown */
#define DASHBOARD_MIN_POINTS  10  /* a chart spans at least this many intervals */

/* Chart geometry (SVG user units). */
#define DASHBOARD_W      580
#define DASHBOARD_H      210
#define DASHBOARD_LEFT   56
#define DASHBOARD_RIGHT  12
#define DASHBOARD_TOP    20
#define DASHBOARD_BOTTOM 26

static const char *const dashboard_palette[] = {"#2f6fdf", "#e8590c", "#2b8a3e", "#ae3ec9",
                                                "#c92a2a", "#1098ad", "#f08c00", "#5c940d"};
#define DASHBOARD_N_PALETTE (sizeof(dashboard_palette) / sizeof(dashboard_palette[0]))

/* ---- text ---- */

/* s (up to max bytes, not splitting a UTF-8 character) escaped for HTML text and attributes. */
static void dashboard_text_n(struct evbuffer *out, const char *s, size_t max)
{
    size_t len = strlen(s);

    if (len > max) {
        len = max;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    for (size_t i = 0; i < len; i++) {
        switch (s[i]) {
        case '&':
            evbuffer_add(out, "&amp;", 5);
            break;
        case '<':
            evbuffer_add(out, "&lt;", 4);
            break;
        case '>':
            evbuffer_add(out, "&gt;", 4);
            break;
        case '"':
            evbuffer_add(out, "&quot;", 6);
            break;
        case '\'':
            evbuffer_add(out, "&#39;", 5);
            break;
        default:
            evbuffer_add(out, &s[i], 1);
        }
    }
    if (strlen(s) > len)
        evbuffer_add(out, "&hellip;", 8);
}

static void dashboard_text(struct evbuffer *out, const char *s)
{
    dashboard_text_n(out, s, (size_t)-1);
}

/* <td>s</td>, escaped. */
static void dashboard_td(struct evbuffer *out, const char *s)
{
    evbuffer_add(out, "<td>", 4);
    dashboard_text(out, s);
    evbuffer_add(out, "</td>", 5);
}

/* A UTC time as fmt (strftime). */
static void dashboard_time(char *buf, size_t cap, const char *fmt, int64_t unix_s)
{
    time_t t = (time_t)unix_s;
    struct tm tm;

    gmtime_r(&t, &tm);
    if (strftime(buf, cap, fmt, &tm) == 0)
        buf[0] = '\0';
}

/* A number for an axis or a cell: 3 significant digits, no exponent below a billion. */
static void dashboard_num(char *buf, size_t cap, double v)
{
    if (v >= 1e9 || (v > 0 && v < 0.001))
        snprintf(buf, cap, "%.3g", v);
    else if (v >= 100 || v == (double)(long long)v)
        snprintf(buf, cap, "%.0f", v);
    else if (v >= 10)
        snprintf(buf, cap, "%.1f", v);
    else if (v >= 1)
        snprintf(buf, cap, "%.2f", v);
    else
        snprintf(buf, cap, "%.3f", v);
}

/* ---- charts ---- */

struct dashboard_point {
    int64_t t;
    double v;
};

struct dashboard_series {
    char name[MON_NAME_MAX + 16];
    const char *color;
    struct dashboard_point *p;
    int n, cap;
};

struct dashboard_chart {
    const char *title, *unit;
    int64_t step_s;       /* seconds between two points */
    int64_t t_from, t_to; /* the time axis when set (charts side by side share it), else 0 */
    struct dashboard_series *s;
    int n, cap;
};

static void dashboard_chart_init(struct dashboard_chart *c, const char *title, const char *unit,
                                 int64_t step_s)
{
    memset(c, 0, sizeof(*c));
    c->title = title;
    c->unit = unit;
    c->step_s = step_s;
}

static void dashboard_chart_fini(struct dashboard_chart *c)
{
    for (int i = 0; i < c->n; i++)
        free(c->s[i].p);
    free(c->s);
    memset(c, 0, sizeof(*c));
}

/* The series called name, added (with the next colour, or color) when new. */
static struct dashboard_series *dashboard_series(struct dashboard_chart *c, const char *name,
                                                 const char *color)
{
    struct dashboard_series *s;

    for (int i = 0; i < c->n; i++)
        if (strcmp(c->s[i].name, name) == 0)
            return &c->s[i];
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 4;
        c->s = xrealloc(c->s, (size_t)c->cap * sizeof(*c->s));
    }
    s = &c->s[c->n];
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "%s", name);
    s->color = color ? color : dashboard_palette[(size_t)c->n % DASHBOARD_N_PALETTE];
    c->n++;
    return s;
}

static void dashboard_add(struct dashboard_series *s, int64_t t, double v)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->p = xrealloc(s->p, (size_t)s->cap * sizeof(*s->p));
    }
    s->p[s->n].t = t;
    s->p[s->n].v = v;
    s->n++;
}

/* A round axis maximum >= v (v > 0): 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten. */
static double dashboard_nice(double v)
{
    static const double steps[] = {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10};
    double p = 1;

    while (p * 10 <= v)
        p *= 10;
    while (p > v && p > 1e-9)
        p /= 10;
    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
        if (v <= steps[i] * p)
            return steps[i] * p;
    return 10 * p;
}

/*
 * The chart as an SVG, with its legend: time left to right, ending at the last point and
 * spanning at least DASHBOARD_MIN_POINTS intervals; values from 0 to a round maximum. A series
 * breaks where intervals are missing (nothing ran); a lone point is drawn as a dot. Without
 * any point: a frame saying "no data yet".
 */
static void dashboard_chart_render(struct evbuffer *out, const struct dashboard_chart *c)
{
    const double pw = DASHBOARD_W - DASHBOARD_LEFT - DASHBOARD_RIGHT,
                 ph = DASHBOARD_H - DASHBOARD_TOP - DASHBOARD_BOTTOM;
    int64_t tmin = 0, tmax = 0, span;
    double vmax = 0;
    bool any = false;
    char a[32], b[32];
    const char *tfmt;

    for (int i = 0; i < c->n; i++)
        for (int j = 0; j < c->s[i].n; j++) {
            const struct dashboard_point *p = &c->s[i].p[j];
            if (!any || p->t < tmin)
                tmin = p->t;
            if (!any || p->t > tmax)
                tmax = p->t;
            if (p->v > vmax)
                vmax = p->v;
            any = true;
        }
    evbuffer_add(out, "<figure><figcaption>", 20);
    dashboard_text(out, c->title);
    evbuffer_add_printf(out,
                        "</figcaption><svg class=\"chart\" viewBox=\"0 0 %d %d\" width=\"%d\" "
                        "height=\"%d\" role=\"img\" aria-label=\"",
                        DASHBOARD_W, DASHBOARD_H, DASHBOARD_W, DASHBOARD_H);
    dashboard_text(out, c->title);
    evbuffer_add(out, "\">", 2);
    evbuffer_add_printf(out,
                        "<rect class=\"plot\" x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\"/>",
                        DASHBOARD_LEFT, DASHBOARD_TOP, pw, ph);
    if (!any) {
        evbuffer_add_printf(out,
                            "<text class=\"nodata\" x=\"%.0f\" y=\"%.0f\" "
                            "text-anchor=\"middle\">no data yet</text></svg></figure>\n",
                            DASHBOARD_LEFT + pw / 2, DASHBOARD_TOP + ph / 2 + 5);
        return;
    }
    /* A little headroom: the highest point does not touch the frame. */
    vmax = dashboard_nice(vmax > 0 ? vmax * 1.05 : 1);
    if (c->t_to > c->t_from) {
        tmin = c->t_from;
        tmax = c->t_to;
    }
    span = tmax - tmin;
    if (span < c->step_s * DASHBOARD_MIN_POINTS)
        span = c->step_s * DASHBOARD_MIN_POINTS;
    tmin = tmax - span;
    /* Grid and value axis: 0, 1/4 ... 4/4 of the maximum. */
    for (int k = 0; k <= 4; k++) {
        double y = DASHBOARD_TOP + ph - ph * k / 4;
        dashboard_num(a, sizeof(a), vmax * k / 4);
        evbuffer_add_printf(
            out,
            "<line class=\"grid\" x1=\"%d\" y1=\"%.1f\" x2=\"%.0f\" y2=\"%.1f\"/>"
            "<text class=\"axis\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>",
            DASHBOARD_LEFT, y, DASHBOARD_LEFT + pw, y, DASHBOARD_LEFT - 4, y + 4, a);
    }
    evbuffer_add_printf(out, "<text class=\"axis unit\" x=\"%d\" y=\"%d\">", DASHBOARD_LEFT,
                        DASHBOARD_TOP - 6);
    dashboard_text(out, c->unit);
    evbuffer_add(out, "</text>", 7);
    /* Time axis: start, middle, end (UTC). */
    tfmt = span <= 600 ? "%H:%M:%S" : "%H:%M";
    for (int k = 0; k <= 2; k++) {
        int64_t t = tmin + span * k / 2;
        dashboard_time(a, sizeof(a), tfmt, t);
        evbuffer_add_printf(out,
                            "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>",
                            DASHBOARD_LEFT + pw * k / 2, DASHBOARD_H - 8,
                            k == 0   ? "start"
                            : k == 1 ? "middle"
                                     : "end",
                            a);
    }
    /* The series: polylines, broken where more than two intervals are missing. */
    for (int i = 0; i < c->n; i++) {
        const struct dashboard_series *s = &c->s[i];
        int j = 0;
        while (j < s->n) {
            int k = j + 1;
            while (k < s->n && s->p[k].t - s->p[k - 1].t <= 2 * c->step_s)
                k++;
            if (k - j == 1) {
                double x = DASHBOARD_LEFT + pw * (double)(s->p[j].t - tmin) / (double)span;
                double y = DASHBOARD_TOP + ph - ph * s->p[j].v / vmax;
                evbuffer_add_printf(out,
                                    "<circle class=\"dot\" cx=\"%.1f\" cy=\"%.1f\" r=\"3\" "
                                    "fill=\"%s\"/>",
                                    x, y, s->color);
            } else {
                evbuffer_add_printf(out, "<polyline class=\"line\" stroke=\"%s\" points=\"",
                                    s->color);
                for (int m = j; m < k; m++) {
                    double x = DASHBOARD_LEFT + pw * (double)(s->p[m].t - tmin) / (double)span;
                    double y = DASHBOARD_TOP + ph - ph * s->p[m].v / vmax;
                    evbuffer_add_printf(out, "%s%.1f,%.1f", m > j ? " " : "", x, y);
                }
                evbuffer_add(out, "\"/>", 3);
            }
            j = k;
        }
    }
    evbuffer_add(out, "</svg><div class=\"legend\">", 26);
    for (int i = 0; i < c->n; i++) {
        const struct dashboard_series *s = &c->s[i];
        double last = s->n ? s->p[s->n - 1].v : 0;
        dashboard_num(b, sizeof(b), last);
        evbuffer_add_printf(out, "<span><i style=\"background:%s\"></i>", s->color);
        dashboard_text(out, s->name);
        evbuffer_add_printf(out, " <small>(last %s)</small></span>", b);
    }
    evbuffer_add(out, "</div></figure>\n", 16);
}

/* ---- sections ---- */

static void dashboard_alerts(struct evbuffer *out)
{
    struct mon_alert *alerts = NULL;
    int n = mon_alert_list(&alerts);
    char since[32];

    evbuffer_add_printf(out, "<h2>Alerts</h2>\n");
    if (n <= 0) {
        evbuffer_add(out, "<p class=\"ok\">No active alerts.</p>\n", 36);
        free(alerts);
        return;
    }
    evbuffer_add_printf(out, "<table><tr><th>severity</th><th>alert</th><th>database</th>"
                             "<th>since (UTC)</th><th>message</th><th>suggestion</th></tr>\n");
    for (int i = 0; i < n; i++) {
        const struct mon_alert *al = &alerts[i];
        const char *sev = mon_severity_name(al->severity);
        dashboard_time(since, sizeof(since), "%Y-%m-%d %H:%M:%S", al->since / 1000);
        evbuffer_add_printf(out, "<tr class=\"%s\">",
                            al->severity == MON_CRITICAL ? "critical" : "warning");
        dashboard_td(out, sev);
        dashboard_td(out, al->name);
        dashboard_td(out, al->db);
        dashboard_td(out, since);
        dashboard_td(out, al->message);
        dashboard_td(out, al->suggestion);
        evbuffer_add(out, "</tr>\n", 6);
    }
    evbuffer_add(out, "</table>\n", 9);
    free(alerts);
}

static int dashboard_pool_cmp(const void *a, const void *b)
{
    const struct admin_pool_count *x = a, *y = b;
    int c = strcmp(x->database, y->database);
    return c ? c : strcmp(x->user, y->user);
}

static void dashboard_pools(struct evbuffer *out)
{
    struct admin_pool_count *pools = NULL;
    bool complete;
    int n = admin_pool_counts(&pools, &complete);
    char w[32];

    evbuffer_add_printf(out, "<h2>Pools</h2>\n");
    if (!complete)
        evbuffer_add_printf(out, "<p class=\"note\">Some workers did not answer in time: their "
                                 "connections are missing.</p>\n");
    if (n <= 0) {
        evbuffer_add_printf(out, "<p class=\"note\">No pool yet: no client has logged in.</p>\n");
        free(pools);
        return;
    }
    if (n > 1)
        qsort(pools, (size_t)n, sizeof(*pools), dashboard_pool_cmp);
    evbuffer_add_printf(out, "<table class=\"num\"><tr><th>database</th><th>user</th><th>mode</th>"
                             "<th>cl_active</th><th>cl_waiting</th><th>sv_active</th>"
                             "<th>sv_idle</th><th>sv_used</th><th>sv_tested</th><th>sv_login</th>"
                             "<th>maxwait (s)</th></tr>\n");
    for (int i = 0; i < n; i++) {
        const struct admin_pool_count *p = &pools[i];
        evbuffer_add(out, "<tr>", 4);
        dashboard_td(out, p->database);
        dashboard_td(out, p->user);
        dashboard_td(out, p->mode ? p->mode : "");
        snprintf(w, sizeof(w), "%.3f", (double)p->maxwait_us / 1e6);
        evbuffer_add_printf(out,
                            "<td>%d</td><td%s>%d</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td>"
                            "<td>%d</td><td>%s</td></tr>\n",
                            p->cl_active, p->cl_waiting ? " class=\"hot\"" : "", p->cl_waiting,
                            p->sv_active, p->sv_idle, p->sv_used, p->sv_tested, p->sv_login, w);
    }
    evbuffer_add(out, "</table>\n", 9);
    free(pools);
}

/* Per-database charts: statements per interval (one series each), latency (one chart each). */
struct dashboard_db_charts {
    char db[MON_NAME_MAX];
    struct dashboard_chart latency;
};

struct dashboard_timeline {
    struct dashboard_chart calls;
    struct dashboard_db_charts *dbs;
    int n, cap;
};

static struct dashboard_chart *dashboard_latency_of(struct dashboard_timeline *tl, const char *db,
                                                    const char *what, int64_t step_s)
{
    struct dashboard_db_charts *d;

    for (int i = 0; i < tl->n; i++)
        if (strcmp(tl->dbs[i].db, db) == 0)
            return &tl->dbs[i].latency;
    if (tl->n == tl->cap) {
        tl->cap = tl->cap ? tl->cap * 2 : 4;
        tl->dbs = xrealloc(tl->dbs, (size_t)tl->cap * sizeof(*tl->dbs));
    }
    d = &tl->dbs[tl->n++];
    snprintf(d->db, sizeof(d->db), "%s", db);
    dashboard_chart_init(&d->latency, what, "ms", step_s);
    /* Fixed order and colours: p50, p95, p99. */
    dashboard_series(&d->latency, "p50", "#2b8a3e");
    dashboard_series(&d->latency, "p95", "#f08c00");
    dashboard_series(&d->latency, "p99", "#c92a2a");
    return &d->latency;
}

static void dashboard_timeline_point(struct dashboard_timeline *tl, const char *db, int64_t t,
                                     uint64_t calls, double p50, double p95, double p99,
                                     int64_t step_s)
{
    struct dashboard_chart *lat = dashboard_latency_of(tl, db, "", step_s);

    dashboard_add(dashboard_series(&tl->calls, db, NULL), t, (double)calls);
    if (calls == 0)
        return; /* no latency without statements */
    dashboard_add(&lat->s[0], t, p50);
    dashboard_add(&lat->s[1], t, p95);
    dashboard_add(&lat->s[2], t, p99);
}

static void dashboard_timeline_render(struct evbuffer *out, struct dashboard_timeline *tl,
                                      const char *latency_title)
{
    char title[MON_NAME_MAX + 96];
    bool any = false;

    /* One time axis for all: every point is in the statements chart. */
    for (int i = 0; i < tl->calls.n; i++)
        for (int j = 0; j < tl->calls.s[i].n; j++) {
            int64_t t = tl->calls.s[i].p[j].t;
            if (!any || t < tl->calls.t_from)
                tl->calls.t_from = t;
            if (!any || t > tl->calls.t_to)
                tl->calls.t_to = t;
            any = true;
        }
    evbuffer_add(out, "<div class=\"charts\">\n", 21);
    dashboard_chart_render(out, &tl->calls);
    if (tl->n == 0) {
        struct dashboard_chart empty;
        dashboard_chart_init(&empty, latency_title, "ms", tl->calls.step_s);
        dashboard_chart_render(out, &empty);
    }
    for (int i = 0; i < tl->n; i++) {
        snprintf(title, sizeof(title), "%s: %s", latency_title, tl->dbs[i].db);
        tl->dbs[i].latency.title = title;
        tl->dbs[i].latency.t_from = tl->calls.t_from;
        tl->dbs[i].latency.t_to = tl->calls.t_to;
        dashboard_chart_render(out, &tl->dbs[i].latency);
    }
    evbuffer_add(out, "</div>\n", 7);
}

static void dashboard_timeline_fini(struct dashboard_timeline *tl)
{
    dashboard_chart_fini(&tl->calls);
    for (int i = 0; i < tl->n; i++)
        dashboard_chart_fini(&tl->dbs[i].latency);
    free(tl->dbs);
}

static void dashboard_recent(struct evbuffer *out, int64_t now_s)
{
    struct mon_point *pts = NULL;
    int n = mon_recent(&pts, NULL, now_s - DASHBOARD_HOUR_S);
    struct dashboard_timeline tl = {0};
    char title[64];

    evbuffer_add_printf(out, "<h2>Last hour <small>(every %d s, in memory)</small></h2>\n",
                        MON_POINT_SECONDS);
    snprintf(title, sizeof(title), "Statements per %d s, per database", MON_POINT_SECONDS);
    dashboard_chart_init(&tl.calls, title, "calls", MON_POINT_SECONDS);
    for (int i = 0; i < n; i++)
        dashboard_timeline_point(&tl, pts[i].db, pts[i].t, pts[i].calls, pts[i].p50_ms,
                                 pts[i].p95_ms, pts[i].p99_ms, MON_POINT_SECONDS);
    dashboard_timeline_render(out, &tl, "Latency p50 / p95 / p99");
    dashboard_timeline_fini(&tl);
    free(pts);
}

static void dashboard_history(struct evbuffer *out, int64_t now_s)
{
    struct mon_minute *mins = NULL;
    int n = history_query(0, NULL, now_s - DASHBOARD_DAY_S, &mins);
    struct dashboard_timeline tl = {0};

    evbuffer_add_printf(out, "<h2>Last 24 hours <small>(per minute, from the history)</small>"
                             "</h2>\n");
    if (n < 0)
        evbuffer_add_printf(out, "<p class=\"note\">The history could not be read (see the "
                                 "log).</p>\n");
    dashboard_chart_init(&tl.calls, "Statements per minute, per database", "calls", 60);
    for (int i = 0; i < n; i++)
        dashboard_timeline_point(&tl, mins[i].db, mins[i].minute, mins[i].calls, mins[i].p50_ms,
                                 mins[i].p95_ms, mins[i].p99_ms, 60);
    dashboard_timeline_render(out, &tl, "Latency p50 / p95 / p99 per minute");
    dashboard_timeline_fini(&tl);
    free(mins);
}

static int dashboard_row_cmp(const void *a, const void *b)
{
    const struct mon_row *x = *(const struct mon_row *const *)a;
    const struct mon_row *y = *(const struct mon_row *const *)b;
    if (x->total_ms != y->total_ms)
        return x->total_ms < y->total_ms ? 1 : -1;
    return x->fp < y->fp ? -1 : x->fp > y->fp;
}

static void dashboard_queries(struct evbuffer *out, int top_n)
{
    struct mon_row *rows = NULL, **top;
    int n = mon_snapshot(&rows, NULL);
    double all_ms = 0;
    char fp[17], mean[32], p99[32], total[32];

    evbuffer_add_printf(out, "<h2>Heaviest queries <small>(by total time)</small></h2>\n");
    if (n <= 0) {
        evbuffer_add_printf(out, "<p class=\"note\">%s</p>\n",
                            n < 0 ? "The monitor's table could not be read (out of memory)."
                                  : "No statement timed yet.");
        if (n == 0)
            mon_rows_free(rows, n);
        return;
    }
    top = xcalloc((size_t)n, sizeof(*top));
    for (int i = 0; i < n; i++) {
        top[i] = &rows[i];
        all_ms += rows[i].total_ms;
    }
    qsort(top, (size_t)n, sizeof(*top), dashboard_row_cmp);
    if (top_n > n)
        top_n = n;
    evbuffer_add_printf(out, "<table class=\"num queries\"><tr><th>database</th><th>user</th>"
                             "<th>fingerprint</th><th>calls</th><th>errors</th>"
                             "<th>total (ms)</th><th>mean (ms)</th><th>p99 (ms)</th>"
                             "<th>share of time</th><th>query</th></tr>\n");
    for (int i = 0; i < top_n; i++) {
        const struct mon_row *r = top[i];
        double share = all_ms > 0 ? 100.0 * r->total_ms / all_ms : 0;
        mon_fp_format(r->fp, fp);
        dashboard_num(total, sizeof(total), r->total_ms);
        dashboard_num(mean, sizeof(mean), r->mean_ms);
        dashboard_num(p99, sizeof(p99), r->p99_ms);
        evbuffer_add(out, "<tr>", 4);
        dashboard_td(out, r->db);
        dashboard_td(out, r->user);
        evbuffer_add_printf(out,
                            "<td><code>%s</code></td><td>%llu</td><td>%llu</td><td>%s</td>"
                            "<td>%s</td><td>%s</td><td class=\"share\"><span class=\"bar\" "
                            "style=\"width:%.0fpx\"></span>%.1f%%</td><td class=\"q\"><code>",
                            fp, (unsigned long long)r->calls, (unsigned long long)r->errors, total,
                            mean, p99, share * 0.8, share);
        dashboard_text_n(out, r->query ? r->query : "", DASHBOARD_QUERY_CHARS);
        evbuffer_add(out, "</code></td></tr>\n", 18);
    }
    evbuffer_add(out, "</table>\n", 9);
    if (n > top_n)
        evbuffer_add_printf(out, "<p class=\"note\">%d more in SHOW QUERIES.</p>\n", n - top_n);
    free(top);
    mon_rows_free(rows, n);
}

static const char dashboard_css[] =
    "body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 24px 24px;"
    "color:#1d2330;background:#f6f7f9}"
    "header{display:flex;align-items:baseline;gap:16px;border-bottom:1px solid #d5d9e0;"
    "margin-bottom:8px}"
    "h1{font-size:22px;margin:14px 0 10px}h2{font-size:17px;margin:22px 0 8px}"
    "h2 small,header small{color:#667085;font-weight:normal}"
    "table{border-collapse:collapse;background:#fff;border:1px solid #d5d9e0}"
    "th,td{padding:4px 10px;border-bottom:1px solid #e6e8ec;text-align:left;vertical-align:top}"
    "th{background:#eef0f4;font-weight:600}"
    "table.num td{font-variant-numeric:tabular-nums}"
    "td.hot{color:#c92a2a;font-weight:600}"
    "tr.critical td{background:#fff0f0}tr.warning td{background:#fff8e6}"
    ".ok{color:#2b8a3e}.note{color:#667085}"
    ".charts{display:flex;flex-wrap:wrap;gap:16px}"
    "figure{margin:0;background:#fff;border:1px solid #d5d9e0;padding:8px}"
    "figcaption{font-weight:600;margin-bottom:4px}"
    "svg.chart{display:block}"
    ".plot{fill:#fbfcfd;stroke:#c4c9d2}.grid{stroke:#e6e8ec}"
    ".axis{font-size:11px;fill:#667085}"
    ".line{fill:none;stroke-width:1.8;stroke-linejoin:round}"
    ".nodata{font-size:16px;fill:#98a2b3}"
    ".legend{font-size:12px;display:flex;flex-wrap:wrap;gap:12px;margin-top:4px}"
    ".legend i{display:inline-block;width:10px;height:10px;margin-right:4px}"
    ".share{white-space:nowrap}"
    ".bar{display:inline-block;height:10px;background:#2f6fdf;margin-right:6px}"
    "td.q code{display:block;max-width:520px;white-space:pre-wrap;word-break:break-word}"
    "code{font:12px ui-monospace,Menlo,Consolas,monospace}";

static int dashboard_build(struct evbuffer *out, const char **type, const char *query, void *arg)
{
    const struct config *cfg = proxy_config();
    int64_t now_s = (int64_t)time(NULL);
    char now[40];

    (void)query;
    (void)arg;
    *type = "text/html; charset=utf-8";
    dashboard_time(now, sizeof(now), "%Y-%m-%d %H:%M:%S UTC", now_s);
    evbuffer_add_printf(out,
                        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                        "<meta http-equiv=\"refresh\" content=\"%d\">"
                        "<meta name=\"viewport\" content=\"width=device-width\">"
                        "<link rel=\"icon\" href=\"data:,\">"
                        "<title>myrmex dashboard</title><style>%s</style></head><body>\n"
                        "<header><h1>myrmex</h1><small>%s &middot; %s &middot; refreshes every "
                        "%d s</small></header>\n",
                        DASHBOARD_REFRESH_S, dashboard_css, PACKAGE_VERSION, now,
                        DASHBOARD_REFRESH_S);
    if (!monitor_enabled())
        evbuffer_add_printf(out, "<p class=\"note\">The monitor is off (monitor = 0): no query "
                                 "is timed.</p>\n");
    dashboard_alerts(out);
    dashboard_pools(out);
    dashboard_recent(out, now_s);
    dashboard_history(out, now_s);
    dashboard_queries(out, cfg->monitor_top_fingerprints > 0 ? cfg->monitor_top_fingerprints : 20);
    evbuffer_add_printf(out, "</body></html>\n");
    return 200;
}

static void dashboard_handle(struct evhttp_request *req, void *arg)
{
    (void)arg;
    /* Nothing but the page itself: a browser refuses (and reports) anything fetched. */
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Security-Policy",
                      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                      "frame-ancestors 'none'");
    http_defer(req, dashboard_build, NULL);
}

void dashboard_register(void)
{
    http_route("/dashboard", dashboard_handle, NULL);
}
