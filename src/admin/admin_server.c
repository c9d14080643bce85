/*
 * Console sessions. Each console connection of the pool of database "myrmex" is one end of a
 * socketpair; on the other end a session thread speaks the v3 protocol: the login (no
 * authentication: the proxy already checked the client and its role), then simple queries
 * (several statements separated by ';', each answered with its result set, the first error
 * ending the string) and the extended protocol (Parse/Bind/Describe/Execute/Close/Sync of one
 * statement, so drivers and GUI tools can run SHOW commands). Commands may take time (a
 * snapshot asks every worker for its connections): that is why they run here and never on an
 * event loop. Every console command is read-only today, so a Describe may run its command to
 * learn the columns; the portal keeps that result for its Execute.
 */
#include "config.h" /* PACKAGE_STRING */

#include "admin/admin.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin_parse.h"
#include "admin_int.h"
#include "config/config.h"
#include "core/proxy.h"
#include "util/list.h"
#include "util/log.h"
#include "util/session.h"
#include "util/util.h"

#define ADMIN_MAX_MESSAGE (1024 * 1024)
#define ADMIN_FLUSH_AT    65536
#define ADMIN_MAX_NAMED   64 /* prepared statements or portals one session may hold */

/* A prepared statement (Parse) or a portal (Bind) of the extended protocol. */
struct admin_named {
    char *name;
    char *sql;
    bool run; /* portal: result holds the answer (run at Describe or Execute) */
    bool done;
    struct admin_result result;
};

struct admin_session {
    struct list node; /* admin_sessions */
    int fd;
    struct admin_ctx ctx;
    uint8_t *in;
    size_t in_len, in_cap;
    struct proto_builder out;
    bool lost;
    bool skip_to_sync; /* an extended-protocol error: ignore messages up to Sync */
    struct admin_named stmts[ADMIN_MAX_NAMED];
    int n_stmts;
    struct admin_named portals[ADMIN_MAX_NAMED];
    int n_portals;
};

static pthread_mutex_t admin_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t admin_gone = PTHREAD_COND_INITIALIZER;
static struct list admin_sessions = {&admin_sessions, &admin_sessions};
static int admin_n_sessions;

/* Static: the console is no [databases] entry, and a reload never replaces it. */
static char admin_db_name[] = ADMIN_DBNAME;
static const struct db_config admin_db_entry = {
    .name = admin_db_name,
    .backend = DB_BACKEND_ADMIN,
    .dbname = admin_db_name,
    .pool_size = 1 << 20, /* bounded by max_client_conn: one session per console client */
    .min_pool_size = 0,
    .reserve_pool_size = 0,
    .max_db_connections = 0,
    .pool_mode = POOL_SESSION,
};

const struct db_config *admin_db(void)
{
    return &admin_db_entry;
}

bool admin_is_db(const char *name)
{
    return name && strcmp(name, ADMIN_DBNAME) == 0;
}

enum admin_role admin_role_of(const struct config *cfg, const char *user)
{
    if (config_list_has(cfg->admin_users, user))
        return ADMIN_ROLE_ADMIN;
    if (config_list_has(cfg->stats_users, user))
        return ADMIN_ROLE_STATS;
    return ADMIN_ROLE_NONE;
}

static bool admin_flush(struct admin_session *s)
{
    if (s->out.failed || s->lost) {
        proto_builder_reset(&s->out);
        return false;
    }
    if (!session_send_all(s->fd, s->out.data, s->out.len))
        s->lost = true;
    proto_builder_reset(&s->out);
    return !s->lost;
}

static bool admin_read_full(struct admin_session *s, size_t want)
{
    if (want > s->in_cap) {
        s->in_cap = want;
        s->in = xrealloc(s->in, s->in_cap);
    }
    s->in_len = 0;
    while (s->in_len < want) {
        ssize_t n;
        if (s->out.len > 0 && !admin_flush(s))
            return false;
        n = recv(s->fd, s->in + s->in_len, want - s->in_len, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        s->in_len += (size_t)n;
    }
    return true;
}

static void admin_send_error(struct admin_session *s, const char *severity, const char *sqlstate,
                             const char *message)
{
    struct proto_error e = {.severity = severity, .sqlstate = sqlstate, .message = message};
    proto_write_error(&s->out, &e);
}

/* ctx->notify: a NoticeResponse sent at once. */
static void admin_session_notify(void *arg, const char *message, const char *detail)
{
    struct admin_session *s = arg;
    struct proto_error e = {
        .severity = "NOTICE", .sqlstate = "00000", .message = message, .detail = detail};
    proto_write_notice(&s->out, &e);
    admin_flush(s);
}

/* ctx->gone: the client closed, or sent Terminate, while a command waits. */
static bool admin_session_gone(void *arg)
{
    struct admin_session *s = arg;
    struct pollfd pfd = {.fd = s->fd, .events = POLLIN};
    uint8_t byte;
    ssize_t n;

    if (s->lost)
        return true;
    if (poll(&pfd, 1, 0) <= 0)
        return false;
    if (pfd.revents & (POLLHUP | POLLERR))
        return true;
    n = recv(s->fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n == 0 || (n == 1 && byte == 'X') ||
           (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
}

static void admin_send_tag(struct admin_session *s, const struct admin_result *r)
{
    char tag[80];
    /* PgBouncer's console tags every SHOW with "SHOW"; psql prints the rows either way. */
    snprintf(tag, sizeof(tag), "%s", r->tag[0] ? r->tag : "SHOW");
    proto_begin(&s->out, 'C');
    proto_put_str(&s->out, tag);
    proto_end(&s->out);
}

/* Notices, rows and tag of a result (with_desc: its RowDescription first). */
static void admin_send_result(struct admin_session *s, struct admin_result *r, bool with_desc)
{
    proto_put_bytes(&s->out, r->notices.data, r->notices.len);
    if (r->error) {
        admin_send_error(s, "ERROR", r->sqlstate, r->message);
        return;
    }
    if (with_desc)
        proto_put_bytes(&s->out, r->desc.data, r->desc.len);
    proto_put_bytes(&s->out, r->rows.data, r->rows.len);
    admin_send_tag(s, r);
}

static void admin_on_query(struct admin_session *s, const char *sql)
{
    size_t pos = 0;
    char *stmt;
    bool any = false, failed;

    while ((stmt = admin_parse_next(sql, &pos))) {
        struct admin_result r;
        struct admin_parse_cmd shape;
        admin_parse_command(stmt, &shape);
        if (shape.kind == ADMIN_PARSE_EMPTY) {
            free(stmt);
            continue;
        }
        any = true;
        admin_result_init(&r);
        admin_command_run(&s->ctx, stmt, &r);
        free(stmt);
        admin_send_result(s, &r, true);
        failed = r.error;
        admin_result_fini(&r);
        if (failed)
            break;
        if (s->out.len >= ADMIN_FLUSH_AT && !admin_flush(s))
            break;
    }
    if (!any) {
        proto_begin(&s->out, 'I');
        proto_end(&s->out);
    }
    proto_write_ready(&s->out, 'I');
}

static struct admin_named *admin_find(struct admin_named *list, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(list[i].name, name) == 0)
            return &list[i];
    return NULL;
}

static void admin_named_clear(struct admin_named *e)
{
    free(e->name);
    free(e->sql);
    if (e->run)
        admin_result_fini(&e->result);
    memset(e, 0, sizeof(*e));
}

/* Drop name from list (if there). */
static void admin_forget(struct admin_named *list, int *n, const char *name)
{
    struct admin_named *e = admin_find(list, *n, name);
    if (!e)
        return;
    admin_named_clear(e);
    *e = list[--*n];
    memset(&list[*n], 0, sizeof(list[0]));
}

/* Add (or replace, for the unnamed one) an entry; NULL when the session holds too many. */
static struct admin_named *admin_add(struct admin_named *list, int *n, const char *name,
                                     const char *sql)
{
    struct admin_named *e;
    admin_forget(list, n, name);
    if (*n == ADMIN_MAX_NAMED)
        return NULL;
    e = &list[(*n)++];
    e->name = xstrdup(name);
    e->sql = xstrdup(sql);
    return e;
}

static void admin_ext_error(struct admin_session *s, const char *sqlstate, const char *message)
{
    admin_send_error(s, "ERROR", sqlstate, message);
    s->skip_to_sync = true;
}

static void admin_on_parse(struct admin_session *s, const uint8_t *body, uint32_t len)
{
    struct proto_reader r;
    const char *name, *sql;
    size_t pos = 0;
    int statements = 0;
    char *stmt;

    proto_reader_init(&r, body, len);
    name = proto_get_str(&r);
    sql = proto_get_str(&r);
    if (r.failed) {
        admin_ext_error(s, "08P01", "invalid Parse message");
        return;
    }
    while ((stmt = admin_parse_next(sql, &pos))) {
        struct admin_parse_cmd shape;
        admin_parse_command(stmt, &shape);
        statements += shape.kind != ADMIN_PARSE_EMPTY;
        free(stmt);
    }
    if (statements > 1) {
        admin_ext_error(s, "42601", "cannot insert multiple commands into a prepared statement");
        return;
    }
    if (name[0] && admin_find(s->stmts, s->n_stmts, name)) {
        char msg[128];
        snprintf(msg, sizeof(msg), "prepared statement \"%.64s\" already exists", name);
        admin_ext_error(s, "42P05", msg);
        return;
    }
    if (!admin_add(s->stmts, &s->n_stmts, name, sql)) {
        admin_ext_error(s, "53000", "too many prepared statements on this console session");
        return;
    }
    proto_begin(&s->out, '1');
    proto_end(&s->out);
}

static void admin_on_bind(struct admin_session *s, const uint8_t *body, uint32_t len)
{
    struct proto_reader r;
    const char *portal, *name;
    const struct admin_named *st;
    char msg[128];

    proto_reader_init(&r, body, len);
    portal = proto_get_str(&r);
    name = proto_get_str(&r);
    if (r.failed) {
        admin_ext_error(s, "08P01", "invalid Bind message");
        return;
    }
    /* Console commands take no parameters; any sent are ignored. */
    st = admin_find(s->stmts, s->n_stmts, name);
    if (!st) {
        snprintf(msg, sizeof(msg), "prepared statement \"%.64s\" does not exist", name);
        admin_ext_error(s, "26000", msg);
        return;
    }
    if (!admin_add(s->portals, &s->n_portals, portal, st->sql)) {
        admin_ext_error(s, "53000", "too many portals on this console session");
        return;
    }
    proto_begin(&s->out, '2');
    proto_end(&s->out);
}

/* Run a portal's statement once, keeping the result for Describe and Execute. */
static void admin_portal_run(struct admin_session *s, struct admin_named *p)
{
    size_t pos = 0;
    char *stmt = NULL, *next;

    if (p->run)
        return;
    admin_result_init(&p->result);
    p->run = true;
    while ((next = admin_parse_next(p->sql, &pos))) {
        struct admin_parse_cmd shape;
        admin_parse_command(next, &shape);
        if (shape.kind != ADMIN_PARSE_EMPTY && !stmt)
            stmt = next;
        else
            free(next);
    }
    if (stmt)
        admin_command_run(&s->ctx, stmt, &p->result);
    else
        admin_result_tag(&p->result, ""); /* EmptyQueryResponse at Execute */
    free(stmt);
}

static void admin_on_describe(struct admin_session *s, const uint8_t *body, uint32_t len)
{
    struct proto_reader r;
    uint8_t kind;
    const char *name;
    struct admin_named *e;
    struct admin_named tmp;

    proto_reader_init(&r, body, len);
    kind = proto_get_u8(&r);
    name = proto_get_str(&r);
    if (r.failed || (kind != 'S' && kind != 'P')) {
        admin_ext_error(s, "08P01", "invalid Describe message");
        return;
    }
    e = kind == 'S' ? admin_find(s->stmts, s->n_stmts, name)
                    : admin_find(s->portals, s->n_portals, name);
    if (!e) {
        char msg[128];
        snprintf(msg, sizeof(msg), "%s \"%.64s\" does not exist",
                 kind == 'S' ? "prepared statement" : "portal", name);
        admin_ext_error(s, kind == 'S' ? "26000" : "34000", msg);
        return;
    }
    if (kind == 'S') {
        /* No parameters; the columns of a SHOW come from running it. Any other command acts,
         * so it runs only when executed: its statement describes as NoData. */
        proto_begin(&s->out, 't');
        proto_put_u16(&s->out, 0);
        proto_end(&s->out);
        if (!admin_command_read_only(e->sql)) {
            proto_begin(&s->out, 'n');
            proto_end(&s->out);
            return;
        }
        memset(&tmp, 0, sizeof(tmp));
        tmp.sql = e->sql;
        e = &tmp;
    }
    admin_portal_run(s, e);
    if (e->result.error) {
        admin_ext_error(s, e->result.sqlstate, e->result.message);
    } else if (e->result.desc.len > 0) {
        proto_put_bytes(&s->out, e->result.desc.data, e->result.desc.len);
    } else {
        proto_begin(&s->out, 'n');
        proto_end(&s->out);
    }
    if (e == &tmp)
        admin_result_fini(&tmp.result);
}

static void admin_on_execute(struct admin_session *s, const uint8_t *body, uint32_t len)
{
    struct proto_reader r;
    const char *name;
    struct admin_named *p;

    proto_reader_init(&r, body, len);
    name = proto_get_str(&r);
    (void)proto_get_u32(&r); /* row limit: a console result is sent whole */
    if (r.failed) {
        admin_ext_error(s, "08P01", "invalid Execute message");
        return;
    }
    p = admin_find(s->portals, s->n_portals, name);
    if (!p) {
        char msg[128];
        snprintf(msg, sizeof(msg), "portal \"%.64s\" does not exist", name);
        admin_ext_error(s, "34000", msg);
        return;
    }
    admin_portal_run(s, p);
    if (p->result.error) {
        admin_ext_error(s, p->result.sqlstate, p->result.message);
        return;
    }
    if (!p->result.tag[0]) {
        proto_begin(&s->out, 'I');
        proto_end(&s->out);
        return;
    }
    if (p->done) {
        /* A finished portal executed again: no more rows, as PostgreSQL answers. */
        admin_send_tag(s, &p->result);
        return;
    }
    admin_send_result(s, &p->result, false);
    p->done = true;
}

static void admin_on_close(struct admin_session *s, const uint8_t *body, uint32_t len)
{
    struct proto_reader r;
    uint8_t kind;
    const char *name;

    proto_reader_init(&r, body, len);
    kind = proto_get_u8(&r);
    name = proto_get_str(&r);
    if (r.failed || (kind != 'S' && kind != 'P')) {
        admin_ext_error(s, "08P01", "invalid Close message");
        return;
    }
    if (kind == 'S')
        admin_forget(s->stmts, &s->n_stmts, name);
    else
        admin_forget(s->portals, &s->n_portals, name);
    proto_begin(&s->out, '3');
    proto_end(&s->out);
}

/* One message; false when the session ends. */
static bool admin_dispatch(struct admin_session *s, uint8_t type, const uint8_t *body, uint32_t len)
{
    if (s->skip_to_sync && type != 'S' && type != 'X')
        return true;
    switch (type) {
    case 'Q':
        if (len == 0 || body[len - 1] != '\0') {
            admin_send_error(s, "FATAL", "08P01", "invalid Query message");
            return false;
        }
        admin_on_query(s, (const char *)body);
        return true;
    case 'P':
        admin_on_parse(s, body, len);
        return true;
    case 'B':
        admin_on_bind(s, body, len);
        return true;
    case 'D':
        admin_on_describe(s, body, len);
        return true;
    case 'E':
        admin_on_execute(s, body, len);
        return true;
    case 'C':
        admin_on_close(s, body, len);
        return true;
    case 'S':
        s->skip_to_sync = false;
        admin_forget(s->portals, &s->n_portals, ""); /* the unnamed portal ends at Sync */
        proto_write_ready(&s->out, 'I');
        return true;
    case 'H':
        return admin_flush(s);
    case 'X':
        return false;
    case 'F':
        admin_send_error(s, "ERROR", "0A000",
                         "the function call protocol is not supported on the admin console");
        proto_write_ready(&s->out, 'I');
        return true;
    case 'd':
    case 'c':
    case 'f':
        return true; /* copy messages outside a copy are ignored, as PostgreSQL does */
    default: {
        char msg[64];
        snprintf(msg, sizeof(msg), "invalid frontend message type %d", type);
        admin_send_error(s, "FATAL", "08P01", msg);
        return false;
    }
    }
}

/* The startup packet the proxy sends; true once the login is answered. */
static bool admin_login(struct admin_session *s)
{
    struct proto_startup st;
    const char *reason = NULL, *user, *encoding, *app;
    uint32_t n;
    uint32_t key;

    if (!admin_read_full(s, 4))
        return false;
    n = proto_read_u32(s->in);
    if (n < 8 || n > PROTO_STARTUP_MAX || !admin_read_full(s, n - 4))
        return false;
    if (!proto_parse_startup(s->in, n - 4, &st, &reason) || st.code != PROTO_V3)
        return false;
    user = proto_startup_get(&st, "user");
    snprintf(s->ctx.user, sizeof(s->ctx.user), "%s", user ? user : "");
    s->ctx.role = admin_role_of(proxy_config(), s->ctx.user);
    if (s->ctx.role == ADMIN_ROLE_NONE) {
        /* The proxy refuses such logins itself (client_login.c); this is a second lock. */
        admin_send_error(s, "FATAL", "28000", "not allowed");
        admin_flush(s);
        return false;
    }
    encoding = proto_startup_get(&st, "client_encoding");
    app = proto_startup_get(&st, "application_name");
    proto_write_auth(&s->out, PROTO_AUTH_OK, NULL, 0);
    proto_write_param_status(&s->out, "server_version", "15.0 (" PACKAGE_STRING " console)");
    proto_write_param_status(&s->out, "server_encoding", "UTF8");
    proto_write_param_status(&s->out, "client_encoding", encoding ? encoding : "UTF8");
    proto_write_param_status(&s->out, "DateStyle", "ISO, MDY");
    proto_write_param_status(&s->out, "TimeZone", "UTC");
    proto_write_param_status(&s->out, "integer_datetimes", "on");
    proto_write_param_status(&s->out, "standard_conforming_strings", "on");
    proto_write_param_status(&s->out, "application_name", app ? app : "");
    random_bytes(&key, sizeof(key));
    proto_write_key_data(&s->out, (uint32_t)getpid(), key);
    proto_write_ready(&s->out, 'I');
    return admin_flush(s);
}

static void admin_session_free(struct admin_session *s)
{
    for (int i = 0; i < s->n_stmts; i++)
        admin_named_clear(&s->stmts[i]);
    for (int i = 0; i < s->n_portals; i++)
        admin_named_clear(&s->portals[i]);
    proto_builder_fini(&s->out);
    free(s->in);
    if (s->fd >= 0)
        close(s->fd);
    free(s);
}

static void *admin_thread(void *arg)
{
    struct admin_session *s = arg;

    if (admin_login(s)) {
        for (;;) {
            uint8_t hdr[PROTO_HEADER_LEN];
            uint8_t type;
            uint32_t n;
            if (!admin_read_full(s, PROTO_HEADER_LEN))
                break;
            memcpy(hdr, s->in, sizeof(hdr));
            type = hdr[0];
            n = proto_read_u32(hdr + 1);
            if (n < 4 || n > ADMIN_MAX_MESSAGE) {
                admin_send_error(s, "FATAL", n < 4 ? "08P01" : "54000",
                                 n < 4 ? "invalid message length"
                                       : "message too long for the admin console");
                break;
            }
            if (!admin_read_full(s, n - 4) || !admin_dispatch(s, type, s->in, n - 4))
                break;
            if ((type == 'S' || type == 'Q' || s->out.len >= ADMIN_FLUSH_AT) && !admin_flush(s))
                break;
        }
        admin_flush(s);
    }
    pthread_mutex_lock(&admin_lock);
    list_del(&s->node);
    admin_n_sessions--;
    pthread_cond_broadcast(&admin_gone);
    pthread_mutex_unlock(&admin_lock);
    admin_session_free(s);
    return NULL;
}

bool admin_server_open(int *fd_out, char *err, size_t errlen)
{
    struct admin_session *s;
    int sv[2];

    if (!session_socketpair(sv, err, errlen))
        return false;
    s = xcalloc(1, sizeof(*s));
    s->fd = sv[1];
    s->ctx.session = s;
    s->ctx.notify = admin_session_notify;
    s->ctx.gone = admin_session_gone;
    proto_builder_init(&s->out);
    pthread_mutex_lock(&admin_lock);
    list_add_tail(&admin_sessions, &s->node);
    admin_n_sessions++;
    pthread_mutex_unlock(&admin_lock);

    if (!session_thread_start(admin_thread, s)) {
        snprintf(err, errlen, "could not start a console session thread");
        pthread_mutex_lock(&admin_lock);
        list_del(&s->node);
        admin_n_sessions--;
        pthread_mutex_unlock(&admin_lock);
        admin_session_free(s);
        close(sv[0]);
        return false;
    }
    *fd_out = sv[0];
    return true;
}

void admin_server_shutdown(int timeout_ms)
{
    session_wait_all_gone(&admin_lock, &admin_gone, &admin_n_sessions, timeout_ms,
                          "console session(s)");
}
