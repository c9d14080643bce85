/*
 * Pools per (database, server user). One mutex, pool_lock, guards every pool's lists and
 * counters and the workers' handoff lists; it is held only for list moves, never across I/O.
 *
 * A server is in exactly one place: pool->idle (SERVER_IDLE, its read event left armed on the
 * worker that released it, watching for EOF), attached to a client (SERVER_ACTIVE, its io
 * events on the client's worker), in a client's handoff (SERVER_ACTIVE, io unassigned until
 * the client's worker picks it up), or owned by the worker that is connecting or resetting it.
 *
 * An idle server taken again by the worker that released it costs no event changes at all;
 * acquire prefers such servers. Taking one from another worker sets s->worker (the new owner)
 * and then state, under the lock, before moving the events: the old worker's read callback
 * (pool_idle_event) sees either "idle, mine" or "not mine" and never forwards for a client it
 * does not own. Moving is event_del() on the old base (which waits for a callback running
 * there) followed by event_assign() on the new one; the lock is never held across it.
 */
#include "pool/pool.h"

#include <errno.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "client/client.h"
#include "core/control.h"
#include "core/proxy.h"
#include "server/server.h"
#include "util/log.h"
#include "util/util.h"

pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct list pools = {&pools, &pools};

struct pool *pool_get(const struct db_config *db, const char *client_user)
{
    const char *user = db->user ? db->user : client_user;
    struct config *cfg = proxy_config();
    struct list *pos, *tmp;
    struct pool *p;

    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools)
    {
        p = list_entry(pos, struct pool, node);
        if (strcmp(p->db_name, db->name) == 0 && strcmp(p->user, user) == 0) {
            pthread_mutex_unlock(&pool_lock);
            return p;
        }
    }
    p = xcalloc(1, sizeof(*p));
    p->db_name = xstrdup(db->name);
    p->user = xstrdup(user);
    p->db = db;
    /* A console session is one client's for its whole connection. */
    p->mode = db->backend == DB_BACKEND_ADMIN ? POOL_SESSION : config_pool_mode(cfg, db, user);
    list_init(&p->idle);
    list_init(&p->waiting);
    list_add_tail(&pools, &p->node);
    pthread_mutex_unlock(&pool_lock);
    return p;
}

/* Whether new transactions on p wait (PAUSE, KILL, SUSPEND); never the console's. */
static bool pool_paused(const struct pool *p)
{
    return p->db->backend != DB_BACKEND_ADMIN && control_paused(p->db_name);
}

/* A server of p is gone: uncount it (lock held). */
static void pool_uncount(struct pool *p, const struct server *s)
{
    p->n_servers--;
    if (s->gen == p->gen)
        p->n_cur--;
}

const struct db_config *pool_count_new_server(struct server *s)
{
    struct pool *p = s->pool;
    const struct db_config *db;
    pthread_mutex_lock(&pool_lock);
    s->gen = p->gen;
    p->n_cur++;
    db = p->db;
    pthread_mutex_unlock(&pool_lock);
    return db;
}

/* Servers of every pool of the same database, or of the same user (lock held). */
static int pool_count_servers(const struct pool *p, bool by_db)
{
    struct list *pos, *tmp;
    int n = 0;
    list_for_each_safe(pos, tmp, &pools)
    {
        const struct pool *q = list_entry(pos, struct pool, node);
        /* Console sessions are no connections to a database: they count for no user. */
        if (!by_db && q->db->backend == DB_BACKEND_ADMIN)
            continue;
        if (by_db ? strcmp(q->db_name, p->db_name) == 0 : strcmp(q->user, p->user) == 0)
            n += q->n_servers;
    }
    return n;
}

static int pool_max_user_connections(const struct config *cfg, const char *user)
{
    const struct user_config *u = config_find_user(cfg, user);
    if (u && u->max_user_connections >= 0)
        return u->max_user_connections;
    return cfg->max_user_connections;
}

/* Whether one more server may be opened (lock held). */
static bool pool_can_open(const struct pool *p, bool use_reserve)
{
    const struct config *cfg = proxy_config();
    int size = config_pool_size(cfg, p->db);
    int reserve = p->db->reserve_pool_size >= 0 ? p->db->reserve_pool_size : cfg->reserve_pool_size;
    int max_db =
        p->db->max_db_connections >= 0 ? p->db->max_db_connections : cfg->max_db_connections;
    int max_user = pool_max_user_connections(cfg, p->user);

    int run_state = atomic_load(&proxy.run_state);
    if (run_state == PROXY_STOPPING || (run_state != PROXY_RUNNING && p->n_waiting == 0))
        return false;
    if (pool_paused(p))
        return false;
    if (p->n_servers >= size + (use_reserve ? reserve : 0))
        return false;
    if (max_db > 0 && pool_count_servers(p, true) >= max_db)
        return false;
    if (max_user > 0 && p->db->backend != DB_BACKEND_ADMIN &&
        pool_count_servers(p, false) >= max_user)
        return false;
    return true;
}

/* Start a server when waiters outnumber connections in progress (lock held). */
static bool pool_want_new_server(struct pool *p, bool use_reserve)
{
    if (p->n_waiting <= p->n_connecting || !pool_can_open(p, use_reserve))
        return false;
    p->n_servers++;
    p->n_connecting++;
    return true;
}

static bool pool_login_backoff(struct pool *p, int64_t now)
{
    const struct config *cfg = proxy_config();
    return p->login_failed_ms && p->n_servers == 0 &&
           now - p->login_failed_ms < cfg->server_login_retry_ms;
}

/* Deliver a server (or an error) to a waiting client through its worker (lock held). */
static void pool_handoff(struct client *c, struct server *s, const char *error)
{
    c->handoff_server = s;
    c->handoff_error = error ? c->handoff_msg : NULL;
    if (error)
        snprintf(c->handoff_msg, sizeof(c->handoff_msg), "%s", error);
    if (s) {
        s->client = c;
        s->state = SERVER_ACTIVE;
    }
    list_add_tail(&c->worker->handoff, &c->wait_node);
    worker_wake(c->worker);
}

/* Point s's io events at worker w's base (s is not reachable by other threads). */
void pool_adopt_server(struct server *s, struct worker *w)
{
    if (s->io.assigned && event_get_base(&s->io.rev) == w->base) {
        s->worker = w;
        return;
    }
    io_unassign(&s->io);
    io_assign(&s->io, w->base, server_on_read, server_on_write, s);
    s->worker = w;
}

/* Whether an idle server must pass server_check_query before a client gets it. */
static bool pool_needs_check(const struct server *s, int64_t now)
{
    const struct config *cfg = proxy_config();
    const char *q = cfg->server_check_query;
    return q && q[0] && cfg->server_check_delay_ms >= 0 &&
           now - s->idle_since_ms >= cfg->server_check_delay_ms;
}

/* Unlink an idle server, preferring one whose events already live on worker w (lock held). */
static struct server *pool_pop_idle(struct pool *p, struct worker *w)
{
    struct list *pos;
    struct server *s;
    int scanned = 0;

    if (list_empty(&p->idle))
        return NULL;
    for (pos = p->idle.next; pos != &p->idle && scanned < POOL_IDLE_SCAN; pos = pos->next) {
        s = list_entry(pos, struct server, node);
        if (s->worker == w)
            break;
        scanned++;
    }
    if (pos == &p->idle || scanned == POOL_IDLE_SCAN)
        pos = p->idle.next;
    list_del(pos);
    s = list_entry(pos, struct server, node);
    /* Owner first, then state: see pool_idle_event(). */
    __atomic_store_n(&s->worker, w, __ATOMIC_RELAXED);
    __atomic_store_n(&s->state, SERVER_ACTIVE, __ATOMIC_RELEASE);
    return s;
}

enum pool_acquire_result pool_acquire(struct client *c)
{
    struct pool *p = c->pool;
    struct server *s;
    bool open_new = false, paused;
    int64_t now = now_ms();

    pthread_mutex_lock(&pool_lock);
    /* Paused: the client waits in the queue like any other, until RESUME or its timeout. */
    paused = pool_paused(p);
    s = paused ? NULL : pool_pop_idle(p, c->worker);
    if (s) {
        pthread_mutex_unlock(&pool_lock);
        /* A no-op for a server idle on this worker; else event_del waits for its old worker. */
        pool_adopt_server(s, c->worker);
        io_start_read(&s->io);
        if (pool_needs_check(s, now)) {
            /*
             * Idle for long: run server_check_query first. The client queues like any
             * waiter and gets this server (or another) when the check comes back.
             */
            pthread_mutex_lock(&pool_lock);
            list_add_tail(&p->waiting, &c->wait_node);
            p->n_waiting++;
            c->wait_start_ms = now;
            pthread_mutex_unlock(&pool_lock);
            server_start_reset(s, proxy_config()->server_check_query);
            return POOL_WAIT;
        }
        s->client = c;
        c->server = s;
        return POOL_ACQUIRED;
    }
    if (!paused && pool_login_backoff(p, now)) {
        snprintf(c->handoff_msg, sizeof(c->handoff_msg), "%s", p->login_error);
        c->handoff_error = c->handoff_msg;
        pthread_mutex_unlock(&pool_lock);
        return POOL_FAILED;
    }
    list_add_tail(&p->waiting, &c->wait_node);
    p->n_waiting++;
    c->wait_start_ms = now;
    open_new = pool_want_new_server(p, false);
    pthread_mutex_unlock(&pool_lock);
    if (open_new)
        server_connect(p, c->worker, &c->params);
    return POOL_WAIT;
}

/* Unlink the first waiter (lock held). */
static struct client *pool_pop_waiter(struct pool *p)
{
    struct list *node = list_pop(&p->waiting);
    if (!node)
        return NULL;
    p->n_waiting--;
    return list_entry(node, struct client, wait_node);
}

/*
 * Unlink the waiter a server released on worker w goes to (lock held): the first one, unless
 * it belongs to another worker and has waited less than POOL_HANDOFF_SLACK_MS, in which case
 * one of the next few waiters on w is served first and the server stays on its worker. The
 * order among waiters moves by at most that slack.
 */
static struct client *pool_pop_waiter_for(struct pool *p, struct worker *w, int64_t now)
{
    struct list *pos;
    struct client *head, *c;
    int scanned = 0;

    if (list_empty(&p->waiting))
        return NULL;
    head = list_entry(p->waiting.next, struct client, wait_node);
    if (head->worker == w || now - head->wait_start_ms >= POOL_HANDOFF_SLACK_MS)
        return pool_pop_waiter(p);
    for (pos = head->wait_node.next; pos != &p->waiting && scanned < POOL_IDLE_SCAN;
         pos = pos->next, scanned++) {
        c = list_entry(pos, struct client, wait_node);
        if (c->worker == w) {
            list_del(pos);
            p->n_waiting--;
            return c;
        }
    }
    return pool_pop_waiter(p);
}

void pool_release(struct server *s)
{
    struct pool *p = s->pool;
    struct worker *w = worker_current();
    const struct config *cfg = proxy_config();
    struct client *c;
    int64_t now = now_ms();
    bool too_old = cfg->server_lifetime_ms > 0 && now - s->connect_ms > s->lifetime_ms;

    s->client = NULL;
    /* The caller's thread owns s now (it may come from another worker's handoff). */
    if (!w)
        w = s->worker;
    if (s->dirty || too_old || atomic_load(&proxy.run_state) == PROXY_STOPPING) {
        server_close(s, s->dirty ? "server state unknown" : "server_lifetime reached");
        return;
    }
    if (__atomic_load_n(&p->gen, __ATOMIC_RELAXED) != s->gen) {
        server_close(s, "closing because of RECONNECT or a changed database entry");
        return;
    }
    if (pool_paused(p)) {
        /* PAUSE closes every server once its transaction is over (so it may restart). */
        server_close(s, "database paused");
        return;
    }
    /* Idle, the server keeps its read event on this worker to notice EOF. */
    pool_adopt_server(s, w);
    io_start_read(&s->io);
    pthread_mutex_lock(&pool_lock);
    if (s->gen != p->gen || pool_paused(p)) {
        /* RECONNECT or PAUSE came after the checks above: their sweep may have missed s. */
        pthread_mutex_unlock(&pool_lock);
        server_close(s, "database paused or reconnecting");
        return;
    }
    if (s->connecting_counted) {
        s->connecting_counted = false;
        p->n_connecting--;
        p->login_failed_ms = 0;
    }
    c = pool_pop_waiter_for(p, w, now);
    if (c) {
        /*
         * Events of this base, changed on its own thread: never blocks under the lock. Until
         * the client picks the server up, nothing it sends may be processed.
         */
        if (c->worker != w)
            io_unassign(&s->io);
        else
            io_stop_read(&s->io);
        pool_handoff(c, s, NULL);
        pthread_mutex_unlock(&pool_lock);
        return;
    }
    if (p->db->backend == DB_BACKEND_ADMIN) {
        /* A console session whose client left before it was ready: never kept idle. */
        pthread_mutex_unlock(&pool_lock);
        server_close(s, "console session with no client");
        return;
    }
    s->idle_since_ms = now;
    __atomic_store_n(&s->state, SERVER_IDLE, __ATOMIC_RELEASE);
    list_add_head(&p->idle, &s->node);
    pthread_mutex_unlock(&pool_lock);
}

bool pool_idle_event(struct server *s)
{
    struct worker *w = worker_current();
    struct pool *p = s->pool;
    enum server_state st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
    uint8_t byte;
    ssize_t n;

    if (st == SERVER_CLOSED)
        return true;
    if (st != SERVER_IDLE && __atomic_load_n(&s->worker, __ATOMIC_RELAXED) == w)
        return false;
    pthread_mutex_lock(&pool_lock);
    if (s->worker != w || s->state == SERVER_CLOSED) {
        /* Taken by another worker (which is moving its events away), or being closed. */
        pthread_mutex_unlock(&pool_lock);
        return true;
    }
    if (s->state != SERVER_IDLE) {
        pthread_mutex_unlock(&pool_lock);
        return false;
    }
    n = recv(s->io.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        pthread_mutex_unlock(&pool_lock);
        return true;
    }
    /* Data or EOF while idle: nothing a client asked for, so the connection is retired. */
    list_del(&s->node);
    __atomic_store_n(&s->state, SERVER_CLOSED, __ATOMIC_RELEASE);
    pool_uncount(p, s);
    pthread_mutex_unlock(&pool_lock);
    log_at(LOG_INFO, s->prefix, "closing idle server: %s",
           n == 0 ? "server closed the connection" : "unexpected data from an idle server");
    io_fini(&s->io);
    server_free(s);
    return true;
}

void pool_server_closed(struct server *s, const char *login_error)
{
    struct pool *p = s->pool;
    bool open_new;

    pthread_mutex_lock(&pool_lock);
    pool_uncount(p, s);
    if (s->connecting_counted) {
        s->connecting_counted = false;
        p->n_connecting--;
    }
    if (login_error) {
        p->login_failed_ms = now_ms();
        snprintf(p->login_error, sizeof(p->login_error), "%s", login_error);
        /* Nothing else will serve the waiters soon: fail them now, as PgBouncer does. */
        if (p->n_servers == 0) {
            struct client *c;
            while ((c = pool_pop_waiter(p)))
                pool_handoff(c, NULL, p->login_error);
        }
        open_new = false;
    } else {
        open_new = pool_want_new_server(p, false);
    }
    pthread_mutex_unlock(&pool_lock);
    if (open_new && worker_current())
        server_connect(p, worker_current(), NULL);
}

void pool_cancel_wait(struct client *c)
{
    struct server *s;

    pthread_mutex_lock(&pool_lock);
    if (list_linked(&c->wait_node)) {
        /* Either still in the pool's queue or in our own worker's handoff list. */
        if (!c->handoff_server && !c->handoff_error)
            c->pool->n_waiting--;
        list_del(&c->wait_node);
    }
    s = c->handoff_server;
    c->handoff_server = NULL;
    c->handoff_error = NULL;
    pthread_mutex_unlock(&pool_lock);
    if (s) {
        s->client = NULL;
        pool_release(s);
    }
}

void pool_set_welcome(struct pool *p, const struct server *s, const char *const *names,
                      const char *const *values, int n)
{
    pthread_mutex_lock(&pool_lock);
    if (!p->welcome_ready) {
        for (int i = 0; i < n && i < POOL_MAX_WELCOME; i++) {
            p->welcome_names[i] = xstrdup(names[i]);
            p->welcome_values[i] = xstrdup(values[i]);
        }
        p->n_welcome = n < POOL_MAX_WELCOME ? n : POOL_MAX_WELCOME;
        p->welcome_ready = true;
    }
    pthread_mutex_unlock(&pool_lock);
}

/* Close an idle server from any thread (it is already unlinked and marked closed). */
static void pool_close_unlinked(struct server *s)
{
    static const uint8_t terminate[5] = {'X', 0, 0, 0, 4};
    if (send(s->io.fd, terminate, sizeof(terminate), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
        log_at(LOG_DEBUG, s->prefix, "could not send Terminate");
    io_fini(&s->io);
    server_free(s);
}

static int pool_close_idle_where(const char *db, bool all, bool stale_only);

/* Mark p's servers for closing (lock held). */
static void pool_bump_gen(struct pool *p)
{
    __atomic_store_n(&p->gen, p->gen + 1, __ATOMIC_RELAXED);
    p->n_cur = 0;
}

void pool_janitor(int64_t now)
{
    const struct config *cfg = proxy_config();
    struct server *doomed[256];
    const char *why[256];
    struct pool *opens[64];
    int n_doomed = 0, n_opens = 0;
    struct list *pos, *tmp, *spos, *stmp;

    stats_tick(now);
    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools)
    {
        struct pool *p = list_entry(pos, struct pool, node);
        int min = p->db->min_pool_size >= 0 ? p->db->min_pool_size : cfg->min_pool_size;

        list_for_each_safe(spos, stmp, &p->idle)
        {
            struct server *s = list_entry(spos, struct server, node);
            bool idle_out = cfg->server_idle_timeout_ms > 0 &&
                            now - s->idle_since_ms > cfg->server_idle_timeout_ms &&
                            p->n_servers > min;
            bool old = cfg->server_lifetime_ms > 0 && now - s->connect_ms > s->lifetime_ms;
            /* Missed by a RECONNECT's or PAUSE's sweep (released while it ran). */
            bool unwanted = s->gen != p->gen || pool_paused(p);
            if ((idle_out || old || unwanted) && n_doomed < (int)ARRAY_SIZE(doomed)) {
                why[n_doomed] = unwanted ? "database paused or reconnecting"
                                : old    ? "server_lifetime"
                                         : "server_idle_timeout";
                list_del(&s->node);
                __atomic_store_n(&s->state, SERVER_CLOSED, __ATOMIC_RELEASE);
                pool_uncount(p, s);
                doomed[n_doomed++] = s;
            }
        }
        if (n_opens < (int)ARRAY_SIZE(opens) && !pool_login_backoff(p, now) &&
            atomic_load(&proxy.run_state) != PROXY_STOPPING) {
            bool reserve = false;
            if (p->n_waiting > 0) {
                struct client *first = list_entry(p->waiting.next, struct client, wait_node);
                reserve = now - first->wait_start_ms >= cfg->reserve_pool_timeout_ms;
            }
            if (p->n_servers < min && pool_can_open(p, false) && p->welcome_ready) {
                p->n_servers++;
                p->n_connecting++;
                opens[n_opens++] = p;
            } else {
                /* Waiters with no server coming (after RESUME, or a server that died). */
                while (n_opens < (int)ARRAY_SIZE(opens) && pool_want_new_server(p, reserve))
                    opens[n_opens++] = p;
            }
        }
    }
    pthread_mutex_unlock(&pool_lock);
    for (int i = 0; i < n_doomed; i++) {
        log_at(LOG_INFO, doomed[i]->prefix, "closing idle server: %s", why[i]);
        pool_close_unlinked(doomed[i]);
    }
    for (int i = 0; i < n_opens; i++)
        server_connect(opens[i], worker_current(), NULL);
}

void pool_reconfigure(const struct config *cfg)
{
    struct list *pos, *tmp;
    bool stale = false;

    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools)
    {
        struct pool *p = list_entry(pos, struct pool, node);
        const struct db_config *db = config_find_db(cfg, p->db_name);
        if (db) {
            /* Where or as whom servers connect changed: today's servers go when released. */
            if (p->db->backend != DB_BACKEND_ADMIN && !config_db_same_target(p->db, db)) {
                pool_bump_gen(p);
                stale = true;
            }
            p->db = db;
            p->mode = config_pool_mode(cfg, db, p->user);
        }
        /* A database removed from the file keeps its old entry until its clients leave. */
    }
    pthread_mutex_unlock(&pool_lock);
    if (stale)
        pool_close_idle_where(NULL, false, true);
}

/* Whether p is one of database db's pools (db NULL: any database's, never the console's). */
static bool pool_of(const struct pool *p, const char *db)
{
    return p->db->backend != DB_BACKEND_ADMIN && (!db || strcmp(p->db_name, db) == 0);
}

/* Close the idle servers of db's pools (all: every pool's), or only those of an older
 * generation. Returns how many. */
static int pool_close_idle_where(const char *db, bool all, bool stale_only)
{
    struct server *doomed[1024];
    int n = 0, total = 0;
    struct list *pos, *tmp, *spos, *stmp;

    do {
        n = 0;
        pthread_mutex_lock(&pool_lock);
        list_for_each_safe(pos, tmp, &pools)
        {
            struct pool *p = list_entry(pos, struct pool, node);
            if (!all && !pool_of(p, db))
                continue;
            list_for_each_safe(spos, stmp, &p->idle)
            {
                struct server *s = list_entry(spos, struct server, node);
                if (n == (int)ARRAY_SIZE(doomed))
                    break;
                if (stale_only && s->gen == p->gen)
                    continue;
                list_del(&s->node);
                __atomic_store_n(&s->state, SERVER_CLOSED, __ATOMIC_RELEASE);
                pool_uncount(p, s);
                doomed[n++] = s;
            }
        }
        pthread_mutex_unlock(&pool_lock);
        for (int i = 0; i < n; i++)
            pool_close_unlinked(doomed[i]);
        total += n;
    } while (n == (int)ARRAY_SIZE(doomed));
    return total;
}

void pool_close_idle(void)
{
    pool_close_idle_where(NULL, true, false);
}

int pool_close_idle_of(const char *db)
{
    return pool_close_idle_where(db, false, false);
}

void pool_reconnect(const char *db)
{
    struct list *pos, *tmp;

    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools)
    {
        struct pool *p = list_entry(pos, struct pool, node);
        if (pool_of(p, db))
            pool_bump_gen(p);
    }
    pthread_mutex_unlock(&pool_lock);
    pool_close_idle_where(db, false, true);
}

void pool_reconnect_sweep(const char *db)
{
    pool_close_idle_where(db, false, true);
}

int pool_count_servers_of(const char *db, bool stale_only)
{
    struct list *pos, *tmp;
    int n = 0;

    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools)
    {
        const struct pool *p = list_entry(pos, struct pool, node);
        if (pool_of(p, db))
            n += stale_only ? p->n_servers - p->n_cur : p->n_servers;
    }
    pthread_mutex_unlock(&pool_lock);
    return n;
}

int pool_count_busy_of(const char *db)
{
    struct list *pos, *tmp;
    int n = 0;

    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools)
    {
        const struct pool *p = list_entry(pos, struct pool, node);
        if (pool_of(p, db) && p->mode != POOL_SESSION)
            n += p->n_servers - p->n_connecting - (int)list_count(&p->idle);
    }
    pthread_mutex_unlock(&pool_lock);
    return n;
}

bool pool_uses_config(const struct config *cfg)
{
    struct list *pos, *tmp;
    bool used = false;

    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools)
    {
        const struct pool *p = list_entry(pos, struct pool, node);
        if (cfg->n_dbs && p->db >= cfg->dbs && p->db < cfg->dbs + cfg->n_dbs)
            used = true;
    }
    pthread_mutex_unlock(&pool_lock);
    return used;
}

void pool_for_each(pool_visit_fn fn, void *arg)
{
    struct list *pos, *tmp;
    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools) fn(arg, list_entry(pos, struct pool, node));
    pthread_mutex_unlock(&pool_lock);
}

int pool_total_servers(void)
{
    struct list *pos, *tmp;
    int n = 0;
    pthread_mutex_lock(&pool_lock);
    list_for_each_safe(pos, tmp, &pools) n += list_entry(pos, struct pool, node)->n_servers;
    pthread_mutex_unlock(&pool_lock);
    return n;
}

void pool_destroy_all(void)
{
    struct list *node;
    pool_close_idle();
    while ((node = list_pop(&pools))) {
        struct pool *p = list_entry(node, struct pool, node);
        for (int i = 0; i < p->n_welcome; i++) {
            free(p->welcome_names[i]);
            free(p->welcome_values[i]);
        }
        free(p->db_name);
        free(p->user);
        free(p);
    }
}
