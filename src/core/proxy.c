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
#include "admin/jobs.h"
#include "core/io.h"
#include "http/http.h"
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
static char *config_path;
static struct {
    struct config *cfg;
    int64_t since_ms;
} retired[PROXY_MAX_RETIRED];
static int n_retired;
static int sigterm_count;

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
    for (int i = 0; i < proxy.n_workers; i++)
        worker_stop_listening(&proxy.workers[i]);
    for (int i = 0; i < proxy.n_listen_fds; i++)
        close(proxy.listen_fds[i]);
    proxy.n_listen_fds = 0;
    if (proxy.unix_path[0])
        unlink(proxy.unix_path);
    proxy.unix_path[0] = '\0';
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
    for (int i = 0; i < n; i++)
        if (!worker_start(&proxy.workers[i])) {
            log_error("could not start worker %d", i);
            return false;
        }
    if (!http_start(cfg)) /* its thread, too, leaves signals to the main thread */
        return false;
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    log_info("myrmex started with %d worker%s", n, n == 1 ? "" : "s");
    return true;
}

bool proxy_reload(const char *path, char *err, size_t errlen)
{
    struct config *old_cfg = proxy_config(), *new_cfg;

    new_cfg = config_load(path, err, errlen);
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
    retired[n_retired].cfg = old_cfg;
    retired[n_retired].since_ms = now_ms();
    n_retired++;
    return true;
}

static void proxy_free_retired(bool all)
{
    int64_t now = now_ms();
    int kept = 0;
    for (int i = 0; i < n_retired; i++) {
        if (all || (now - retired[i].since_ms > PROXY_RETIRE_GRACE_MS &&
                    !pool_uses_config(retired[i].cfg)))
            config_destroy(retired[i].cfg);
        else
            retired[kept++] = retired[i];
    }
    n_retired = kept;
}

static void proxy_begin_drain(const char *why)
{
    const struct config *cfg = proxy_config();
    if (atomic_load(&proxy.run_state) != PROXY_RUNNING)
        return;
    log_info("%s: no new connections; waiting up to %.1f s for transactions to finish", why,
             (double)cfg->shutdown_timeout_ms / 1000.0);
    atomic_store(&proxy.drain_deadline_ms, now_ms() + cfg->shutdown_timeout_ms);
    atomic_store(&proxy.run_state, PROXY_DRAINING);
    proxy_close_listeners();
}

static void proxy_on_signal(evutil_socket_t sig, short what, void *arg)
{
    char err[512];
    switch (sig) {
    case SIGHUP:
        if (proxy_reload(config_path, err, sizeof(err)))
            log_info("configuration reloaded from %s", config_path ? config_path : "environment");
        else
            log_error("reload failed, keeping the current configuration: %s", err);
        break;
    case SIGTERM:
        if (++sigterm_count > 1) {
            log_info("second SIGTERM: exiting now");
            atomic_store(&proxy.run_state, PROXY_STOPPING);
            event_base_loopbreak(main_base);
            break;
        }
        proxy_begin_drain("SIGTERM");
        break;
    case SIGINT:
        proxy_begin_drain("SIGINT");
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
    if (state == PROXY_DRAINING && now > atomic_load(&proxy.drain_deadline_ms)) {
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
    pool_destroy_all();
    ps_registry_free();
    /* Every server socket is closed now: SQLite session threads see EOF and end. */
    sqlite_server_shutdown(PROXY_SQLITE_EXIT_WAIT_MS);
    for (int i = 0; i < proxy.n_workers; i++)
        worker_free_base(&proxy.workers[i]);
    free(proxy.workers);
    for (int i = 0; i < 5; i++)
        event_free(sigs[i]);
    event_free(tick);
    event_base_free(main_base);
    proxy_free_retired(true);
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
