/*
 * The HTTP listener: one thread running its own event_base with an evhttp server, a small
 * route table (exact paths), and the health endpoints. /healthz answers 200 while the process
 * runs. /readyz answers 200 when every configured database is reachable, none is paused and
 * the proxy is not draining, else 503 with the reasons as JSON. Reachability is probed here,
 * off the workers' loops (PQping for PostgreSQL, which needs no credentials; opening the file
 * read-only for SQLite), and cached for HTTP_PROBE_CACHE_MS so a burst of probes from an
 * orchestrator does not become a burst of backend connections.
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

#include "core/control.h"
#include "core/proxy.h"
#include "util/log.h"
#include "util/util.h"

#define HTTP_MAX_ROUTES     16
#define HTTP_PROBE_CACHE_MS 1000
#define HTTP_PROBE_TIMEOUT  "2"

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

/* The last probe of one database; touched by the HTTP thread only. */
struct http_probe {
    char name[64];
    int64_t at_ms;
    bool reachable;
    char error[160];
};
static struct http_probe *http_probes;
static size_t http_n_probes;

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

/* The first line of a libpq error, without "connection to server at ... failed: ". */
static void http_pq_reason(const char *msg, char *out, size_t outlen)
{
    const char *p = msg ? msg : "", *f = strstr(p, "failed: ");
    size_t n;
    if (f)
        p = f + 8;
    n = strcspn(p, "\n");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
        n--;
    snprintf(out, outlen, "%.*s", (int)n, p);
    /* "Connection refused" reads as "connection refused" inside a sentence. */
    if (out[0] >= 'A' && out[0] <= 'Z' && out[1] >= 'a' && out[1] <= 'z')
        out[0] = (char)(out[0] - 'A' + 'a');
}

static void http_probe_db(const struct db_config *db, struct http_probe *p)
{
    p->reachable = false;
    p->error[0] = '\0';
    if (db->backend == DB_BACKEND_SQLITE) {
        sqlite3 *h = NULL;
        int rc = sqlite3_open_v2(db->sqlite_path, &h, SQLITE_OPEN_READONLY, NULL);
        if (rc == SQLITE_OK)
            rc = sqlite3_exec(h, "SELECT 1 FROM sqlite_master LIMIT 1", NULL, NULL, NULL);
        p->reachable = rc == SQLITE_OK;
        if (!p->reachable)
            snprintf(p->error, sizeof(p->error), "%s", h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close(h);
    } else if (db->backend == DB_BACKEND_POSTGRES) {
        char port[16];
        const char *keys[] = {"host", "port", "dbname", "connect_timeout", NULL};
        const char *vals[] = {db->host, port, db->dbname ? db->dbname : db->name,
                              HTTP_PROBE_TIMEOUT, NULL};
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
    p->at_ms = now_ms();
}

static const struct http_probe *http_probe_cached(const struct db_config *db)
{
    struct http_probe *p = NULL;
    for (size_t i = 0; i < http_n_probes; i++)
        if (strcmp(http_probes[i].name, db->name) == 0)
            p = &http_probes[i];
    if (!p) {
        http_probes = xrealloc(http_probes, (http_n_probes + 1) * sizeof(*http_probes));
        p = &http_probes[http_n_probes++];
        memset(p, 0, sizeof(*p));
        snprintf(p->name, sizeof(p->name), "%s", db->name);
    }
    if (p->at_ms == 0 || now_ms() - p->at_ms >= HTTP_PROBE_CACHE_MS)
        http_probe_db(db, p);
    return p;
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

static void http_readyz(struct evhttp_request *req, void *arg)
{
    const struct config *cfg = proxy_config();
    struct evbuffer *reasons = evbuffer_new(), *body = evbuffer_new();
    int n_reasons = 0, state = atomic_load(&proxy.run_state);
    char line[320];

    (void)arg;
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
        const struct http_probe *p;
        if (db->backend == DB_BACKEND_ADMIN)
            continue;
        p = http_probe_cached(db);
        if (!p->reachable) {
            snprintf(line, sizeof(line), "database %s: unreachable (%s)", db->name, p->error);
            if (n_reasons++)
                evbuffer_add(reasons, ",", 1);
            http_json_str(reasons, line);
        }
        if (control_paused(db->name)) {
            snprintf(line, sizeof(line), "database %s: paused", db->name);
            if (n_reasons++)
                evbuffer_add(reasons, ",", 1);
            http_json_str(reasons, line);
        }
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
    if (http_running) {
        event_base_loopbreak(http_base);
        pthread_join(http_thread, NULL);
        http_running = false;
    }
    if (http_server)
        evhttp_free(http_server);
    if (http_base)
        event_base_free(http_base);
    http_server = NULL;
    http_base = NULL;
    free(http_probes);
    http_probes = NULL;
    http_n_probes = 0;
    http_n_routes = 0;
}
