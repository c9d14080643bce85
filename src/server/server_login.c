/*
 * Server login: the StartupMessage, then the authentication exchange PostgreSQL asks for
 * (cleartext, md5, SCRAM-SHA-256 with a password or with keys passed through from the
 * client's own SCRAM login), ParameterStatus and BackendKeyData, until ReadyForQuery hands
 * the server to its pool.
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/md5.h"
#include "auth/scram.h"
#include "core/proxy.h"
#include "pool/pool.h"
#include "server/server.h"
#include "util/log.h"
#include "util/util.h"
#include "wire/proto.h"

void server_login_start(struct server *s)
{
    const struct db_config *db = s->pool->db;
    const char *names[PARAM_COUNT + 2], *values[PARAM_COUNT + 2];
    size_t n = 0;
    struct proto_builder b;

    names[n] = "user";
    values[n++] = s->pool->user;
    names[n] = "database";
    values[n++] = db->dbname ? db->dbname : db->name;
    for (int i = 0; i < PARAM_COUNT; i++) {
        const char *v = s->params.v[i];
        if (i == PARAM_APPLICATION_NAME && db->application_name && !v)
            v = db->application_name;
        if (v && i != PARAM_SEARCH_PATH) {
            names[n] = params_name(i);
            values[n++] = v;
        }
    }
    proto_builder_init(&b);
    proto_write_startup(&b, names, values, n);
    if (!b.failed)
        evbuffer_add(s->io.out, b.data, b.len);
    proto_builder_fini(&b);
}

static bool server_is_plain(const char *secret)
{
    return secret && !md5_is_secret(secret) && strncmp(secret, "SCRAM-SHA-256$", 14) != 0;
}

static const char *server_secret(const struct server *s)
{
    const struct db_config *db = s->pool->db;
    if (db->password)
        return db->password;
    return config_find_secret(proxy_config(), s->pool->user);
}

static void server_send(struct server *s, struct proto_builder *b)
{
    if (!b->failed)
        evbuffer_add(s->io.out, b->data, b->len);
    proto_builder_fini(b);
}

/* Answer an authentication request; false (after closing) when it cannot be answered. */
static bool server_login_auth(struct server *s, const uint8_t *body, size_t len)
{
    struct proto_reader r;
    struct proto_builder b;
    const char *secret = server_secret(s);
    char err[256] = "";
    uint32_t code;

    proto_reader_init(&r, body, len);
    code = proto_get_u32(&r);
    if (r.failed)
        goto protocol;
    proto_builder_init(&b);
    switch (code) {
    case PROTO_AUTH_OK:
        proto_builder_fini(&b);
        return true;
    case PROTO_AUTH_CLEARTEXT:
        if (!server_is_plain(secret)) {
            snprintf(err, sizeof(err), "server asks for a cleartext password, none is configured");
            break;
        }
        proto_write_password(&b, secret);
        server_send(s, &b);
        return true;
    case PROTO_AUTH_MD5: {
        const uint8_t *salt = proto_get_bytes(&r, 4);
        char resp[MD5_SECRET_LEN + 1];
        if (!salt)
            goto protocol;
        if (!secret || !(server_is_plain(secret) || md5_is_secret(secret))) {
            snprintf(err, sizeof(err), "server asks for md5, no password or md5 secret configured");
            break;
        }
        md5_response(s->pool->user, secret, salt, resp);
        proto_write_password(&b, resp);
        server_send(s, &b);
        return true;
    }
    case PROTO_AUTH_SASL: {
        bool scram = false;
        char *first;
        size_t first_len;
        for (;;) {
            const char *mech = proto_get_str(&r);
            if (r.failed)
                goto protocol;
            if (!mech[0])
                break;
            if (strcmp(mech, "SCRAM-SHA-256") == 0)
                scram = true;
        }
        if (!scram) {
            snprintf(err, sizeof(err), "server offers no supported SASL mechanism");
            break;
        }
        if (s->scram)
            scram_client_destroy(s->scram);
        s->scram = NULL;
        if (server_is_plain(secret)) {
            s->scram = scram_client_create(secret, NULL);
        } else {
            struct scram_keys keys;
            pthread_mutex_lock(&pool_lock);
            keys = s->pool->scram_keys;
            pthread_mutex_unlock(&pool_lock);
            if (keys.valid)
                s->scram = scram_client_create(NULL, &keys);
        }
        if (!s->scram) {
            snprintf(err, sizeof(err),
                     "server asks for SCRAM: configure a password, or log in a client with "
                     "SCRAM first to pass its keys through");
            break;
        }
        first = scram_client_first(s->scram, &first_len);
        if (!first) {
            snprintf(err, sizeof(err), "could not start SCRAM exchange");
            break;
        }
        proto_write_sasl_initial(&b, "SCRAM-SHA-256", first, first_len);
        free(first);
        server_send(s, &b);
        return true;
    }
    case PROTO_AUTH_SASL_CONTINUE: {
        size_t out_len;
        char *final;
        if (!s->scram)
            goto protocol;
        final = scram_client_final(s->scram, (const char *)body + 4, len - 4, &out_len, err,
                                   sizeof(err));
        if (!final)
            break;
        proto_write_sasl_response(&b, final, out_len);
        free(final);
        server_send(s, &b);
        return true;
    }
    case PROTO_AUTH_SASL_FINAL:
        if (!s->scram || !scram_client_verify_final(s->scram, (const char *)body + 4, len - 4)) {
            snprintf(err, sizeof(err), "server's SCRAM signature does not verify");
            break;
        }
        proto_builder_fini(&b);
        return true;
    default:
        snprintf(err, sizeof(err), "unsupported authentication method %u requested by server",
                 code);
        break;
    }
    proto_builder_fini(&b);
    {
        char msg[300];
        snprintf(msg, sizeof(msg), "08P01 %s", err);
        server_close(s, msg);
    }
    return false;
protocol:
    server_close(s, "08P01 malformed authentication request from server");
    return false;
}

static void server_login_param(struct server *s, const uint8_t *body, size_t len)
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
    if (s->n_login_params < (int)ARRAY_SIZE(s->login_names)) {
        s->login_names[s->n_login_params] = xstrdup(name);
        s->login_values[s->n_login_params] = xstrdup(value);
        s->n_login_params++;
    }
}

/* Login complete: false when the server went to the pool (no longer ours). */
static bool server_login_done(struct server *s, char status)
{
    struct pool *p = s->pool;
    const char *conn_query = p->db->connect_query;

    s->tx_status = status;
    pool_set_welcome(p, s, (const char *const *)s->login_names,
                     (const char *const *)s->login_values, s->n_login_params);
    for (int i = 0; i < s->n_login_params; i++) {
        free(s->login_names[i]);
        free(s->login_values[i]);
    }
    s->n_login_params = 0;
    if (s->scram) {
        scram_client_destroy(s->scram);
        s->scram = NULL;
    }
    list_del(&s->node);
    log_at(LOG_INFO, s->prefix, "new server connection (pid %u)", s->be_pid);
    if (conn_query && conn_query[0]) {
        /* connect_query runs once, its replies discarded, before a client gets the server. */
        server_start_reset(s, conn_query);
        return true;
    }
    s->state = SERVER_ACTIVE; /* logged in: no longer counts as a login failure if closed */
    pool_release(s);
    return false;
}

bool server_login_process(struct server *s)
{
    struct evbuffer *in = s->io.in;

    while (s->state == SERVER_LOGIN) {
        size_t avail = evbuffer_get_length(in);
        uint8_t hdr[PROTO_HEADER_LEN], *msg;
        uint32_t len;
        uint8_t type;

        if (avail < PROTO_HEADER_LEN)
            break;
        evbuffer_copyout(in, hdr, PROTO_HEADER_LEN);
        type = hdr[0];
        len = proto_read_u32(hdr + 1);
        if (len < 4 || len > 65536) {
            server_close(s, "08P01 invalid message length from server during login");
            return true;
        }
        if (avail < (size_t)len + 1)
            break;
        msg = evbuffer_pullup(in, (ssize_t)len + 1);
        switch (type) {
        case 'R':
            if (!server_login_auth(s, msg + PROTO_HEADER_LEN, len - 4))
                return true;
            break;
        case 'S':
            server_login_param(s, msg + PROTO_HEADER_LEN, len - 4);
            break;
        case 'K':
            if (len != 12) {
                server_close(s, "08P01 malformed BackendKeyData from server");
                return true;
            }
            s->be_pid = proto_read_u32(msg + PROTO_HEADER_LEN);
            s->be_key = proto_read_u32(msg + PROTO_HEADER_LEN + 4);
            break;
        case 'E': {
            struct proto_error_fields f;
            char reason[300];
            if (proto_parse_error(msg + PROTO_HEADER_LEN, len - 4, &f) && f.sqlstate)
                snprintf(reason, sizeof(reason), "%s %s", f.sqlstate,
                         f.message ? f.message : "server login failed");
            else
                snprintf(reason, sizeof(reason), "08P01 server login failed");
            server_close(s, reason);
            return true;
        }
        case 'Z':
            if (len != 5) {
                server_close(s, "08P01 malformed ReadyForQuery from server");
                return true;
            }
            type = msg[PROTO_HEADER_LEN];
            evbuffer_drain(in, len + 1);
            return server_login_done(s, (char)type);
        case 'N':
        case 'v':
            break;
        default:
            server_close(s, "08P01 unexpected message from server during login");
            return true;
        }
        evbuffer_drain(in, len + 1);
    }
    if (s->state == SERVER_LOGIN && !io_flush(&s->io))
        server_close(s, "08006 could not write to server");
    return true;
}
