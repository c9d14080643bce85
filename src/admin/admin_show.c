/*
 * The SHOW commands that read connection state, with PgBouncer's columns in PgBouncer's order
 * and types. They work on a snapshot (admin_snap.c) taken when the command runs. Columns
 * myrmex has no counterpart for yet are filled with what is true for it: 0 for features it
 * lacks (peers, cancel-request lists, DNS cache, per-user pool sizes), NULL where PgBouncer
 * shows NULL for "not set".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_int.h"
#include "client/client.h"
#include "core/control.h"
#include "core/proxy.h"
#include "pool/pool.h"
#include "server/server.h"
#include "util/util.h"

static const char *admin_mode_name(int mode)
{
    switch (mode) {
    case POOL_SESSION:
        return "session";
    case POOL_TRANSACTION:
        return "transaction";
    case POOL_STATEMENT:
        return "statement";
    default:
        return NULL;
    }
}

static bool admin_is_client(const struct admin_sock *s)
{
    return s->list <= ADMIN_CL_WAITING;
}

/* Server connections of the pools of database key (or of user key, console excluded). */
static int admin_count_servers(const struct admin_snap *snap, const char *key, bool by_user)
{
    int n = 0;
    for (size_t i = 0; i < snap->n_pools; i++) {
        const struct admin_pool *p = &snap->pools[i];
        if (by_user ? strcmp(p->user, key) == 0 && !admin_is_db(p->database)
                    : strcmp(p->database, key) == 0)
            n += p->n_servers;
    }
    return n;
}

/* Logged-in clients of database key (or of user key). */
static int admin_count_clients(const struct admin_snap *snap, const char *key, bool by_user)
{
    int n = 0;
    for (size_t i = 0; i < snap->n_socks; i++) {
        const struct admin_sock *s = &snap->socks[i];
        if (admin_is_client(s) && s->list != ADMIN_CL_LOGIN &&
            strcmp(by_user ? s->user : s->database, key) == 0)
            n++;
    }
    return n;
}

static void admin_missed_notice(struct admin_result *r, const struct admin_snap *snap)
{
    if (snap->workers_missed > 0)
        admin_result_notice(r,
                            "some workers did not answer in time: their connections are "
                            "missing from this result",
                            NULL);
}

void admin_show_databases(struct admin_result *r)
{
    const struct config *cfg = proxy_config();
    struct admin_snap snap;

    admin_snap_take(&snap);
    admin_missed_notice(r, &snap);
    admin_result_columns(r, "ssissiiiissiiiiii", "name", "host", "port", "database", "force_user",
                         "pool_size", "min_pool_size", "reserve_pool_size", "server_lifetime",
                         "pool_mode", "load_balance_hosts", "max_connections",
                         "current_connections", "max_client_connections",
                         "current_client_connections", "paused", "disabled");
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        const struct db_config *db = &cfg->dbs[i];
        bool sqlite = db->backend == DB_BACKEND_SQLITE;
        admin_result_row(
            r, db->name, sqlite ? NULL : (db->host ? db->host : "127.0.0.1"),
            sqlite ? 0 : (db->port > 0 ? db->port : 5432),
            sqlite ? db->sqlite_path : (db->dbname ? db->dbname : db->name), db->user,
            config_pool_size(cfg, db),
            db->min_pool_size >= 0 ? db->min_pool_size : cfg->min_pool_size,
            db->reserve_pool_size >= 0 ? db->reserve_pool_size : cfg->reserve_pool_size,
            (int)(cfg->server_lifetime_ms / 1000), admin_mode_name(db->pool_mode), NULL,
            db->max_db_connections >= 0 ? db->max_db_connections : cfg->max_db_connections,
            admin_count_servers(&snap, db->name, false), 0,
            admin_count_clients(&snap, db->name, false),
            control_db_paused_itself(db->name) || control_all_paused() || control_suspended(),
            control_disabled(db->name));
    }
    /* The console itself, as PgBouncer lists its own database: one session per client. */
    admin_result_row(r, ADMIN_DBNAME, NULL, cfg->listen_port, ADMIN_DBNAME, NULL, 0, 0, 0, 0,
                     "session", NULL, 0, admin_count_servers(&snap, ADMIN_DBNAME, false), 0,
                     admin_count_clients(&snap, ADMIN_DBNAME, false), 0, 0);
    admin_snap_fini(&snap);
}

/* The counts of every pool in snap. */
static int admin_pool_counts_of(const struct admin_snap *snap, struct admin_pool_count **out)
{
    struct admin_pool_count *rows = xcalloc(snap->n_pools + 1, sizeof(*rows));

    for (size_t i = 0; i < snap->n_pools; i++) {
        const struct admin_pool *p = &snap->pools[i];
        struct admin_pool_count *row = &rows[i];
        int n[ADMIN_SV_LOGIN + 1] = {0};
        for (size_t j = 0; j < snap->n_socks; j++) {
            const struct admin_sock *s = &snap->socks[j];
            if (s->pool != p->pool)
                continue;
            n[s->list]++;
            if (s->list == ADMIN_CL_WAITING && s->wait_us > row->maxwait_us)
                row->maxwait_us = s->wait_us;
        }
        snprintf(row->database, sizeof(row->database), "%s", p->database);
        snprintf(row->user, sizeof(row->user), "%s", p->user);
        row->mode = admin_mode_name((int)p->mode);
        row->cl_active = n[ADMIN_CL_ACTIVE];
        row->cl_waiting = n[ADMIN_CL_WAITING];
        row->sv_active = n[ADMIN_SV_ACTIVE];
        row->sv_idle = n[ADMIN_SV_IDLE];
        row->sv_used = n[ADMIN_SV_USED];
        row->sv_tested = n[ADMIN_SV_TESTED];
        row->sv_login = n[ADMIN_SV_LOGIN];
        row->n_servers = p->n_servers;
    }
    *out = rows;
    return (int)snap->n_pools;
}

int admin_pool_counts(struct admin_pool_count **out, bool *complete)
{
    struct admin_snap snap;
    int n;

    admin_snap_take(&snap);
    n = admin_pool_counts_of(&snap, out);
    *complete = snap.workers_missed == 0;
    admin_snap_fini(&snap);
    return n;
}

void admin_show_pools(struct admin_result *r)
{
    struct admin_pool_count *rows;
    bool complete;
    int n = admin_pool_counts(&rows, &complete);

    if (!complete)
        admin_result_notice(r,
                            "some workers did not answer in time: their connections are "
                            "missing from this result",
                            NULL);
    admin_result_columns(r, "ssiiiiiiiiiiiiiss", "database", "user", "cl_active", "cl_waiting",
                         "cl_active_cancel_req", "cl_waiting_cancel_req", "sv_active",
                         "sv_active_cancel", "sv_being_canceled", "sv_idle", "sv_used", "sv_tested",
                         "sv_login", "maxwait", "maxwait_us", "pool_mode", "load_balance_hosts");
    for (int i = 0; i < n; i++) {
        const struct admin_pool_count *p = &rows[i];
        admin_result_row(r, p->database, p->user, p->cl_active, p->cl_waiting, 0, 0, p->sv_active,
                         0, 0, p->sv_idle, p->sv_used, p->sv_tested, p->sv_login,
                         (int)(p->maxwait_us / 1000000), (int)(p->maxwait_us % 1000000), p->mode,
                         NULL);
    }
    free(rows);
}

static const char *admin_sock_state(const struct admin_sock *s)
{
    switch (s->list) {
    case ADMIN_CL_ACTIVE:
        return s->linked ? "active" : "idle";
    case ADMIN_CL_WAITING:
        return "waiting";
    case ADMIN_SV_ACTIVE:
        return "active";
    case ADMIN_SV_IDLE:
        return "idle";
    case ADMIN_SV_USED:
        return "used";
    case ADMIN_SV_TESTED:
        return "tested";
    case ADMIN_SV_LOGIN:
        return "new";
    default:
        return "login";
    }
}

static void admin_show_socks(struct admin_result *r, bool clients)
{
    struct admin_snap snap;

    admin_snap_take(&snap);
    admin_missed_notice(r, &snap);
    admin_result_columns(r, "ssssssisiTTiiississii", "type", "user", "database", "replication",
                         "state", "addr", "port", "local_addr", "local_port", "connect_time",
                         "request_time", "wait", "wait_us", "close_needed", "ptr", "link",
                         "remote_pid", "tls", "application_name", "prepared_statements", "id");
    for (size_t i = 0; i < snap.n_socks; i++) {
        const struct admin_sock *s = &snap.socks[i];
        /* As in PgBouncer, clients still logging in belong to no pool and are not listed. */
        if (admin_is_client(s) != clients || s->list == ADMIN_CL_LOGIN)
            continue;
        admin_result_row(r, clients ? "C" : "S", s->user, s->database, "none", admin_sock_state(s),
                         s->addr, s->port, s->local_addr, s->local_port, s->connect_wall_ms,
                         s->request_wall_ms, (int)(s->wait_us / 1000000),
                         (int)(s->wait_us % 1000000), s->close_needed ? 1 : 0, s->ptr, s->link,
                         s->remote_pid, "", s->application_name, 0, s->id);
    }
    admin_snap_fini(&snap);
}

void admin_show_clients(struct admin_result *r)
{
    admin_show_socks(r, true);
}

void admin_show_servers(struct admin_result *r)
{
    admin_show_socks(r, false);
}

/* Users PgBouncer lists: those of the auth_file and those of [users]. */
static void admin_user_row(struct admin_result *r, const struct config *cfg,
                           const struct admin_snap *snap, const char *name)
{
    const struct user_config *u = config_find_user(cfg, name);
    admin_result_row(
        r, name, "", "", u ? admin_mode_name(u->pool_mode) : NULL,
        u && u->max_user_connections >= 0 ? u->max_user_connections : cfg->max_user_connections,
        admin_count_servers(snap, name, true), 0, admin_count_clients(snap, name, true));
}

static size_t admin_n_users(const struct config *cfg)
{
    size_t n = cfg->n_auth;
    for (size_t i = 0; i < cfg->n_users; i++)
        if (!config_find_secret(cfg, cfg->users[i].name))
            n++;
    return n;
}

void admin_show_users(struct admin_result *r)
{
    const struct config *cfg = proxy_config();
    struct admin_snap snap;

    admin_snap_take(&snap);
    admin_missed_notice(r, &snap);
    admin_result_columns(r, "ssssiiii", "name", "pool_size", "reserve_pool_size", "pool_mode",
                         "max_user_connections", "current_connections",
                         "max_user_client_connections", "current_client_connections");
    for (size_t i = 0; i < cfg->n_auth; i++)
        admin_user_row(r, cfg, &snap, cfg->auth[i].user);
    for (size_t i = 0; i < cfg->n_users; i++)
        if (!config_find_secret(cfg, cfg->users[i].name))
            admin_user_row(r, cfg, &snap, cfg->users[i].name);
    admin_snap_fini(&snap);
}

void admin_show_lists(struct admin_result *r)
{
    const struct config *cfg = proxy_config();
    struct admin_snap snap;
    int used_clients = 0, login_clients = 0, used_servers = 0;

    admin_snap_take(&snap);
    admin_missed_notice(r, &snap);
    for (size_t i = 0; i < snap.n_socks; i++) {
        if (!admin_is_client(&snap.socks[i]))
            used_servers++;
        else if (snap.socks[i].list == ADMIN_CL_LOGIN)
            login_clients++;
        used_clients += admin_is_client(&snap.socks[i]);
    }
    admin_result_columns(r, "si", "list", "items");
    admin_result_row(r, "databases", (int)cfg->n_dbs + 1);
    admin_result_row(r, "users", (int)admin_n_users(cfg));
    admin_result_row(r, "peers", 0);
    admin_result_row(r, "pools", (int)snap.n_pools);
    admin_result_row(r, "peer_pools", 0);
    /* No object caches: a connection is allocated when it arrives and freed when it leaves. */
    admin_result_row(r, "free_clients", 0);
    admin_result_row(r, "used_clients", used_clients);
    admin_result_row(r, "login_clients", login_clients);
    admin_result_row(r, "free_servers", 0);
    admin_result_row(r, "used_servers", used_servers);
    /* Host names are resolved when a server connection opens; nothing is cached. */
    admin_result_row(r, "dns_names", 0);
    admin_result_row(r, "dns_zones", 0);
    admin_result_row(r, "dns_queries", 0);
    admin_result_row(r, "dns_pending", 0);
    admin_snap_fini(&snap);
}

/*
 * PgBouncer reports its slab caches. myrmex has none: each object is allocated on its own, so
 * "free" is 0 and memtotal is size x used, the fixed part of each object only (I/O buffers,
 * statement maps and SQLite caches come on top and are not counted here).
 */
void admin_show_mem(struct admin_result *r)
{
    const struct config *cfg = proxy_config();
    struct admin_snap snap;
    int clients = 0, servers = 0;

    admin_snap_take(&snap);
    admin_missed_notice(r, &snap);
    for (size_t i = 0; i < snap.n_socks; i++) {
        if (admin_is_client(&snap.socks[i]))
            clients++;
        else
            servers++;
    }
    admin_result_columns(r, "siiii", "name", "size", "used", "free", "memtotal");
    admin_result_row(r, "user_cache", (int)sizeof(struct user_config), (int)cfg->n_users, 0,
                     (int)(sizeof(struct user_config) * cfg->n_users));
    admin_result_row(r, "db_cache", (int)sizeof(struct db_config), (int)cfg->n_dbs, 0,
                     (int)(sizeof(struct db_config) * cfg->n_dbs));
    admin_result_row(r, "pool_cache", (int)sizeof(struct pool), (int)snap.n_pools, 0,
                     (int)(sizeof(struct pool) * snap.n_pools));
    admin_result_row(r, "server_cache", (int)sizeof(struct server), servers, 0,
                     (int)sizeof(struct server) * servers);
    admin_result_row(r, "client_cache", (int)sizeof(struct client), clients, 0,
                     (int)sizeof(struct client) * clients);
    admin_snap_fini(&snap);
}
