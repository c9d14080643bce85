/*
 * Named prepared statements in transaction and statement pooling: the shared registry, the
 * client's names, the server's prepared set and the reply queue (include/pool/prepared.h).
 *
 * Threads: the registry (prepared_registry.c) is shared by every worker and guarded by its
 * lock, taken on a client's Parse and Close, never on Bind. A client's names and a server's
 * set and queue belong to the thread that owns the client (the server is attached to it).
 *
 * The reply queue holds one entry per message sent to the server that gets a reply (Flush and
 * copy data get none), in order, plus entries the proxy answers itself (F_FAKE). Entries
 * complete as their replies arrive; an entry owed by the proxy is written as soon as it is at
 * the head. An ErrorResponse in the extended protocol fails the head entry and skips every
 * entry up to the next Sync, undoing them last first; if no Sync was sent yet, the server is
 * "skipping" and entries pushed until the Sync are undone at once.
 */
#include "pool/prepared.h"
#include "prepared_int.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "client/client.h"
#include "core/proxy.h"
#include "pool/pool.h"
#include "server/server.h"
#include "util/list.h"
#include "util/log.h"
#include "util/util.h"
#include "wire/proto.h"

#define PS_NAME_MAX  40                    /* "myrmex_" and a 64-bit number */
#define PS_NONE_NAME PS_NAME_PREFIX "none" /* never prepared: a Bind of it fails */

/* ---- a client's statement names --------------------------------------------------------- */

struct ps_cstmt {
    struct ps_cstmt *next;
    struct ps_entry *e; /* holds a reference */
    uint64_t hash;
    char name[];
};

struct ps_client {
    struct ps_cstmt **buckets;
    size_t nbuckets, count;
};

static struct ps_cstmt **cmap_slot(struct ps_client *pc, const char *name, uint64_t h)
{
    struct ps_cstmt **pp = &pc->buckets[h & (pc->nbuckets - 1)];
    while (*pp && ((*pp)->hash != h || strcmp((*pp)->name, name) != 0))
        pp = &(*pp)->next;
    return pp;
}

static struct ps_entry *cmap_get(struct client *c, const char *name)
{
    struct ps_client *pc = c->ps;
    if (!pc || pc->count == 0)
        return NULL;
    struct ps_cstmt *cs = *cmap_slot(pc, name, ps_fnv(1469598103934665603ULL, name, strlen(name)));
    return cs ? cs->e : NULL;
}

/* Map name to e, taking over the caller's reference. */
static void cmap_put(struct client *c, const char *name, struct ps_entry *e)
{
    struct ps_client *pc = c->ps;
    uint64_t h = ps_fnv(1469598103934665603ULL, name, strlen(name));
    size_t nlen = strlen(name);

    if (!pc)
        pc = c->ps = xcalloc(1, sizeof(*pc));
    if (pc->count >= pc->nbuckets) {
        size_t n = pc->nbuckets ? pc->nbuckets * 2 : 16;
        struct ps_cstmt **b = xcalloc(n, sizeof(*b));
        for (size_t i = 0; i < pc->nbuckets; i++) {
            struct ps_cstmt *cs = pc->buckets[i], *next;
            for (; cs; cs = next) {
                next = cs->next;
                cs->next = b[cs->hash & (n - 1)];
                b[cs->hash & (n - 1)] = cs;
            }
        }
        free(pc->buckets);
        pc->buckets = b;
        pc->nbuckets = n;
    }
    struct ps_cstmt *cs = xmalloc(sizeof(*cs) + nlen + 1);
    memcpy(cs->name, name, nlen + 1);
    cs->hash = h;
    cs->e = e;
    cs->next = pc->buckets[h & (pc->nbuckets - 1)];
    pc->buckets[h & (pc->nbuckets - 1)] = cs;
    pc->count++;
}

/* Unmap name; returns its entry with the mapping's reference (NULL if not mapped). */
static struct ps_entry *cmap_take(struct client *c, const char *name)
{
    struct ps_client *pc = c->ps;
    if (!pc || pc->count == 0)
        return NULL;
    struct ps_cstmt **pp = cmap_slot(pc, name, ps_fnv(1469598103934665603ULL, name, strlen(name)));
    struct ps_cstmt *cs = *pp;
    if (!cs)
        return NULL;
    *pp = cs->next;
    pc->count--;
    struct ps_entry *e = cs->e;
    free(cs);
    return e;
}

/* Drop every name of pc (their references go back to the registry). */
static void cmap_empty(struct ps_client *pc)
{
    for (size_t i = 0; i < pc->nbuckets; i++) {
        struct ps_cstmt *cs = pc->buckets[i], *next;
        for (; cs; cs = next) {
            next = cs->next;
            registry_put(cs->e);
            free(cs);
        }
        pc->buckets[i] = NULL;
    }
    pc->count = 0;
}

static void cmap_clear(struct client *c)
{
    if (c->ps)
        cmap_empty(c->ps);
}

static void cmap_free(struct ps_client *pc)
{
    if (!pc)
        return;
    cmap_empty(pc);
    free(pc->buckets);
    free(pc);
}

void ps_client_free(struct client *c)
{
    cmap_free(c->ps);
    c->ps = NULL;
}

/* ---- a server's prepared set and reply queue -------------------------------------------- */

struct ps_sstmt {
    struct ps_sstmt *next;
    struct list lru; /* ps_server.lru, most recently used first */
    uint64_t sid;
};

enum ps_kind {
    K_PARSE,      /* ParseComplete */
    K_BIND,       /* BindComplete */
    K_DESCRIBE_S, /* ParameterDescription, then RowDescription or NoData */
    K_DESCRIBE_P, /* RowDescription or NoData */
    K_EXECUTE,    /* rows ..., then CommandComplete, EmptyQueryResponse or PortalSuspended */
    K_CLOSE,      /* CloseComplete */
    K_SYNC,       /* ReadyForQuery */
    K_QUERY,      /* anything up to ReadyForQuery (simple query, function call) */
};

enum {
    F_FAKE = 1 << 0,        /* no server reply: the proxy writes it in place */
    F_SWALLOW = 1 << 1,     /* injected: the success reply is dropped */
    F_ADDED = 1 << 2,       /* put sid in the server's set: undo removes it */
    F_EVICTED = 1 << 3,     /* took sid out of the server's set: undo puts it back */
    F_MAPPED = 1 << 4,      /* mapped cname to e: undo unmaps it */
    F_UNMAPPED = 1 << 5,    /* unmapped cname from e: undo maps it again */
    F_REPLACE_ERR = 1 << 6, /* the server's expected error becomes err_* */
    F_CONFIRM_ALL = 1 << 7, /* DEALLOCATE ALL / DISCARD ALL: wait for its CommandComplete */
    F_USES_SID = 1 << 8,    /* Bind/Describe of sid: a stale plan renews the entry */
    F_QUIET = 1 << 9,       /* injected: its error is dropped too */
    F_DROPS_SID = 1 << 10,  /* DEALLOCATE of the throwaway sid: gone from the set once done */
};

struct ps_pend {
    uint8_t kind;
    uint16_t flags;
    uint64_t sid;
    struct ps_entry *e; /* a reference, with F_MAPPED / F_UNMAPPED */
    char *cname;        /* the client's statement name, with F_MAPPED / F_UNMAPPED */
    const char *err_expect, *err_state, *err_msg_static, *err_hint;
    char *err_msg;
    bool described;          /* K_DESCRIBE_S: ParameterDescription seen */
    struct ps_client *saved; /* F_CONFIRM_ALL: the client's names, back if it fails */
};

struct ps_server {
    struct ps_sstmt **buckets;
    size_t nbuckets, count;
    struct list lru;
    struct ps_pend *q;
    size_t qhead, qlen, qcap;
    bool skipping;     /* an error is skipping messages and no Sync was sent yet */
    bool copy_in;      /* in COPY FROM STDIN: the server ignores Sync until CopyDone/Fail */
    int unnamed_owner; /* client id whose Parse made the unnamed statement (0: nobody's) */
    bool stale;        /* statements may exist that the set does not know: Close before Parse */
    bool unknown;      /* ... and they cannot be known again: not to be shared */
    int unconfirmed;   /* DEALLOCATE ALL / DISCARD ALL sent, not yet confirmed */
};

static struct ps_server *sps(struct server *s)
{
    if (!s->ps) {
        s->ps = xcalloc(1, sizeof(*s->ps));
        list_init(&s->ps->lru);
    }
    return s->ps;
}

static struct ps_sstmt **sset_slot(struct ps_server *ps, uint64_t sid)
{
    struct ps_sstmt **pp = &ps->buckets[(sid * 0x9E3779B97F4A7C15ULL >> 32) & (ps->nbuckets - 1)];
    while (*pp && (*pp)->sid != sid)
        pp = &(*pp)->next;
    return pp;
}

static bool sset_has(struct ps_server *ps, uint64_t sid, bool touch)
{
    if (ps->count == 0)
        return false;
    struct ps_sstmt *ss = *sset_slot(ps, sid);
    if (ss && touch && ps->lru.next != &ss->lru) {
        list_del(&ss->lru);
        list_add_head(&ps->lru, &ss->lru);
    }
    return ss != NULL;
}

static void sset_add(struct ps_server *ps, uint64_t sid)
{
    if (ps->count >= ps->nbuckets) {
        size_t n = ps->nbuckets ? ps->nbuckets * 2 : 64;
        struct ps_sstmt **b = xcalloc(n, sizeof(*b));
        struct ps_sstmt **old = ps->buckets;
        size_t oldn = ps->nbuckets;
        ps->buckets = b;
        ps->nbuckets = n;
        for (size_t i = 0; i < oldn; i++) {
            struct ps_sstmt *ss = old[i], *next;
            for (; ss; ss = next) {
                next = ss->next;
                struct ps_sstmt **slot = sset_slot(ps, ss->sid);
                ss->next = *slot;
                *slot = ss;
            }
        }
        free(old);
    }
    struct ps_sstmt **slot = sset_slot(ps, sid);
    if (*slot)
        return;
    struct ps_sstmt *ss = xmalloc(sizeof(*ss));
    ss->sid = sid;
    ss->next = NULL;
    *slot = ss;
    list_add_head(&ps->lru, &ss->lru);
    ps->count++;
}

static void sset_remove(struct ps_server *ps, uint64_t sid)
{
    if (ps->count == 0)
        return;
    struct ps_sstmt **slot = sset_slot(ps, sid);
    struct ps_sstmt *ss = *slot;
    if (!ss)
        return;
    *slot = ss->next;
    list_del(&ss->lru);
    free(ss);
    ps->count--;
}

static void sset_clear(struct ps_server *ps)
{
    struct list *pos, *tmp;
    list_for_each_safe(pos, tmp, &ps->lru)
    {
        list_del(pos);
        free(list_entry(pos, struct ps_sstmt, lru));
    }
    for (size_t i = 0; i < ps->nbuckets; i++)
        ps->buckets[i] = NULL;
    ps->count = 0;
}

static void cmap_free(struct ps_client *pc);

static void pend_release(struct ps_pend *p)
{
    cmap_free(p->saved);
    registry_put(p->e);
    free(p->cname);
    free(p->err_msg);
    memset(p, 0, sizeof(*p));
}

void ps_server_free(struct server *s)
{
    struct ps_server *ps = s->ps;
    if (!ps)
        return;
    for (size_t i = 0; i < ps->qlen; i++)
        pend_release(&ps->q[(ps->qhead + i) % ps->qcap]);
    sset_clear(ps);
    free(ps->buckets);
    free(ps->q);
    free(ps);
    s->ps = NULL;
}

void ps_server_forget(struct server *s, const char *sql)
{
    char name[8];
    struct ps_server *ps = s->ps;
    if (!ps)
        return;
    ps->unnamed_owner = 0;
    enum ps_sql_kind k =
        sql ? ps_sql_classify(sql, strlen(sql), name, sizeof(name)) : PS_SQL_MULTI_MIXED;
    if (k == PS_SQL_OTHER)
        return; /* e.g. ROLLBACK: prepared statements stay */
    sset_clear(ps);
    if (k != PS_SQL_DISCARD_ALL && k != PS_SQL_DEALLOCATE_ALL)
        ps->stale = true; /* not known what the server still holds */
}

void ps_server_attached(struct server *s, bool injected)
{
    if (!s->ps)
        return;
    if (!s->ps_track)
        ps_server_forget(s, NULL); /* a client in session mode may do anything */
    else if (injected)
        s->ps->unnamed_owner = 0; /* the injected SETs dropped the unnamed statement */
}

bool ps_server_settled(const struct server *s)
{
    return !s->ps || s->ps->qlen == 0;
}

bool ps_server_unknown(const struct server *s)
{
    return s->ps && s->ps->unknown;
}

static void sid_name(uint64_t sid, char *buf, size_t cap)
{
    snprintf(buf, cap, PS_NAME_PREFIX "%" PRIu64, sid);
}

/* ---- undoing what a skipped or failed message would have done --------------------------- */

static void pend_undo(struct server *s, struct client *c, struct ps_pend *p)
{
    struct ps_server *ps = s->ps;

    if (p->flags & F_ADDED)
        sset_remove(ps, p->sid);
    if (p->flags & F_EVICTED)
        sset_add(ps, p->sid);
    if ((p->flags & F_MAPPED) && c && cmap_get(c, p->cname) == p->e)
        registry_put(cmap_take(c, p->cname));
    if ((p->flags & F_UNMAPPED) && c && !cmap_get(c, p->cname)) {
        cmap_put(c, p->cname, p->e);
        p->e = NULL; /* the mapping has the reference now */
    }
    if (p->flags & F_CONFIRM_ALL) {
        /* It failed: the client keeps its names (those not taken again since). */
        ps->unconfirmed--;
        ps->unknown = true;
        struct ps_client *saved = p->saved;
        p->saved = NULL;
        for (size_t i = 0; saved && c && i < saved->nbuckets; i++)
            for (struct ps_cstmt *cs = saved->buckets[i]; cs; cs = cs->next)
                if (!cmap_get(c, cs->name)) {
                    cmap_put(c, cs->name, cs->e);
                    cs->e = NULL;
                }
        cmap_free(saved);
    }
}

/* Undo a message the server skipped or failed, now (it is not queued). */
static void pend_skip_now(struct server *s, struct client *c, struct ps_pend *p)
{
    pend_undo(s, c, p);
    pend_release(p);
}

/* ---- the queue -------------------------------------------------------------------------- */

static struct ps_pend *q_head(struct ps_server *ps)
{
    return ps->qlen ? &ps->q[ps->qhead] : NULL;
}

static void q_pop(struct ps_server *ps)
{
    pend_release(&ps->q[ps->qhead]);
    ps->qhead = (ps->qhead + 1) % ps->qcap;
    ps->qlen--;
}

static void write_fake(struct client *c, const struct ps_pend *p)
{
    static const uint8_t parse_complete[5] = {'1', 0, 0, 0, 4};
    static const uint8_t close_complete[5] = {'3', 0, 0, 0, 4};
    evbuffer_add(c->io.out, p->kind == K_PARSE ? parse_complete : close_complete, 5);
}

/* Queue an entry for a message just written to the server (taking over p's pointers). */
static void q_push(struct server *s, struct client *c, struct ps_pend *p)
{
    struct ps_server *ps = sps(s);

    if (ps->skipping && p->kind != K_SYNC) {
        /* The server is skipping up to the next Sync: this one will never be answered. */
        pend_skip_now(s, c, p);
        return;
    }
    if (p->kind == K_SYNC)
        ps->skipping = false;
    if ((p->flags & F_FAKE) && ps->qlen == 0 && s->fwd_left == 0) {
        /* (Not while a server message is half forwarded: it waits for the end of it.) */
        write_fake(c, p);
        pend_release(p);
        return;
    }
    if (ps->qlen == ps->qcap) {
        size_t n = ps->qcap ? ps->qcap * 2 : 16;
        struct ps_pend *q = xcalloc(n, sizeof(*q));
        for (size_t i = 0; i < ps->qlen; i++)
            q[i] = ps->q[(ps->qhead + i) % ps->qcap];
        free(ps->q);
        ps->q = q;
        ps->qcap = n;
        ps->qhead = 0;
    }
    ps->q[(ps->qhead + ps->qlen) % ps->qcap] = *p;
    ps->qlen++;
}

void ps_emit_owed(struct server *s, struct client *c)
{
    struct ps_server *ps = s->ps;
    struct ps_pend *p;

    if (!ps || !c)
        return;
    while ((p = q_head(ps)) && (p->flags & F_FAKE)) {
        write_fake(c, p);
        q_pop(ps);
    }
}

/* ---- messages to the server ------------------------------------------------------------- */

static void put_msg(struct server *s, struct proto_builder *b)
{
    if (!b->failed)
        evbuffer_add(s->io.out, b->data, b->len);
    proto_builder_reset(b);
}

static void count(struct client *c, int which)
{
    struct pool *pool = c->pool;
    if (which == 0)
        atomic_fetch_add_explicit(&pool->ps_client_parses, 1, memory_order_relaxed);
    else if (which == 1)
        atomic_fetch_add_explicit(&pool->ps_server_parses, 1, memory_order_relaxed);
    else
        atomic_fetch_add_explicit(&pool->ps_binds, 1, memory_order_relaxed);
}

static void send_close(struct server *s, struct client *c, uint64_t sid, uint16_t flags)
{
    struct proto_builder b;
    char name[PS_NAME_MAX];
    struct ps_pend p = {.kind = K_CLOSE, .flags = F_SWALLOW | flags, .sid = sid};

    sid_name(sid, name, sizeof(name));
    proto_builder_init(&b);
    proto_begin(&b, 'C');
    proto_put_u8(&b, 'S');
    proto_put_str(&b, name);
    proto_end(&b);
    put_msg(s, &b);
    proto_builder_fini(&b);
    q_push(s, c, &p);
}

/* Make room for one more statement in the server's set: Close the least recently used. */
static void make_room(struct server *s, struct client *c)
{
    struct ps_server *ps = sps(s);
    int max = proxy_config()->max_prepared_statements;

    /* While the server skips to Sync a Close would be skipped too: nothing to do. */
    if (ps->skipping)
        return;
    while ((long)ps->count >= (long)(max > 0 ? max : 1) && !list_empty(&ps->lru)) {
        uint64_t victim = list_entry(ps->lru.prev, struct ps_sstmt, lru)->sid;
        sset_remove(ps, victim);
        send_close(s, c, victim, F_EVICTED);
    }
}

/* Send Parse of e under its server-side name sid; the reply is swallowed. */
static void inject_parse(struct server *s, struct client *c, const struct ps_entry *e, uint64_t sid,
                         uint16_t flags)
{
    struct ps_server *ps = sps(s);
    struct proto_builder b;
    char name[PS_NAME_MAX];
    struct ps_pend p = {.kind = K_PARSE, .flags = F_SWALLOW | F_ADDED | flags, .sid = sid};

    if (ps->stale)
        send_close(s, c, sid, 0);
    make_room(s, c);
    sid_name(sid, name, sizeof(name));
    proto_builder_init(&b);
    proto_begin(&b, 'P');
    proto_put_str(&b, name);
    proto_put_bytes(&b, e->query, e->query_len + 1);
    proto_put_u16(&b, (uint16_t)(e->types_len / 4));
    if (e->types_len)
        proto_put_bytes(&b, e->types, e->types_len);
    proto_end(&b);
    put_msg(s, &b);
    proto_builder_fini(&b);
    sset_add(ps, sid);
    q_push(s, c, &p);
    count(c, 1);
}

/* The server-side name for e on s, preparing it there first if needed. */
static uint64_t ensure_prepared(struct server *s, struct client *c, struct ps_entry *e)
{
    uint64_t sid = e->sid;
    if (!sset_has(sps(s), sid, true))
        inject_parse(s, c, e, sid, 0);
    return sid;
}

/*
 * Refuse the message in place: the server is sent something that fails the same way
 * (so that a transaction block fails as PostgreSQL's would) and its error is replaced by
 * ours; the client's messages are skipped up to Sync.
 */
static void refuse(struct client *c, bool simple, const char *sqlstate, const char *hint,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void refuse(struct client *c, bool simple, const char *sqlstate, const char *hint,
                   const char *fmt, ...)
{
    struct server *s = c->server;
    struct proto_builder b;
    struct ps_pend p = {.flags = F_REPLACE_ERR, .err_state = sqlstate, .err_hint = hint};
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    p.err_msg = xstrdup(msg);
    proto_builder_init(&b);
    if (simple) {
        /* A syntax error: no effect but failing (and failing the transaction block). */
        proto_write_query(&b, PS_NAME_PREFIX "refused");
        p.kind = K_QUERY;
        p.err_expect = "42601";
    } else {
        /* A Bind of a statement that never exists fails the same way. */
        proto_begin(&b, 'B');
        proto_put_str(&b, "");
        proto_put_str(&b, PS_NONE_NAME);
        proto_put_u16(&b, 0);
        proto_put_u16(&b, 0);
        proto_put_u16(&b, 0);
        proto_end(&b);
        p.kind = K_BIND;
        p.err_expect = "26000";
        c->skip_to_sync = true;
    }
    put_msg(s, &b);
    proto_builder_fini(&b);
    q_push(s, c, &p);
}

/* Move the rest of the client's message (after `done` bytes already consumed) to the server. */
static void move_rest(struct client *c, uint32_t len, size_t done, size_t avail)
{
    size_t total = (size_t)len + 1;
    size_t n = avail < total ? avail : total;

    if (n > done)
        evbuffer_remove_buffer(c->io.in, c->server->io.out, n - done);
    c->fwd_left = (uint32_t)(total - (n > done ? n : done));
}

/* Forward the message as it is. */
static void pass(struct client *c, uint32_t len, size_t avail)
{
    move_rest(c, len, 0, avail);
}

/*
 * Write header type + new length, then head (bytes [5, from) as they were), then `mid` (a
 * replacement for bytes [from, to) of the message), then the rest from byte `to` on.
 */
static void rewrite(struct client *c, uint8_t type, uint32_t len, size_t avail, size_t from,
                    size_t to, const void *head, size_t head_len, const void *mid, size_t mid_len)
{
    struct evbuffer *out = c->server->io.out;
    uint8_t hdr[5];
    uint32_t nlen = (uint32_t)(len - (to - from) + mid_len);

    hdr[0] = type;
    hdr[1] = (uint8_t)(nlen >> 24);
    hdr[2] = (uint8_t)(nlen >> 16);
    hdr[3] = (uint8_t)(nlen >> 8);
    hdr[4] = (uint8_t)nlen;
    evbuffer_add(out, hdr, 5);
    if (head_len)
        evbuffer_add(out, head, head_len);
    evbuffer_add(out, mid, mid_len);
    evbuffer_drain(c->io.in, to);
    move_rest(c, len, to, avail);
}

/* A name field at off in msg (have bytes); NULL when not terminated there. */
static const char *field(const uint8_t *msg, size_t have, size_t off, size_t *end)
{
    const uint8_t *nul;
    if (off >= have)
        return NULL;
    nul = memchr(msg + off, 0, have - off);
    if (!nul)
        return NULL;
    *end = (size_t)(nul - msg) + 1;
    return (const char *)msg + off;
}

static bool bad_message(struct client *c, uint8_t type)
{
    client_fatal(c, "08P01", "invalid %s message", proto_frontend_name(type));
    return false;
}

static const char *const ps_hint =
    "Use the protocol's prepared statements (a driver's prepare), which myrmex keeps per "
    "client in transaction pooling, or pool_mode = session.";

/* A client statement name that could be taken for one of the proxy's. */
static bool name_is_ours(const char *name)
{
    return strncmp(name, PS_NAME_PREFIX, strlen(PS_NAME_PREFIX)) == 0;
}

/* DEALLOCATE name: drop the client's mapping; the server runs a DEALLOCATE of a
 * throwaway statement so that the reply (and a failing transaction) are its own. */
/*
 * DEALLOCATE name: the client's name goes (p, the entry of the message that carries the
 * DEALLOCATE, can undo that), and the server runs a DEALLOCATE of a throwaway statement, so
 * that the reply and a failed transaction are its own. The throwaway Parse goes first; for a
 * simple query (simple) with a Sync of its own, both quiet, since a failed Parse would make the
 * server skip the query up to a Sync that never comes.
 */
static bool deallocate_text(struct client *c, const char *name, char *out, size_t cap, bool simple,
                            struct ps_pend *p)
{
    struct server *s = c->server;
    struct ps_entry *e = cmap_get(c, name);
    char sname[PS_NAME_MAX];

    if (!e) {
        if (!name_is_ours(name))
            return false;
        snprintf(out, cap, "DEALLOCATE " PS_NONE_NAME);
        return true;
    }
    uint64_t sid = registry_next_sid();
    struct ps_entry tmp = {.query = "SELECT 1", .query_len = 8};
    inject_parse(s, c, &tmp, sid, simple ? F_QUIET : 0);
    if (simple) {
        struct proto_builder b;
        struct ps_pend sync = {.kind = K_SYNC, .flags = F_SWALLOW};
        proto_builder_init(&b);
        proto_begin(&b, 'S');
        proto_end(&b);
        put_msg(s, &b);
        proto_builder_fini(&b);
        q_push(s, c, &sync);
        p->sid = sid;
        p->flags |= F_DROPS_SID;
    }
    p->e = cmap_take(c, name);
    p->cname = xstrdup(name);
    p->flags |= F_UNMAPPED;
    sid_name(sid, sname, sizeof(sname));
    snprintf(out, cap, "DEALLOCATE %s", sname);
    return true;
}

/* DEALLOCATE ALL or DISCARD ALL goes to the server; the client's names all go. */
static void deallocate_all(struct client *c, struct ps_pend *p)
{
    struct ps_server *ps = sps(c->server);
    sset_clear(ps);
    ps->stale = true;
    if (p) {
        /* Kept until the server confirms, as it fails in a transaction block or after 25P02. */
        p->saved = c->ps;
        c->ps = NULL;
        p->flags |= F_CONFIRM_ALL;
        ps->unconfirmed++;
    } else {
        cmap_clear(c);
        /* In the extended protocol it may never run: the server's set stays unknown. */
        ps->unknown = true;
    }
}

static bool forward_query(struct client *c, const uint8_t *msg, size_t have, uint32_t len,
                          size_t avail)
{
    struct ps_pend p = {.kind = K_QUERY};
    char name[256], text[PS_NAME_MAX + 32];
    size_t qlen = have > 5 ? strnlen((const char *)msg + 5, have - 5) : 0;
    enum ps_sql_kind kind = PS_SQL_OTHER;

    /* A simple query drops the unnamed statement. */
    sps(c->server)->unnamed_owner = 0;

    if (have == (size_t)len + 1)
        kind = ps_sql_classify((const char *)msg + 5, qlen, name, sizeof(name));
    switch (kind) {
    case PS_SQL_PREPARE:
    case PS_SQL_EXECUTE:
        evbuffer_drain(c->io.in, (size_t)len + 1);
        refuse(c, true, "0A000", ps_hint, "SQL-level %s is not supported in %s pooling mode",
               kind == PS_SQL_PREPARE ? "PREPARE" : "EXECUTE",
               c->pool->mode == POOL_STATEMENT ? "statement" : "transaction");
        return true;
    case PS_SQL_MULTI_MIXED:
        evbuffer_drain(c->io.in, (size_t)len + 1);
        refuse(c, true, "0A000", ps_hint,
               "PREPARE, EXECUTE, DEALLOCATE and DISCARD ALL must be sent as a query of their "
               "own in transaction pooling mode");
        return true;
    case PS_SQL_DEALLOCATE:
        if (c->unsynced && cmap_get(c, name)) {
            /* A simple query in the middle of an extended batch: no Sync of our own there. */
            evbuffer_drain(c->io.in, (size_t)len + 1);
            refuse(c, true, "0A000", NULL,
                   "DEALLOCATE as a simple query inside an unfinished extended-protocol batch "
                   "is not supported in transaction pooling mode");
            return true;
        }
        if (deallocate_text(c, name, text, sizeof(text), true, &p)) {
            struct proto_builder b;
            evbuffer_drain(c->io.in, (size_t)len + 1);
            proto_builder_init(&b);
            proto_write_query(&b, text);
            put_msg(c->server, &b);
            proto_builder_fini(&b);
            q_push(c->server, c, &p);
            return true;
        }
        break;
    case PS_SQL_DEALLOCATE_ALL:
    case PS_SQL_DISCARD_ALL:
        deallocate_all(c, &p);
        break;
    default:
        break;
    }
    pass(c, len, avail);
    q_push(c->server, c, &p);
    return true;
}

static bool forward_parse(struct client *c, const uint8_t *msg, uint32_t len, size_t avail)
{
    struct server *s = c->server;
    size_t have = (size_t)len + 1, name_end, query_end;
    const char *name = field(msg, have, 5, &name_end);
    const char *query = name ? field(msg, have, name_end, &query_end) : NULL;
    char dname[256], text[PS_NAME_MAX + 32];
    struct ps_pend p = {.kind = K_PARSE};

    if (!query || have < query_end + 2)
        return bad_message(c, 'P');
    size_t tlen = have - query_end - 2;
    uint16_t ntypes = (uint16_t)(msg[query_end] << 8 | msg[query_end + 1]);
    if (tlen != (size_t)ntypes * 4)
        return bad_message(c, 'P');

    enum ps_sql_kind kind = ps_sql_classify(query, query_end - name_end - 1, dname, sizeof(dname));
    if (kind == PS_SQL_PREPARE || kind == PS_SQL_EXECUTE || kind == PS_SQL_MULTI_MIXED) {
        evbuffer_drain(c->io.in, have);
        refuse(c, false, "0A000", ps_hint, "SQL-level %s is not supported in %s pooling mode",
               kind == PS_SQL_EXECUTE ? "EXECUTE" : "PREPARE",
               c->pool->mode == POOL_STATEMENT ? "statement" : "transaction");
        return true;
    }
    if (name[0] && kind != PS_SQL_OTHER) {
        refuse(c, false, "0A000", ps_hint,
               "a named prepared statement cannot hold DEALLOCATE or DISCARD ALL in transaction "
               "pooling mode");
        evbuffer_drain(c->io.in, have);
        return true;
    }
    if (kind == PS_SQL_DEALLOCATE_ALL || kind == PS_SQL_DISCARD_ALL)
        deallocate_all(c, NULL);

    if (name[0] == '\0') {
        sps(s)->unnamed_owner = c->id;
        if (kind == PS_SQL_DEALLOCATE && deallocate_text(c, dname, text, sizeof(text), false, &p)) {
            /* Parse("", "DEALLOCATE x") becomes Parse("", "DEALLOCATE <throwaway>"). */
            rewrite(c, 'P', len, avail, name_end, query_end, msg + 5, name_end - 5, text,
                    strlen(text) + 1);
        } else {
            pass(c, len, avail);
        }
        q_push(s, c, &p);
        return true;
    }
    if (cmap_get(c, name)) {
        refuse(c, false, "42P05", NULL, "prepared statement \"%s\" already exists", name);
        evbuffer_drain(c->io.in, have);
        return true;
    }
    count(c, 0);
    struct ps_entry *e = registry_get(c->pool, query, query_end - name_end - 1, msg + query_end + 2,
                                      tlen, c->params.v[PARAM_SEARCH_PATH]);
    uint64_t sid = e->sid;
    struct ps_server *ps = sps(s);
    p.cname = xstrdup(name);
    p.flags = F_MAPPED;
    p.sid = sid;
    registry_ref(e);
    p.e = e;
    cmap_put(c, name, e);
    if (sset_has(ps, sid, true) && !(ps->qlen == 0 && s->tx_status == 'E' &&
                                     !ps_sql_tx_exit(query, query_end - name_end - 1))) {
        /* Already there: answered in place, as PostgreSQL would. */
        evbuffer_drain(c->io.in, have);
        p.flags |= F_FAKE;
        q_push(s, c, &p);
        return true;
    }
    if (!sset_has(ps, sid, false)) {
        if (ps->stale)
            send_close(s, c, sid, 0);
        make_room(s, c);
        sset_add(ps, sid);
        p.flags |= F_ADDED;
        count(c, 1);
    }
    /* (In a failed transaction the server answers 25P02, as PostgreSQL would.) */
    char sname[PS_NAME_MAX];
    sid_name(sid, sname, sizeof(sname));
    rewrite(c, 'P', len, avail, 5, name_end, NULL, 0, sname, strlen(sname) + 1);
    q_push(s, c, &p);
    return true;
}

static bool forward_bind(struct client *c, const uint8_t *msg, size_t have, uint32_t len,
                         size_t avail)
{
    size_t portal_end, name_end;
    const char *portal = field(msg, have, 5, &portal_end);
    const char *name = portal ? field(msg, have, portal_end, &name_end) : NULL;
    struct ps_pend p = {.kind = K_BIND};
    struct ps_entry *e;
    char sname[PS_NAME_MAX];

    if (!name)
        return bad_message(c, 'B');
    if (name[0] == '\0' && sps(c->server)->unnamed_owner != c->id) {
        /* The server's unnamed statement, if any, is another client's. */
        size_t n = avail < (size_t)len + 1 ? avail : (size_t)len + 1;
        refuse(c, false, "26000", NULL, "unnamed prepared statement does not exist");
        evbuffer_drain(c->io.in, n);
        c->discard_left = (uint32_t)((size_t)len + 1 - n);
        return true;
    }
    if (name[0] == '\0') {
        pass(c, len, avail);
        q_push(c->server, c, &p);
        return true;
    }
    e = cmap_get(c, name);
    if (!e) {
        size_t n = avail < (size_t)len + 1 ? avail : (size_t)len + 1;
        refuse(c, false, "26000", NULL, "prepared statement \"%s\" does not exist", name);
        evbuffer_drain(c->io.in, n);
        c->discard_left = (uint32_t)((size_t)len + 1 - n);
        return true;
    }
    if (atomic_load(&e->stale)) {
        size_t n = avail < (size_t)len + 1 ? avail : (size_t)len + 1;
        refuse(c, false, "0A000", NULL, "cached plan must not change result type");
        evbuffer_drain(c->io.in, n);
        c->discard_left = (uint32_t)((size_t)len + 1 - n);
        return true;
    }
    count(c, 2);
    p.sid = ensure_prepared(c->server, c, e);
    p.flags = F_USES_SID;
    sid_name(p.sid, sname, sizeof(sname));
    rewrite(c, 'B', len, avail, portal_end, name_end, portal, portal_end - 5, sname,
            strlen(sname) + 1);
    q_push(c->server, c, &p);
    return true;
}

static bool forward_describe_close(struct client *c, uint8_t type, const uint8_t *msg, size_t have,
                                   uint32_t len, size_t avail)
{
    size_t name_end;
    const char *name = have > 6 ? field(msg, have, 6, &name_end) : NULL;
    struct ps_pend p = {.kind = type == 'C'     ? K_CLOSE
                                : msg[5] == 'S' ? K_DESCRIBE_S
                                                : K_DESCRIBE_P};

    if (!name || have != (size_t)len + 1 || (msg[5] != 'S' && msg[5] != 'P'))
        return bad_message(c, type);
    if (type == 'D' && msg[5] == 'S' && name[0] == '\0' && sps(c->server)->unnamed_owner != c->id) {
        refuse(c, false, "26000", NULL, "unnamed prepared statement does not exist");
        evbuffer_drain(c->io.in, have);
        return true;
    }
    if (msg[5] == 'P' || name[0] == '\0') {
        pass(c, len, avail);
        q_push(c->server, c, &p);
        return true;
    }
    if (type == 'C') {
        /* Closing drops the client's name only; a name never prepared is no error. */
        struct ps_entry *e = cmap_take(c, name);
        p.flags = F_FAKE;
        if (e) {
            p.flags |= F_UNMAPPED;
            p.e = e;
            p.cname = xstrdup(name);
        }
        evbuffer_drain(c->io.in, have);
        q_push(c->server, c, &p);
        return true;
    }
    struct ps_entry *e = cmap_get(c, name);
    if (!e) {
        refuse(c, false, "26000", NULL, "prepared statement \"%s\" does not exist", name);
        evbuffer_drain(c->io.in, have);
        return true;
    }
    if (atomic_load(&e->stale)) {
        refuse(c, false, "0A000", NULL, "cached plan must not change result type");
        evbuffer_drain(c->io.in, have);
        return true;
    }
    char sname[PS_NAME_MAX];
    uint8_t kind_byte = 'S';
    p.sid = ensure_prepared(c->server, c, e);
    p.flags = F_USES_SID;
    sid_name(p.sid, sname, sizeof(sname));
    rewrite(c, 'D', len, avail, 6, name_end, &kind_byte, 1, sname, strlen(sname) + 1);
    q_push(c->server, c, &p);
    return true;
}

bool ps_parse_locally(struct client *c)
{
    struct evbuffer *in = c->io.in;
    size_t avail = evbuffer_get_length(in);
    uint8_t hdr[PROTO_HEADER_LEN];
    size_t name_end, query_end;

    evbuffer_copyout(in, hdr, PROTO_HEADER_LEN);
    size_t total = (size_t)proto_read_u32(hdr + 1) + 1;
    if (hdr[0] != 'P' || total + 5 > avail || total > 65536)
        return false;
    const uint8_t *msg = evbuffer_pullup(in, (ssize_t)(total + 5));
    const uint8_t *sync = msg + total;
    if (sync[0] != 'S' || proto_read_u32(sync + 1) != 4)
        return false;
    const char *name = field(msg, total, 5, &name_end);
    const char *query = name ? field(msg, total, name_end, &query_end) : NULL;
    char dname[8];
    if (!query || !name[0] || total < query_end + 2 || cmap_get(c, name) ||
        ps_sql_classify(query, query_end - name_end - 1, dname, sizeof(dname)) != PS_SQL_OTHER)
        return false;
    size_t tlen = total - query_end - 2;
    if (tlen != (size_t)(msg[query_end] << 8 | msg[query_end + 1]) * 4)
        return false;
    struct ps_entry *e = registry_get(c->pool, query, query_end - name_end - 1, msg + query_end + 2,
                                      tlen, c->params.v[PARAM_SEARCH_PATH]);
    if (!atomic_load_explicit(&e->valid, memory_order_relaxed) || atomic_load(&e->stale)) {
        registry_put(e);
        return false;
    }
    count(c, 0);
    cmap_put(c, name, e);
    evbuffer_drain(in, total + 5);
    static const uint8_t reply[11] = {'1', 0, 0, 0, 4, 'Z', 0, 0, 0, 5, 'I'};
    evbuffer_add(c->io.out, reply, sizeof(reply));
    return true;
}

bool ps_pool_enabled(const struct pool *p)
{
    return p->mode != POOL_SESSION && proxy_config()->max_prepared_statements > 0;
}

bool ps_forward(struct client *c, uint8_t type, const uint8_t *msg, size_t have, uint32_t len,
                size_t avail)
{
    struct ps_pend p = {0};

    log_at(LOG_DEBUG, c->prefix, "ps: %s from client, %zu replies queued",
           proto_frontend_name(type), c->server->ps ? c->server->ps->qlen : 0);

    switch (type) {
    case 'P':
        return forward_parse(c, msg, len, avail);
    case 'B':
        return forward_bind(c, msg, have, len, avail);
    case 'D':
    case 'C':
        return forward_describe_close(c, type, msg, have, len, avail);
    case 'Q':
        return forward_query(c, msg, have, len, avail);
    case 'E':
        p.kind = K_EXECUTE;
        break;
    case 'S':
        if (sps(c->server)->copy_in) {
            /* Ignored by the server during COPY FROM STDIN: no ReadyForQuery for it. */
            if (c->expect_rfq > 0)
                c->expect_rfq--;
            pass(c, len, avail);
            return true;
        }
        p.kind = K_SYNC;
        break;
    case 'c':
    case 'f':
        sps(c->server)->copy_in = false;
        pass(c, len, avail);
        return true;
    case 'F':
        p.kind = K_QUERY;
        break;
    default: /* Flush, copy data: no reply of their own */
        pass(c, len, avail);
        return true;
    }
    pass(c, len, avail);
    q_push(c->server, c, &p);
    return true;
}

/* ---- replies from the server ------------------------------------------------------------ */

bool ps_reply_tracked(uint8_t type)
{
    return strchr("123ntTCIsEZG", type) != NULL && type != '\0';
}

/* COPY FROM STDIN began: the Syncs queued behind its Execute are ignored by the server. */
static void drop_copy_syncs(struct server *s, struct client *c)
{
    struct ps_server *ps = s->ps;
    size_t i = 1;
    while (i < ps->qlen && ps->q[(ps->qhead + i) % ps->qcap].kind == K_SYNC) {
        /* Remove entry i, keeping the order of the rest. */
        for (size_t j = i; j + 1 < ps->qlen; j++)
            ps->q[(ps->qhead + j) % ps->qcap] = ps->q[(ps->qhead + j + 1) % ps->qcap];
        ps->qlen--;
        if (c->expect_rfq > 0)
            c->expect_rfq--;
    }
}

/* Write our error in place of the server's. */
static void write_error(struct client *c, const struct ps_pend *p)
{
    struct proto_builder b;
    struct proto_error e = {"ERROR", p->err_state, p->err_msg, NULL, p->err_hint, 0};
    proto_builder_init(&b);
    proto_write_error(&b, &e);
    if (!b.failed)
        evbuffer_add(c->io.out, b.data, b.len);
    proto_builder_fini(&b);
}

static const char *find(const void *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    const char *h = hay;
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (memcmp(h + i, needle, m) == 0)
            return h + i;
    return NULL;
}

/* The client's name for server statement sid (NULL if it has none any more). */
static const char *cmap_name_of(struct client *c, uint64_t sid)
{
    struct ps_client *pc = c->ps;
    if (!pc)
        return NULL;
    for (size_t i = 0; i < pc->nbuckets; i++)
        for (struct ps_cstmt *cs = pc->buckets[i]; cs; cs = cs->next)
            if (cs->e->sid == sid)
                return cs->name;
    return NULL;
}

/* Forward an ErrorResponse with "myrmex_<sid>" in its texts given back as the client's name. */
static bool forward_renamed_error(struct client *c, const uint8_t *msg, uint32_t len, uint64_t sid)
{
    char sname[PS_NAME_MAX + 2], quoted[PS_NAME_MAX];
    const char *cname = cmap_name_of(c, sid);
    struct proto_builder b;
    size_t off = 5, end = (size_t)len + 1;

    sid_name(sid, quoted, sizeof(quoted));
    snprintf(sname, sizeof(sname), "\"%s\"", quoted);
    if (!cname || !find(msg, end, sname))
        return false;
    proto_builder_init(&b);
    proto_begin(&b, 'E');
    while (off < end && msg[off] != 0) {
        uint8_t code = msg[off++];
        const char *v = (const char *)msg + off;
        size_t vlen = strnlen(v, end - off);
        const char *hit = code == 'M' || code == 'D' ? find(v, vlen, sname) : NULL;
        proto_put_u8(&b, code);
        if (hit) {
            proto_put_bytes(&b, v, (size_t)(hit - v) + 1);
            proto_put_bytes(&b, cname, strlen(cname));
            proto_put_str(&b, hit + strlen(sname) - 1);
        } else {
            proto_put_bytes(&b, v, vlen);
            proto_put_u8(&b, 0);
        }
        off += vlen + 1;
    }
    proto_put_u8(&b, 0);
    proto_end(&b);
    bool ok = !b.failed;
    if (ok)
        evbuffer_add(c->io.out, b.data, b.len);
    proto_builder_fini(&b);
    return ok;
}

/*
 * An ErrorResponse: the head entry failed. In the extended protocol the server now skips to
 * the next Sync: every entry before it is undone (last first), as if never sent.
 */
static void on_error(struct server *s, struct client *c, const uint8_t *msg, uint32_t len)
{
    struct ps_server *ps = s->ps;
    struct ps_pend *head = q_head(ps);
    struct proto_error_fields f = {0};
    bool replaced = false;

    proto_parse_error(msg + 5, len - 4, &f);
    if (head && (head->flags & F_QUIET))
        replaced = true; /* an injected message's own failure: the next one reports */
    else if (head && (head->flags & F_REPLACE_ERR) && f.sqlstate &&
             strcmp(f.sqlstate, head->err_expect) == 0) {
        write_error(c, head);
        replaced = true;
    }
    if (!replaced && head && (head->flags & F_USES_SID))
        replaced = forward_renamed_error(c, msg, len, head->sid);
    if (!replaced)
        evbuffer_add(c->io.out, msg, (size_t)len + 1);
    if (head && head->kind == K_QUERY && (head->flags & F_UNMAPPED)) {
        /* DEALLOCATE failed: the name stays, as on PostgreSQL. */
        pend_undo(s, c, head);
        head->flags &= (uint16_t) ~(F_UNMAPPED | F_DROPS_SID);
    }
    if (!head || head->kind == K_QUERY || head->kind == K_SYNC)
        return; /* a simple query (or the Sync's commit) goes on to its ReadyForQuery */
    if ((head->flags & F_USES_SID) && f.sqlstate && strcmp(f.sqlstate, "26000") == 0)
        sset_remove(ps, head->sid); /* the server lost it somehow: prepare it again next time */
    if ((head->flags & F_USES_SID) && f.sqlstate && strcmp(f.sqlstate, "0A000") == 0 && f.message &&
        strstr(f.message, "cached plan must not change result type"))
        registry_retire(head->sid);

    size_t n = 0;
    while (n < ps->qlen && ps->q[(ps->qhead + n) % ps->qcap].kind != K_SYNC)
        n++;
    bool no_sync = n == ps->qlen;
    for (size_t i = n; i-- > 0;)
        pend_undo(s, c, &ps->q[(ps->qhead + i) % ps->qcap]);
    for (size_t i = 0; i < n; i++)
        q_pop(ps);
    if (no_sync)
        ps->skipping = true; /* until the client's Sync */
}

static bool reply_confirms(const uint8_t *msg, uint32_t len)
{
    size_t n = strnlen((const char *)msg + 5, (size_t)len - 4);
    return (n == 14 && memcmp(msg + 5, "DEALLOCATE ALL", 14) == 0) ||
           (n == 11 && memcmp(msg + 5, "DISCARD ALL", 11) == 0);
}

int ps_on_reply(struct server *s, struct client *c, uint8_t type, const uint8_t *msg, uint32_t len)
{
    struct ps_server *ps = sps(s);
    struct ps_pend *p = q_head(ps);
    bool done = false, forward = true;

    log_at(LOG_DEBUG, s->prefix, "ps: %s from server, head %d of %zu", proto_backend_name(type),
           p ? p->kind : -1, ps->qlen);

    if (type == 'E') {
        on_error(s, c, msg, len);
        evbuffer_drain(s->io.in, (size_t)len + 1);
        return PS_REPLY_OK;
    }
    if (type == 'G' && p && p->kind == K_EXECUTE) {
        /* COPY FROM STDIN: the server ignores the Syncs already sent until the copy ends. */
        ps->copy_in = true;
        drop_copy_syncs(s, c);
        evbuffer_remove_buffer(s->io.in, c->io.out, (size_t)len + 1);
        return PS_REPLY_OK;
    }
    if (!p) {
        /* Nothing outstanding (a notice-like message): pass it on. */
        if (type == 'Z')
            return PS_REPLY_OK;
        evbuffer_remove_buffer(s->io.in, c->io.out, (size_t)len + 1);
        return PS_REPLY_OK;
    }
    switch (type) {
    case '1':
    case '2':
    case '3':
        done = p->kind == (type == '1' ? K_PARSE : type == '2' ? K_BIND : K_CLOSE);
        if (!done && p->kind != K_QUERY)
            return PS_REPLY_DESYNC;
        break;
    case 't':
        if (p->kind == K_DESCRIBE_S && !p->described) {
            p->described = true;
            break;
        }
        if (p->kind != K_QUERY)
            return PS_REPLY_DESYNC;
        break;
    case 'T':
    case 'n':
        done = p->kind == K_DESCRIBE_P || (p->kind == K_DESCRIBE_S && p->described);
        if (!done && p->kind != K_QUERY && p->kind != K_EXECUTE)
            return PS_REPLY_DESYNC;
        break;
    case 'C':
    case 'I':
    case 's':
        if ((p->flags & F_CONFIRM_ALL) && type == 'C' && reply_confirms(msg, len)) {
            p->flags &= (uint16_t)~F_CONFIRM_ALL;
            if (--ps->unconfirmed == 0 && !ps->unknown)
                ps->stale = false;
        }
        if (type == 'C' && (p->flags & F_DROPS_SID)) {
            sset_remove(ps, p->sid); /* the throwaway statement is deallocated */
            p->flags &= (uint16_t)~F_DROPS_SID;
        }
        done = p->kind == K_EXECUTE;
        if (!done && p->kind != K_QUERY)
            return PS_REPLY_DESYNC;
        break;
    case 'Z': {
        if (p->kind != K_SYNC && p->kind != K_QUERY)
            return PS_REPLY_DESYNC;
        if (p->flags & F_CONFIRM_ALL)
            pend_undo(s, c, p); /* it did not run: what the server holds is unknown */
        bool swallow = (p->flags & F_SWALLOW) != 0;
        q_pop(ps);
        if (swallow) {
            /* The Sync the proxy sent after its own Parse. */
            s->tx_status = (char)msg[5];
            evbuffer_drain(s->io.in, (size_t)len + 1);
            ps_emit_owed(s, c);
            return PS_REPLY_SWALLOWED;
        }
        return PS_REPLY_OK; /* the caller handles ReadyForQuery, then ps_emit_owed */
    }
    default:
        break;
    }
    if (done && (p->flags & F_SWALLOW))
        forward = false;
    if (done && p->kind == K_PARSE && p->e)
        atomic_store_explicit(&p->e->valid, true, memory_order_relaxed);
    if (forward)
        evbuffer_remove_buffer(s->io.in, c->io.out, (size_t)len + 1);
    else
        evbuffer_drain(s->io.in, (size_t)len + 1);
    if (done) {
        q_pop(ps);
        ps_emit_owed(s, c);
    }
    return PS_REPLY_OK;
}
