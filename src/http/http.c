/*
 * The HTTP listener: one thread running its own event_base with an evhttp server, a small
 * route table (exact paths), and the health endpoints. /healthz answers 200 while the process
 * runs. /readyz answers 200 when every configured database is reachable, none is paused and
 * the proxy is not draining, else 503 with the reasons as JSON. Reachability is probed by a
 * prober thread (PQping for PostgreSQL, which needs no credentials; opening the file read-only
 * for SQLite), only when /readyz is asked and its last round is older than HTTP_PROBE_CACHE_MS:
 * a burst of requests from an orchestrator is one round of backend connections. A request that
 * finds the results stale is answered when the round ends (evhttp lets a reply wait), so the
 * HTTP thread never blocks on a backend and /healthz answers at once even while one hangs.
 * Pages that need blocking work to build (/metrics, /dashboard: a snapshot waits for every
 * worker, the history is read from SQLite) are built the same way on a builder thread
 * (http_defer) and sent from the HTTP thread when they are ready.
 */
#include "http/http.h"

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin/admin.h"
#include "core/control.h"
#include "core/proxy.h"
#include "util/log.h"
#include "util/util.h"

#define HTTP_MAX_ROUTES     16
#define HTTP_PROBE_CACHE_MS 1000
#define HTTP_PROBE_TIMEOUT  "2"
#define HTTP_MAX_DEFERRED   16

static struct {
    char path[64];
    http_handler_fn fn;
    void *arg;
} http_routes[HTTP_MAX_ROUTES];
static int http_n_routes;

static struct event_base *http_base;
static struct evhttp *http_server;
static pthread_t http_thread;
static bool http_running;

/* The last probe of one database. */
struct http_probe {
    char name[64];
    bool reachable;
    char error[160];
};

/*
 * The prober: probe_lock guards the results, the round's time and the request flag; the
 * prober thread waits on probe_cv for a request, probes every database without the lock, then
 * publishes and wakes the HTTP thread (probe_done_ev) to answer the requests that waited.
 */
static pthread_mutex_t probe_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t probe_cv = PTHREAD_COND_INITIALIZER;
static pthread_t probe_thread;
static bool probe_running, probe_stop, probe_wanted;
static int64_t probe_at_ms; /* end of the last round, 0 before the first */
static struct http_probe *http_probes;
static size_t http_n_probes;
static struct event *probe_done_ev;
/* Requests waiting for a round (HTTP thread only). */
static struct evhttp_request **probe_waiting;
static size_t probe_n_waiting, probe_cap_waiting;

/*
 * A deferred page. The HTTP thread queues it (build_queue), the builder thread builds its body
 * and moves it to build_done, and the HTTP thread sends it. build_lock guards both lists and
 * req: req is NULL once the client has left, and the page is then dropped.
 */
struct http_job {
    struct evhttp_request *req;
    http_build_fn fn;
    void *arg;
    char *query;
    struct evbuffer *body; /* the builder's while it builds */
    const char *type;
    int code;
    struct http_job *next;
};
static pthread_mutex_t build_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t build_cv = PTHREAD_COND_INITIALIZER;
static pthread_t build_thread;
static bool build_running, build_stop;
static struct http_job *build_queue, *build_done, *build_current;
static int build_n_queued;
static struct event *build_done_ev;

bool http_route(const char *path, http_handler_fn fn, void *arg)
{
    if (http_n_routes == HTTP_MAX_ROUTES || strlen(path) >= sizeof(http_routes[0].path))
        return false;
    snprintf(http_routes[http_n_routes].path, sizeof(http_routes[0].path), "%s", path);
    http_routes[http_n_routes].fn = fn;
    http_routes[http_n_routes].arg = arg;
    http_n_routes++;
    return true;
}

static void http_reply(struct evhttp_request *req, int code, const char *reason, const char *type,
                       const char *body)
{
    struct evbuffer *buf = evbuffer_new();
    if (!buf) {
        evhttp_send_error(req, 500, NULL);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", type);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
    evbuffer_add(buf, body, strlen(body));
    evhttp_send_reply(req, code, reason, buf);
    evbuffer_free(buf);
}

static void http_healthz(struct evhttp_request *req, void *arg)
{
    (void)arg;
    http_reply(req, 200, "OK", "text/plain; charset=utf-8", "ok\n");
}

/* A libpq error's reason, as it reads inside a sentence ("connection refused"). */
static void http_pq_reason(const char *msg, char *out, size_t outlen)
{
    pq_error_line(msg, out, outlen);
    if (out[0] >= 'A' && out[0] <= 'Z' && out[1] >= 'a' && out[1] <= 'z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

/* What a probe needs of a database entry, copied: a round may outlive a reload. */
struct http_target {
    char name[64];
    enum db_backend backend;
    char host[256], dbname[128], path[1024];
    int port;
};

static void http_probe_db(const struct http_target *db, struct http_probe *p)
{
    snprintf(p->name, sizeof(p->name), "%s", db->name);
    p->reachable = false;
    p->error[0] = '\0';
    if (db->backend == DB_BACKEND_SQLITE) {
        sqlite3 *h = NULL;
        int rc = sqlite3_open_v2(db->path, &h, SQLITE_OPEN_READONLY, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(h, "SELECT 1 FROM sqlite_master LIMIT 1", NULL, NULL, NULL);
        p->reachable = rc == SQLITE_OK;
        if (!p->reachable)
            snprintf(p->error, sizeof(p->error), "%s", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
    } else if (db->backend == DB_BACKEND_POSTGRES) {
        char port[16];
        const char *keys[] = {"host", "port", "dbname", "connect_timeout", NULL};
        const char *vals[] = {db->host[0] ? db->host : NULL, port, db->dbname, HTTP_PROBE_TIMEOUT,
                              NULL};
        PGPing ping;
        snprintf(port, sizeof(port), "%d", db->port > 0 ? db->port : 5432);
        ping = PQpingParams(keys, vals, 0);
        p->reachable = ping == PQPING_OK;
        if (ping == PQPING_REJECT) {
            snprintf(p->error, sizeof(p->error), "server rejects connections");
        } else if (ping != PQPING_OK) {
            /* PQping gives no text: one more attempt, only now that it failed, says why. */
            PGconn *c = PQconnectdbParams(keys, vals, 0);
            http_pq_reason(c ? PQerrorMessage(c) : "out of memory", p->error, sizeof(p->error));
            PQfinish(c);
            if (!p->error[0])
                snprintf(p->error, sizeof(p->error), "no response");
        }
    } else {
        p->reachable = true;
    }
}

static void *http_prober(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&probe_lock);
    for (;;) {
        const struct config *cfg;
        struct http_target *targets;
        struct http_probe *results;
        size_t n = 0;

        while (!probe_stop && !probe_wanted)
            pthread_cond_wait(&probe_cv, &probe_lock);
        if (probe_stop)
            break;
        probe_wanted = false;
        pthread_mutex_unlock(&probe_lock);

        cfg = proxy_config();
        targets = xcalloc(cfg->n_dbs + 1, sizeof(*targets));
        for (size_t i = 0; i < cfg->n_dbs; i++) {
            const struct db_config *db = &cfg->dbs[i];
            struct http_target *t = &targets[n++];
            snprintf(t->name, sizeof(t->name), "%s", db->name);
            t->backend = db->backend;
            snprintf(t->host, sizeof(t->host), "%s", db->host ? db->host : "");
            snprintf(t->dbname, sizeof(t->dbname), "%s", db->dbname ? db->dbname : db->name);
            snprintf(t->path, sizeof(t->path), "%s", db->sqlite_path ? db->sqlite_path : "");
            t->port = db->port;
        }
        results = xcalloc(n + 1, sizeof(*results));
        for (size_t i = 0; i < n; i++)
            http_probe_db(&targets[i], &results[i]);
        free(targets);

        pthread_mutex_lock(&probe_lock);
        free(http_probes);
        http_probes = results;
        http_n_probes = n;
        probe_at_ms = now_ms();
        if (probe_done_ev)
            event_active(probe_done_ev, EV_READ, 0);
    }
    pthread_mutex_unlock(&probe_lock);
    return NULL;
}

/* Append s to buf as a JSON string. */
static void http_json_str(struct evbuffer *buf, const char *s)
{
    evbuffer_add(buf, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            evbuffer_add_printf(buf, "\\%c", c);
        else if (c < 0x20)
            evbuffer_add_printf(buf, "\\u%04x", c);
        else
            evbuffer_add(buf, s, 1);
    }
    evbuffer_add(buf, "\"", 1);
}

/* Answer a /readyz request from the last round's results (probe_lock held). */
static void http_readyz_answer(struct evhttp_request *req)
{
    const struct config *cfg = proxy_config();
    struct evbuffer *reasons = evbuffer_new(), *body = evbuffer_new();
    int n_reasons = 0, state = atomic_load(&proxy.run_state);
    char line[320];

    if (!reasons || !body) {
        evbuffer_free(reasons);
        evbuffer_free(body);
        evhttp_send_error(req, 500, NULL);
        return;
    }
    if (state != PROXY_RUNNING) {
        http_json_str(reasons, state == PROXY_STOPPING ? "proxy: stopping" : "proxy: draining");
        n_reasons++;
    }
    for (size_t i = 0; cfg && i < cfg->n_dbs; i++) {
        const struct db_config *db = &cfg->dbs[i];
        const struct http_probe *p = NULL;
        if (db->backend == DB_BACKEND_ADMIN)
            continue;
        for (size_t j = 0; j < http_n_probes && !p; j++)
            if (strcmp(http_probes[j].name, db->name) == 0)
                p = &http_probes[j];
        if (!p || !p->reachable) {
            /* A database added by a reload after the round: not known to be reachable yet. */
            snprintf(line, sizeof(line), "database %s: %s%s%s", db->name,
                     p ? "unreachable (" : "not checked yet", p ? p->error : "", p ? ")" : "");
            if (n_reasons++)
                evbuffer_add(reasons, ",", 1);
            http_json_str(reasons, line);
        }
        if (control_paused(db->name)) {
            snprintf(line, sizeof(line), "database %s: %s", db->name,
                     control_migrating(db->name) ? "a migration holds new transactions" : "paused");
            if (n_reasons++)
                evbuffer_add(reasons, ",", 1);
            http_json_str(reasons, line);
        }
    }
    if (!admin_migrate_ready(line, sizeof(line))) {
        if (n_reasons++)
            evbuffer_add(reasons, ",", 1);
        http_json_str(reasons, line);
    }
    evbuffer_add_printf(body, "{\"ready\":%s,\"databases\":%zu,\"reasons\":[",
                        n_reasons ? "false" : "true", cfg ? cfg->n_dbs : 0);
    evbuffer_add_buffer(body, reasons);
    evbuffer_add_printf(body, "]}\n");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "application/json");
    evhttp_add_header(evhttp_request_get_output_headers(req), "Cache-Control", "no-store");
    evhttp_send_reply(req, n_reasons ? 503 : 200, n_reasons ? "Service Unavailable" : "OK", body);
    evbuffer_free(reasons);
    evbuffer_free(body);
}

/* A waiting request's client went away: evhttp frees the request, so forget it (HTTP thread). */
static void http_waiting_closed(struct evhttp_connection *conn, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&probe_lock);
    for (size_t i = 0; i < probe_n_waiting;) {
        if (evhttp_request_get_connection(probe_waiting[i]) == conn)
            probe_waiting[i] = probe_waiting[--probe_n_waiting];
        else
            i++;
    }
    pthread_mutex_unlock(&probe_lock);
}

static void http_readyz(struct evhttp_request *req, void *arg)
{
    (void)arg;
    pthread_mutex_lock(&probe_lock);
    if (probe_at_ms && now_ms() - probe_at_ms < HTTP_PROBE_CACHE_MS) {
        http_readyz_answer(req);
        pthread_mutex_unlock(&probe_lock);
        return;
    }
    /* Stale: answered when the round this asks for ends (http_on_probe_done). */
    if (probe_n_waiting == probe_cap_waiting) {
        probe_cap_waiting = probe_cap_waiting ? probe_cap_waiting * 2 : 8;
        probe_waiting = xrealloc(probe_waiting, probe_cap_waiting * sizeof(*probe_waiting));
    }
    probe_waiting[probe_n_waiting++] = req;
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), http_waiting_closed, NULL);
    probe_wanted = true;
    pthread_cond_signal(&probe_cv);
    pthread_mutex_unlock(&probe_lock);
}

/* A round ended: answer the requests that waited for it (HTTP thread). */
static void http_on_probe_done(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    pthread_mutex_lock(&probe_lock);
    for (size_t i = 0; i < probe_n_waiting; i++) {
        evhttp_connection_set_closecb(evhttp_request_get_connection(probe_waiting[i]), NULL, NULL);
        http_readyz_answer(probe_waiting[i]);
    }
    probe_n_waiting = 0;
    pthread_mutex_unlock(&probe_lock);
}

/* Free a list of jobs. */
static void http_jobs_free(struct http_job *j)
{
    while (j) {
        struct http_job *next = j->next;
        if (j->body)
            evbuffer_free(j->body);
        free(j->query);
        free(j);
        j = next;
    }
}

/* The client of a deferred request went away: evhttp frees the request (HTTP thread). */
static void http_job_closed(struct evhttp_connection *conn, void *arg)
{
    struct http_job *lists[2];

    (void)arg;
    pthread_mutex_lock(&build_lock);
    lists[0] = build_queue;
    lists[1] = build_done;
    for (int i = 0; i < 2; i++)
        for (struct http_job *j = lists[i]; j; j = j->next)
            if (j->req && evhttp_request_get_connection(j->req) == conn)
                j->req = NULL;
    if (build_current && build_current->req &&
        evhttp_request_get_connection(build_current->req) == conn)
        build_current->req = NULL;
    pthread_mutex_unlock(&build_lock);
}

void http_defer(struct evhttp_request *req, http_build_fn fn, void *arg)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *query = uri ? evhttp_uri_get_query(uri) : NULL;
    struct http_job *j, **tail;

    pthread_mutex_lock(&build_lock);
    if (build_n_queued >= HTTP_MAX_DEFERRED || build_stop) {
        pthread_mutex_unlock(&build_lock);
        http_reply(req, 503, "Service Unavailable", "text/plain; charset=utf-8", "busy\n");
        return;
    }
    j = xcalloc(1, sizeof(*j));
    j->req = req;
    j->fn = fn;
    j->arg = arg;
    j->query = xstrdup(query ? query : "");
    for (tail = &build_queue; *tail; tail = &(*tail)->next)
        ;
    *tail = j;
    build_n_queued++;
    evhttp_connection_set_closecb(evhttp_request_get_connection(req), http_job_closed, NULL);
    pthread_cond_signal(&build_cv);
    pthread_mutex_unlock(&build_lock);
}

static void *http_builder(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&build_lock);
    for (;;) {
        struct http_job *j;

        while (!build_stop && !build_queue)
            pthread_cond_wait(&build_cv, &build_lock);
        if (build_stop)
            break;
        j = build_queue;
        build_queue = j->next;
        build_n_queued--;
        j->next = NULL;
        build_current = j;
        if (j->req) {
            pthread_mutex_unlock(&build_lock);
            j->body = evbuffer_new();
            j->type = "text/plain; charset=utf-8";
            if (j->body)
                j->code = j->fn(j->body, &j->type, j->query, j->arg);
            pthread_mutex_lock(&build_lock);
        }
        build_current = NULL;
        j->next = build_done;
        build_done = j;
        if (build_done_ev)
            event_active(build_done_ev, EV_READ, 0);
    }
    pthread_mutex_unlock(&build_lock);
    return NULL;
}

static const char *http_reason(int code)
{
    switch (code) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

/* Pages are ready: send those whose clients are still there (HTTP thread). */
static void http_on_build_done(evutil_socket_t fd, short what, void *arg)
{
    struct http_job *done;

    (void)fd;
    (void)what;
    (void)arg;
    pthread_mutex_lock(&build_lock);
    done = build_done;
    build_done = NULL;
    for (struct http_job *j = done; j; j = j->next) {
        struct evkeyvalq *headers;
        if (!j->req)
            continue;
        evhttp_connection_set_closecb(evhttp_request_get_connection(j->req), NULL, NULL);
        if (!j->body || j->code <= 0) {
            evhttp_send_error(j->req, 500, NULL);
            continue;
        }
        headers = evhttp_request_get_output_headers(j->req);
        evhttp_add_header(headers, "Content-Type", j->type);
        evhttp_add_header(headers, "Cache-Control", "no-store");
        evhttp_send_reply(j->req, j->code, http_reason(j->code), j->body);
    }
    pthread_mutex_unlock(&build_lock);
    http_jobs_free(done);
}

static void http_dispatch(struct evhttp_request *req, void *arg)
{
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *path = uri ? evhttp_uri_get_path(uri) : NULL;

    (void)arg;
    if (!path || !path[0])
        path = "/";
    for (int i = 0; i < http_n_routes; i++)
        if (strcmp(path, http_routes[i].path) == 0) {
            http_routes[i].fn(req, http_routes[i].arg);
            return;
        }
    http_reply(req, 404, "Not Found", "text/plain; charset=utf-8", "not found\n");
}

static void *http_main(void *unused)
{
    (void)unused;
    event_base_dispatch(http_base);
    return NULL;
}

bool http_start(const struct config *cfg)
{
    const char *spec = cfg->metrics_listen, *colon;
    char host[256];
    long port;
    char *end;

    if (!spec || !spec[0])
        return true;
    colon = strrchr(spec, ':');
    if (!colon || colon == spec || (size_t)(colon - spec) >= sizeof(host)) {
        log_error("metrics_listen \"%s\": expected host:port", spec);
        return false;
    }
    port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port <= 0 || port > 65535) {
        log_error("metrics_listen \"%s\": bad port", spec);
        return false;
    }
    if (spec[0] == '[' && colon[-1] == ']')
        snprintf(host, sizeof(host), "%.*s", (int)(colon - spec - 2), spec + 1);
    else
        snprintf(host, sizeof(host), "%.*s", (int)(colon - spec), spec);
    http_route("/healthz", http_healthz, NULL);
    http_route("/readyz", http_readyz, NULL);
    http_base = event_base_new();
    http_server = http_base ? evhttp_new(http_base) : NULL;
    if (!http_server) {
        log_error("metrics_listen: could not set up the HTTP server");
        http_stop();
        return false;
    }
    evhttp_set_allowed_methods(http_server, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
    evhttp_set_timeout(http_server, 10);
    evhttp_set_gencb(http_server, http_dispatch, NULL);
    probe_done_ev = event_new(http_base, -1, EV_PERSIST, http_on_probe_done, NULL);
    if (!probe_done_ev || pthread_create(&probe_thread, NULL, http_prober, NULL) != 0) {
        log_error("metrics_listen: could not start the readiness prober");
        http_stop();
        return false;
    }
    probe_running = true;
    build_done_ev = event_new(http_base, -1, EV_PERSIST, http_on_build_done, NULL);
    if (!build_done_ev || pthread_create(&build_thread, NULL, http_builder, NULL) != 0) {
        log_error("metrics_listen: could not start the page builder");
        http_stop();
        return false;
    }
    build_running = true;
    if (evhttp_bind_socket(http_server, host, (uint16_t)port) != 0) {
        log_error("metrics_listen: could not listen on %s", spec);
        http_stop();
        return false;
    }
    if (pthread_create(&http_thread, NULL, http_main, NULL) != 0) {
        log_error("metrics_listen: could not start the HTTP thread");
        http_stop();
        return false;
    }
    http_running = true;
    log_info("HTTP listening on %s", spec);
    return true;
}

void http_stop(void)
{
    if (probe_running) {
        pthread_mutex_lock(&probe_lock);
        probe_stop = true;
        pthread_cond_signal(&probe_cv);
        pthread_mutex_unlock(&probe_lock);
        pthread_join(probe_thread, NULL);
        probe_running = false;
    }
    if (build_running) {
        /* The page being built is finished first (a snapshot waits a bounded time). */
        pthread_mutex_lock(&build_lock);
        build_stop = true;
        pthread_cond_signal(&build_cv);
        pthread_mutex_unlock(&build_lock);
        pthread_join(build_thread, NULL);
        build_running = false;
    }
    if (http_running) {
        event_base_loopbreak(http_base);
        pthread_join(http_thread, NULL);
        http_running = false;
    }
    /* Requests still waiting for a round are freed with their connections. */
    probe_n_waiting = 0;
    free(probe_waiting);
    probe_waiting = NULL;
    probe_cap_waiting = 0;
    if (probe_done_ev)
        event_free(probe_done_ev);
    probe_done_ev = NULL;
    /* Pages not sent: their requests are freed with their connections. */
    pthread_mutex_lock(&build_lock);
    if (build_done_ev)
        event_free(build_done_ev);
    build_done_ev = NULL;
    http_jobs_free(build_queue);
    http_jobs_free(build_done);
    build_queue = build_done = NULL;
    build_n_queued = 0;
    build_stop = false;
    pthread_mutex_unlock(&build_lock);
    if (http_server)
        evhttp_free(http_server);
    if (http_base)
        event_base_free(http_base);
    http_server = NULL;
    http_base = NULL;
    free(http_probes);
    http_probes = NULL;
    http_n_probes = 0;
    probe_at_ms = 0;
    probe_stop = probe_wanted = false;
    http_n_routes = 0;
}
