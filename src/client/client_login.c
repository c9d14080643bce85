/*
 * Client login: the startup packet (SSLRequest and GSSENCRequest are declined, CancelRequest
 * is dispatched, other protocol versions refused), the database and limits check, then
 * authentication against the auth_file (trust, cleartext, md5, SCRAM-SHA-256), and finally
 * the parameters, BackendKeyData and ReadyForQuery that complete the login.
 */
#include <arpa/inet.h>
#include <event2/buffer.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "admin/admin.h"
#include "auth/md5.h"
#include "auth/scram.h"
#include "client/client.h"
#include "core/control.h"
#include "core/proxy.h"
#include "pool/pool.h"
#include "server/server.h"
#include "util/log.h"
#include "util/util.h"
#include "wire/proto.h"

static atomic_int client_next_id;

void client_accept(struct worker *w, int fd, bool unix_socket, const char *addr)
{
    const struct config *cfg = proxy_config();
    struct client *c = xcalloc(1, sizeof(*c));
    int n;

    list_init(&c->node);
    list_init(&c->wait_node);
    list_init(&c->resume_node);
    c->id = atomic_fetch_add(&client_next_id, 1) + 1;
    c->mon.dbuser = -1;
    c->worker = w;
    c->unix_socket = unix_socket;
    c->pending_set = -2;
    c->last_status = 'I';
    c->connect_ms = c->last_active_ms = now_ms();
    snprintf(c->addr, sizeof(c->addr), "%s", addr);
    snprintf(c->prefix, sizeof(c->prefix), "C-%d %s", c->id, c->addr);
    if (!io_init(&c->io, fd) || !io_prepare_socket(fd, !unix_socket, cfg->tcp_keepalive)) {
        log_warning("could not set up client socket from %s", addr);
        io_fini(&c->io);
        free(c);
        return;
    }
    n = atomic_fetch_add(&proxy.n_clients, 1) + 1;
    c->counted = true;
    io_assign(&c->io, w->base, client_on_read, client_on_write, c);
    list_add_tail(&w->clients, &c->node);
    w->n_clients++;
    io_start_read(&c->io);
    /* Far past the limit, do not even read the startup packet. */
    if (n > cfg->max_client_conn + 1000)
        client_close(c, "max_client_conn exceeded by far");
}

static void client_send_auth(struct client *c, uint32_t code, const void *extra, size_t len)
{
    struct proto_builder b;
    proto_builder_init(&b);
    proto_write_auth(&b, code, extra, len);
    if (!b.failed)
        evbuffer_add(c->io.out, b.data, b.len);
    proto_builder_fini(&b);
}

static bool client_secret_is_scram(const char *secret)
{
    return secret && strncmp(secret, "SCRAM-SHA-256$", 14) == 0;
}

static void client_auth_failed(struct client *c)
{
    client_fatal(c, "28P01", "password authentication failed for user \"%s\"", c->user);
}

void client_login_finish(struct client *c)
{
    struct pool *p = c->pool;
    struct proto_builder b;

    proto_builder_init(&b);
    pthread_mutex_lock(&pool_lock);
    for (int i = 0; i < p->n_welcome; i++) {
        const char *name = p->welcome_names[i], *value = p->welcome_values[i];
        int id = params_lookup(name);
        if (id >= 0) {
            /* The client's own startup value wins; otherwise it gets the server default. */
            if (c->params.v[id])
                value = c->params.v[id];
            else
                params_set(&c->params, id, value);
        }
        proto_write_param_status(&b, name, value);
    }
    pthread_mutex_unlock(&pool_lock);
    cancel_register(c);
    if (p->db->backend != DB_BACKEND_ADMIN) { /* console commands are not the database's */
        mon_tap_init(&c->mon, c->dbname, c->user, c->addr, c->id);
        mon_tap_set_app(&c->mon, c->params.v[PARAM_APPLICATION_NAME]);
    }
    proto_write_key_data(&b, (uint32_t)(c->cancel_key >> 32), (uint32_t)c->cancel_key);
    proto_write_ready(&b, 'I');
    if (!b.failed)
        evbuffer_add(c->io.out, b.data, b.len);
    proto_builder_fini(&b);
    log_at(LOG_INFO, c->prefix, "login succeeded (%s mode)",
           p->mode == POOL_SESSION       ? "session"
           : p->mode == POOL_TRANSACTION ? "transaction"
                                         : "statement");
    if (c->server) {
        c->state = CLIENT_ACTIVE;
        /* The server only served to learn the parameters: keep it in session mode only. */
        if (p->mode != POOL_SESSION && c->server->tx_status == 'I') {
            struct server *s = c->server;
            if (s->swallow_rfq == 0) {
                c->server = NULL;
                s->client = NULL;
                c->state = CLIENT_IDLE;
                pool_release(s);
            }
        }
    } else {
        c->state = CLIENT_IDLE;
    }
}

/* Authentication succeeded: attach to the pool and finish, or wait for its first server. */
static void client_auth_ok(struct client *c, const struct scram_keys *keys)
{
    struct pool *p = c->pool;
    bool ready;

    /* The console: authenticated like everyone, then only its users are let in. */
    if (!p || (p->db->backend == DB_BACKEND_ADMIN &&
               admin_role_of(proxy_config(), c->user) == ADMIN_ROLE_NONE)) {
        client_fatal(c, "28000",
                     "not allowed: user \"%s\" is in neither admin_users nor stats_users, "
                     "so it may not use the admin console",
                     c->user);
        return;
    }
    client_send_auth(c, PROTO_AUTH_OK, NULL, 0);
    client_drop_secret(c);
    if (c->scram) {
        scram_server_destroy(c->scram);
        c->scram = NULL;
    }
    pthread_mutex_lock(&pool_lock);
    if (keys && keys->valid)
        p->scram_keys = *keys;
    ready = p->welcome_ready;
    pthread_mutex_unlock(&pool_lock);
    c->auth_step = AUTH_STEP_NONE;
    if (ready) {
        client_login_finish(c);
        return;
    }
    c->state = CLIENT_LOGIN_WAIT;
    switch (pool_acquire(c)) {
    case POOL_ACQUIRED:
        client_attach(c);
        client_login_finish(c);
        break;
    case POOL_WAIT:
        io_stop_read(&c->io);
        break;
    case POOL_FAILED:
    default: {
        const char *err = c->handoff_error ? c->handoff_error : "57P03 server login failed";
        c->handoff_error = NULL;
        if (strlen(err) > 6 && err[5] == ' ') {
            char code[6];
            memcpy(code, err, 5);
            code[5] = '\0';
            client_fatal(c, code, "%s", err + 6);
        } else {
            client_fatal(c, "57P03", "%s", err);
        }
        break;
    }
    }
}

void client_drop_secret(struct client *c)
{
    if (!c->secret)
        return;
    explicit_bzero(c->secret, strlen(c->secret));
    free(c->secret);
    c->secret = NULL;
}

static void client_start_auth(struct client *c)
{
    const struct config *cfg = proxy_config();
    const char *secret = config_find_secret(cfg, c->user);
    enum auth_method method = cfg->auth_type;

    client_drop_secret(c);
    c->secret = secret ? xstrdup(secret) : NULL;
    if (method == AUTH_TRUST) {
        client_auth_ok(c, NULL);
        return;
    }
    c->state = CLIENT_AUTH;
    if (method == AUTH_PLAIN) {
        c->auth_step = AUTH_STEP_PASSWORD;
        client_send_auth(c, PROTO_AUTH_CLEARTEXT, NULL, 0);
        return;
    }
    if (method == AUTH_SCRAM || client_secret_is_scram(secret)) {
        static const char mech[] = "SCRAM-SHA-256\0";
        c->scram = secret && !md5_is_secret(secret) ? scram_server_create(secret) : NULL;
        if (!c->scram) {
            /* An md5 secret or no user: fail only after the exchange, like PostgreSQL. */
            c->scram = scram_server_create("SCRAM-SHA-256$4096:c2FsdHNhbHRzYWx0$"
                                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=:"
                                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
            client_drop_secret(c);
        }
        c->auth_step = AUTH_STEP_SASL;
        client_send_auth(c, PROTO_AUTH_SASL, mech, sizeof(mech));
        return;
    }
    c->auth_step = AUTH_STEP_MD5;
    random_bytes(c->md5_salt, sizeof(c->md5_salt));
    client_send_auth(c, PROTO_AUTH_MD5, c->md5_salt, sizeof(c->md5_salt));
}

static void client_on_password(struct client *c, const uint8_t *body, size_t len)
{
    struct proto_reader r;
    proto_reader_init(&r, body, len);

    switch (c->auth_step) {
    case AUTH_STEP_PASSWORD: {
        const char *pw = proto_get_str(&r);
        char md5[MD5_SECRET_LEN + 1];
        bool ok = false;
        if (r.failed || !c->secret)
            break;
        if (md5_is_secret(c->secret)) {
            md5_secret(c->user, pw, md5);
            ok = strcmp(md5, c->secret) == 0;
        } else if (!client_secret_is_scram(c->secret)) {
            ok = strcmp(pw, c->secret) == 0;
        }
        if (ok) {
            client_auth_ok(c, NULL);
            return;
        }
        break;
    }
    case AUTH_STEP_MD5: {
        const char *resp = proto_get_str(&r);
        if (!r.failed && c->secret && md5_verify(c->user, c->secret, c->md5_salt, resp)) {
            client_auth_ok(c, NULL);
            return;
        }
        break;
    }
    case AUTH_STEP_SASL: {
        const char *mech = proto_get_str(&r);
        uint32_t n = proto_get_u32(&r);
        const uint8_t *data;
        char err[256], *first;
        size_t out_len;
        if (r.failed || strcmp(mech, "SCRAM-SHA-256") != 0 || n == UINT32_MAX) {
            client_fatal(c, "08P01", "invalid SASL initial response");
            return;
        }
        data = proto_get_bytes(&r, n);
        if (!data) {
            client_fatal(c, "08P01", "invalid SASL initial response length");
            return;
        }
        first = scram_server_first(c->scram, (const char *)data, n, &out_len, err, sizeof(err));
        if (!first) {
            client_fatal(c, "08P01", "invalid SCRAM message: %s", err);
            return;
        }
        client_send_auth(c, PROTO_AUTH_SASL_CONTINUE, first, out_len);
        free(first);
        c->auth_step = AUTH_STEP_SASL_FINAL;
        return;
    }
    case AUTH_STEP_SASL_FINAL: {
        struct scram_keys keys;
        char err[256], *final;
        size_t out_len;
        memset(&keys, 0, sizeof(keys));
        final = scram_server_final(c->scram, (const char *)body, len, &out_len, &keys, err,
                                   sizeof(err));
        if (!final || !c->secret)
            break;
        client_send_auth(c, PROTO_AUTH_SASL_FINAL, final, out_len);
        free(final);
        /* Keys recovered from a stored secret can log in to a server holding the same one. */
        if (!client_secret_is_scram(c->secret))
            keys.valid = false;
        client_auth_ok(c, &keys);
        return;
    }
    default:
        client_fatal(c, "08P01", "unexpected password message");
        return;
    }
    client_auth_failed(c);
}

/* The v3 StartupMessage: who, which database, which parameters. */
static void client_on_startup(struct client *c, const struct proto_startup *st)
{
    const struct config *cfg = proxy_config();
    const struct db_config *db;
    const char *user = proto_startup_get(st, "user");
    const char *dbname = proto_startup_get(st, "database");

    if (!user || !user[0]) {
        client_fatal(c, "28000", "no PostgreSQL user name specified in startup packet");
        return;
    }
    c->user = xstrdup(user);
    c->dbname = xstrdup(dbname && dbname[0] ? dbname : user);
    snprintf(c->prefix, sizeof(c->prefix), "C-%d %s@%s %s", c->id, c->user, c->dbname, c->addr);
    for (size_t i = 0; i < st->n_params; i++) {
        const char *name = st->names[i];
        int id;
        if (strcmp(name, "user") == 0 || strcmp(name, "database") == 0)
            continue;
        id = params_lookup(name);
        if (id >= 0) {
            params_set(&c->params, id, st->values[i]);
            continue;
        }
        if (config_list_has(cfg->ignore_startup_parameters, name))
            continue;
        if (strcmp(name, "replication") == 0) {
            client_fatal(c, "08P01", "replication connections are not supported");
            return;
        }
        client_fatal(c, "08P01", "unsupported startup parameter: %s", name);
        return;
    }
    if (cfg->application_name_add_host) {
        char app[256];
        snprintf(app, sizeof(app), "%s - %s",
                 c->params.v[PARAM_APPLICATION_NAME] ? c->params.v[PARAM_APPLICATION_NAME] : "",
                 c->addr);
        params_set(&c->params, PARAM_APPLICATION_NAME, app);
    }
    if (atomic_load(&proxy.run_state) != PROXY_RUNNING) {
        client_fatal(c, "57P03", "the proxy is shutting down");
        return;
    }
    if (atomic_load(&proxy.n_clients) > cfg->max_client_conn) {
        client_fatal(c, "53300", "no more connections allowed (max_client_conn)");
        return;
    }
    db = admin_is_db(c->dbname) ? admin_db() : config_find_db(cfg, c->dbname);
    if (!db) {
        client_fatal(c, "3D000", "database \"%s\" does not exist", c->dbname);
        return;
    }
    if (db != admin_db() && control_disabled(db->name)) {
        client_fatal(c, "55000", "database \"%s\" is not currently accepting connections (DISABLE)",
                     db->name);
        return;
    }
    /* Someone who may not use the console is refused after authenticating, with no pool. */
    if (db != admin_db() || admin_role_of(cfg, c->user) != ADMIN_ROLE_NONE)
        c->pool = pool_get(db, c->user);
    client_start_auth(c);
}

void client_login_process(struct client *c)
{
    struct evbuffer *in = c->io.in;

    while (c->state == CLIENT_STARTUP || c->state == CLIENT_AUTH) {
        size_t avail = evbuffer_get_length(in);
        uint8_t *msg;

        if (c->state == CLIENT_STARTUP) {
            struct proto_startup st;
            const char *reason = NULL;
            uint8_t lenbuf[4];
            uint32_t len;
            if (avail < 4)
                return;
            evbuffer_copyout(in, lenbuf, 4);
            len = proto_read_u32(lenbuf);
            if (len < 8 || len > PROTO_STARTUP_MAX) {
                client_fatal(c, "08P01", "invalid length of startup packet");
                return;
            }
            if (avail < len)
                return;
            msg = evbuffer_pullup(in, len);
            if (!proto_parse_startup(msg + 4, len - 4, &st, &reason)) {
                client_fatal(c, "08P01", "%s", reason);
                return;
            }
            if (st.code == PROTO_SSL_CODE || st.code == PROTO_GSSENC_CODE) {
                evbuffer_drain(in, len);
                if (evbuffer_get_length(in) > 0) {
                    /* Data after the request and before our answer: a protocol violation. */
                    client_fatal(c, "08P01", "unexpected data after encryption request");
                    return;
                }
                evbuffer_add(c->io.out, "N", 1);
                continue;
            }
            if (st.code == PROTO_CANCEL_CODE) {
                cancel_dispatch(((uint64_t)st.cancel_pid << 32) | st.cancel_key);
                client_close(c, NULL);
                return;
            }
            if (st.code != PROTO_V3) {
                client_fatal(c, "0A000",
                             "unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
                             st.code >> 16, st.code & 0xffff);
                return;
            }
            client_on_startup(c, &st);
            if (c->state == CLIENT_CLOSED)
                return;
            evbuffer_drain(in, len);
            continue;
        }

        /* CLIENT_AUTH: only PasswordMessage ('p') is valid. */
        {
            uint8_t hdr[PROTO_HEADER_LEN];
            uint32_t len;
            if (avail < PROTO_HEADER_LEN)
                return;
            evbuffer_copyout(in, hdr, PROTO_HEADER_LEN);
            len = proto_read_u32(hdr + 1);
            if (hdr[0] != 'p') {
                if (hdr[0] == 'X')
                    client_close(c, NULL);
                else
                    client_fatal(c, "08P01", "expected password response, got message type %d",
                                 hdr[0]);
                return;
            }
            if (len < 4 || len > PROTO_STARTUP_MAX) {
                client_fatal(c, "08P01", "invalid password packet length");
                return;
            }
            if (avail < (size_t)len + 1)
                return;
            msg = evbuffer_pullup(in, (ssize_t)len + 1);
            client_on_password(c, msg + PROTO_HEADER_LEN, len - 4);
            if (c->state != CLIENT_CLOSED)
                evbuffer_drain(in, (size_t)len + 1);
        }
    }
    /* Logged in with more messages already buffered (pipelining clients). */
    if (c->state == CLIENT_IDLE || c->state == CLIENT_ACTIVE)
        client_process(c);
}
