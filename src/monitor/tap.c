/*
 * The protocol tap (monitor/monitor.h): which statement each reply completes.
 *
 * Every statement forwarded (one per statement of a simple Query, one per Execute) joins a
 * ring with the number of the Query or Sync it belongs to, its group. Replies come back in
 * order: a CommandComplete, EmptyQueryResponse, PortalSuspended or ErrorResponse completes the
 * oldest statement of the group being answered; ReadyForQuery ends the group, and what it
 * still holds did not run (statements after an error). Statement and portal names map to
 * fingerprints so an Execute knows what it runs; the slow log also needs the texts, kept only
 * while slow_query_threshold is on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "monitor/fingerprint.h"
#include "monitor_int.h"
#include "wire/proto.h"

#define MON_NAME_BUCKETS 256
#define MON_STMTS_MAX    1024  /* statement names followed per client; past that one is forgotten */
#define MON_PORTALS_MAX  256   /* portal names; past that they are all forgotten */
#define MON_TEXT_KEEP    65536 /* bytes of a statement's text kept for the slow log */
#define MON_TEXT_SLOTS   8
#define MON_PARAMS_MAX   4096 /* bytes of logged parameters */
#define MON_PARAM_MAX    256  /* bytes of one logged parameter value */

struct mon_name {
    struct mon_name *next;
    char kind; /* 'S' statement, 'P' portal */
    char *name;
    uint64_t fp;
    char *text;   /* slow log only */
    char *params; /* portals, with slow_query_log_parameters */
    char *stmt;   /* portals: the statement's name (the log says "execute <stmt>") */
};

struct mon_names {
    struct mon_name *b[MON_NAME_BUCKETS];
    int n, n_portals;
    unsigned evict_at; /* where the search for a name to forget starts */
};

struct mon_text_slot {
    uint32_t seq;
    char *buf; /* text, NUL, params (when has_params), NUL */
    size_t cap;
    bool has_params;
    bool execute;
    char stmt[MON_NAME_MAX];
};

struct mon_texts {
    struct mon_text_slot slot[MON_TEXT_SLOTS];
    uint32_t seq;
};

void mon_tap_init(struct mon_tap *t, const char *db, const char *user, const char *addr, int pid)
{
    memset(t, 0, sizeof(*t));
    t->dbuser = mon_dbuser(db, user);
    t->pid = pid;
    /* The host alone, as PostgreSQL's %h: "1.2.3.4:5678" and "[::1]:5678" lose the port. */
    addr = addr ? addr : "";
    if (addr[0] == '[' && strchr(addr, ']'))
        snprintf(t->addr, sizeof(t->addr), "%.*s", (int)(strchr(addr, ']') - addr - 1), addr + 1);
    else if (strchr(addr, ':') && strchr(addr, ':') == strrchr(addr, ':'))
        snprintf(t->addr, sizeof(t->addr), "%.*s", (int)(strchr(addr, ':') - addr), addr);
    else
        snprintf(t->addr, sizeof(t->addr), "%s", addr[0] ? addr : "[local]");
}

void mon_tap_set_app(struct mon_tap *t, const char *app)
{
    /* As PostgreSQL keeps application_name: printable ASCII only (it goes into log lines). */
    snprintf(t->app, sizeof(t->app), "%s", app ? app : "");
    for (char *p = t->app; *p; p++)
        if (*p < 32 || *p > 126)
            *p = '?';
}

static void name_free(struct mon_name *e)
{
    free(e->name);
    free(e->text);
    free(e->params);
    free(e->stmt);
    free(e);
}

static void names_clear(struct mon_names *ns)
{
    for (int i = 0; i < MON_NAME_BUCKETS; i++)
        while (ns->b[i]) {
            struct mon_name *e = ns->b[i];
            ns->b[i] = e->next;
            name_free(e);
        }
    ns->n = ns->n_portals = 0;
}

void mon_tap_fini(struct mon_tap *t)
{
    if (t->names) {
        names_clear(t->names);
        free(t->names);
    }
    if (t->texts) {
        for (int i = 0; i < MON_TEXT_SLOTS; i++)
            free(t->texts->slot[i].buf);
        free(t->texts);
    }
    t->names = NULL;
    t->texts = NULL;
    t->dbuser = -1;
}

void mon_tap_waited(struct mon_tap *t, int64_t ns)
{
    if (ns > 0)
        t->pending_wait_ns += ns;
}

void mon_tap_abort(struct mon_tap *t)
{
    t->n = 0;
    t->head = 0;
    t->send_group = t->recv_group = 0;
}

static uint16_t mon_u16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---------------------------------------------------------------------------------------- */
/* Names */

static unsigned name_bucket(char kind, const char *name)
{
    unsigned h = (unsigned char)kind * 31u;
    for (; *name; name++)
        h = h * 31u + (unsigned char)*name;
    return h % MON_NAME_BUCKETS;
}

static struct mon_name **name_slot(struct mon_names *ns, char kind, const char *name)
{
    struct mon_name **pp = &ns->b[name_bucket(kind, name)];
    while (*pp && ((*pp)->kind != kind || strcmp((*pp)->name, name) != 0))
        pp = &(*pp)->next;
    return pp;
}

static struct mon_name *name_find(struct mon_tap *t, char kind, const char *name)
{
    return t->names ? *name_slot(t->names, kind, name) : NULL;
}

static void name_unlink(struct mon_names *ns, struct mon_name **pp)
{
    struct mon_name *e = *pp;
    *pp = e->next;
    if (e->kind == 'P')
        ns->n_portals--;
    ns->n--;
    name_free(e);
}

static void name_drop(struct mon_tap *t, char kind, const char *name)
{
    struct mon_name **pp;
    if (!t->names)
        return;
    pp = name_slot(t->names, kind, name);
    if (*pp)
        name_unlink(t->names, pp);
}

/* Forget every portal (the end of a transaction destroys them). */
static void names_drop_portals(struct mon_names *ns)
{
    for (int i = 0; i < MON_NAME_BUCKETS && ns->n_portals > 0; i++) {
        struct mon_name **pp = &ns->b[i];
        while (*pp)
            if ((*pp)->kind == 'P')
                name_unlink(ns, pp);
            else
                pp = &(*pp)->next;
    }
}

/* Make room for one more name of kind: portals are all forgotten, a statement one at a time
 * (round robin over the buckets); a portal never costs a statement. */
static void names_make_room(struct mon_names *ns, char kind)
{
    if (kind == 'P') {
        if (ns->n_portals >= MON_PORTALS_MAX)
            names_drop_portals(ns);
        return;
    }
    for (int k = 0; k < MON_NAME_BUCKETS && ns->n - ns->n_portals >= MON_STMTS_MAX; k++) {
        struct mon_name **pp = &ns->b[ns->evict_at++ % MON_NAME_BUCKETS];
        while (*pp && (*pp)->kind != 'S')
            pp = &(*pp)->next;
        if (*pp)
            name_unlink(ns, pp);
    }
}

/* The entry of (kind, name), created empty; NULL when out of memory. Other entries the
 * caller holds may be freed on the way (to make room): look them up after. */
static struct mon_name *name_get(struct mon_tap *t, char kind, const char *name)
{
    struct mon_name **pp, *e;

    if (!t->names && !(t->names = calloc(1, sizeof(*t->names))))
        return NULL;
    pp = name_slot(t->names, kind, name);
    if (*pp)
        return *pp;
    if ((kind == 'P' && t->names->n_portals >= MON_PORTALS_MAX) ||
        (kind == 'S' && t->names->n - t->names->n_portals >= MON_STMTS_MAX)) {
        names_make_room(t->names, kind);
        pp = name_slot(t->names, kind, name);
    }
    e = calloc(1, sizeof(*e));
    if (!e || !(e->name = strdup(name))) {
        free(e);
        return NULL;
    }
    e->kind = kind;
    *pp = e;
    t->names->n++;
    if (kind == 'P')
        t->names->n_portals++;
    return e;
}

static void str_set(char **dst, const char *src)
{
    size_t n = src ? strlen(src) : 0;
    if (!src) {
        free(*dst);
        *dst = NULL;
        return;
    }
    if (*dst && strlen(*dst) >= n) {
        memcpy(*dst, src, n + 1);
        return;
    }
    free(*dst);
    *dst = strdup(src);
}

/* ---------------------------------------------------------------------------------------- */
/* Texts for the slow log */

/* Keep text (and params) for a statement about to be queued; returns its reference or 0. */
static uint32_t text_keep(struct mon_tap *t, const char *text, size_t len, const char *params,
                          const char *stmt)
{
    struct mon_text_slot *s;
    size_t plen, need;

    if (len > MON_TEXT_KEEP)
        len = MON_TEXT_KEEP;
    plen = params ? strlen(params) : 0;
    need = len + 1 + plen + 1;
    if (!t->texts && !(t->texts = calloc(1, sizeof(*t->texts))))
        return 0;
    if (++t->texts->seq == 0)
        t->texts->seq = 1;
    s = &t->texts->slot[t->texts->seq % MON_TEXT_SLOTS];
    if (s->cap > 4 * need && s->cap > 4096) {
        /* A big text went through this slot before: give the memory back. */
        free(s->buf);
        s->buf = NULL;
        s->cap = 0;
    }
    if (s->cap < need) {
        char *buf = realloc(s->buf, need);
        if (!buf)
            return 0;
        s->buf = buf;
        s->cap = need;
    }
    memcpy(s->buf, text, len);
    s->buf[len] = '\0';
    memcpy(s->buf + len + 1, params ? params : "", plen + 1);
    s->has_params = params != NULL;
    s->execute = stmt != NULL;
    snprintf(s->stmt, sizeof(s->stmt), "%s", stmt ? stmt : "");
    s->seq = t->texts->seq;
    return s->seq;
}

static const struct mon_text_slot *text_get(const struct mon_tap *t, uint32_t ref)
{
    const struct mon_text_slot *s;
    if (!ref || !t->texts)
        return NULL;
    s = &t->texts->slot[ref % MON_TEXT_SLOTS];
    return s->seq == ref ? s : NULL;
}

/* Bind's parameters as PostgreSQL logs them: $1 = '42', $2 = NULL. NULL when malformed. */
static char *params_format(const uint8_t *p, const uint8_t *end)
{
    size_t cap = MON_PARAMS_MAX + 64, n = 0;
    char *out;
    int nfmt, nparams;
    const uint8_t *fmts;

    if (end - p < 2)
        return NULL;
    nfmt = (int)mon_u16(p);
    fmts = p + 2;
    p += 2 + 2 * (size_t)nfmt;
    if (p + 2 > end)
        return NULL;
    nparams = (int)mon_u16(p);
    p += 2;
    if (nparams == 0 || !(out = malloc(cap)))
        return NULL;
    out[0] = '\0';
    for (int i = 0; i < nparams; i++) {
        int32_t len;
        bool binary;
        if (p + 4 > end)
            break;
        len = (int32_t)proto_read_u32(p);
        p += 4;
        binary = nfmt == 1 ? mon_u16(fmts) == 1 : (nfmt > i ? mon_u16(fmts + 2 * i) == 1 : false);
        if (n + 32 >= cap - 16)
            break;
        n += (size_t)snprintf(out + n, cap - n, "%s$%d = ", i ? ", " : "", i + 1);
        if (len < 0) {
            n += (size_t)snprintf(out + n, cap - n, "NULL");
            continue;
        }
        if (end - p < len)
            break;
        out[n++] = '\'';
        if (binary)
            n += (size_t)snprintf(out + n, cap - n, "\\x");
        for (int k = 0; k < len && k < MON_PARAM_MAX && n + 8 < cap - 8; k++) {
            if (binary) {
                n += (size_t)snprintf(out + n, cap - n, "%02x", p[k]);
            } else {
                if (p[k] == '\'')
                    out[n++] = '\'';
                out[n++] = (char)p[k];
            }
        }
        if (len > MON_PARAM_MAX && n + 8 < cap)
            n += (size_t)snprintf(out + n, cap - n, "...");
        if (n + 2 < cap)
            out[n++] = '\'';
        out[n] = '\0';
        p += len;
        if (n >= MON_PARAMS_MAX)
            break;
    }
    return out;
}

/* ---------------------------------------------------------------------------------------- */
/* Frontend */

static void tap_push(struct mon_tap *t, uint64_t fp, int64_t now, uint32_t text_ref)
{
    struct mon_inflight *q;

    if (t->dropping && t->drop_group == t->send_group)
        return; /* the rest of a group the ring had no room for: its replies pair with none */
    if (t->n == MON_TAP_QUEUE) {
        t->dropping = true; /* a pipeline this deep: the rest of the group is not timed */
        t->drop_group = t->send_group;
        return;
    }
    q = &t->q[(t->head + t->n) % MON_TAP_QUEUE];
    q->fp = fp;
    q->sent_ns = now;
    q->wait_ns = t->pending_wait_ns;
    q->group = t->send_group;
    q->text_ref = text_ref;
    t->pending_wait_ns = 0;
    t->n++;
}

static void tap_query(struct mon_tap *t, const char *text, size_t len, int64_t now)
{
    uint64_t fps[FP_MAX_STATEMENTS];
    int n = mon_fingerprints(text, len, fps, FP_MAX_STATEMENTS);
    uint32_t ref = mon_slow_threshold_ns() > 0 ? text_keep(t, text, len, NULL, NULL) : 0;

    if (n == 0)
        tap_push(t, 0, now, 0); /* answered by EmptyQueryResponse */
    for (int i = 0; i < n && i < MON_TAP_QUEUE; i++)
        tap_push(t, i < FP_MAX_STATEMENTS ? fps[i] : 0, now, ref);
}

static void tap_parse(struct mon_tap *t, const uint8_t *body, size_t len)
{
    const char *name = (const char *)body, *text;
    const uint8_t *nul = memchr(body, 0, len), *tend;
    struct mon_name *e;
    uint64_t fps[1] = {0};

    if (!nul)
        return;
    text = (const char *)nul + 1;
    tend = memchr(nul + 1, 0, len - (size_t)(nul + 1 - body));
    if (!tend)
        tend = body + len; /* a prefix of a long text */
    if (mon_fingerprints(text, (size_t)((const char *)tend - text), fps, 1) == 0)
        fps[0] = 0;
    if (!(e = name_get(t, 'S', name)))
        return;
    e->fp = fps[0];
    if (mon_slow_threshold_ns() > 0) {
        size_t tlen = (size_t)((const char *)tend - text);
        char *copy = strndup(text, tlen < MON_TEXT_KEEP ? tlen : MON_TEXT_KEEP);
        if (copy) {
            str_set(&e->text, copy);
            free(copy);
        }
    } else {
        str_set(&e->text, NULL);
    }
}

static void tap_bind(struct mon_tap *t, const uint8_t *body, size_t len, bool whole)
{
    const uint8_t *end = body + len, *n1 = memchr(body, 0, len), *n2;
    const struct mon_name *st;
    struct mon_name *po;

    if (!n1 || !(n2 = memchr(n1 + 1, 0, (size_t)(end - n1 - 1))))
        return;
    /* The portal first, then its statement: nothing the caller holds may be freed by
     * making room for the other. */
    if (!(po = name_get(t, 'P', (const char *)body)))
        return;
    st = name_find(t, 'S', (const char *)n1 + 1);
    po->fp = st ? st->fp : 0;
    str_set(&po->text, st ? st->text : NULL);
    str_set(&po->stmt, (const char *)n1 + 1);
    free(po->params);
    po->params =
        whole && st && st->text && mon_slow_parameters() ? params_format(n2 + 1, end) : NULL;
}

static void tap_execute(struct mon_tap *t, const uint8_t *body, size_t len, int64_t now)
{
    const struct mon_name *po;
    uint32_t ref = 0;

    if (!memchr(body, 0, len))
        return;
    po = name_find(t, 'P', (const char *)body);
    if (po && po->text && mon_slow_threshold_ns() > 0)
        ref = text_keep(t, po->text, strlen(po->text), po->params, po->stmt ? po->stmt : "");
    tap_push(t, po ? po->fp : 0, now, ref);
}

/*
 * Which ReadyForQuery ends what: a Query, Sync or FunctionCall is a group, except Syncs the
 * server ignores during COPY FROM STDIN. Those are only known once the client sends CopyData
 * after a Query or Execute; Syncs it sent since that Execute (libpq sends one right after it)
 * were ignored too.
 */
static void tap_count_groups(struct mon_tap *t, uint8_t type)
{
    switch (type) {
    case 'Q':
        t->send_group++;
        t->exec_open = true;
        t->syncs_since_exec = 0;
        break;
    case 'E':
        t->exec_open = true;
        t->syncs_since_exec = 0;
        break;
    case 'S':
        if (t->copy_in)
            break;
        t->send_group++;
        if (t->exec_open)
            t->syncs_since_exec++;
        break;
    case 'F':
        t->send_group++;
        t->exec_open = false;
        break;
    case 'd':
        if (!t->copy_in && t->exec_open) {
            t->send_group -= t->syncs_since_exec;
            t->syncs_since_exec = 0;
            t->copy_in = true;
        }
        break;
    case 'c':
    case 'f':
        t->copy_in = false;
        t->exec_open = false;
        break;
    default:
        break;
    }
}

void mon_tap_frontend(struct mon_tap *t, uint8_t type, const uint8_t *body, size_t len, bool whole)
{
    if (t->dbuser < 0)
        return;
    /* Groups are counted even while the monitor is off, so replies still pair up when it is
     * turned on again. */
    if (monitor_enabled()) {
        switch (type) {
        case 'Q':
            if (t->names && t->names->n_portals > 0)
                name_drop(t, 'P', ""); /* a simple Query destroys the unnamed portal */
            tap_query(t, (const char *)body, strnlen((const char *)body, len), mon_clock_ns());
            break;
        case 'P':
            tap_parse(t, body, len);
            break;
        case 'B':
            tap_bind(t, body, len, whole);
            break;
        case 'E':
            tap_execute(t, body, len, mon_clock_ns());
            break;
        case 'C':
            if (len >= 2 && memchr(body + 1, 0, len - 1))
                name_drop(t, body[0] == 'S' ? 'S' : 'P', (const char *)body + 1);
            break;
        default:
            break;
        }
    }
    tap_count_groups(t, type);
}

/* ---------------------------------------------------------------------------------------- */
/* Backend */

/* Rows of a CommandComplete tag: its last word when that is a number. */
static uint64_t tag_rows(const uint8_t *body, size_t len)
{
    const uint8_t *end = memchr(body, 0, len), *p;
    uint64_t v = 0;

    if (!end)
        end = body + len;
    p = end;
    while (p > body && p[-1] >= '0' && p[-1] <= '9')
        p--;
    if (p == end || (p > body && p[-1] != ' '))
        return 0;
    for (; p < end; p++)
        v = v * 10 + (uint64_t)(*p - '0');
    return v;
}

/* The SQLSTATE of an ErrorResponse into out ("" when absent). */
static void error_code(const uint8_t *body, size_t len, char out[6])
{
    const uint8_t *p = body, *end = body + len;

    out[0] = '\0';
    while (p < end && *p) {
        const uint8_t *nul = memchr(p + 1, 0, (size_t)(end - p - 1));
        if (!nul)
            return;
        if (*p == 'C') {
            snprintf(out, 6, "%s", (const char *)p + 1);
            return;
        }
        p = nul + 1;
    }
}

static void tap_drop_stale(struct mon_tap *t)
{
    while (t->n && (int32_t)(t->q[t->head].group - t->recv_group) < 0) {
        t->head = (t->head + 1) % MON_TAP_QUEUE;
        t->n--;
    }
}

static void tap_complete(struct mon_tap *t, uint8_t type, const uint8_t *body, size_t len)
{
    struct mon_inflight *q = &t->q[t->head];
    int64_t now = mon_clock_ns(),
            start = q->sent_ns > t->last_done_ns ? q->sent_ns : t->last_done_ns;
    int64_t dur = now - start, slow = mon_slow_threshold_ns();
    bool error = type == 'E';

    t->last_done_ns = now;
    t->head = (t->head + 1) % MON_TAP_QUEUE;
    t->n--;
    if (!q->fp)
        return;
    mon_record(t->dbuser, q->fp, dur, q->wait_ns, type == 'C' ? tag_rows(body, len) : 0, error);
    if (slow > 0 && dur >= slow) {
        const struct mon_text_slot *s = text_get(t, q->text_ref);
        char code[6];
        struct mon_slow_event ev = {t, q->fp, dur, q->wait_ns, NULL, NULL, NULL, NULL};
        if (error) {
            error_code(body, len, code);
            ev.sqlstate = code;
        }
        if (s) {
            ev.text = s->buf;
            ev.params = s->has_params ? s->buf + strlen(s->buf) + 1 : NULL;
            ev.portal = s->execute ? s->stmt : NULL;
        }
        mon_slow_add(&ev);
    }
}

void mon_tap_backend(struct mon_tap *t, uint8_t type, const uint8_t *body, size_t len)
{
    switch (type) {
    case 'C':
    case 'I':
    case 's':
    case 'E':
        tap_drop_stale(t);
        if (t->n && t->q[t->head].group == t->recv_group)
            tap_complete(t, type, body, len);
        break;
    case 'Z':
        t->recv_group++;
        tap_drop_stale(t);
        if (len >= 1 && body[0] == 'I' && t->names && t->names->n_portals > 0)
            names_drop_portals(t->names); /* the transaction's end destroyed them */
        break;
    default:
        break;
    }
}
