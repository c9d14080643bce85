/*
 * A snapshot of the proxy's connections for SHOW CLIENTS, SERVERS, POOLS and friends.
 *
 * Connections are spread over the worker threads, and each worker changes its own clients
 * and their servers without locks. The console therefore never reads them from its own
 * thread: it asks each worker, through the worker's mailbox (worker_call), to copy its rows on
 * its own thread, between two callbacks, where the worker is the only writer. Idle servers
 * belong to their pool and are read under pool_lock, like the pools' counters. The copy of
 * one worker is consistent; different workers are copied a moment apart, which is what
 * PgBouncer's single thread would show over a few microseconds. A server in flight between two
 * workers (a handoff not yet picked up) belongs to no one for that instant and is not listed.
 */
#include "config.h" /* _GNU_SOURCE, for struct ucred */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "admin_int.h"
#include "client/client.h"
#include "core/proxy.h"
#include "core/worker.h"
#include "pool/pool.h"
#include "server/server.h"
#include "sqlite/sqlite_server.h"
#include "util/util.h"

#define ADMIN_SNAP_WAIT_MS 1000

int64_t admin_wall_ms(int64_t mono_ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 - (now_ms() - mono_ms);
}

static struct admin_sock *admin_snap_push(struct admin_snap *snap)
{
    if (snap->n_socks == snap->cap_socks) {
        snap->cap_socks = snap->cap_socks ? snap->cap_socks * 2 : 64;
        snap->socks = xrealloc(snap->socks, snap->cap_socks * sizeof(*snap->socks));
    }
    memset(&snap->socks[snap->n_socks], 0, sizeof(snap->socks[0]));
    return &snap->socks[snap->n_socks++];
}

static void admin_snap_addr(const struct sockaddr_storage *ss, char *addr, size_t cap, int *port)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;
        inet_ntop(AF_INET, &in->sin_addr, addr, (socklen_t)cap);
        *port = ntohs(in->sin_port);
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
        inet_ntop(AF_INET6, &in6->sin6_addr, addr, (socklen_t)cap);
        *port = ntohs(in6->sin6_port);
    } else {
        snprintf(addr, cap, "unix");
        *port = 0;
    }
}

static void admin_snap_local(int fd, struct admin_sock *row)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    memset(&ss, 0, sizeof(ss));
    if (fd >= 0 && getsockname(fd, (struct sockaddr *)&ss, &len) == 0)
        admin_snap_addr(&ss, row->local_addr, sizeof(row->local_addr), &row->local_port);
}

static void admin_snap_copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src ? src : "");
}

/* A server row (on the thread that owns s, or under pool_lock for an idle one). */
static void admin_snap_server(struct admin_snap *snap, const struct server *s,
                              enum admin_sock_list list, int64_t request_ms)
{
    struct admin_sock *row = admin_snap_push(snap);

    row->list = list;
    row->pool = s->pool;
    row->id = s->id;
    admin_snap_copy(row->user, sizeof(row->user), s->pool->user);
    admin_snap_copy(row->database, sizeof(row->database), s->pool->db_name);
    row->linked = s->client != NULL;
    admin_snap_addr(&s->addr, row->addr, sizeof(row->addr), &row->port);
    admin_snap_local(s->io.fd, row);
    row->connect_wall_ms = admin_wall_ms(s->connect_ms);
    row->request_wall_ms = admin_wall_ms(request_ms);
    row->close_needed = s->dirty;
    snprintf(row->ptr, sizeof(row->ptr), "%p", (const void *)s);
    if (s->client)
        snprintf(row->link, sizeof(row->link), "%p", (const void *)s->client);
    row->remote_pid = (int)s->be_pid;
    admin_snap_copy(row->application_name, sizeof(row->application_name),
                    s->params.v[PARAM_APPLICATION_NAME]);
}

static void admin_snap_client(struct admin_snap *snap, const struct client *c, int64_t now)
{
    struct admin_sock *row;
    const char *colon;
    int64_t active = c->last_active_ms;

    if (c->state == CLIENT_CLOSED)
        return;
    row = admin_snap_push(snap);
    switch (c->state) {
    case CLIENT_STARTUP:
    case CLIENT_AUTH:
        row->list = ADMIN_CL_LOGIN;
        break;
    case CLIENT_LOGIN_WAIT:
    case CLIENT_WAITING:
        row->list = ADMIN_CL_WAITING;
        row->wait_us = (now - c->wait_start_ms) * 1000;
        break;
    default:
        row->list = ADMIN_CL_ACTIVE;
        break;
    }
    row->pool = c->pool;
    row->id = c->id;
    admin_snap_copy(row->user, sizeof(row->user), c->user);
    admin_snap_copy(row->database, sizeof(row->database), c->dbname);
    row->linked = c->server != NULL;
    /* c->addr is "ip:port", "[ip6]:port" or "unix". */
    colon = strrchr(c->addr, ':');
    if (!c->unix_socket && colon) {
        const char *start = c->addr[0] == '[' ? c->addr + 1 : c->addr;
        size_t len = (size_t)(colon - start);
        if (len > 0 && start[len - 1] == ']')
            len--;
        snprintf(row->addr, sizeof(row->addr), "%.*s", (int)len, start);
        row->port = atoi(colon + 1);
    } else {
        snprintf(row->addr, sizeof(row->addr), "unix");
    }
    admin_snap_local(c->io.fd, row);
    if (c->unix_socket && c->io.fd >= 0) {
        struct ucred cred;
        socklen_t len = sizeof(cred);
        if (getsockopt(c->io.fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
            row->remote_pid = (int)cred.pid;
    }
    /* A leased client talks to its SQLite session directly; the session notes its activity. */
    if (c->server && c->server->lease) {
        int64_t leased = __atomic_load_n(&c->server->lease->last_active_ms, __ATOMIC_RELAXED);
        if (leased > active)
            active = leased;
    }
    row->connect_wall_ms = admin_wall_ms(c->connect_ms);
    row->request_wall_ms = admin_wall_ms(active);
    snprintf(row->ptr, sizeof(row->ptr), "%p", (const void *)c);
    if (c->server)
        snprintf(row->link, sizeof(row->link), "%p", (const void *)c->server);
    admin_snap_copy(row->application_name, sizeof(row->application_name),
                    c->params.v[PARAM_APPLICATION_NAME]);
    if (c->server)
        admin_snap_server(snap, c->server, ADMIN_SV_ACTIVE, active);
}

/* On worker w's thread (worker_call): its clients, their servers, its servers in login. */
static void admin_snap_worker(struct worker *w, void *arg)
{
    struct admin_snap *part = arg;
    int64_t now = now_ms();
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, &w->clients)
        admin_snap_client(part, list_entry(pos, struct client, node), now);
    list_for_each_safe(pos, tmp, &w->connecting)
    {
        const struct server *s = list_entry(pos, struct server, node);
        if (s->state == SERVER_CLOSED)
            continue;
        admin_snap_server(part, s, s->state == SERVER_RESETTING ? ADMIN_SV_TESTED : ADMIN_SV_LOGIN,
                          s->connect_ms);
    }
}

/* Under pool_lock: the pool's counters and its idle servers. */
static void admin_snap_pool(void *arg, const struct pool *p)
{
    struct admin_snap *snap = arg;
    const struct config *cfg = proxy_config();
    const char *check = cfg->server_check_query;
    int64_t now = now_ms();
    struct admin_pool *row;
    const struct list *pos;

    if (snap->n_pools == snap->cap_pools) {
        snap->cap_pools = snap->cap_pools ? snap->cap_pools * 2 : 16;
        snap->pools = xrealloc(snap->pools, snap->cap_pools * sizeof(*snap->pools));
    }
    row = &snap->pools[snap->n_pools++];
    memset(row, 0, sizeof(*row));
    row->pool = p;
    admin_snap_copy(row->database, sizeof(row->database), p->db_name);
    admin_snap_copy(row->user, sizeof(row->user), p->user);
    row->mode = p->mode;
    row->n_servers = p->n_servers;
    for (pos = p->idle.next; pos != &p->idle; pos = pos->next) {
        const struct server *s = list_entry(pos, struct server, node);
        /* Idle past server_check_delay: checked before its next client (pool_acquire). */
        bool used = check && check[0] && cfg->server_check_delay_ms >= 0 &&
                    now - s->idle_since_ms >= cfg->server_check_delay_ms;
        admin_snap_server(snap, s, used ? ADMIN_SV_USED : ADMIN_SV_IDLE, s->idle_since_ms);
    }
}

void admin_snap_take(struct admin_snap *snap)
{
    memset(snap, 0, sizeof(*snap));
    for (int i = 0; i < proxy.n_workers; i++) {
        struct admin_snap part;
        memset(&part, 0, sizeof(part));
        if (!worker_call(&proxy.workers[i], admin_snap_worker, &part, ADMIN_SNAP_WAIT_MS)) {
            /* The workers are stopping: do not wait for each of the others in turn. */
            snap->workers_missed = proxy.n_workers - i;
            break;
        }
        for (size_t j = 0; j < part.n_socks; j++)
            *admin_snap_push(snap) = part.socks[j];
        free(part.socks);
    }
    pool_for_each(admin_snap_pool, snap);
}

void admin_snap_fini(struct admin_snap *snap)
{
    free(snap->socks);
    free(snap->pools);
    memset(snap, 0, sizeof(*snap));
}
