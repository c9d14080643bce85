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

enum proxy_run_state { PROXY_RUNNING = 0, PROXY_DRAINING, PROXY_STOPPING };

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
/* Swap in a new configuration after validation; false keeps the old one (err says why). */
bool proxy_reload(const char *path, char *err, size_t errlen);
/* The file SIGHUP re-reads (NULL: environment only). */
void proxy_set_config_path(const char *path);
void proxy_cleanup(void);

#endif
