/*
 * The HTTP listener (metrics_listen): libevent's evhttp on its own thread and event_base,
 * never on a worker's loop. Routes are registered by path; /healthz and /readyz are built in,
 * /metrics and /dashboard register themselves the same way.
 */
#ifndef MYRMEX_HTTP_HTTP_H
#define MYRMEX_HTTP_HTTP_H

#include <stdbool.h>

#include "config/config.h"

struct evbuffer;
struct evhttp_request;

/* A route's handler, on the HTTP thread: it must answer req (evhttp_send_reply). */
typedef void (*http_handler_fn)(struct evhttp_request *req, void *arg);

/*
 * A page built off the HTTP thread (http_defer), on the builder thread, where it may block:
 * snapshots that wait for the workers, SQLite reads. It appends the body to body, sets
 * *type to its Content-Type (a static string) and returns the status code. query is the
 * request's query string ("" when none), copied.
 */
typedef int (*http_build_fn)(struct evbuffer *body, const char **type, const char *query,
                             void *arg);
/*
 * From a handler: answer req with what fn builds on the builder thread. Requests are built
 * one at a time in arrival order; when HTTP_MAX_DEFERRED are already waiting, req is answered
 * 503 at once. A client that leaves before its page is ready is forgotten.
 */
void http_defer(struct evhttp_request *req, http_build_fn fn, void *arg);

/* Serve path (exact match) with fn; before http_start. false when the table is full. */
bool http_route(const char *path, http_handler_fn fn, void *arg);
/* Bind metrics_listen and start the thread; true (and nothing done) when it is empty.
 * false with a logged error when the address cannot be bound. */
bool http_start(const struct config *cfg);
/* Stop the thread and free the listener (no-op when it never started). */
void http_stop(void);

#endif
