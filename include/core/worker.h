/*
 * Worker threads: each owns one event_base, the client connections it accepted and the
 * server connections currently attached to them. Other threads reach a worker only through
 * its mailbox (handoffs of servers to waiting clients, cancel requests), woken by an event.
 */
#ifndef MYRMEX_CORE_WORKER_H
#define MYRMEX_CORE_WORKER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/list.h"

struct event_base;
struct event;
struct client;
struct worker;

#define WORKER_MAX_CANCELS 256

/* A function another thread asks a worker to run on its own thread (worker_call). */
typedef void (*worker_call_fn)(struct worker *w, void *arg);

struct worker {
    int id;
    pthread_t thread;
    struct event_base *base;
    struct event *mailbox_ev; /* activated from other threads */
    struct event *janitor_ev; /* periodic timeouts */
    struct event *reap_ev;    /* frees closed connections after the current callback */
    struct event *resume_ev;  /* processes clients in resume after the current callback */
    struct event **listen_evs;
    int n_listen;

    struct list clients;      /* every client owned by this worker (this thread only) */
    struct list reap;         /* closed clients waiting to be freed */
    struct list connecting;   /* servers in CONNECTING or LOGIN started by this worker */
    struct list server_reap;  /* closed servers waiting to be freed */
    struct list cancel_conns; /* cancel requests being sent to servers */
    struct list resume;       /* clients with buffered input to process (client->resume_node) */
    int n_clients;

    /* Mailbox. handoff is protected by pool_lock; cancels by mailbox_lock. */
    struct list handoff; /* clients given a server (or an error) by another thread */
    pthread_mutex_t mailbox_lock;
    uint64_t cancels[WORKER_MAX_CANCELS];
    int n_cancels;
    struct list calls; /* struct worker_call waiting to run here (mailbox_lock) */
};

/* Wake a worker to read its mailbox (any thread). */
void worker_wake(struct worker *w);
/* Post a cancel for the client with this key (any thread). */
void worker_post_cancel(struct worker *w, uint64_t key);
/*
 * Run fn(w, arg) on w's thread and wait until it returns. For threads that may block (the
 * console's session threads), never for an event loop. fn sees w's connections as their owner
 * does, so it may read them without locks; it must not block. false when w did not pick the
 * call up within timeout_ms (it is stopping): fn did not run and never will.
 */
bool worker_call(struct worker *w, worker_call_fn fn, void *arg, int timeout_ms);
/* Schedule the reap event so closed objects are freed after the current callback. */
void worker_schedule_reap(struct worker *w);
/*
 * Process c's buffered input after the current callback. A server's read callback uses it
 * instead of acquiring a server itself: acquiring may wait in event_del() for another worker's
 * server callback, and server callbacks must never wait, or two of them could wait on each
 * other.
 */
void worker_schedule_resume(struct worker *w, struct client *c);
/* The worker running on the calling thread, or NULL on the main thread. */
struct worker *worker_current(void);

/* Life cycle, driven by proxy.c from the main thread. */
bool worker_init(struct worker *w, int id);
bool worker_start(struct worker *w);
void worker_stop_listening(struct worker *w);
void worker_resume_listening(struct worker *w);
void worker_fini(struct worker *w);
void worker_free_base(struct worker *w);

#endif
