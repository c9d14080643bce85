/*
 * Traffic statistics per pool, as PgBouncer's SHOW STATS reports them: cumulative counters
 * bumped with relaxed atomic adds on the hot path (no lock per message), and the change over
 * the last stats_period, taken by a periodic tick, from which the averages are computed.
 */
#ifndef MYRMEX_POOL_STATS_H
#define MYRMEX_POOL_STATS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pool;

/* The counters, in SHOW STATS' column order. Times in microseconds. */
enum stats_counter {
    STATS_ASSIGNMENTS = 0, /* a server was attached to a client */
    STATS_XACTS,           /* ReadyForQuery 'I' ending work: autocommit statement or block */
    STATS_QUERIES,         /* ReadyForQuery a client asked for (Query, Sync, FunctionCall) */
    STATS_RECEIVED,        /* bytes from clients, after login */
    STATS_SENT,            /* bytes from servers to their clients */
    STATS_XACT_TIME,       /* first message of the transaction to its ReadyForQuery 'I' */
    STATS_QUERY_TIME,      /* first message of the query to its ReadyForQuery */
    STATS_WAIT_TIME,       /* clients waiting for a server */
    STATS_CLIENT_PARSES,   /* prepared statements (from struct pool's ps_* counters) */
    STATS_SERVER_PARSES,
    STATS_BINDS,
    STATS_N
};
/* The counters kept here; the last three live in struct pool (pool/prepared.c bumps them). */
#define STATS_OWN STATS_CLIENT_PARSES

struct stats_values {
    uint64_t v[STATS_N];
};

struct pool_stats {
    _Atomic uint64_t c[STATS_OWN];
    /* Written by stats_tick and read by SHOW, both under pool_lock. */
    struct stats_values prev;  /* the totals at the last tick */
    struct stats_values delta; /* their change over the period before it */
};

/* Hot path: add n to one counter (any thread). */
static inline void stats_add(struct pool_stats *st, enum stats_counter which, uint64_t n)
{
    atomic_fetch_add_explicit(&st->c[which], n, memory_order_relaxed);
}

/*
 * The open query and transaction of one client, timed where its messages are read: by its
 * worker (client.c) or, while its socket is lent, by its SQLite session. 0: none open.
 */
struct stats_clock {
    int64_t query_us, xact_us;
};
/* A message that opens a query (and a transaction, when none is open). */
void stats_clock_begin(struct stats_clock *k);
/*
 * A ReadyForQuery the client asked for, with its status: one query ends, and the transaction
 * when the status is back to 'I'. more: further replies are owed (a pipeline), so the next
 * query (and transaction) starts now.
 */
void stats_clock_ready(struct pool_stats *st, struct stats_clock *k, char status, bool more);

/* Totals of one pool now (pool_lock not needed: relaxed loads). */
void stats_read(const struct pool *p, struct stats_values *out);
/* a += b */
void stats_sum(struct stats_values *a, const struct stats_values *b);
/*
 * PgBouncer's averages of a change over period_us: counts and bytes (and wait time, and the
 * prepared-statement counts) per second; xact_time per transaction and query_time per query.
 * Pure; all zero for a period of 0.
 */
void stats_average(const struct stats_values *delta, int64_t period_us, struct stats_values *avg);
/*
 * Periodic (one thread): once stats_period has passed since the last tick, record each pool's
 * change since then. now_ms from now_ms().
 */
void stats_tick(int64_t now_ms);
/* The length of the period the deltas cover, in microseconds (0 before the first tick). */
int64_t stats_period_us(void);

/* One database's traffic: its pools' totals and their change over the last period. */
struct stats_db {
    char name[64];
    struct stats_values total, delta;
};
/* Every database with a pool, by name (pool_lock held only while copying); *period_us (when
 * not NULL) the period the deltas cover. Returns how many (free *out). */
size_t stats_by_database(struct stats_db **out, int64_t *period_us);

#endif
