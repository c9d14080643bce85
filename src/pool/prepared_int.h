/*
 * Inside pool/prepared*.c: the registry of statements shared by every worker
 * (prepared_registry.c), entries keyed by (pool, query, parameter types, search_path).
 */
#ifndef MYRMEX_POOL_PREPARED_INT_H
#define MYRMEX_POOL_PREPARED_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/list.h"

struct pool;

struct ps_entry {
    struct ps_entry *hnext;
    struct list retired; /* ps_retired, while nothing refers to it */
    uint64_t hash;
    char *query;
    size_t query_len;
    uint8_t *types; /* the Parse message's parameter type OIDs, as sent */
    size_t types_len;
    char *search_path;
    const struct pool *pool; /* a statement's meaning depends on the database and user */
    uint64_t sid;            /* the server-side name is PS_NAME_PREFIX<sid> */
    int refs;
    _Atomic bool stale; /* its plan broke after DDL: out of the registry, Binds fail */
    _Atomic bool valid; /* a server of the pool accepted its Parse */
};

uint64_t ps_fnv(uint64_t h, const void *p, size_t n);
/* The entry for these (a new one when none), with a reference; NULL when out of memory. */
struct ps_entry *registry_get(const struct pool *pool, const char *q, size_t qlen,
                              const uint8_t *types, size_t tlen, const char *sp);
/* Drop a reference (the entry is kept for reuse a while once unreferenced). */
void registry_put(struct ps_entry *e);
void registry_ref(struct ps_entry *e);
/* Take the entry named sid out of the registry: its plan broke after DDL. */
void registry_retire(uint64_t sid);
/* A server-side name number never used before. */
uint64_t registry_next_sid(void);

#endif
