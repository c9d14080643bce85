/*
 * Pools per (database, server user), global across workers and guarded by one lock.
 * A pool owns its idle servers and its queue of waiting clients; limits (pool_size,
 * reserve, max_db_connections, max_user_connections) are enforced here.
 */
#ifndef MYRMEX_POOL_POOL_H
#define MYRMEX_POOL_POOL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/scram.h"
#include "config/config.h"
#include "pool/params.h"
#include "pool/stats.h"
#include "util/list.h"

struct client;
struct server;
struct worker;

#define POOL_MAX_WELCOME 32
/* Idle servers looked at for one already on the acquiring worker. */
#define POOL_IDLE_SCAN 16
/* How long a waiter may be passed over for one on the releasing server's worker. */
#define POOL_HANDOFF_SLACK_MS 20

struct pool {
    struct list node;           /* all pools */
    char *db_name;              /* as clients name it */
    char *user;                 /* server login user */
    const struct db_config *db; /* entry of the configuration in effect (replaced on reload) */
    enum pool_mode mode;

    struct list idle;    /* struct server, SERVER_IDLE */
    struct list waiting; /* struct client, CLIENT_WAITING or CLIENT_LOGIN_WAIT */
    int n_servers;       /* every server of the pool, in any state but closed */
    int n_connecting;    /* in CONNECTING or LOGIN */
    int n_waiting;

    /* ParameterStatus values from the first login, sent to every client at its login. */
    bool welcome_ready;
    int n_welcome;
    char *welcome_names[POOL_MAX_WELCOME];
    char *welcome_values[POOL_MAX_WELCOME];

    /* Prepared statements in transaction pooling: Parses from clients, Parses sent to
     * servers, Binds of named statements. */
    _Atomic uint64_t ps_client_parses, ps_server_parses, ps_binds;
    struct pool_stats stats; /* SHOW STATS (pool/stats.h) */

    /* RECONNECT, or a reload that changes where servers connect, starts a new generation:
     * servers of an older one are closed once released. n_cur: servers of this one. */
    uint32_t gen;
    int n_cur;

    struct scram_keys scram_keys; /* from a client's SCRAM login, for pass-through */
    int64_t login_failed_ms;      /* last failed server login, for server_login_retry */
    char login_error[256];        /* "SQLSTATE message" of that failure */
};

extern pthread_mutex_t pool_lock;

/* The pool for (database entry, client user), created on first use. Takes pool_lock. */
struct pool *pool_get(const struct db_config *db, const char *client_user);

enum pool_acquire_result { POOL_ACQUIRED, POOL_WAIT, POOL_FAILED };
/*
 * Get a server for c. ACQUIRED: c->server is attached on c's worker. WAIT: c is queued and
 * will get a handoff. FAILED: c->handoff_error says why (for example server_login_retry).
 */
enum pool_acquire_result pool_acquire(struct client *c);
/* Take over a server handed to one of w's clients: its events move to w's base. */
void pool_adopt_server(struct server *s, struct worker *w);
/* Return s (detached from its client, on its worker's thread): to a waiter, idle, or closed. */
void pool_release(struct server *s);
/*
 * A server's read event fired: when s is idle (EOF or stray data retires it) or on its way to
 * another worker, handle it here and return true; false for a server this worker owns.
 */
bool pool_idle_event(struct server *s);
/* A server died or failed login: forget it; login_error set when the login failed. */
void pool_server_closed(struct server *s, const char *login_error);
/* A client stops waiting (closed or timed out). Returns a server already handed to it, if any. */
void pool_cancel_wait(struct client *c);
/* Record the welcome parameters from a server's login. */
void pool_set_welcome(struct pool *p, const struct server *s, const char *const *names,
                      const char *const *values, int n);
/* Periodic: idle timeouts, lifetime, min_pool_size, reserve pool. Main thread. */
void pool_janitor(int64_t now);
/* Point every pool at the new configuration's entries. Main thread. */
void pool_reconfigure(const struct config *cfg);
/* Whether a pool still points into cfg (a database removed by a reload). */
bool pool_uses_config(const struct config *cfg);
/* Close every idle server (shutdown). */
void pool_close_idle(void);
/* Close the idle servers of database db's pools (NULL: every database's); returns how many. */
int pool_close_idle_of(const char *db);
/* RECONNECT: db's servers (NULL: all) are closed now if idle, else when released. */
void pool_reconnect(const char *db);
/* Close the idle servers RECONNECT marked (one released while it ran may have gone idle). */
void pool_reconnect_sweep(const char *db);
/* Servers of db's pools (NULL: all but the console's), or only those RECONNECT marked. */
int pool_count_servers_of(const char *db, bool stale_only);
/* Servers of db (NULL: every database) a client holds in transaction or statement pooling:
 * transactions in flight. Session pooling's are not counted (a client keeps its server). */
int pool_count_busy_of(const char *db);
/* server_connect: s joins its pool's current generation; returns the entry to connect with. */
const struct db_config *pool_count_new_server(struct server *s);
/*
 * Call fn for every pool with pool_lock held (any thread): fn may read the pool's counters and
 * its idle servers, and must neither block nor take pool_lock.
 */
typedef void (*pool_visit_fn)(void *arg, const struct pool *p);
void pool_for_each(pool_visit_fn fn, void *arg);
/* Active servers over all pools (for shutdown). */
int pool_total_servers(void);
void pool_destroy_all(void);

#endif
