/*
 * The registry of named prepared statements shared by every worker (pool/prepared.h): one
 * entry per (pool, query, parameter types, search_path), with the server-side name every
 * server of the pool knows it by. Guarded by ps_lock, taken on a client's Parse and Close,
 * never on Bind. Unreferenced entries are kept (up to PS_RETIRED_MAX) so that a statement
 * prepared again gets its old name, which servers may still have.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "pool/prepared.h"
#include "prepared_int.h"
#include "util/util.h"

#define PS_RETIRED_MAX 1024 /* unreferenced entries kept for reuse */

static pthread_mutex_t ps_lock = PTHREAD_MUTEX_INITIALIZER;
static struct ps_entry **ps_buckets;
static size_t ps_nbuckets, ps_count;
static struct list ps_retired = {&ps_retired, &ps_retired};
static size_t ps_n_retired;
static _Atomic uint64_t ps_next_sid = 1;

uint64_t registry_next_sid(void)
{
    return atomic_fetch_add(&ps_next_sid, 1);
}

uint64_t ps_fnv(uint64_t h, const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    return h;
}

static uint64_t entry_hash(const struct pool *pool, const char *q, size_t qlen,
                           const uint8_t *types, size_t tlen, const char *sp)
{
    uint64_t h = ps_fnv(1469598103934665603ULL, &pool, sizeof(pool));
    h = ps_fnv(h, q, qlen);
    h = ps_fnv(h, "\0", 1);
    h = ps_fnv(h, types, tlen);
    h = ps_fnv(h, "\0", 1);
    return sp ? ps_fnv(h, sp, strlen(sp)) : h;
}

static bool entry_matches(const struct ps_entry *e, uint64_t h, const struct pool *pool,
                          const char *q, size_t qlen, const uint8_t *types, size_t tlen,
                          const char *sp)
{
    return e->hash == h && e->pool == pool && e->query_len == qlen && e->types_len == tlen &&
           memcmp(e->query, q, qlen) == 0 && (tlen == 0 || memcmp(e->types, types, tlen) == 0) &&
           (e->search_path ? sp && strcmp(e->search_path, sp) == 0 : !sp);
}

static void entry_free(struct ps_entry *e)
{
    free(e->query);
    free(e->types);
    free(e->search_path);
    free(e);
}

/* Unlink e from its bucket; under ps_lock. */
static void registry_unlink(struct ps_entry *e)
{
    struct ps_entry **pp = &ps_buckets[e->hash & (ps_nbuckets - 1)];
    while (*pp && *pp != e)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = e->hnext;
    ps_count--;
}

static void registry_grow(void)
{
    size_t n = ps_nbuckets ? ps_nbuckets * 2 : 256;
    struct ps_entry **b = xcalloc(n, sizeof(*b));
    for (size_t i = 0; i < ps_nbuckets; i++) {
        struct ps_entry *e = ps_buckets[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            e->hnext = b[e->hash & (n - 1)];
            b[e->hash & (n - 1)] = e;
        }
    }
    free(ps_buckets);
    ps_buckets = b;
    ps_nbuckets = n;
}

/* The entry for (query, types, search_path), with a reference for the caller. */
struct ps_entry *registry_get(const struct pool *pool, const char *q, size_t qlen,
                              const uint8_t *types, size_t tlen, const char *sp)
{
    uint64_t h = entry_hash(pool, q, qlen, types, tlen, sp);
    struct ps_entry *e;

    pthread_mutex_lock(&ps_lock);
    if (ps_count >= ps_nbuckets)
        registry_grow();
    for (e = ps_buckets[h & (ps_nbuckets - 1)]; e; e = e->hnext)
        if (entry_matches(e, h, pool, q, qlen, types, tlen, sp))
            break;
    if (!e) {
        e = xcalloc(1, sizeof(*e));
        list_init(&e->retired);
        e->hash = h;
        e->query = xmalloc(qlen + 1);
        memcpy(e->query, q, qlen);
        e->query[qlen] = '\0';
        e->query_len = qlen;
        if (tlen) {
            e->types = xmalloc(tlen);
            memcpy(e->types, types, tlen);
        }
        e->types_len = tlen;
        e->search_path = sp ? xstrdup(sp) : NULL;
        e->pool = pool;
        e->sid = atomic_fetch_add(&ps_next_sid, 1);
        e->hnext = ps_buckets[h & (ps_nbuckets - 1)];
        ps_buckets[h & (ps_nbuckets - 1)] = e;
        ps_count++;
    }
    if (e->refs++ == 0 && list_linked(&e->retired)) {
        list_del(&e->retired);
        ps_n_retired--;
    }
    pthread_mutex_unlock(&ps_lock);
    return e;
}

void registry_put(struct ps_entry *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&ps_lock);
    if (--e->refs == 0 && atomic_load(&e->stale)) {
        entry_free(e); /* already out of the registry */
    } else if (e->refs == 0) {
        list_add_head(&ps_retired, &e->retired);
        if (++ps_n_retired > PS_RETIRED_MAX) {
            struct ps_entry *old = list_entry(ps_retired.prev, struct ps_entry, retired);
            list_del(&old->retired);
            ps_n_retired--;
            registry_unlink(old);
            entry_free(old);
        }
    }
    pthread_mutex_unlock(&ps_lock);
}

void registry_ref(struct ps_entry *e)
{
    pthread_mutex_lock(&ps_lock);
    e->refs++;
    pthread_mutex_unlock(&ps_lock);
}

/*
 * The server's plan of statement sid no longer fits (DDL changed its result type). As on
 * PostgreSQL, the statements prepared before keep failing, whichever server runs them, until
 * the client prepares again: the entry leaves the registry (a new Parse of the same text gets
 * a fresh one) and its Binds are refused. Its server-side copies age out of the servers' sets.
 */
void registry_retire(uint64_t sid)
{
    pthread_mutex_lock(&ps_lock);
    for (size_t i = 0; i < ps_nbuckets; i++)
        for (struct ps_entry *e = ps_buckets[i]; e; e = e->hnext)
            if (e->sid == sid) {
                registry_unlink(e);
                atomic_store(&e->stale, true);
                if (e->refs == 0) {
                    list_del(&e->retired);
                    ps_n_retired--;
                    entry_free(e);
                }
                pthread_mutex_unlock(&ps_lock);
                return;
            }
    pthread_mutex_unlock(&ps_lock);
}

void ps_registry_free(void)
{
    pthread_mutex_lock(&ps_lock);
    for (size_t i = 0; i < ps_nbuckets; i++) {
        struct ps_entry *e = ps_buckets[i], *next;
        for (; e; e = next) {
            next = e->hnext;
            entry_free(e);
        }
    }
    free(ps_buckets);
    ps_buckets = NULL;
    ps_nbuckets = ps_count = ps_n_retired = 0;
    list_init(&ps_retired);
    pthread_mutex_unlock(&ps_lock);
}
