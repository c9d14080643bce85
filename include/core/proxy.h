/*
 * The process: its configuration, workers, listeners and run state. The main thread owns
 * signals and reload; workers read the configuration through proxy_config().
 */
#ifndef MYRMEX_CORE_PROXY_H
#define MYRMEX_CORE_PROXY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "core/worker.h"

/*
 * RUNNING --SHUTDOWN WAIT_FOR_CLIENTS, SIGTERM--> WAIT_CLIENTS --near shutdown_timeout--> DRAINING
 * RUNNING --SHUTDOWN WAIT_FOR_SERVERS, SIGINT--> DRAINING --shutdown_timeout--> STOPPING
 * any --SHUTDOWN, second signal--> STOPPING. No new clients once not RUNNING.
 */
enum proxy_run_state {
    PROXY_RUNNING = 0,
    PROXY_WAIT_CLIENTS, /* existing clients are served until they leave */
    PROXY_DRAINING,     /* each client is closed at the end of its transaction */
    PROXY_STOPPING,     /* everything is closed now */
};

/* Ways to stop, for proxy_request_shutdown. */
enum proxy_shutdown {
    PROXY_SHUTDOWN_NOW = 0,
    PROXY_SHUTDOWN_WAIT_CLIENTS,
    PROXY_SHUTDOWN_WAIT_SERVERS
};

struct proxy {
    _Atomic(struct config *) cfg;
    struct worker *workers;
    int n_workers;
    int listen_fds[8];
    int n_listen_fds;
    char unix_path[256];
    atomic_int n_clients;
    atomic_int run_state; /* enum proxy_run_state */
    atomic_llong drain_deadline_ms;
    atomic_llong drain_phase_ms; /* WAIT_CLIENTS turns into DRAINING at this time */
};

extern struct proxy proxy;

static inline struct config *proxy_config(void)
{
    return atomic_load_explicit(&proxy.cfg, memory_order_acquire);
}

/* Start listeners and workers for cfg (owned by the proxy from now on). */
bool proxy_start(struct config *cfg);
/* Run the main thread's loop (signals, reload) until shutdown; returns the exit code. */
int proxy_run(void);
/*
 * Re-read the configuration file (and the values of SET) and swap the new configuration in
 * after validation; false keeps the old one (err says why). Any thread. A reload forgets
 * the values of SET: the file is the configuration.
 */
bool proxy_reload(char *err, size_t errlen);
/*
 * SET key = value: the file re-read with this value (and earlier SETs) on top, until the next
 * RELOAD. false with err (and *sqlstate) when the key is unknown, needs a restart, or the
 * value is invalid. Any thread.
 */
bool proxy_set_option(const char *key, const char *value, char sqlstate[6], char *err,
                      size_t errlen);
/* Stop as SHUTDOWN asks; from any thread (the main thread acts on it). */
void proxy_request_shutdown(enum proxy_shutdown how);
/* SUSPEND / RESUME: stop and restart accepting new connections. Any thread. */
void proxy_set_accepting(bool on);
/* The file SIGHUP re-reads (NULL: environment only). */
void proxy_set_config_path(const char *path);
void proxy_cleanup(void);

#endif
