/*
 * Leases (sqlite/sqlite_server.h): in session pooling, a client whose server is an SQLite
 * session has its socket lent to the session thread once nothing is owed either way, and
 * talks to it with no proxy hop until it leaves. The worker keeps the client and the server
 * objects, watches the socketpair for the lease's end, and keeps enforcing its timeouts and
 * shutdown through the lease's shared state; to end a lease it shuts the socket down, and the
 * session hands it back.
 */
#include <errno.h>
#include <event2/buffer.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client/client.h"
#include "config/config.h"
#include "core/proxy.h"
#include "pool/pool.h"
#include "server/server.h"
#include "sqlite/sqlite_server.h"
#include "util/log.h"
#include "util/util.h"
#include "wire/proto.h"

/* Client bytes read but not yet forwarded that a lease may carry over. */
#define LEASE_MAX_CARRY 65536

bool client_leased(const struct client *c)
{
    return c->server && c->server->lease;
}

void client_lease_try(struct client *c)
{
    struct server *s = c->server;
    struct proto_builder b;
    size_t carry;

    if (!s || s->lease || c->state != CLIENT_ACTIVE || s->state != SERVER_ACTIVE ||
        c->pool->mode != POOL_SESSION || c->pool->db->backend != DB_BACKEND_SQLITE || s->ps_track ||
        atomic_load(&proxy.run_state) >= PROXY_DRAINING)
        return;
    /* At a message boundary both ways, with nothing owed or in flight. */
    carry = evbuffer_get_length(c->io.in);
    if (c->expect_rfq || c->unsynced || c->fwd_left || c->discard_left || c->skip_to_sync ||
        c->read_blocked || c->cancel_sent || s->read_blocked || s->fwd_left || s->swallow_rfq ||
        io_pending_out(&s->io) || evbuffer_get_length(s->io.in) || io_pending_out(&c->io) ||
        carry > LEASE_MAX_CARRY)
        return;
    int fd = fcntl(c->io.fd, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        log_at(LOG_WARNING, c->prefix, "could not lend the socket: %s", strerror(errno));
        return;
    }
    struct sq_lease *l = sq_lease_new(fd);
    l->tx = s->tx_status;
    l->max_message = proxy_config()->max_packet_size;
    l->stats = &c->pool->stats;
    l->mon = c->mon; /* the session follows the client's statements from now on */
    c->mon.names = NULL;
    c->mon.texts = NULL;
    c->mon.dbuser = -1;
    c->lease_kill_ms = 0;
    c->lease_cancelled_ms = 0;
    proto_builder_init(&b);
    proto_begin(&b, SQ_LEASE_MSG);
    proto_put_bytes(&b, &s->sq_token, sizeof(s->sq_token));
    proto_put_bytes(&b, &l, sizeof(l));
    if (carry)
        proto_put_bytes(&b, evbuffer_pullup(c->io.in, (ssize_t)carry), carry);
    proto_end(&b);
    if (b.failed) {
        proto_builder_fini(&b);
        sq_lease_put(l);
        sq_lease_put(l);
        return;
    }
    evbuffer_drain(c->io.in, carry);
    evbuffer_add(s->io.out, b.data, b.len);
    proto_builder_fini(&b);
    io_stop_read(&c->io);
    s->lease = l;
    log_at(LOG_DEBUG, c->prefix, "socket lent to the SQLite session");
    if (!io_flush(&s->io)) {
        s->dirty = true;
        server_close(s, "08006 could not write to server");
    }
}

bool client_lease_ended(struct client *c, char why)
{
    if (why == SQ_LEASE_FATAL) {
        /* The session told the client why; its own state is not to be trusted further. */
        struct server *s = c->server;
        c->server = NULL;
        s->client = NULL;
        s->dirty = true;
        server_close(s, "the SQLite session ended the client's connection");
        client_close(c, "protocol violation");
    } else if (c->lease_sqlstate[0]) {
        char code[6];
        memcpy(code, c->lease_sqlstate, sizeof(code));
        c->lease_sqlstate[0] = '\0';
        client_fatal(c, code, "%s", c->lease_msg);
    } else {
        client_close(c, NULL);
    }
    return false;
}

/*
 * End the lease to close the client with a FATAL error once the socket is back: its reading
 * end is shut, so the session sees the end of the client's input once it has answered what
 * it read (a running query is cancelled first when cancel is set). A session that has not let
 * go after a second (stuck sending to a client that does not read) has the socket shut whole.
 */
static void client_lease_kill(struct client *c, int64_t now, const char *sqlstate, const char *msg,
                              bool cancel)
{
    if (c->lease_kill_ms) {
        if (now - c->lease_kill_ms >= 1000) {
            shutdown(c->io.fd, SHUT_RDWR);
            c->lease_kill_ms = INT64_MAX / 2; /* once */
        }
        return;
    }
    snprintf(c->lease_sqlstate, sizeof(c->lease_sqlstate), "%s", sqlstate);
    snprintf(c->lease_msg, sizeof(c->lease_msg), "%s", msg);
    log_at(LOG_INFO, c->prefix, "taking the socket back: %s", msg);
    c->lease_kill_ms = now;
    shutdown(c->io.fd, SHUT_RD);
    if (cancel)
        server_send_cancel(c->server);
}

void client_kill(struct client *c, const char *sqlstate, const char *msg)
{
    if (c->state == CLIENT_CLOSED)
        return;
    if (client_leased(c))
        client_lease_kill(c, now_ms(), sqlstate, msg, true);
    else
        client_fatal(c, sqlstate, "%s", msg);
}

void client_lease_abandon(struct client *c)
{
    struct server *s = c->server;
    /* The session stops using the socket; its state is unknown, so it is not reused. */
    shutdown(c->io.fd, SHUT_RDWR);
    s->dirty = true;
}

bool client_lease_busy(const struct client *c)
{
    return __atomic_load_n(&c->server->lease->busy_since_ms, __ATOMIC_RELAXED) != 0;
}

void client_lease_check_timeouts(struct client *c, int64_t now)
{
    const struct config *cfg = proxy_config();
    const struct sq_lease *l = c->server->lease;
    int run_state = atomic_load(&proxy.run_state);
    int64_t busy = __atomic_load_n(&l->busy_since_ms, __ATOMIC_RELAXED);
    int64_t active = __atomic_load_n(&l->last_active_ms, __ATOMIC_RELAXED);
    char tx = __atomic_load_n(&l->tx, __ATOMIC_RELAXED);

    if (c->lease_kill_ms) {
        client_lease_kill(c, now, NULL, NULL, false); /* waiting for it to end */
    } else if (run_state == PROXY_STOPPING) {
        client_lease_kill(c, now, "57P01", "terminating connection: shutdown_timeout reached",
                          true);
    } else if (busy) {
        /* Each query once: the cancel names the start of the one it was for. */
        if (cfg->query_timeout_ms > 0 && c->lease_cancelled_ms != busy &&
            now - busy > cfg->query_timeout_ms) {
            log_at(LOG_INFO, c->prefix, "query_timeout: cancelling the query");
            c->lease_cancelled_ms = busy;
            server_send_cancel(c->server);
        }
    } else if (tx != 'I') {
        if (cfg->idle_transaction_timeout_ms > 0 && now - active > cfg->idle_transaction_timeout_ms)
            client_lease_kill(c, now, "25P03",
                              "idle_transaction_timeout: idle in transaction too long", false);
    } else if (run_state >= PROXY_DRAINING) {
        client_lease_kill(c, now, "57P01", "terminating connection: the proxy is shutting down",
                          false);
    } else if (cfg->client_idle_timeout_ms > 0 && now - active > cfg->client_idle_timeout_ms) {
        client_lease_kill(c, now, "57P05", "client_idle_timeout: connection idle too long", false);
    }
}
