/*
 * Client connections in the steady state. Messages are forwarded to the attached server by
 * moving bytes between evbuffers; only their headers are read, plus the little the proxy must
 * understand: which messages expect a ReadyForQuery (Query, Sync, FunctionCall), statement
 * names in Parse, and session-level SETs of parameters PostgreSQL does not report.
 *
 * A server is attached when a message needs one (pool_acquire, or later a handoff from the
 * mailbox) and released per pool mode from client_on_ready(): in transaction mode at a
 * ReadyForQuery 'I' with no reply outstanding, in statement mode after every one, in session
 * mode only when the client leaves. Attaching replays the client's tracked parameters onto the
 * server as one injected query whose replies are discarded.
 */
#include "client/client.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/proxy.h"
#include "pool/pool.h"
#include "pool/prepared.h"
#include "server/server.h"
#include "util/log.h"
#include "util/util.h"
#include "wire/proto.h"

/* Simple queries up to this size are scanned for SET of unreported parameters. */
#define CLIENT_SET_SCAN_MAX 8192

static void client_send_error(struct client *c, const char *severity, const char *sqlstate,
                              const char *msg)
{
    struct proto_builder b;
    struct proto_error e = {severity, sqlstate, msg, NULL, NULL, 0};

    proto_builder_init(&b);
    proto_write_error(&b, &e);
    if (!b.failed)
        evbuffer_add(c->io.out, b.data, b.len);
    proto_builder_fini(&b);
}

void client_error(struct client *c, const char *sqlstate, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    client_send_error(c, "ERROR", sqlstate, msg);
}

void client_fatal(struct client *c, const char *sqlstate, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    if (c->state == CLIENT_CLOSED)
        return;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_at(LOG_INFO, c->prefix, "closing client: %s %s", sqlstate, msg);
    client_send_error(c, "FATAL", sqlstate, msg);
    /* Best effort: the error is written before the socket closes. */
    io_flush(&c->io);
    client_close(c, NULL);
}

bool client_flush(struct client *c)
{
    /* Bounded: each round either drains the client's output or stops. */
    for (int round = 0; round < 8; round++) {
        struct server *s;
        if (c->state == CLIENT_CLOSED)
            return false;
        if (!io_flush(&c->io)) {
            client_close(c, "could not write to client");
            return false;
        }
        s = c->server;
        if (!s || !s->read_blocked || io_pending_out(&c->io) >= IO_LOW_WATERMARK)
            return true;
        /* The client caught up: read the server again and forward what it already sent. */
        s->read_blocked = false;
        io_start_read(&s->io);
        if (evbuffer_get_length(s->io.in) == 0)
            return true;
        if (!server_process(s))
            continue;
        if (c->server == s && s->state == SERVER_ACTIVE &&
            io_pending_out(&c->io) > IO_HIGH_WATERMARK) {
            s->read_blocked = true;
            io_stop_read(&s->io);
        }
    }
    return c->state != CLIENT_CLOSED;
}

/* Flush what the server is owed; true when a blocked client may be read again. */
static bool client_flush_server(struct client *c, bool *unblocked)
{
    struct server *s = c->server;

    *unblocked = false;
    if (!s)
        return true;
    if (!io_flush(&s->io)) {
        s->dirty = true;
        server_close(s, "08006 could not write to server");
        return false;
    }
    if (c->read_blocked && io_pending_out(&s->io) < IO_LOW_WATERMARK) {
        c->read_blocked = false;
        io_start_read(&c->io);
        *unblocked = true;
    }
    return true;
}

/* Split "SQLSTATE message" reasons used by the server and pool code. */
static const char *client_reason_code(const char *reason, char code[6])
{
    if (reason && strlen(reason) > 6 && reason[5] == ' ') {
        memcpy(code, reason, 5);
        code[5] = '\0';
        return reason + 6;
    }
    strcpy(code, "08006");
    return reason ? reason : "server connection lost";
}

/* Whether the attached server can go back to the pool as it is. */
static bool client_server_clean(const struct client *c)
{
    const struct server *s = c->server;
    return s && !s->lease && !s->params_unknown && s->tx_status == 'I' && c->expect_rfq == 0 &&
           !c->unsynced && c->fwd_left == 0 && s->fwd_left == 0 && s->swallow_rfq == 0 &&
           ps_server_settled(s) && !ps_server_unknown(s) && io_pending_out(&s->io) == 0 &&
           evbuffer_get_length(s->io.in) == 0;
}

/* Give the attached server back: reset it when the mode asks for it, or close it if unclean. */
static void client_detach_server(struct client *c, bool session_end)
{
    struct server *s = c->server;
    const struct config *cfg = proxy_config();
    const char *reset = cfg->server_reset_query;
    bool clean = client_server_clean(c);

    if (!s)
        return;
    c->server = NULL;
    s->client = NULL;
    s->read_blocked = false;
    if (c->read_blocked) {
        c->read_blocked = false;
        io_start_read(&c->io);
    }
    if (!clean) {
        s->dirty = true;
        server_close(s, "client left with the server in an unknown state");
        return;
    }
    if (s->pool->db->backend == DB_BACKEND_ADMIN) {
        /* A console session serves one client: it ends with it, nothing to reset or pool. */
        server_close(s, "console session ended");
        return;
    }
    if (reset && reset[0] &&
        ((session_end && c->pool->mode == POOL_SESSION) || cfg->server_reset_query_always)) {
        if (strcasecmp(reset, "DISCARD ALL") == 0 || strcasecmp(reset, "RESET ALL") == 0)
            for (int i = 0; i < PARAM_COUNT; i++)
                if (!params_reported(i))
                    params_set(&s->params, i, NULL);
        server_start_reset(s, reset);
        return;
    }
    pool_release(s);
}

void client_close(struct client *c, const char *reason)
{
    if (c->state == CLIENT_CLOSED)
        return;
    if (reason)
        log_at(LOG_INFO, c->prefix, "closing client: %s", reason);
    else
        log_at(LOG_DEBUG, c->prefix, "client closed");
    if (c->state == CLIENT_WAITING || c->state == CLIENT_LOGIN_WAIT || list_linked(&c->wait_node))
        pool_cancel_wait(c);
    list_del(&c->resume_node);
    if (client_leased(c))
        client_lease_abandon(c);
    if (c->server)
        client_detach_server(c, true);
    cancel_unregister(c);
    c->state = CLIENT_CLOSED;
    io_fini(&c->io);
    if (c->counted)
        atomic_fetch_sub(&proxy.n_clients, 1);
    c->counted = false;
    list_del(&c->node);
    c->worker->n_clients--;
    list_add_tail(&c->worker->reap, &c->node);
    worker_schedule_reap(c->worker);
}

void client_free(struct client *c)
{
    if (c->scram)
        scram_server_destroy(c->scram);
    client_drop_secret(c);
    ps_client_free(c);
    mon_tap_fini(&c->mon);
    params_clear(&c->params);
    params_clear(&c->tx_params);
    free(c->pending_value);
    free(c->user);
    free(c->dbname);
    free(c);
}

/* A server was just attached: replay the client's session parameters onto it. */
void client_attach(struct client *c)
{
    struct server *s = c->server;
    char sql[4096] = "";

    bool injected = false;

    s->client = c;
    s->ps_track = ps_pool_enabled(c->pool);
    stats_add(&c->pool->stats, STATS_ASSIGNMENTS, 1);
    c->state = CLIENT_ACTIVE;
    c->cancel_sent = false;
    if (params_sync_sql(&c->params, &s->params, sql, sizeof(sql)) > 0) {
        server_inject(s, sql);
        injected = true;
    }
    ps_server_attached(s, injected);
}

bool client_maybe_release(struct client *c)
{
    enum pool_mode mode = c->pool->mode;
    if (mode == POOL_SESSION || !client_server_clean(c))
        return false;
    client_detach_server(c, false);
    c->state = CLIENT_IDLE;
    return true;
}

/* Record a value for the client and for the server it is attached to. */
static void client_params_commit(struct client *c, int id, const char *value)
{
    const char *v = value && value[0] ? value : NULL;
    params_set(&c->params, id, v);
    params_set(&c->server->params, id, v);
}

/*
 * A SET/RESET of an unreported parameter succeeded. Outside a transaction block it holds for
 * the session at once; inside one it holds only if the transaction commits.
 */
static void client_apply_pending_set(struct client *c, char status)
{
    if (c->pending_set == -2)
        return;
    for (int i = 0; i < PARAM_COUNT; i++) {
        if (params_reported(i) || (c->pending_set != -1 && c->pending_set != i))
            continue;
        const char *v = c->pending_set == -1 ? NULL : c->pending_value;
        if (status == 'I') {
            client_params_commit(c, i, v);
        } else {
            params_set(&c->tx_params, i, v && v[0] ? v : NULL);
            c->tx_set[i] = true;
            c->tx_any = true;
        }
    }
    c->pending_set = -2;
}

/* The transaction holding SETs ended (status 'I' again) or rolled back to a savepoint. */
static void client_settle_tx_sets(struct client *c, char status)
{
    bool committed = c->last_status == 'T' && c->last_tx_end == PARAMS_TX_COMMIT;
    bool rolled_back = c->last_status == 'E' || c->last_tx_end == PARAMS_TX_ROLLBACK;

    if (status != 'I') {
        /* Inside the transaction: only a rollback to a savepoint can undo them. */
        if (c->last_tx_end == PARAMS_TX_SAVEPOINT)
            c->server->params_unknown = true;
        return;
    }
    if (committed) {
        for (int i = 0; i < PARAM_COUNT; i++)
            if (c->tx_set[i])
                client_params_commit(c, i, c->tx_params.v[i]);
    } else if (!rolled_back) {
        /* Ended by something not followed (several statements, COMMIT AND CHAIN, ...). */
        c->server->params_unknown = true;
    }
    for (int i = 0; i < PARAM_COUNT; i++)
        c->tx_set[i] = false;
    params_clear(&c->tx_params);
    c->tx_any = false;
}

bool client_on_ready(struct client *c, char status)
{
    struct server *s = c->server;
    struct proto_builder b;

    if (c->expect_rfq > 0)
        stats_clock_ready(&c->pool->stats, &c->stats, status, c->expect_rfq > 1 || c->unsynced);
    if (c->expect_rfq > 0)
        c->expect_rfq--;
    c->last_active_ms = now_ms();
    if (c->expect_rfq == 0) {
        if (!c->query_failed && status != 'E')
            client_apply_pending_set(c, status);
        c->pending_set = -2;
        if (c->tx_any)
            client_settle_tx_sets(c, status);
        c->last_status = status;
        c->query_failed = false;
        c->cancel_sent = false;
    }
    if (c->pool->mode == POOL_STATEMENT && status != 'I' && c->expect_rfq == 0 &&
        (c->unsynced || c->fwd_left || s->fwd_left || evbuffer_get_length(s->io.in) > 0)) {
        /* More was already sent inside the refused transaction: no clean way back. */
        client_fatal(c, "0A000", "transaction blocks are not allowed in statement pooling mode");
        return true;
    }
    if (c->pool->mode == POOL_STATEMENT && status != 'I' && c->expect_rfq == 0) {
        /* A transaction was opened: roll it back and refuse it, as statement mode must. */
        proto_builder_init(&b);
        struct proto_error e = {"ERROR",
                                "0A000",
                                "transaction blocks are not allowed in statement pooling mode",
                                NULL,
                                "Use pool_mode = transaction for this database or user.",
                                0};
        proto_write_error(&b, &e);
        proto_write_ready(&b, 'I');
        if (!b.failed)
            evbuffer_add(c->io.out, b.data, b.len);
        proto_builder_fini(&b);
        c->server = NULL;
        s->client = NULL;
        s->read_blocked = false;
        c->state = CLIENT_IDLE;
        c->stats.xact_us = 0; /* rolled back: no transaction to count */
        server_start_reset(s, "ROLLBACK");
        return true;
    }
    proto_builder_init(&b);
    proto_write_ready(&b, status);
    if (!b.failed)
        evbuffer_add(c->io.out, b.data, b.len);
    proto_builder_fini(&b);
    if (atomic_load(&proxy.run_state) >= PROXY_DRAINING && status == 'I' && c->expect_rfq == 0 &&
        !c->unsynced) {
        /* Draining: the transaction finished, so this client is done. */
        io_flush(&c->io);
        client_detach_server(c, true);
        client_fatal(c, "57P01", "terminating connection: the proxy is shutting down");
        return true;
    }
    return client_maybe_release(c);
}

void client_on_server_lost(struct client *c, const char *reason)
{
    char code[6];
    const char *msg = client_reason_code(reason, code);
    c->server = NULL;
    if (c->state == CLIENT_CLOSED)
        return;
    client_fatal(c, code, "server connection lost: %s", msg);
}

void client_on_handoff(struct client *c)
{
    struct server *s = c->handoff_server;
    const char *err = c->handoff_error;
    bool login = c->state == CLIENT_LOGIN_WAIT;
    int64_t waited_us;

    c->handoff_server = NULL;
    c->handoff_error = NULL;
    if (!s) {
        char code[6];
        const char *msg = client_reason_code(err, code);
        client_fatal(c, code, "%s", msg);
        return;
    }
    pool_adopt_server(s, c->worker);
    io_start_read(&s->io);
    c->server = s;
    waited_us = now_us() - c->wait_start_ms * 1000;
    stats_add(&c->pool->stats, STATS_WAIT_TIME, waited_us > 0 ? (uint64_t)waited_us : 0);
    mon_tap_waited(&c->mon, waited_us * 1000);
    client_attach(c);
    if (login) {
        /* Finishing the login may already give the server back: do not touch it after. */
        client_login_finish(c);
        if (c->state == CLIENT_CLOSED)
            return;
    }
    io_start_read(&c->io);
    client_process(c);
    /* Replies the proxy wrote itself (prepared statements) go out now. */
    if (c->state != CLIENT_CLOSED)
        client_flush(c);
}

/* Get a server for the next message; false when the client must wait (or was closed). */
static bool client_need_server(struct client *c)
{
    switch (pool_acquire(c)) {
    case POOL_ACQUIRED:
        client_attach(c);
        return true;
    case POOL_WAIT:
        /* Reading goes on (it notices a client that leaves) until the input backs up. */
        c->state = CLIENT_WAITING;
        if (evbuffer_get_length(c->io.in) > IO_HIGH_WATERMARK)
            io_stop_read(&c->io);
        return false;
    case POOL_FAILED:
    default: {
        char code[6];
        const char *msg = client_reason_code(c->handoff_error, code);
        c->handoff_error = NULL;
        client_fatal(c, code, "%s", msg);
        return false;
    }
    }
}

/*
 * Check a message before a server is taken for it: a known type, and no statement name in a
 * Parse where the pool mode cannot keep it. body holds the first len bytes of the body.
 * A refused Parse gets an ERROR and, as PostgreSQL does after an error in the extended
 * protocol, the rest up to Sync is skipped; false when the message must not be forwarded.
 */
static bool client_validate(struct client *c, uint8_t type, const uint8_t *body, size_t len)
{
    struct proto_reader r;

    switch (type) {
    case 'P':
        proto_reader_init(&r, body, len);
        if (proto_get_str(&r)[0] && !r.failed && c->pool->mode != POOL_SESSION &&
            !ps_pool_enabled(c->pool)) {
            const char *mode = c->pool->mode == POOL_TRANSACTION ? "transaction" : "statement";
            if (c->server && (c->expect_rfq > 0 || c->unsynced)) {
                /* Earlier replies are still due: an error now would overtake them. */
                client_fatal(c, "0A000",
                             "named prepared statements are not supported in %s pooling mode",
                             mode);
                return false;
            }
            client_error(c, "0A000",
                         "named prepared statements are not supported in %s pooling mode", mode);
            c->skip_to_sync = true;
            return false;
        }
        return true;
    case 'Q':
    case 'B':
    case 'E':
    case 'D':
    case 'C':
    case 'H':
    case 'S':
    case 'F':
    case 'd':
    case 'c':
    case 'f':
        return true;
    default:
        client_fatal(c, "08P01", "invalid frontend message type %d", type);
        return false;
    }
}

/* After a refused message: drop everything up to Sync, then answer the Sync. */
static void client_skip(struct client *c, uint8_t type, uint32_t len, size_t avail)
{
    size_t n = avail < (size_t)len + 1 ? avail : (size_t)len + 1;

    evbuffer_drain(c->io.in, n);
    c->discard_left = (uint32_t)((size_t)len + 1 - n);
    if (type == 'S') {
        struct proto_builder b;
        c->skip_to_sync = false;
        proto_builder_init(&b);
        proto_write_ready(&b, c->server ? c->server->tx_status : 'I');
        if (!b.failed)
            evbuffer_add(c->io.out, b.data, b.len);
        proto_builder_fini(&b);
    }
}

/*
 * Follow a session-level SET of a parameter PostgreSQL does not report. Text the proxy cannot
 * follow that may change one marks the server's state unknown, so it is not reused.
 */
static void client_track_set(struct client *c, const char *sql, size_t cap, bool whole)
{
    size_t len = strnlen(sql, cap);
    char value[1024];
    int id;

    if (c->pool->mode == POOL_SESSION)
        return;
    c->last_tx_end = whole && len < cap ? params_tx_end(sql, len) : PARAMS_TX_OTHER;
    if (whole && len < cap && params_parse_set(sql, len, &id, value, sizeof(value))) {
        c->pending_set = id;
        str_replace(&c->pending_value, value);
        return;
    }
    if (params_may_set_unreported(sql, len))
        c->server->params_unknown = true;
}

/*
 * COPY FROM STDIN on a server pool/prepared.c does not follow: CopyData after a Query or
 * Execute means the copy began, and the Syncs sent since that Execute (libpq sends one right
 * after it) are ignored by the server, as are those up to CopyDone. false: this Sync is owed
 * no ReadyForQuery.
 */
static bool client_account_copy(struct client *c, uint8_t type)
{
    if (c->server->ps_track)
        return true; /* pool/prepared.c accounts for it */
    switch (type) {
    case 'Q':
    case 'E':
        c->copy_exec_open = true;
        c->copy_syncs = 0;
        break;
    case 'S':
        if (c->copy_in)
            return false;
        if (c->copy_exec_open)
            c->copy_syncs++;
        break;
    case 'd':
        if (!c->copy_in && c->copy_exec_open) {
            c->expect_rfq -= c->copy_syncs < c->expect_rfq ? c->copy_syncs : c->expect_rfq;
            c->copy_syncs = 0;
            c->copy_in = true;
            c->unsynced = true; /* owed: the copy's end, then the Sync after it */
        }
        break;
    case 'c':
    case 'f':
    case 'F':
        c->copy_in = false;
        c->copy_exec_open = false;
        break;
    default:
        break;
    }
    return true;
}

/* Account for a message being forwarded: which replies the client now waits for. */
static void client_account(struct client *c, uint8_t type, const uint8_t *body, size_t len,
                           bool whole)
{
    const uint8_t *nul;

    mon_tap_frontend(&c->mon, type, body, len, whole);
    if (!client_account_copy(c, type))
        return;
    switch (type) {
    case 'Q':
    case 'F':
        if (c->expect_rfq == 0)
            c->query_start_ms = now_ms();
        stats_clock_begin(&c->stats);
        c->expect_rfq++;
        if (type == 'Q')
            client_track_set(c, (const char *)body, len, whole);
        break;
    case 'P':
        nul = memchr(body, 0, len);
        if (nul)
            client_track_set(c, (const char *)nul + 1, len - (size_t)(nul + 1 - body), whole);
        /* fall through */
    case 'B':
    case 'E':
    case 'D':
    case 'C':
    case 'H':
        if (c->expect_rfq == 0 && !c->unsynced)
            c->query_start_ms = now_ms();
        stats_clock_begin(&c->stats);
        c->unsynced = true;
        break;
    case 'S':
        stats_clock_begin(&c->stats);
        c->unsynced = false;
        c->expect_rfq++;
        break;
    default:
        break;
    }
}

/* Messages that arrive with no server attached and need none. true when consumed. */
static bool client_answer_locally(struct client *c, uint8_t type, uint32_t len, size_t avail)
{
    if (type == 'S' || type == 'H') {
        if (len != 4) {
            client_fatal(c, "08P01", "invalid %s message length", proto_frontend_name(type));
            return true;
        }
        evbuffer_drain(c->io.in, PROTO_HEADER_LEN);
        if (type == 'S') {
            /* Nothing is pending anywhere: answer the Sync ourselves. */
            struct proto_builder b;
            proto_builder_init(&b);
            proto_write_ready(&b, 'I');
            if (!b.failed)
                evbuffer_add(c->io.out, b.data, b.len);
            proto_builder_fini(&b);
        }
        return true;
    }
    if (type == 'd' || type == 'c' || type == 'f') {
        /* Copy messages after the copy ended are ignored, as PostgreSQL does. */
        size_t n = avail < (size_t)len + 1 ? avail : (size_t)len + 1;
        evbuffer_drain(c->io.in, n);
        c->discard_left = (uint32_t)((size_t)len + 1 - n);
        return true;
    }
    return false;
}

/* Forward complete (or streaming) messages until the input runs dry or must wait. */
static void client_forward(struct client *c)
{
    const struct config *cfg = proxy_config();
    struct evbuffer *in = c->io.in;

    while (c->state == CLIENT_IDLE || c->state == CLIENT_ACTIVE) {
        size_t avail = evbuffer_get_length(in), need;
        uint8_t hdr[PROTO_HEADER_LEN], *msg;
        uint32_t len;
        uint8_t type;
        struct server *s;

        if (c->discard_left) {
            size_t n = avail < c->discard_left ? avail : c->discard_left;
            if (n == 0)
                return;
            evbuffer_drain(in, n);
            c->discard_left -= (uint32_t)n;
            continue;
        }
        if (c->fwd_left) {
            size_t n = avail < c->fwd_left ? avail : c->fwd_left;
            if (n == 0 || !c->server)
                return;
            evbuffer_remove_buffer(in, c->server->io.out, n);
            c->fwd_left -= (uint32_t)n;
            continue;
        }
        if (avail < PROTO_HEADER_LEN)
            return;
        evbuffer_copyout(in, hdr, PROTO_HEADER_LEN);
        type = hdr[0];
        len = proto_read_u32(hdr + 1);
        if (len < 4) {
            client_fatal(c, "08P01", "invalid message length %u", len);
            return;
        }
        if ((int64_t)len > (int64_t)cfg->max_packet_size) {
            client_fatal(c, "54000", "message of %u bytes exceeds max_packet_size", len);
            return;
        }
        if (type == 'X') {
            client_close(c, NULL);
            return;
        }
        if (c->skip_to_sync) {
            if (type != 'S' || !c->server || !c->server->ps_track) {
                client_skip(c, type, len, avail);
                continue;
            }
            /* Replies are queued on the server: its ReadyForQuery comes in order. */
            c->skip_to_sync = false;
        }
        if (!c->server && client_answer_locally(c, type, len, avail))
            continue;
        need = (size_t)len + 1;
        if (need > CLIENT_SET_SCAN_MAX + PROTO_HEADER_LEN)
            need = CLIENT_SET_SCAN_MAX + PROTO_HEADER_LEN;
        if (type == 'd')
            need = PROTO_HEADER_LEN;
        if ((type == 'P' || type == 'Q') &&
            (ps_pool_enabled(c->pool) || (c->server && c->server->ps_track)))
            need = (size_t)len + 1; /* classified and registered whole */
        else if ((type == 'P' || type == 'Q' || (type == 'B' && mon_wants_bind())) &&
                 len < MON_WHOLE_MAX && c->mon.dbuser >= 0 && monitor_enabled())
            need = (size_t)len + 1; /* fingerprinted whole (a Bind: its parameters logged) */
        if (avail < need)
            return;
        msg = evbuffer_pullup(in, (ssize_t)need);
        if (!client_validate(c, type, msg + PROTO_HEADER_LEN, need - PROTO_HEADER_LEN)) {
            if (!c->skip_to_sync)
                return;
            client_skip(c, type, len, avail);
            continue;
        }
        if (!c->server && type == 'P' && ps_pool_enabled(c->pool)) {
            /* The proxy may answer it itself: the monitor learns the name now (a forwarded
             * Parse tells it again, which changes nothing). */
            mon_tap_frontend(&c->mon, 'P', msg + PROTO_HEADER_LEN, need - PROTO_HEADER_LEN, true);
            if (ps_parse_locally(c))
                continue;
        }
        if (!c->server && !client_need_server(c))
            return;
        msg = evbuffer_pullup(in, (ssize_t)need);
        client_account(c, type, msg + PROTO_HEADER_LEN, need - PROTO_HEADER_LEN,
                       need == (size_t)len + 1);
        s = c->server;
        if (s->ps_track) {
            if (!ps_forward(c, type, msg, need, len, avail))
                return;
        } else {
            size_t n = avail < (size_t)len + 1 ? avail : (size_t)len + 1;
            evbuffer_remove_buffer(in, s->io.out, n);
            c->fwd_left = (uint32_t)((size_t)len + 1 - n);
        }
        if (io_pending_out(&s->io) > IO_HIGH_WATERMARK) {
            c->read_blocked = true;
            io_stop_read(&c->io);
            return;
        }
    }
}

void client_process(struct client *c)
{
    /* Bounded: another round only when flushing the server unblocked this client. */
    for (int round = 0; round < 16; round++) {
        bool unblocked;
        client_forward(c);
        if (c->state != CLIENT_ACTIVE || !c->server)
            return;
        if (!client_flush_server(c, &unblocked) || !unblocked)
            return;
    }
}

void client_resume(struct client *c)
{
    if (c->state != CLIENT_IDLE && c->state != CLIENT_ACTIVE)
        return;
    client_process(c);
    if (c->state != CLIENT_CLOSED)
        client_flush(c);
}

void client_on_read(int fd, short what, void *arg)
{
    struct client *c = arg;
    int n;

    if (c->state == CLIENT_CLOSED)
        return;
    n = io_read(&c->io);
    if (n == -2)
        return;
    if (n == 0 && c->state == CLIENT_WAITING && evbuffer_get_length(c->io.in) > 0) {
        /*
         * Gone while waiting, after sending more: that still runs, as it would on PostgreSQL.
         * Reading resumes with the server and then sees the end of file again.
         */
        io_stop_read(&c->io);
        return;
    }
    if (n <= 0) {
        client_close(c, n == 0 ? NULL : "could not read from client");
        return;
    }
    c->last_active_ms = now_ms();
    if (c->pool && c->state != CLIENT_STARTUP && c->state != CLIENT_AUTH)
        stats_add(&c->pool->stats, STATS_RECEIVED, (uint64_t)n);
    if (c->state == CLIENT_STARTUP || c->state == CLIENT_AUTH)
        client_login_process(c);
    else if (c->state == CLIENT_WAITING && evbuffer_get_length(c->io.in) > IO_HIGH_WATERMARK)
        io_stop_read(&c->io);
    else
        client_process(c);
    client_flush(c);
}

void client_on_write(int fd, short what, void *arg)
{
    struct client *c = arg;

    if (c->state != CLIENT_CLOSED)
        client_flush(c);
}

void client_check_timeouts(struct client *c, int64_t now)
{
    const struct config *cfg = proxy_config();
    int run_state = atomic_load(&proxy.run_state);

    switch (c->state) {
    case CLIENT_STARTUP:
    case CLIENT_AUTH:
        if (cfg->client_login_timeout_ms > 0 && now - c->connect_ms > cfg->client_login_timeout_ms)
            client_fatal(c, "08P01", "client_login_timeout: login took too long");
        break;
    case CLIENT_LOGIN_WAIT:
    case CLIENT_WAITING:
        if (cfg->query_wait_timeout_ms > 0 && now - c->wait_start_ms > cfg->query_wait_timeout_ms)
            client_fatal(c, "53300", "query_wait_timeout: no server connection became available");
        else if (run_state == PROXY_STOPPING)
            client_fatal(c, "57P01", "terminating connection: the proxy is shutting down");
        break;
    case CLIENT_ACTIVE:
        if (client_leased(c)) {
            client_lease_check_timeouts(c, now);
            break;
        }
        if (c->expect_rfq > 0 || c->unsynced) {
            if (cfg->query_timeout_ms > 0 && !c->cancel_sent &&
                now - c->query_start_ms > cfg->query_timeout_ms && c->server) {
                log_at(LOG_INFO, c->prefix, "query_timeout: cancelling the query");
                c->cancel_sent = true;
                server_send_cancel(c->server);
            }
        } else if (c->server && c->server->tx_status != 'I') {
            if (cfg->idle_transaction_timeout_ms > 0 &&
                now - c->last_active_ms > cfg->idle_transaction_timeout_ms)
                client_fatal(c, "25P03", "idle_transaction_timeout: idle in transaction too long");
        } else if (run_state >= PROXY_DRAINING) {
            client_fatal(c, "57P01", "terminating connection: the proxy is shutting down");
        } else if (cfg->client_idle_timeout_ms > 0 &&
                   now - c->last_active_ms > cfg->client_idle_timeout_ms) {
            client_fatal(c, "57P05", "client_idle_timeout: connection idle too long");
        }
        if (c->state == CLIENT_ACTIVE && run_state == PROXY_STOPPING)
            client_fatal(c, "57P01", "terminating connection: shutdown_timeout reached");
        break;
    case CLIENT_IDLE:
        if (run_state >= PROXY_DRAINING)
            client_fatal(c, "57P01", "terminating connection: the proxy is shutting down");
        else if (cfg->client_idle_timeout_ms > 0 &&
                 now - c->last_active_ms > cfg->client_idle_timeout_ms)
            client_fatal(c, "57P05", "client_idle_timeout: connection idle too long");
        break;
    default:
        break;
    }
}
