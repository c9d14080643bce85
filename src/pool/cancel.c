/*
 * Cancel keys. Every client gets its own random BackendKeyData; a CancelRequest arriving on
 * any worker finds the client in O(1) through this hash and is posted to the client's worker,
 * which forwards it with the attached server's real key on a new connection.
 */
#include <pthread.h>
#include <stdint.h>

#include "client/client.h"
#include "core/worker.h"
#include "server/server.h"
#include "util/log.h"
#include "util/util.h"

#define CANCEL_BUCKETS 65536

static pthread_mutex_t cancel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct client *cancel_table[CANCEL_BUCKETS];

static size_t cancel_bucket(uint64_t key)
{
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdULL;
    key ^= key >> 33;
    return (size_t)(key & (CANCEL_BUCKETS - 1));
}

static struct client *cancel_find(uint64_t key)
{
    for (struct client *c = cancel_table[cancel_bucket(key)]; c; c = c->cancel_next)
        if (c->cancel_key == key)
            return c;
    return NULL;
}

void cancel_register(struct client *c)
{
    pthread_mutex_lock(&cancel_lock);
    do {
        random_bytes(&c->cancel_key, sizeof(c->cancel_key));
        /* The pid half stays positive: some clients print it as a signed integer. */
        c->cancel_key &= ~(UINT64_C(1) << 63);
    } while (c->cancel_key == 0 || cancel_find(c->cancel_key));
    size_t b = cancel_bucket(c->cancel_key);
    c->cancel_next = cancel_table[b];
    cancel_table[b] = c;
    c->in_cancel_table = true;
    pthread_mutex_unlock(&cancel_lock);
}

void cancel_unregister(struct client *c)
{
    if (!c->in_cancel_table)
        return;
    pthread_mutex_lock(&cancel_lock);
    for (struct client **pp = &cancel_table[cancel_bucket(c->cancel_key)]; *pp;
         pp = &(*pp)->cancel_next) {
        if (*pp == c) {
            *pp = c->cancel_next;
            break;
        }
    }
    c->in_cancel_table = false;
    pthread_mutex_unlock(&cancel_lock);
}

void cancel_dispatch(uint64_t key)
{
    struct worker *w = NULL;
    struct client *c;

    pthread_mutex_lock(&cancel_lock);
    c = cancel_find(key);
    if (c)
        w = c->worker;
    pthread_mutex_unlock(&cancel_lock);
    if (w)
        worker_post_cancel(w, key);
    else
        log_debug("cancel request for an unknown key ignored");
}

void cancel_execute(struct worker *w, uint64_t key)
{
    struct client *c;

    /* The client can only leave the table on this thread, so it stays valid here. */
    pthread_mutex_lock(&cancel_lock);
    c = cancel_find(key);
    pthread_mutex_unlock(&cancel_lock);
    if (!c || c->worker != w)
        return;
    if (c->state == CLIENT_ACTIVE && c->server &&
        (client_leased(c) ? client_lease_busy(c) : c->expect_rfq > 0)) {
        log_at(LOG_INFO, c->prefix, "forwarding cancel request");
        server_send_cancel(c->server);
    }
}
