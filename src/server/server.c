/*
 * Server connections in the steady state: replies are forwarded to the attached client
 * by moving bytes between evbuffers. Only ReadyForQuery, ParameterStatus and ErrorResponse
 * are decoded; DataRow and CopyData stream through in chunks of whatever has arrived.
 * Replies to queries the proxy injected itself (parameter SETs, the reset query) are
 * discarded in order, counted in ReadyForQuery units.
 */
#include "server/server.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/event.h>
#include <netdb.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "admin/admin.h"
#include "client/client.h"
#include "core/proxy.h"
#include "core/worker.h"
#include "pool/pool.h"
#include "pool/prepared.h"
#include "sqlite/sqlite_server.h"
#include "util/log.h"
#include "util/util.h"
#include "wire/proto.h"

/* Largest backend message the proxy decodes whole (ErrorResponse, ParameterStatus). */
#define SERVER_MAX_DECODED (1024 * 1024)

static atomic_int server_next_id;

void server_free(struct server *s)
{
    for (int i = 0; i < s->n_login_params; i++) {
        free(s->login_names[i]);
        free(s->login_values[i]);
    }
    if (s->scram)
        scram_client_destroy(s->scram);
    ps_server_free(s);
    sq_lease_put(s->lease);
    params_clear(&s->params);
    free(s);
}

static bool server_resolve(struct server *s, const struct db_config *db, char *err, size_t errlen)
{
    char port[16];
    struct addrinfo hints, *res = NULL;
    int rc;

    snprintf(port, sizeof(port), "%d", db->port > 0 ? db->port : 5432);
    if (db->host && db->host[0] == '/') {
        struct sockaddr_un *sun = (struct sockaddr_un *)&s->addr;
        memset(sun, 0, sizeof(*sun));
        sun->sun_family = AF_UNIX;
        if ((size_t)snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/.s.PGSQL.%s", db->host,
                             port) >= sizeof(sun->sun_path)) {
            snprintf(err, errlen, "unix socket path too long");
            return false;
        }
        s->addr_len = sizeof(*sun);
        return true;
    }
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    rc = getaddrinfo(db->host ? db->host : "127.0.0.1", port, &hints, &res);
    if (rc == EAI_NONAME) {
        /* A host name: resolved here (typically /etc/hosts); see the README on DNS. */
        hints.ai_flags = AI_NUMERICSERV;
        rc = getaddrinfo(db->host, port, &hints, &res);
    }
    if (rc != 0 || !res) {
        snprintf(err, errlen, "could not resolve \"%s\": %s", db->host, gai_strerror(rc));
        return false;
    }
    memcpy(&s->addr, res->ai_addr, res->ai_addrlen);
    s->addr_len = res->ai_addrlen;
    freeaddrinfo(res);
    return true;
}

void server_connect(struct pool *pool, struct worker *w, const struct params *startup)
{
    const struct config *cfg = proxy_config();
    const struct db_config *db;
    struct server *s = xcalloc(1, sizeof(*s));
    char err[256];
    int fd;

    list_init(&s->node);
    s->id = atomic_fetch_add(&server_next_id, 1) + 1;
    s->pool = pool;
    s->worker = w;
    s->state = SERVER_CONNECTING;
    s->connecting_counted = true; /* the caller counted it in pool->n_connecting */
    s->io.fd = -1;
    s->connect_ms = now_ms();
    /* The entry and the generation together: a reload between them would mark nothing. */
    db = pool_count_new_server(s);
    s->login_deadline_ms = s->connect_ms + cfg->server_connect_timeout_ms;
    /* Spread lifetimes a little so a pool's servers do not all expire at once. */
    s->lifetime_ms =
        cfg->server_lifetime_ms - (int64_t)(s->id % 10) * cfg->server_lifetime_ms / 100;
    snprintf(s->prefix, sizeof(s->prefix), "S-%d %s@%s:%d", s->id, pool->user,
             db->host ? db->host : "127.0.0.1", db->port);
    if (startup) {
        params_copy(&s->params, startup);
        /* search_path is not in the startup packet: the server starts with its default. */
        params_set(&s->params, PARAM_SEARCH_PATH, NULL);
    }

    if (db->backend == DB_BACKEND_ADMIN || db->backend == DB_BACKEND_SQLITE) {
        /* In-process backends (the admin console, the embedded SQLite backend): a session
         * thread on the other end of a socketpair. */
        bool admin = db->backend == DB_BACKEND_ADMIN;
        snprintf(s->prefix, sizeof(s->prefix), "S-%d %s@%s", s->id, pool->user,
                 admin ? "console" : "sqlite");
        s->addr.ss_family = AF_UNIX;
        if (admin ? !admin_server_open(&fd, err, sizeof(err))
                  : !sqlite_server_open(db, &fd, &s->sq_token, err, sizeof(err)))
            goto fail;
        if (!io_init(&s->io, fd)) {
            close(fd);
            snprintf(err, sizeof(err), "out of memory");
            goto fail;
        }
        io_assign(&s->io, w->base, server_on_read, server_on_write, s);
        list_add_tail(&w->connecting, &s->node);
        server_login_start(s);
        event_add(&s->io.wev, NULL);
        s->io.writing = true;
        return;
    }
    if (!server_resolve(s, db, err, sizeof(err)))
        goto fail;
    fd = socket(s->addr.ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, sizeof(err), "could not create socket: %s", strerror(errno));
        goto fail;
    }
    if (!io_init(&s->io, fd) ||
        !io_prepare_socket(fd, s->addr.ss_family != AF_UNIX, cfg->tcp_keepalive)) {
        close(fd);
        s->io.fd = -1;
        snprintf(err, sizeof(err), "could not set up socket");
        goto fail;
    }
    if (connect(fd, (struct sockaddr *)&s->addr, s->addr_len) < 0 && errno != EINPROGRESS) {
        snprintf(err, sizeof(err), "could not connect to server: %s", strerror(errno));
        goto fail;
    }
    io_assign(&s->io, w->base, server_on_read, server_on_write, s);
    list_add_tail(&w->connecting, &s->node);
    server_login_start(s);
    /* Writability signals the end of the non-blocking connect. */
    event_add(&s->io.wev, NULL);
    s->io.writing = true;
    log_at(LOG_DEBUG, s->prefix, "connecting");
    return;

fail:
    log_at(LOG_WARNING, s->prefix, "%s", err);
    {
        char msg[300];
        snprintf(msg, sizeof(msg), "57P03 %s", err);
        pool_server_closed(s, msg);
    }
    if (s->io.in)
        io_fini(&s->io);
    server_free(s);
}

void server_close(struct server *s, const char *reason)
{
    struct client *c = s->client;
    bool login = s->state == SERVER_CONNECTING || s->state == SERVER_LOGIN;

    if (s->state == SERVER_CLOSED)
        return;
    log_at(login ? LOG_WARNING : LOG_INFO, s->prefix, "closing server: %s", reason);
    if (s->lease) {
        /* The session lets go of the client's socket; the worker then tells the client (its
         * writes may fail: what the session was doing with it is unknown). */
        shutdown(s->lease->fd, SHUT_RDWR);
        s->dirty = true;
    }
    if (c) {
        s->client = NULL;
        c->server = NULL;
    }
    list_del(&s->node);
    if (!login && s->io.fd >= 0 && !s->dirty) {
        static const uint8_t terminate[5] = {'X', 0, 0, 0, 4};
        if (send(s->io.fd, terminate, sizeof(terminate), MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
            log_at(LOG_DEBUG, s->prefix, "could not send Terminate");
    }
    if (login) {
        char msg[300];
        snprintf(msg, sizeof(msg), "%s", reason);
        pool_server_closed(s, msg);
    } else {
        pool_server_closed(s, NULL);
    }
    s->state = SERVER_CLOSED;
    io_fini(&s->io);
    list_add_tail(&s->worker->server_reap, &s->node);
    worker_schedule_reap(s->worker);
    if (c) {
        if (s->fwd_left && !s->fwd_discard)
            client_close(c, "server connection lost in the middle of a message");
        else
            client_on_server_lost(c, reason);
    }
}

void server_inject(struct server *s, const char *sql)
{
    struct proto_builder b;
    proto_builder_init(&b);
    proto_write_query(&b, sql);
    if (!b.failed) {
        evbuffer_add(s->io.out, b.data, b.len);
        s->swallow_rfq++;
    }
    proto_builder_fini(&b);
}

bool server_start_reset(struct server *s, const char *sql)
{
    const struct config *cfg = proxy_config();
    ps_server_forget(s, sql);

    s->state = SERVER_RESETTING;
    s->client = NULL;
    server_inject(s, sql);
    s->login_deadline_ms = now_ms() + cfg->server_connect_timeout_ms;
    list_del(&s->node);
    list_add_tail(&s->worker->connecting, &s->node);
    if (!io_flush(&s->io)) {
        s->dirty = true;
        server_close(s, "08006 could not write to server");
        return false;
    }
    return true;
}

struct cancel_conn {
    struct list node; /* worker->cancel_conns */
    int fd;
    struct event ev;
    uint8_t pkt[16];
};

static void server_on_cancel_conn(int fd, short what, void *arg)
{
    struct cancel_conn *cc = arg;
    if (what & EV_WRITE) {
        if (send(fd, cc->pkt, sizeof(cc->pkt), MSG_NOSIGNAL) != (ssize_t)sizeof(cc->pkt))
            log_warning("could not send cancel request to server: %s", strerror(errno));
    } else {
        log_warning("timed out sending cancel request to server");
    }
    list_del(&cc->node);
    close(fd);
    free(cc);
}

void server_cancel_conn_free(struct list *node)
{
    struct cancel_conn *cc = list_entry(node, struct cancel_conn, node);
    event_del(&cc->ev);
    close(cc->fd);
    free(cc);
}

void server_send_cancel(struct server *s)
{
    struct cancel_conn *cc;
    struct timeval tv = {5, 0};
    struct proto_builder b;

    if (s->pool->db->backend == DB_BACKEND_SQLITE) {
        sqlite_server_cancel(s->be_pid, s->be_key);
        return;
    }
    if (s->pool->db->backend == DB_BACKEND_ADMIN)
        return; /* console commands are short and cannot be interrupted */
    cc = xcalloc(1, sizeof(*cc));

    cc->fd = socket(s->addr.ss_family, SOCK_STREAM, 0);
    if (cc->fd < 0 || !io_prepare_socket(cc->fd, s->addr.ss_family != AF_UNIX, false) ||
        (connect(cc->fd, (struct sockaddr *)&s->addr, s->addr_len) < 0 && errno != EINPROGRESS)) {
        log_at(LOG_WARNING, s->prefix, "could not connect to send a cancel request: %s",
               strerror(errno));
        if (cc->fd >= 0)
            close(cc->fd);
        free(cc);
        return;
    }
    proto_builder_init(&b);
    proto_write_cancel(&b, s->be_pid, s->be_key);
    memcpy(cc->pkt, b.data, sizeof(cc->pkt));
    proto_builder_fini(&b);
    event_assign(&cc->ev, s->worker->base, cc->fd, EV_WRITE, server_on_cancel_conn, cc);
    event_add(&cc->ev, &tv);
    list_add_tail(&s->worker->cancel_conns, &cc->node);
}

/* Handle a whole ParameterStatus message: track it, and tell the client when it changes. */
static void server_on_param_status(struct server *s, struct client *c, const uint8_t *body,
                                   size_t len, bool swallow)
{
    struct proto_reader r;
    const char *name, *value;
    int id;

    proto_reader_init(&r, body, len);
    name = proto_get_str(&r);
    value = proto_get_str(&r);
    if (r.failed)
        return;
    id = params_lookup(name);
    if (id >= 0)
        params_set(&s->params, id, value);
    if (!c)
        return;
    if (id >= 0) {
        if (params_equal(c->params.v[id], value))
            return;
        params_set(&c->params, id, value);
    } else if (swallow) {
        return;
    }
    struct proto_builder b;
    proto_builder_init(&b);
    proto_write_param_status(&b, name, value);
    if (!b.failed)
        evbuffer_add(c->io.out, b.data, b.len);
    proto_builder_fini(&b);
}

/*
 * While the attached client's socket is lent to the SQLite session (sqlite_server.h): the
 * session's reported settings, then the end of the lease, which ends the client too. false
 * once it has (the server was given back or closed with it).
 */
static bool server_lease_process(struct server *s)
{
    struct evbuffer *in = s->io.in;

    for (;;) {
        size_t avail = evbuffer_get_length(in);
        uint8_t hdr[PROTO_HEADER_LEN];
        uint32_t len;
        uint8_t *msg;

        if (avail < PROTO_HEADER_LEN)
            return true;
        evbuffer_copyout(in, hdr, PROTO_HEADER_LEN);
        len = proto_read_u32(hdr + 1);
        if (len < 4 || len > SERVER_MAX_DECODED ||
            (hdr[0] != 'S' && (hdr[0] != SQ_LEASE_MSG || len != 6))) {
            s->dirty = true;
            server_close(s, "08P01 unexpected message from the SQLite session");
            return true;
        }
        if (avail < (size_t)len + 1)
            return true;
        msg = evbuffer_pullup(in, (ssize_t)len + 1);
        if (hdr[0] == 'S') {
            server_on_param_status(s, NULL, msg + PROTO_HEADER_LEN, len - 4, true);
            evbuffer_drain(in, len + 1);
            continue;
        }
        s->tx_status = (char)msg[PROTO_HEADER_LEN];
        char why = (char)msg[PROTO_HEADER_LEN + 1];
        evbuffer_drain(in, len + 1);
        sq_lease_put(s->lease);
        s->lease = NULL;
        if (!s->client) {
            /* (cannot happen: a leased server keeps its client until the lease ends) */
            s->dirty = true;
            server_close(s, "08P01 a lease ended without its client");
            return true;
        }
        return client_lease_ended(s->client, why);
    }
}

bool server_process(struct server *s)
{
    struct evbuffer *in = s->io.in;

    if (s->lease)
        return server_lease_process(s);

    while (s->state == SERVER_ACTIVE || s->state == SERVER_RESETTING) {
        struct client *c = s->client;
        size_t avail = evbuffer_get_length(in);
        bool swallow = s->swallow_rfq > 0 || !c;
        uint8_t hdr[PROTO_HEADER_LEN];
        uint32_t len;
        uint8_t type;

        if (s->fwd_left) {
            size_t n = avail < s->fwd_left ? avail : s->fwd_left;
            if (n == 0)
                return true;
            if (s->fwd_discard || !c)
                evbuffer_drain(in, n);
            else
                evbuffer_remove_buffer(in, c->io.out, n);
            s->fwd_left -= (uint32_t)n;
            if (s->fwd_left == 0 && s->ps_track && c && !s->fwd_discard)
                ps_emit_owed(s, c); /* replies owed behind a message that came in pieces */
            continue;
        }
        if (avail < PROTO_HEADER_LEN)
            return true;
        evbuffer_copyout(in, hdr, PROTO_HEADER_LEN);
        type = hdr[0];
        len = proto_read_u32(hdr + 1);
        if (len < 4 || len > 0x7fffffff - 1) {
            s->dirty = true;
            server_close(s, "invalid message length from server");
            return true;
        }

        /* Replies the prepared-statement queue follows are handled whole, as are these, and
         * the ends of statements the performance monitor times for the client. */
        bool tracked = s->ps_track && !swallow && type != 'S' && ps_reply_tracked(type);
        bool timed = c && !swallow && c->mon.n > 0 &&
                     (type == 'C' || type == 'I' || type == 's' || type == 'E');
        if (tracked || timed || type == 'Z' || type == 'S' || type == 'E') {
            if (len > SERVER_MAX_DECODED) {
                s->dirty = true;
                server_close(s, "oversized message from server");
                return true;
            }
            if (avail < (size_t)len + 1)
                return true;
        }
        if (timed)
            mon_tap_backend(&c->mon, type, evbuffer_pullup(in, (ssize_t)len + 1) + PROTO_HEADER_LEN,
                            len - 4);
        if (tracked) {
            int r = ps_on_reply(s, c, type, evbuffer_pullup(in, (ssize_t)len + 1), len);
            if (r == PS_REPLY_DESYNC) {
                log_at(LOG_WARNING, s->prefix, "unexpected %s from server",
                       proto_backend_name(type));
                s->dirty = true;
                server_close(s, "08P01 server reply out of order");
                return true;
            }
            if (type == 'E')
                c->query_failed = true;
            if (type != 'Z' || r == PS_REPLY_SWALLOWED)
                continue;
        }
        if (type == 'Z' || type == 'S' || type == 'E') {
            uint8_t *msg = evbuffer_pullup(in, (ssize_t)len + 1);
            if (type == 'S') {
                server_on_param_status(s, c, msg + PROTO_HEADER_LEN, len - 4, swallow);
                evbuffer_drain(in, len + 1);
                continue;
            }
            if (type == 'E') {
                if (swallow) {
                    struct proto_error_fields f;
                    if (proto_parse_error(msg + PROTO_HEADER_LEN, len - 4, &f))
                        log_at(LOG_WARNING, s->prefix, "query run by the proxy failed: %s %s",
                               f.sqlstate ? f.sqlstate : "", f.message ? f.message : "");
                    evbuffer_drain(in, len + 1);
                } else {
                    c->query_failed = true;
                    evbuffer_remove_buffer(in, c->io.out, len + 1);
                }
                continue;
            }
            /* ReadyForQuery */
            if (len != 5) {
                s->dirty = true;
                server_close(s, "malformed ReadyForQuery from server");
                return true;
            }
            s->tx_status = (char)msg[PROTO_HEADER_LEN];
            if (swallow) {
                evbuffer_drain(in, len + 1);
                if (s->swallow_rfq > 0)
                    s->swallow_rfq--;
                if (s->state == SERVER_RESETTING && s->swallow_rfq == 0) {
                    /* Anything after the last reply would reach the next client: retire. */
                    if (s->tx_status != 'I' || evbuffer_get_length(in) > 0)
                        s->dirty = true;
                    list_del(&s->node);
                    pool_release(s);
                    return false;
                }
                /* Injected SETs done and nothing else asked for: the server may go back. */
                if (c && s->swallow_rfq == 0 && c->state == CLIENT_ACTIVE &&
                    client_maybe_release(c))
                    return false;
                continue;
            }
            /* client_on_ready writes the ReadyForQuery (or what replaces it). */
            evbuffer_drain(in, len + 1);
            mon_tap_backend(&c->mon, 'Z', (const uint8_t *)&s->tx_status, 1);
            /* The client may release this server; it then belongs to someone else. */
            if (client_on_ready(c, s->tx_status))
                return false;
            if (s->ps_track && c->server == s)
                ps_emit_owed(s, c);
            continue;
        }

        /* Everything else streams through, whole or in pieces. */
        s->fwd_left = len + 1;
        s->fwd_discard = swallow;
    }
    return true;
}

void server_on_write(int fd, short what, void *arg)
{
    struct server *s = arg;
    struct client *c;

    if (s->state == SERVER_CONNECTING) {
        int err = 0;
        socklen_t errlen = sizeof(err);
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) < 0 || err != 0) {
            char msg[256];
            snprintf(msg, sizeof(msg), "57P03 could not connect to server: %s", strerror(err));
            server_close(s, msg);
            return;
        }
        s->state = SERVER_LOGIN;
        io_start_read(&s->io);
    }
    if (!io_flush(&s->io)) {
        s->dirty = true;
        server_close(s, "08006 could not write to server");
        return;
    }
    c = s->client;
    if (c && c->read_blocked && io_pending_out(&s->io) < IO_LOW_WATERMARK) {
        c->read_blocked = false;
        io_start_read(&c->io);
        client_process(c);
    }
}

void server_on_read(int fd, short what, void *arg)
{
    struct server *s = arg;
    struct client *c = s->client;
    bool mine;
    int n;

    if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == SERVER_CLOSED || pool_idle_event(s))
        return;
    n = io_read(&s->io);
    if (n == -2)
        return;
    if (n > 0 && c && !s->lease)
        stats_add(&s->pool->stats, STATS_SENT, (uint64_t)n);
    mine = s->state == SERVER_LOGIN ? server_login_process(s) : server_process(s);
    if (mine && s->state != SERVER_CLOSED && n <= 0) {
        s->dirty = true;
        server_close(s, n == 0 ? "08006 server closed the connection unexpectedly"
                               : "08006 could not read from server");
    }
    if (!c || c->state == CLIENT_CLOSED || !client_flush(c))
        return;
    if (mine && c->server == s && s->state == SERVER_ACTIVE && c->pool->mode == POOL_SESSION) {
        client_lease_try(c);
        if (s->lease)
            return;
    }
    if (mine && c->server == s && s->state == SERVER_ACTIVE &&
        io_pending_out(&c->io) > IO_HIGH_WATERMARK) {
        s->read_blocked = true;
        io_stop_read(&s->io);
    }
    /* Released with client input already buffered: go on with it after this callback. */
    if (c->state == CLIENT_IDLE && evbuffer_get_length(c->io.in) > 0)
        worker_schedule_resume(c->worker, c);
}
