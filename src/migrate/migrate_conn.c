/*
 * The migration engine's connection to its target (migrate_int.h). It owns one blocking
 * connection and turns each SQL text's reply into a struct mig_res; it knows nothing of
 * migrations. It runs on a thread that may block, never on an event loop.
 *
 * PostgreSQL: a libpq connection of its own; PQexec's last result is the text's. SQLite: an
 * embedded SQLite session opened for the engine (sqlite_server_open_engine, which also accepts
 * native SQLite SQL), spoken to over its socketpair with the simple query protocol by the small
 * blocking reader below. Every message length is checked against what is left of its body
 * before it is used, and a message is at most 1 GB, as the session itself allows.
 */
#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config/config.h"
#include "core/proxy.h"
#include "migrate_int.h"
#include "sqlite/sqlite_server.h"
#include "util/session.h"
#include "util/util.h"
#include "wire/proto.h"

#define MIG_MAX_MESSAGE       (1u << 30)
#define MIG_PIPELINE_MAX      32768 /* bytes of texts sent at once (mig_exec_pipeline) */
#define MIG_CONNECT_TIMEOUT_S "10"

struct mig_conn {
    enum mig_backend backend;
    void (*notice)(void *arg, const char *message);
    void *notice_arg;
    /* PostgreSQL */
    PGconn *pg;
    PGcancel *cancel; /* made at connect time: PQcancel is safe from another thread */
    /* SQLite */
    int fd;            /* our end of the session's socketpair, blocking */
    uint32_t pid, key; /* BackendKeyData, for sqlite_server_cancel */
    bool broken;       /* the session is gone or spoke nonsense: every call fails */
    uint8_t *in;       /* the message being read */
    size_t in_cap;
    uint8_t ahead[16384]; /* bytes received but not yet read: ahead[ahead_pos..ahead_len) */
    size_t ahead_pos, ahead_len;
};

void mig_res_clear(struct mig_res *r)
{
    free(r->message);
    free(r->detail);
    free(r->hint);
    free(r->tag);
    for (int i = 0; i < r->n_cols; i++)
        free(r->names[i]);
    free(r->names);
    for (size_t i = 0; i < r->n_rows * (size_t)r->n_cols; i++)
        free(r->cells[i]);
    free(r->cells);
    memset(r, 0, sizeof(*r));
}

const char *mig_res_get(const struct mig_res *r, size_t row, int col)
{
    if (row >= r->n_rows || col < 0 || col >= r->n_cols)
        return NULL;
    return r->cells[row * (size_t)r->n_cols + (size_t)col];
}

/* Forget the columns, rows and tag of an earlier statement of the same text. */
static void mig_res_forget_result(struct mig_res *r)
{
    char *message = r->message, *detail = r->detail, *hint = r->hint;
    bool ok = r->ok;
    char state[6];
    int position = r->position;
    memcpy(state, r->sqlstate, sizeof(state));
    r->message = r->detail = r->hint = NULL;
    mig_res_clear(r);
    r->ok = ok;
    memcpy(r->sqlstate, state, sizeof(state));
    r->message = message;
    r->detail = detail;
    r->hint = hint;
    r->position = position;
}

static void mig_res_fail(struct mig_res *r, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error the engine's side detects (the reply said nothing, or could not be read). */
static void mig_res_fail(struct mig_res *r, const char *sqlstate, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    mig_res_clear(r);
    r->ok = false;
    snprintf(r->sqlstate, sizeof(r->sqlstate), "%s", sqlstate);
    r->message = xstrdup(buf);
}

static char *mig_strdup_or_null(const char *s)
{
    return s && *s ? xstrdup(s) : NULL;
}

/* ---------------------------------------------------------------------------------------- */
/* PostgreSQL */

static void mig_pg_notice(void *arg, const PGresult *res)
{
    struct mig_conn *c = arg;
    const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
    if (c->notice && msg)
        c->notice(c->notice_arg, msg);
}

/* libpq's messages end with a newline. */
static void mig_trim(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' '))
        s[--n] = '\0';
}

static bool mig_pg_connect(struct mig_conn *c, const struct mig_target *t,
                           const char *application_name, char *err, size_t errlen)
{
    const char *keys[8], *values[8];
    char port[16];
    int n = 0;

    snprintf(port, sizeof(port), "%d", t->port > 0 ? t->port : 5432);
#define MIG_KV(k, v)                                                                               \
    do {                                                                                           \
        if (v) {                                                                                   \
            keys[n] = (k);                                                                         \
            values[n++] = (v);                                                                     \
        }                                                                                          \
    } while (0)
    MIG_KV("host", t->host);
    keys[n] = "port";
    values[n++] = port;
    MIG_KV("dbname", t->dbname ? t->dbname : t->database);
    MIG_KV("user", t->user);
    MIG_KV("password", t->password);
    MIG_KV("application_name", application_name);
    keys[n] = "connect_timeout";
    values[n++] = MIG_CONNECT_TIMEOUT_S;
#undef MIG_KV
    keys[n] = values[n] = NULL;
    c->pg = PQconnectdbParams(keys, values, 0);
    if (!c->pg) {
        snprintf(err, errlen, "could not connect to database \"%s\": out of memory", t->database);
        return false;
    }
    if (PQstatus(c->pg) != CONNECTION_OK) {
        snprintf(err, errlen, "could not connect to database \"%s\": %s", t->database,
                 PQerrorMessage(c->pg));
        mig_trim(err);
        return false;
    }
    PQsetNoticeReceiver(c->pg, mig_pg_notice, c);
    c->cancel = PQgetCancel(c->pg);
    return true;
}

/* A COPY the engine does not feed: refused, and the connection brought back to idle. */
static void mig_pg_end_copy(struct mig_conn *c, ExecStatusType status)
{
    if (status == PGRES_COPY_IN) {
        PQputCopyEnd(c->pg, "COPY FROM STDIN is not supported in a migration");
    } else if (status == PGRES_COPY_OUT) {
        char *buf = NULL;
        while (PQgetCopyData(c->pg, &buf, 0) > 0) {
            PQfreemem(buf);
            buf = NULL;
        }
    }
    /* What is left (the COPY's end, and any statement after it) is read and dropped. */
    for (int i = 0; i < 1000000; i++) {
        PGresult *r = PQgetResult(c->pg);
        if (!r)
            break;
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_COPY_IN || st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
            break; /* a second COPY: the connection is of no more use (checked by the caller) */
    }
}

static bool mig_pg_exec(struct mig_conn *c, const char *sql, struct mig_res *res)
{
    PGresult *r = PQexec(c->pg, sql);
    ExecStatusType status;

    if (!r || PQstatus(c->pg) == CONNECTION_BAD) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s",
                 *PQerrorMessage(c->pg) ? PQerrorMessage(c->pg) : "the connection was lost");
        mig_trim(msg);
        PQclear(r);
        mig_res_fail(res, "08006", "%s", msg);
        return false;
    }
    status = PQresultStatus(r);
    switch (status) {
    case PGRES_COMMAND_OK:
    case PGRES_TUPLES_OK:
    case PGRES_EMPTY_QUERY:
        break;
    case PGRES_COPY_IN:
    case PGRES_COPY_OUT:
    case PGRES_COPY_BOTH:
        PQclear(r);
        mig_pg_end_copy(c, status);
        mig_res_fail(res, "0A000", "COPY to or from the client is not supported in a migration");
        if (PQstatus(c->pg) == CONNECTION_BAD || PQtransactionStatus(c->pg) == PQTRANS_ACTIVE) {
            free(res->message);
            res->message = xstrdup("the connection was lost during a COPY");
            return false;
        }
        return true;
    default: {
        const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
        const char *pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
        res->ok = false;
        snprintf(res->sqlstate, sizeof(res->sqlstate), "%s", state ? state : "XX000");
        res->message = xstrdup(msg ? msg : PQresultErrorMessage(r));
        mig_trim(res->message);
        res->detail = mig_strdup_or_null(PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL));
        res->hint = mig_strdup_or_null(PQresultErrorField(r, PG_DIAG_MESSAGE_HINT));
        res->position = pos ? atoi(pos) : 0;
        PQclear(r);
        return true;
    }
    }
    res->ok = true;
    res->tag = mig_strdup_or_null(PQcmdStatus(r));
    if (status == PGRES_TUPLES_OK) {
        int cols = PQnfields(r), rows = PQntuples(r);
        res->n_cols = cols;
        res->names = xcalloc((size_t)cols + 1, sizeof(*res->names));
        for (int j = 0; j < cols; j++)
            res->names[j] = xstrdup(PQfname(r, j));
        res->n_rows = (size_t)rows;
        res->cells = xcalloc((size_t)rows * (size_t)cols + 1, sizeof(*res->cells));
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < cols; j++)
                if (!PQgetisnull(r, i, j))
                    res->cells[(size_t)i * (size_t)cols + (size_t)j] = xstrdup(PQgetvalue(r, i, j));
    }
    PQclear(r);
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* SQLite: the v3 protocol over the session's socketpair */

static bool mig_sq_send(struct mig_conn *c, struct proto_builder *b)
{
    bool ok = !b->failed && session_send_all(c->fd, b->data, b->len);
    if (!ok)
        c->broken = true;
    return ok;
}

/* n bytes into p: from what was read ahead, then from the socket, reading ahead as much as
 * has arrived (one recv for a whole reply rather than two per message). */
static bool mig_sq_recv_all(struct mig_conn *c, uint8_t *p, size_t n)
{
    size_t got = 0;
    while (got < n) {
        ssize_t k;
        if (c->ahead_pos < c->ahead_len) {
            size_t take = c->ahead_len - c->ahead_pos;
            if (take > n - got)
                take = n - got;
            memcpy(p + got, c->ahead + c->ahead_pos, take);
            c->ahead_pos += take;
            got += take;
            continue;
        }
        if (n - got >= sizeof(c->ahead)) {
            k = recv(c->fd, p + got, n - got, 0);
        } else {
            c->ahead_pos = c->ahead_len = 0;
            k = recv(c->fd, c->ahead, sizeof(c->ahead), 0);
        }
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return false;
        if (n - got >= sizeof(c->ahead))
            got += (size_t)k;
        else
            c->ahead_len = (size_t)k;
    }
    return true;
}

/* One whole message: *type, *body (valid until the next read), *len. false when the session
 * is gone or the length is impossible. */
static bool mig_sq_read(struct mig_conn *c, uint8_t *type, const uint8_t **body, size_t *len)
{
    uint8_t head[PROTO_HEADER_LEN];
    uint32_t n;

    if (c->broken || !mig_sq_recv_all(c, head, sizeof(head)))
        goto broken;
    n = proto_read_u32(head + 1);
    if (n < 4 || n > MIG_MAX_MESSAGE)
        goto broken;
    if (n - 4 > c->in_cap) {
        size_t cap = c->in_cap ? c->in_cap : 8192;
        while (cap < n - 4)
            cap *= 2;
        free(c->in);
        c->in = xmalloc(cap);
        c->in_cap = cap;
    }
    if (!mig_sq_recv_all(c, c->in, n - 4))
        goto broken;
    *type = head[0];
    *body = c->in;
    *len = n - 4;
    return true;
broken:
    c->broken = true;
    return false;
}

/* The fields of an ErrorResponse or NoticeResponse. */
struct mig_fields {
    const char *severity, *sqlstate, *message, *detail, *hint, *position;
};

static bool mig_sq_fields(const uint8_t *body, size_t len, struct mig_fields *f)
{
    struct proto_reader r;
    memset(f, 0, sizeof(*f));
    proto_reader_init(&r, body, len);
    for (;;) {
        uint8_t code = proto_get_u8(&r);
        if (r.failed || code == 0)
            break;
        const char *v = proto_get_str(&r);
        switch (code) {
        case 'S':
            f->severity = v;
            break;
        case 'C':
            f->sqlstate = v;
            break;
        case 'M':
            f->message = v;
            break;
        case 'D':
            f->detail = v;
            break;
        case 'H':
            f->hint = v;
            break;
        case 'P':
            f->position = v;
            break;
        default:
            break;
        }
    }
    return !r.failed && f->message;
}

static void mig_sq_notice(struct mig_conn *c, const uint8_t *body, size_t len)
{
    struct mig_fields f;
    if (c->notice && mig_sq_fields(body, len, &f))
        c->notice(c->notice_arg, f.message);
}

/* The reply to a Query (or native SQL) up to ReadyForQuery, into res. false when the session is
 * gone or broke the protocol (res->message says so). */
static bool mig_sq_reply(struct mig_conn *c, struct mig_res *res)
{
    bool errored = false, stmt_done = false, copy_out = false;
    size_t rows_cap = 0;
    uint8_t type;
    const uint8_t *body;
    size_t len;

    res->ok = true;
    for (;;) {
        struct proto_reader r;
        if (!mig_sq_read(c, &type, &body, &len)) {
            if (errored) /* a FATAL error first: that is the reason */
                return false;
            mig_res_fail(res, "08006", "the connection to the SQLite session was lost");
            return false;
        }
        proto_reader_init(&r, body, len);
        switch (type) {
        case 'T': {
            if (errored)
                break;
            mig_res_forget_result(res);
            rows_cap = 0;
            stmt_done = false;
            int n = proto_get_u16(&r);
            res->names = xcalloc((size_t)n + 1, sizeof(*res->names));
            for (int i = 0; i < n && !r.failed; i++) {
                res->names[i] = xstrdup(proto_get_str(&r));
                res->n_cols = i + 1;
                proto_get_bytes(&r, 18); /* table, attnum, type, size, modifier, format */
            }
            if (r.failed || res->n_cols != n)
                goto protocol;
            break;
        }
        case 'D': {
            if (errored)
                break;
            int n = proto_get_u16(&r);
            if (r.failed || stmt_done || n != res->n_cols)
                goto protocol;
            if (res->n_rows == rows_cap) {
                rows_cap = rows_cap ? rows_cap * 2 : 16;
                res->cells = xrealloc(res->cells, rows_cap * ((size_t)n + 1) * sizeof(char *));
            }
            char **row = res->cells + res->n_rows * (size_t)n;
            for (int i = 0; i < n; i++)
                row[i] = NULL;
            res->n_rows++; /* counted before it is filled: freed whole on an error */
            for (int i = 0; i < n; i++) {
                uint32_t k = proto_get_u32(&r);
                if (k == (uint32_t)-1)
                    continue;
                const uint8_t *v = proto_get_bytes(&r, k);
                if (!v)
                    goto protocol;
                row[i] = xmalloc((size_t)k + 1);
                memcpy(row[i], v, k);
                row[i][k] = '\0';
            }
            if (r.failed)
                goto protocol;
            break;
        }
        case 'C':
        case 'I':
            if (errored)
                break;
            if (stmt_done) {
                mig_res_forget_result(res); /* a statement without rows after one with them */
                rows_cap = 0;
            }
            stmt_done = true;
            free(res->tag);
            res->tag = NULL;
            if (type == 'C') {
                const char *tag = proto_get_str(&r);
                if (r.failed)
                    goto protocol;
                res->tag = xstrdup(tag);
            }
            break;
        case 'E': {
            struct mig_fields f;
            if (!mig_sq_fields(body, len, &f))
                goto protocol;
            if (!errored) {
                mig_res_forget_result(res);
                res->ok = false;
                snprintf(res->sqlstate, sizeof(res->sqlstate), "%s",
                         f.sqlstate ? f.sqlstate : "XX000");
                res->message = xstrdup(f.message);
                res->detail = mig_strdup_or_null(f.detail);
                res->hint = mig_strdup_or_null(f.hint);
                res->position = f.position ? atoi(f.position) : 0;
                errored = true;
            }
            break;
        }
        case 'N':
            mig_sq_notice(c, body, len);
            break;
        case 'G': {
            /* COPY FROM STDIN: the engine has nothing to send; the session answers the
             * CopyFail with an error. */
            struct proto_builder b;
            proto_builder_init(&b);
            proto_begin(&b, 'f');
            proto_put_str(&b, "COPY FROM STDIN is not supported in a migration");
            proto_end(&b);
            bool sent = mig_sq_send(c, &b);
            proto_builder_fini(&b);
            if (!sent) {
                mig_res_fail(res, "08006", "the connection to the SQLite session was lost");
                return false;
            }
            break;
        }
        case 'H':
            copy_out = true;
            break;
        case 'd':
        case 'c':
            if (!copy_out)
                goto protocol;
            break;
        case 'S': /* ParameterStatus */
        case 'A': /* NotificationResponse */
            break;
        case 'Z':
            if (copy_out && !errored)
                mig_res_fail(res, "0A000",
                             "COPY TO STDOUT is not supported in a migration (its rows were "
                             "dropped)");
            return true;
        default:
            goto protocol;
        }
    }
protocol:
    c->broken = true;
    mig_res_fail(res, "08P01", "unexpected message '%c' from the SQLite session",
                 type >= 32 && type < 127 ? type : '?');
    return false;
}

static bool mig_sq_connect(struct mig_conn *c, const struct mig_target *t,
                           const char *application_name, char *err, size_t errlen)
{
    struct db_config db = {0};
    struct proto_builder b;
    const char *names[3], *values[3];
    size_t n = 0;
    uint8_t type;
    const uint8_t *body;
    size_t len;

    if (!proxy_config()) {
        snprintf(err, errlen, "no configuration is loaded for the SQLite backend");
        return false;
    }
    if (!t->sqlite_path) {
        snprintf(err, errlen, "database \"%s\" has no SQLite file", t->database);
        return false;
    }
    db.name = t->database;
    db.backend = DB_BACKEND_SQLITE;
    db.sqlite_path = t->sqlite_path;
    db.pool_mode = -1;
    if (!sqlite_server_open_engine(&db, &c->fd, err, errlen))
        return false;
    /* Our end is made non-blocking for an event loop; the engine's thread waits instead. */
    int fl = fcntl(c->fd, F_GETFL, 0);
    if (fl < 0 || fcntl(c->fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
        snprintf(err, errlen, "could not set up the SQLite session's socket: %s", strerror(errno));
        return false;
    }

    names[n] = "user";
    values[n++] = t->user ? t->user : "myrmex";
    names[n] = "database";
    values[n++] = t->database;
    if (application_name) {
        names[n] = "application_name";
        values[n++] = application_name;
    }
    proto_builder_init(&b);
    proto_write_startup(&b, names, values, n);
    bool sent = mig_sq_send(c, &b);
    proto_builder_fini(&b);
    if (!sent) {
        snprintf(err, errlen, "could not start the SQLite session of database \"%s\"", t->database);
        return false;
    }
    for (;;) {
        struct proto_reader r;
        if (!mig_sq_read(c, &type, &body, &len)) {
            snprintf(err, errlen, "the SQLite session of database \"%s\" ended at login",
                     t->database);
            return false;
        }
        proto_reader_init(&r, body, len);
        switch (type) {
        case 'R':
            if (proto_get_u32(&r) != PROTO_AUTH_OK || r.failed) {
                snprintf(err, errlen, "unexpected authentication request from the SQLite session");
                return false;
            }
            break;
        case 'K':
            c->pid = proto_get_u32(&r);
            c->key = proto_get_u32(&r);
            if (r.failed) {
                snprintf(err, errlen, "invalid BackendKeyData from the SQLite session");
                return false;
            }
            break;
        case 'E': {
            struct mig_fields f;
            snprintf(err, errlen, "%s",
                     mig_sq_fields(body, len, &f) ? f.message
                                                  : "the SQLite session refused the login");
            return false;
        }
        case 'N':
            mig_sq_notice(c, body, len);
            break;
        case 'S':
            break;
        case 'Z':
            return true;
        default:
            snprintf(err, errlen, "unexpected message '%c' from the SQLite session at login",
                     type >= 32 && type < 127 ? type : '?');
            return false;
        }
    }
}

/* Send sql as a Query ('Q') or as native SQLite SQL, and read the reply. */
static bool mig_sq_exec(struct mig_conn *c, uint8_t type, const char *sql, struct mig_res *res)
{
    struct proto_builder b;
    size_t n = strlen(sql);

    if (c->broken) {
        mig_res_fail(res, "08006", "the connection to the SQLite session was lost");
        return false;
    }
    if (n + 5 > MIG_MAX_MESSAGE) {
        mig_res_fail(res, "54000", "the SQL text of %zu bytes is too long", n);
        return true;
    }
    proto_builder_init(&b);
    proto_begin(&b, type);
    proto_put_bytes(&b, sql, n + 1);
    proto_end(&b);
    bool sent = mig_sq_send(c, &b);
    proto_builder_fini(&b);
    if (!sent) {
        mig_res_fail(res, "08006", "the connection to the SQLite session was lost");
        return false;
    }
    return mig_sq_reply(c, res);
}

/*
 * Several texts in one write, then their replies in order: one wake-up of the session for the
 * lot instead of a round trip each. Only while their total stays well inside the socket's
 * buffer, so neither side can block on a full one while the other waits.
 */
static bool mig_sq_pipeline(struct mig_conn *c, size_t n, const char *const *sql,
                            const bool *native, struct mig_res *res)
{
    struct proto_builder b;
    bool sent;

    proto_builder_init(&b);
    for (size_t i = 0; i < n; i++) {
        proto_begin(&b, native && native[i] ? SQ_NATIVE_MSG : 'Q');
        proto_put_bytes(&b, sql[i], strlen(sql[i]) + 1);
        proto_end(&b);
    }
    sent = !c->broken && mig_sq_send(c, &b);
    proto_builder_fini(&b);
    for (size_t i = 0; i < n; i++) {
        if (!sent) {
            mig_res_fail(&res[i], "08006", "the connection to the SQLite session was lost");
            continue;
        }
        if (!mig_sq_reply(c, &res[i]))
            sent = false;
    }
    return sent;
}

/* ---------------------------------------------------------------------------------------- */
/* The interface */

struct mig_conn *mig_connect(const struct mig_target *t, const char *application_name, char *err,
                             size_t errlen)
{
    struct mig_conn *c = xcalloc(1, sizeof(*c));
    bool ok;

    c->backend = t->backend;
    c->fd = -1;
    if (t->backend == MIG_BACKEND_POSTGRES)
        ok = mig_pg_connect(c, t, application_name, err, errlen);
    else
        ok = mig_sq_connect(c, t, application_name, err, errlen);
    if (!ok) {
        mig_disconnect(c);
        return NULL;
    }
    return c;
}

bool mig_exec(struct mig_conn *c, const char *sql, struct mig_res *res)
{
    memset(res, 0, sizeof(*res));
    if (c->backend == MIG_BACKEND_POSTGRES)
        return mig_pg_exec(c, sql, res);
    return mig_sq_exec(c, 'Q', sql, res);
}

bool mig_exec_native(struct mig_conn *c, const char *sql, struct mig_res *res)
{
    memset(res, 0, sizeof(*res));
    if (c->backend != MIG_BACKEND_SQLITE) {
        mig_res_fail(res, "0A000", "native SQLite SQL cannot run on a PostgreSQL database");
        return true;
    }
    return mig_sq_exec(c, SQ_NATIVE_MSG, sql, res);
}

bool mig_exec_pipeline(struct mig_conn *c, size_t n, const char *const *sql, const bool *native,
                       struct mig_res *res)
{
    size_t total = 0;
    bool ok = true;

    memset(res, 0, n * sizeof(*res));
    for (size_t i = 0; i < n; i++)
        total += strlen(sql[i]) + 5;
    if (c->backend == MIG_BACKEND_SQLITE && total <= MIG_PIPELINE_MAX)
        return mig_sq_pipeline(c, n, sql, native, res);
    for (size_t i = 0; i < n; i++) {
        if (!ok) {
            mig_res_fail(&res[i], "08006", "the connection was lost");
            continue;
        }
        ok = native && native[i] ? mig_exec_native(c, sql[i], &res[i])
                                 : mig_exec(c, sql[i], &res[i]);
    }
    return ok;
}

void mig_set_notice(struct mig_conn *c, void (*fn)(void *arg, const char *message), void *arg)
{
    c->notice = fn;
    c->notice_arg = arg;
}

void mig_interrupt(struct mig_conn *c)
{
    if (c->backend == MIG_BACKEND_POSTGRES) {
        char errbuf[256];
        if (c->cancel)
            PQcancel(c->cancel, errbuf, sizeof(errbuf));
    } else if (c->pid) {
        sqlite_server_cancel(c->pid, c->key);
    }
}

void mig_disconnect(struct mig_conn *c)
{
    if (!c)
        return;
    if (c->cancel)
        PQfreeCancel(c->cancel);
    if (c->pg)
        PQfinish(c->pg);
    if (c->fd >= 0) {
        if (!c->broken) {
            struct proto_builder b;
            proto_builder_init(&b);
            proto_write_terminate(&b);
            mig_sq_send(c, &b);
            proto_builder_fini(&b);
        }
        close(c->fd);
    }
    free(c->in);
    free(c);
}
