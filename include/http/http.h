/*
 * The HTTP listener (metrics_listen): libevent's evhttp on its own thread and event_base,
 * never on a worker's loop. Routes are registered by path; /healthz and /readyz are built in,
 * /metrics and /dashboard register themselves the same way.
 */
#ifndef MYRMEX_HTTP_HTTP_H
#define MYRMEX_HTTP_HTTP_H

#include <stdbool.h>

#include "config/config.h"

struct evhttp_request;

/* A route's handler, on the HTTP thread: it must answer req (evhttp_send_reply). */
typedef void (*http_handler_fn)(struct evhttp_request *req, void *arg);

/* Serve path (exact match) with fn; before http_start. false when the table is full. */
bool http_route(const char *path, http_handler_fn fn, void *arg);
/* Bind metrics_listen and start the thread; true (and nothing done) when it is empty.
 * false with a logged error when the address cannot be bound. */
bool http_start(const struct config *cfg);
/* Stop the thread and free the listener (no-op when it never started). */
void http_stop(void);

#endif
