/*
 * Worker threads. Each runs one event_base with the listeners (every worker polls the same
 * listening sockets; accept() is non-blocking, so a lost race costs one EAGAIN), its clients,
 * the servers attached to them, a mailbox for cross-thread deliveries, a janitor for timeouts,
 * and a reap event that frees closed connections once no callback can still use them.
 */
#include "core/worker.h"

#include <arpa/inet.h>
#include <errno.h>
#include <event2/event.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

#include "client/client.h"
#include "core/proxy.h"
#include "monitor/monitor.h"
#include "pool/pool.h"
#include "server/server.h"
#include "util/log.h"
#include "util/util.h"

#define WORKER_JANITOR_MS   100
#define WORKER_ACCEPT_BATCH 64

static __thread struct worker *worker_self;

enum worker_call_state { WORKER_CALL_QUEUED = 0, WORKER_CALL_RUNNING, WORKER_CALL_DONE };

/* One worker_call(), on the caller's stack; state and node under the worker's mailbox_lock. */
struct worker_call {
    struct list node; /* worker->calls while queued */
    worker_call_fn fn;
    void *arg;
    enum worker_call_state state;
    pthread_cond_t done;
};

struct worker *worker_current(void)
{
    return worker_self;
}

void worker_wake(struct worker *w)
{
    event_active(w->mailbox_ev, EV_READ, 0);
}

void worker_post_cancel(struct worker *w, uint64_t key)
{
    pthread_mutex_lock(&w->mailbox_lock);
    if (w->n_cancels < WORKER_MAX_CANCELS)
        w->cancels[w->n_cancels++] = key;
    pthread_mutex_unlock(&w->mailbox_lock);
    worker_wake(w);
}

bool worker_call(struct worker *w, worker_call_fn fn, void *arg, int timeout_ms)
{
    struct worker_call call = {.fn = fn, .arg = arg, .state = WORKER_CALL_QUEUED};
    struct timespec until;
    bool ran;

    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    pthread_cond_init(&call.done, NULL);
    pthread_mutex_lock(&w->mailbox_lock);
    list_add_tail(&w->calls, &call.node);
    pthread_mutex_unlock(&w->mailbox_lock);
    worker_wake(w);
    pthread_mutex_lock(&w->mailbox_lock);
    while (call.state != WORKER_CALL_DONE) {
        if (call.state == WORKER_CALL_RUNNING) {
            /* Picked up: fn does not block, so this wait is short. */
            pthread_cond_wait(&call.done, &w->mailbox_lock);
        } else if (pthread_cond_timedwait(&call.done, &w->mailbox_lock, &until) == ETIMEDOUT &&
                   call.state == WORKER_CALL_QUEUED) {
            list_del(&call.node);
            break;
        }
    }
    ran = call.state == WORKER_CALL_DONE;
    pthread_mutex_unlock(&w->mailbox_lock);
    pthread_cond_destroy(&call.done);
    return ran;
}

void worker_schedule_reap(struct worker *w)
{
    event_active(w->reap_ev, EV_READ, 0);
}

void worker_schedule_resume(struct worker *w, struct client *c)
{
    if (list_linked(&c->resume_node))
        return;
    list_add_tail(&w->resume, &c->resume_node);
    event_active(w->resume_ev, EV_READ, 0);
}

static void worker_on_resume(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct list *node;

    while ((node = list_pop(&w->resume))) {
        struct client *c = list_entry(node, struct client, resume_node);
        client_resume(c);
    }
}

static void worker_on_mailbox(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct list got;
    struct list *node;
    uint64_t cancels[WORKER_MAX_CANCELS];
    int n_cancels;

    list_init(&got);
    pthread_mutex_lock(&pool_lock);
    while ((node = list_pop(&w->handoff)))
        list_add_tail(&got, node);
    pthread_mutex_unlock(&pool_lock);
    while ((node = list_pop(&got))) {
        struct client *c = list_entry(node, struct client, wait_node);
        client_on_handoff(c);
        if (c->state != CLIENT_CLOSED)
            client_flush(c);
    }

    pthread_mutex_lock(&w->mailbox_lock);
    n_cancels = w->n_cancels;
    memcpy(cancels, w->cancels, sizeof(cancels[0]) * (size_t)n_cancels);
    w->n_cancels = 0;
    pthread_mutex_unlock(&w->mailbox_lock);
    for (int i = 0; i < n_cancels; i++)
        cancel_execute(w, cancels[i]);

    pthread_mutex_lock(&w->mailbox_lock);
    while ((node = list_pop(&w->calls))) {
        struct worker_call *call = list_entry(node, struct worker_call, node);
        call->state = WORKER_CALL_RUNNING;
        pthread_mutex_unlock(&w->mailbox_lock);
        call->fn(w, call->arg);
        pthread_mutex_lock(&w->mailbox_lock);
        /* The caller frees call once it sees DONE, which it cannot before the unlock. */
        call->state = WORKER_CALL_DONE;
        pthread_cond_signal(&call->done);
    }
    pthread_mutex_unlock(&w->mailbox_lock);
}

static void worker_on_reap(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    struct list *node;

    while ((node = list_pop(&w->reap)))
        client_free(list_entry(node, struct client, node));
    while ((node = list_pop(&w->server_reap)))
        server_free(list_entry(node, struct server, node));
}

static void worker_on_janitor(evutil_socket_t fd, short what, void *arg)
{
    struct worker *w = arg;
    int64_t now = now_ms();
    struct list *pos, *tmp;

    list_for_each_safe(pos, tmp, &w->clients)
    {
        struct client *c = list_entry(pos, struct client, node);
        client_check_timeouts(c, now);
    }
    list_for_each_safe(pos, tmp, &w->connecting)
    {
        struct server *s = list_entry(pos, struct server, node);
        if (now > s->login_deadline_ms)
            server_close(s, "57P03 server_connect_timeout: could not log in to the server in time");
    }
    if (w->id == 0)
        pool_janitor(now);
    mon_thread_flush(); /* this worker's monitor counts, every 100 ms */
}

static void worker_on_accept(evutil_socket_t lfd, short what, void *arg)
{
    struct worker *w = arg;

    for (int i = 0; i < WORKER_ACCEPT_BATCH; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        char addr[64] = "unix";
        int fd = accept(lfd, (struct sockaddr *)&ss, &len);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                log_warning("accept failed: %s", strerror(errno));
            return;
        }
        if (ss.ss_family == AF_INET) {
            struct sockaddr_in *in = (struct sockaddr_in *)&ss;
            char ip[INET_ADDRSTRLEN];
            inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
            snprintf(addr, sizeof(addr), "%s:%d", ip, ntohs(in->sin_port));
        } else if (ss.ss_family == AF_INET6) {
            struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
            char ip[INET6_ADDRSTRLEN];
            inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
            snprintf(addr, sizeof(addr), "[%s]:%d", ip, ntohs(in6->sin6_port));
        }
        client_accept(w, fd, ss.ss_family == AF_UNIX, addr);
    }
}

bool worker_init(struct worker *w, int id)
{
    struct timeval tv = {0, WORKER_JANITOR_MS * 1000};

    memset(w, 0, sizeof(*w));
    w->id = id;
    list_init(&w->clients);
    list_init(&w->reap);
    list_init(&w->connecting);
    list_init(&w->server_reap);
    list_init(&w->handoff);
    list_init(&w->cancel_conns);
    list_init(&w->resume);
    list_init(&w->calls);
    pthread_mutex_init(&w->mailbox_lock, NULL);
    w->base = event_base_new();
    if (!w->base)
        return false;
    w->mailbox_ev = event_new(w->base, -1, EV_PERSIST, worker_on_mailbox, w);
    w->reap_ev = event_new(w->base, -1, EV_PERSIST, worker_on_reap, w);
    w->janitor_ev = event_new(w->base, -1, EV_PERSIST, worker_on_janitor, w);
    w->resume_ev = event_new(w->base, -1, EV_PERSIST, worker_on_resume, w);
    if (!w->mailbox_ev || !w->reap_ev || !w->janitor_ev || !w->resume_ev)
        return false;
    event_add(w->janitor_ev, &tv);
    w->listen_evs = xcalloc((size_t)proxy.n_listen_fds + 1, sizeof(*w->listen_evs));
    for (int i = 0; i < proxy.n_listen_fds; i++) {
        w->listen_evs[i] =
            event_new(w->base, proxy.listen_fds[i], EV_READ | EV_PERSIST, worker_on_accept, w);
        if (!w->listen_evs[i])
            return false;
        event_add(w->listen_evs[i], NULL);
        w->n_listen++;
    }
    return true;
}

void worker_stop_listening(struct worker *w)
{
    for (int i = 0; i < w->n_listen; i++)
        event_del(w->listen_evs[i]);
}

void worker_resume_listening(struct worker *w)
{
    for (int i = 0; i < w->n_listen; i++)
        event_add(w->listen_evs[i], NULL);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    worker_self = w;
    event_base_loop(w->base, EVLOOP_NO_EXIT_ON_EMPTY);
    mon_thread_exit();
    return NULL;
}

bool worker_start(struct worker *w)
{
    return pthread_create(&w->thread, NULL, worker_main, w) == 0;
}

/* After the thread joined: close what is left and free the base. */
void worker_fini(struct worker *w)
{
    struct list *node;

    worker_self = w;
    while ((node = w->clients.next) != &w->clients)
        client_close(list_entry(node, struct client, node), NULL);
    while ((node = w->connecting.next) != &w->connecting)
        server_close(list_entry(node, struct server, node), "shutting down");
    while ((node = list_pop(&w->cancel_conns)))
        server_cancel_conn_free(node);
    worker_on_reap(-1, 0, w);
    worker_self = NULL;
    for (int i = 0; i < w->n_listen; i++)
        event_free(w->listen_evs[i]);
    free(w->listen_evs);
    event_free(w->mailbox_ev);
    event_free(w->reap_ev);
    event_free(w->janitor_ev);
    event_free(w->resume_ev);
}

void worker_free_base(struct worker *w)
{
    if (w->base)
        event_base_free(w->base);
    w->base = NULL;
    pthread_mutex_destroy(&w->mailbox_lock);
}
