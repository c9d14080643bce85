/*
 * The process: listeners, worker threads, and the main thread's loop for signals, reload
 * and shutdown. Reload follows nginx's cycle: build a complete configuration, validate it,
 * then publish it; the old one stays published when anything is wrong. Replaced
 * configurations are kept for a grace period because workers may still be reading them.
 */
#include "core/proxy.h"

#include <errno.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "admin/admin.h"
#include "core/control.h"
#include "admin/jobs.h"
#include "backup/backup.h"
#include "core/io.h"
#include "http/dashboard.h"
#include "http/http.h"
#include "http/metrics.h"
#include "monitor/monitor.h"
#include "pool/pool.h"
#include "pool/prepared.h"
#include "sqlite/sqlite_server.h"
#include "util/log.h"
#include "util/util.h"

#define PROXY_RETIRE_GRACE_MS     60000
#define PROXY_MAX_RETIRED         64
#define PROXY_SQLITE_EXIT_WAIT_MS 5000

struct proxy proxy;

static struct event_base *main_base;
static struct event *request_ev; /* activated by proxy_request_shutdown from any thread */
static atomic_int shutdown_request = -1;
static char *config_path;
/* Reloads and SET run on console threads and the main thread: reload_lock orders them. */
static pthread_mutex_t reload_lock = PTHREAD_MUTEX_INITIALIZER;
/* SUSPEND/RESUME (console threads) against closing the listeners (main thread). */
static pthread_mutex_t listen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
    struct config *cfg;
    int64_t since_ms;
} retired[PROXY_MAX_RETIRED];
static int n_retired;
static struct config_set *sets; /* values of SET since the last RELOAD */
static size_t n_sets;
static int stop_signals;

static void proxy_apply_logging(const struct config *cfg)
{
    log_set_level(cfg->log_level);
    log_set_json(strcmp(cfg->log_format, "json") == 0);
}

static bool proxy_listen_tcp(const struct config *cfg)
{
    struct addrinfo hints, *res = NULL, *ai;
    char port[16];
    const char *host = cfg->listen_addr;
    int rc;

    if (!host || !host[0])
        return true;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    snprintf(port, sizeof(port), "%d", cfg->listen_port);
    rc = getaddrinfo(strcmp(host, "*") == 0 ? NULL : host, port, &hints, &res);
    if (rc != 0) {
        log_error("could not resolve listen_addr \"%s\": %s", host, gai_strerror(rc));
        return false;
    }
    for (ai = res; ai && proxy.n_listen_fds < 7; ai = ai->ai_next) {
        int one = 1, fd = socket(ai->ai_family, SOCK_STREAM, 0);
        if (fd < 0)
            continue;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6)
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, 1024) < 0 ||
            !io_prepare_socket(fd, false, false)) {
            log_error("could not listen on %s:%s: %s", host, port, strerror(errno));
            close(fd);
            freeaddrinfo(res);
            return false;
        }
        proxy.listen_fds[proxy.n_listen_fds++] = fd;
    }
    freeaddrinfo(res);
    log_info("listening on %s:%d", host, cfg->listen_port);
    return true;
}

static bool proxy_listen_unix(const struct config *cfg)
{
    struct sockaddr_un sun;
    int fd;

    if (!cfg->unix_socket_dir || !cfg->unix_socket_dir[0])
        return true;
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    if ((size_t)snprintf(sun.sun_path, sizeof(sun.sun_path), "%s/.s.PGSQL.%d", cfg->unix_socket_dir,
                         cfg->listen_port) >= sizeof(sun.sun_path)) {
        log_error("unix_socket_dir is too long");
        return false;
    }
    fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    /* A socket file left by a process that died; a live one would fail the TCP bind first. */
    unlink(sun.sun_path);
    if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0 || listen(fd, 1024) < 0 ||
        !io_prepare_socket(fd, false, false)) {
        log_error("could not listen on %s: %s", sun.sun_path, strerror(errno));
        close(fd);
        return false;
    }
    chmod(sun.sun_path, 0777);
    snprintf(proxy.unix_path, sizeof(proxy.unix_path), "%s", sun.sun_path);
    proxy.listen_fds[proxy.n_listen_fds++] = fd;
    log_info("listening on %s", sun.sun_path);
    return true;
}

static void proxy_close_listeners(void)
{
    pthread_mutex_lock(&listen_lock);
    for (int i = 0; i < proxy.n_workers; i++)
        worker_stop_listening(&proxy.workers[i]);
    for (int i = 0; i < proxy.n_listen_fds; i++)
        close(proxy.listen_fds[i]);
    proxy.n_listen_fds = 0;
    if (proxy.unix_path[0])
        unlink(proxy.unix_path);
    proxy.unix_path[0] = '\0';
    pthread_mutex_unlock(&listen_lock);
}

void proxy_set_accepting(bool on)
{
    pthread_mutex_lock(&listen_lock);
    /* Once the listeners are closed (draining, stopping) there is nothing to switch. */
    for (int i = 0; proxy.n_listen_fds > 0 && i < proxy.n_workers; i++) {
        if (on)
            worker_resume_listening(&proxy.workers[i]);
        else
            worker_stop_listening(&proxy.workers[i]);
    }
    pthread_mutex_unlock(&listen_lock);
}

bool proxy_start(struct config *cfg)
{
    sigset_t set;
    int n;

    atomic_store(&proxy.cfg, cfg);
    proxy_apply_logging(cfg);
    if (evthread_use_pthreads() < 0) {
        log_error("libevent has no pthreads support");
        return false;
    }
    if (cfg->backup_dir && cfg->backup_dir[0]) {
        /* What a backup killed midway left: never listed, never trusted; gone
         * before anyone can connect and ask. */
        int cleaned = backup_clean_partial(cfg->backup_dir);
        if (cleaned > 0)
            log_info("removed %d partial backup file%s from %s", cleaned, cleaned == 1 ? "" : "s",
                     cfg->backup_dir);
    }
    if (!proxy_listen_tcp(cfg) || !proxy_listen_unix(cfg))
        return false;
    if (proxy.n_listen_fds == 0) {
        log_error("nothing to listen on: set listen_addr or unix_socket_dir");
        return false;
    }
    n = cfg->workers > 0 ? cfg->workers : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        n = 1;
    proxy.n_workers = n;
    proxy.workers = xcalloc((size_t)n, sizeof(*proxy.workers));
    for (int i = 0; i < n; i++)
        if (!worker_init(&proxy.workers[i], i)) {
            log_error("could not set up worker %d", i);
            return false;
        }
    /* Workers never see the signals the main thread handles. */
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (!monitor_start(cfg))
        return false;
    for (int i = 0; i < n; i++)
        if (!worker_start(&proxy.workers[i])) {
            log_error("could not start worker %d", i);
            return false;
        }
    metrics_register();
    dashboard_register();
    /* Before /readyz can be asked: it must never see "ready" before this run is queued. */
    if (!admin_migrate_on_start()) /* the jobs' executors leave signals to the main thread */
        return false;
    if (!http_start(cfg)) /* its thread, too */
        return false;
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    log_info("myrmex started with %d worker%s", n, n == 1 ? "" : "s");
    return true;
}

static void proxy_sets_free(struct config_set *list, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(list[i].key);
        free(list[i].value);
    }
    free(list);
}

/* Load the file with with[] on top and publish it (reload_lock held); false with err. */
static bool proxy_load_publish(const struct config_set *with, size_t n_with, char *err,
                               size_t errlen)
{
    struct config *old_cfg = proxy_config(), *new_cfg;

    new_cfg = config_load_with(config_path, with, n_with, err, errlen);
    if (!new_cfg)
        return false;
    if (!config_reload_compatible(old_cfg, new_cfg, err, errlen)) {
        config_destroy(new_cfg);
        return false;
    }
    if (n_retired == PROXY_MAX_RETIRED) {
        snprintf(err, errlen, "too many reloads in the last minute; try again later");
        config_destroy(new_cfg);
        return false;
    }
    atomic_store(&proxy.cfg, new_cfg);
    pool_reconfigure(new_cfg);
    proxy_apply_logging(new_cfg);
    monitor_configure(new_cfg);
    retired[n_retired].cfg = old_cfg;
    retired[n_retired].since_ms = now_ms();
    n_retired++;
    for (size_t i = 0; i < new_cfg->n_warnings; i++)
        log_warning("%s", new_cfg->warnings[i]);
    return true;
}

bool proxy_reload(char *err, size_t errlen)
{
    bool ok;

    pthread_mutex_lock(&reload_lock);
    ok = proxy_load_publish(NULL, 0, err, errlen);
    if (ok) {
        proxy_sets_free(sets, n_sets);
        sets = NULL;
        n_sets = 0;
    }
    pthread_mutex_unlock(&reload_lock);
    return ok;
}

bool proxy_set_option(const char *key, const char *value, char sqlstate[6], char *err,
                      size_t errlen)
{
    struct config_set *next;
    size_t n = 0;
    int reloadable = config_option_reloadable(key);
    bool ok;

    if (reloadable < 0) {
        snprintf(sqlstate, 6, "42704");
        snprintf(err, errlen, "unrecognized configuration parameter \"%s\"", key);
        return false;
    }
    if (reloadable == 0) {
        snprintf(sqlstate, 6, "55P02");
        snprintf(err, errlen,
                 "parameter \"%s\" cannot be changed without restarting the proxy: it is read "
                 "once at start (sockets, threads); edit the file and restart",
                 key);
        return false;
    }
    pthread_mutex_lock(&reload_lock);
    next = xcalloc(n_sets + 1, sizeof(*next));
    for (size_t i = 0; i < n_sets; i++) {
        if (strcasecmp(sets[i].key, key) == 0)
            continue;
        next[n].key = xstrdup(sets[i].key);
        next[n].value = xstrdup(sets[i].value);
        n++;
    }
    next[n].key = xstrdup(key);
    next[n].value = xstrdup(value);
    n++;
    ok = proxy_load_publish(next, n, err, errlen);
    if (ok) {
        proxy_sets_free(sets, n_sets);
        sets = next;
        n_sets = n;
    } else {
        proxy_sets_free(next, n);
        snprintf(sqlstate, 6, "22023");
    }
    pthread_mutex_unlock(&reload_lock);
    return ok;
}

static void proxy_free_retired(bool all)
{
    int64_t now = now_ms();
    int kept = 0;

    pthread_mutex_lock(&reload_lock);
    for (int i = 0; i < n_retired; i++) {
        if (all || (now - retired[i].since_ms > PROXY_RETIRE_GRACE_MS &&
                    !pool_uses_config(retired[i].cfg)))
            config_destroy(retired[i].cfg);
        else
            retired[kept++] = retired[i];
    }
    n_retired = kept;
    pthread_mutex_unlock(&reload_lock);
}

/* Stop accepting and move to state (WAIT_CLIENTS or DRAINING); never backwards. */
static void proxy_begin_drain(const char *why, int state)
{
    const struct config *cfg = proxy_config();
    int current = atomic_load(&proxy.run_state);
    int64_t now = now_ms(), window;

    if (current >= state)
        return;
    if (current == PROXY_RUNNING) {
        atomic_store(&proxy.drain_deadline_ms, now + cfg->shutdown_timeout_ms);
        /* Clients served until they leave, but closed at their transaction's end in time to
         * be gone by shutdown_timeout: the last 5 s of it (or its second half). */
        window = cfg->shutdown_timeout_ms / 2 < 5000 ? cfg->shutdown_timeout_ms / 2 : 5000;
        atomic_store(&proxy.drain_phase_ms, now + cfg->shutdown_timeout_ms - window);
        proxy_close_listeners();
    }
    if (state == PROXY_WAIT_CLIENTS)
        log_info("%s: no new connections; serving the %d client(s) until they leave, for up to "
                 "%.1f s",
                 why, atomic_load(&proxy.n_clients), (double)cfg->shutdown_timeout_ms / 1000.0);
    else
        log_info("%s: no new connections; each client is closed when its transaction ends, "
                 "for up to %.1f s",
                 why, (double)(atomic_load(&proxy.drain_deadline_ms) - now) / 1000.0);
    atomic_store(&proxy.run_state, state);
}

static void proxy_stop_now(const char *why)
{
    log_info("%s: exiting now", why);
    atomic_store(&proxy.run_state, PROXY_STOPPING);
    event_base_loopbreak(main_base);
}

/* How much a shutdown request cuts short: the stronger of two pending ones wins. */
static int proxy_shutdown_strength(int how)
{
    return how == PROXY_SHUTDOWN_NOW ? 3 : how == PROXY_SHUTDOWN_WAIT_SERVERS ? 2 : how < 0 ? 0 : 1;
}

void proxy_request_shutdown(enum proxy_shutdown how)
{
    int pending = atomic_load(&shutdown_request);
    while (proxy_shutdown_strength((int)how) > proxy_shutdown_strength(pending) &&
           !atomic_compare_exchange_weak(&shutdown_request, &pending, (int)how))
        ;
    if (request_ev)
        event_active(request_ev, EV_READ, 0);
}

static void proxy_on_request(evutil_socket_t fd, short what, void *arg)
{
    int how = atomic_exchange(&shutdown_request, -1);
    switch (how) {
    case PROXY_SHUTDOWN_NOW:
        proxy_stop_now("SHUTDOWN");
        break;
    case PROXY_SHUTDOWN_WAIT_CLIENTS:
        stop_signals++; /* a stop signal after it exits at once */
        proxy_begin_drain("SHUTDOWN WAIT_FOR_CLIENTS", PROXY_WAIT_CLIENTS);
        break;
    case PROXY_SHUTDOWN_WAIT_SERVERS:
        stop_signals++;
        proxy_begin_drain("SHUTDOWN WAIT_FOR_SERVERS", PROXY_DRAINING);
        break;
    default:
        break;
    }
}

static void proxy_on_signal(evutil_socket_t sig, short what, void *arg)
{
    char err[512];
    switch (sig) {
    case SIGHUP:
        if (proxy_reload(err, sizeof(err)))
            log_info("configuration reloaded from %s", config_path ? config_path : "environment");
        else
            log_error("reload failed, keeping the current configuration: %s", err);
        break;
    case SIGTERM:
    case SIGINT:
        if (++stop_signals > 1) {
            proxy_stop_now(sig == SIGTERM ? "second SIGTERM" : "second stop signal");
            break;
        }
        if (sig == SIGTERM)
            proxy_begin_drain("SIGTERM", PROXY_WAIT_CLIENTS);
        else
            proxy_begin_drain("SIGINT", PROXY_DRAINING);
        break;
    case SIGUSR1:
        log_info("SIGUSR1: pausing every database (servers close as their transactions end)");
        control_set_paused(NULL, true);
        pool_close_idle_of(NULL);
        break;
    case SIGUSR2:
        log_info("SIGUSR2: resuming");
        control_set_paused(NULL, false);
        control_set_suspended(false);
        proxy_set_accepting(true);
        break;
    default:
        break;
    }
}

static int proxy_total_clients(void)
{
    return atomic_load(&proxy.n_clients);
}

static void proxy_on_tick(evutil_socket_t fd, short what, void *arg)
{
    int state = atomic_load(&proxy.run_state);
    int64_t now = now_ms();

    proxy_free_retired(false);
    if (state == PROXY_RUNNING)
        return;
    if (proxy_total_clients() == 0) {
        event_base_loopbreak(main_base);
        return;
    }
    if (state == PROXY_WAIT_CLIENTS && now > atomic_load(&proxy.drain_phase_ms)) {
        log_info("%d client(s) still connected: closing each when its transaction ends",
                 proxy_total_clients());
        atomic_store(&proxy.run_state, PROXY_DRAINING);
    } else if (state == PROXY_DRAINING && now > atomic_load(&proxy.drain_deadline_ms)) {
        log_info("shutdown_timeout reached with %d client(s); closing them", proxy_total_clients());
        atomic_store(&proxy.run_state, PROXY_STOPPING);
        atomic_store(&proxy.drain_deadline_ms, now + 2000);
    } else if (state == PROXY_STOPPING && now > atomic_load(&proxy.drain_deadline_ms)) {
        event_base_loopbreak(main_base);
    }
}

int proxy_run(void)
{
    struct event *sigs[5], *tick;
    const int signums[5] = {SIGHUP, SIGTERM, SIGINT, SIGUSR1, SIGUSR2};
    struct timeval tv = {0, 100000};

    main_base = event_base_new();
    if (!main_base)
        return 1;
    for (int i = 0; i < 5; i++) {
        sigs[i] = evsignal_new(main_base, signums[i], proxy_on_signal, NULL);
        event_add(sigs[i], NULL);
    }
    tick = event_new(main_base, -1, EV_PERSIST, proxy_on_tick, NULL);
    event_add(tick, &tv);
    request_ev = event_new(main_base, -1, EV_PERSIST, proxy_on_request, NULL);
    event_add(request_ev, NULL);
    event_base_dispatch(main_base);

    atomic_store(&proxy.run_state, PROXY_STOPPING);
    proxy_close_listeners();
    http_stop();
    for (int i = 0; i < proxy.n_workers; i++)
        event_base_loopbreak(proxy.workers[i].base);
    for (int i = 0; i < proxy.n_workers; i++)
        pthread_join(proxy.workers[i].thread, NULL);
    for (int i = 0; i < proxy.n_workers; i++)
        worker_fini(&proxy.workers[i]);
    /* Jobs end first: a console session in WAIT JOB returns once its job has ended. */
    jobs_stop(PROXY_SQLITE_EXIT_WAIT_MS);
    /* Console sessions see EOF too; they read pools, so they must end before pools go. */
    admin_server_shutdown(PROXY_SQLITE_EXIT_WAIT_MS);
    monitor_stop(); /* its thread reads the pools */
    pool_destroy_all();
    ps_registry_free();
    /* Every server socket is closed now: SQLite session threads see EOF and end. */
    sqlite_server_shutdown(PROXY_SQLITE_EXIT_WAIT_MS);
    monitor_free(); /* the sessions' last counts are in */
    for (int i = 0; i < proxy.n_workers; i++)
        worker_free_base(&proxy.workers[i]);
    free(proxy.workers);
    for (int i = 0; i < 5; i++)
        event_free(sigs[i]);
    event_free(tick);
    event_free(request_ev);
    request_ev = NULL;
    event_base_free(main_base);
    proxy_free_retired(true);
    proxy_sets_free(sets, n_sets);
    sets = NULL;
    n_sets = 0;
    control_free();
    config_destroy(atomic_exchange(&proxy.cfg, NULL));
    log_info("shutdown complete");
    libevent_global_shutdown();
    return 0;
}

void proxy_set_config_path(const char *path)
{
    config_path = path ? xstrdup(path) : NULL;
}

void proxy_cleanup(void)
{
    config_destroy(atomic_exchange(&proxy.cfg, NULL));
    free(config_path);
    config_path = NULL;
}
