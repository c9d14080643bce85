/*
 * A server connection to PostgreSQL: connect and login (server_login.c), then the steady
 * state in which its replies are forwarded to the attached client (server.c).
 */
#ifndef MYRMEX_SERVER_SERVER_H
#define MYRMEX_SERVER_SERVER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event_struct.h>

#include "auth/scram.h"
#include "core/io.h"
#include "pool/params.h"
#include "util/list.h"

struct pool;
struct client;
struct ps_server;
struct worker;

/*
 *  CONNECTING --connected--> LOGIN --ReadyForQuery--> (pool_release) --> IDLE or ACTIVE
 *  IDLE --pool_acquire--> ACTIVE --pool_release--> IDLE | ACTIVE (handoff) | RESETTING
 *  RESETTING --ReadyForQuery--> IDLE;  any --error/EOF/lifetime--> CLOSED (reaped)
 */
enum server_state {
    SERVER_CONNECTING = 0,
    SERVER_LOGIN,
    SERVER_IDLE,      /* in pool->idle; rev watched on its worker for EOF */
    SERVER_ACTIVE,    /* attached to a client (or handed to one in another worker's mailbox) */
    SERVER_RESETTING, /* running server_reset_query with no client */
    SERVER_CLOSED,
};

struct server {
    struct list node; /* pool->idle, or worker->reap once closed */
    struct io io;
    int id;
    enum server_state state;
    struct pool *pool;
    struct worker *worker; /* owner of io's events */
    struct client *client;
    char prefix[80];

    uint32_t be_pid, be_key;
    char tx_status;      /* last ReadyForQuery status */
    int swallow_rfq;     /* replies to injected queries still to discard, in ReadyForQuery units */
    uint32_t fwd_left;   /* bytes of a partly forwarded message still to move */
    bool fwd_discard;    /* those bytes are discarded instead of forwarded */
    bool dirty;          /* state unknown: close instead of reusing */
    bool params_unknown; /* a client changed a parameter the proxy could not follow */
    bool read_blocked;   /* stopped reading: the client's output is full */
    bool connecting_counted; /* counted in pool->n_connecting (under pool_lock) */
    bool ps_track;           /* messages go through pool/prepared.h (transaction pooling) */
    struct ps_server *ps;    /* its prepared statements and reply queue */
    struct params params;
    uint64_t sq_token;      /* an SQLite session's: its lease messages carry it */
    struct sq_lease *lease; /* the attached client's socket is lent to the session */

    uint32_t gen; /* the pool's generation when it connected (pool.h) */
    int64_t connect_ms, idle_since_ms, lifetime_ms;
    struct sockaddr_storage addr;
    socklen_t addr_len;
    struct scram_client *scram;
    int auth_rounds;
    int64_t login_deadline_ms;
    /* ParameterStatus seen during login, kept until the pool has its welcome set. */
    int n_login_params;
    char *login_names[32];
    char *login_values[32];
};

/* Open a connection for pool on worker w; the server reports back through pool_release. */
void server_connect(struct pool *pool, struct worker *w, const struct params *startup);
/* Close (any state, owning thread): the pool is told, the object reaped later. */
void server_close(struct server *s, const char *reason);
/* Queue a simple query whose replies are discarded (reset, parameter SETs). */
void server_inject(struct server *s, const char *sql);
/* Run sql with no client attached (reset, connect_query); the pool gets it back after. */
bool server_start_reset(struct server *s, const char *sql);
/* Send a CancelRequest for the server's current query on a new connection. */
void server_send_cancel(struct server *s);

/* Free a pending cancel connection at shutdown (node from worker->cancel_conns). */
void server_cancel_conn_free(struct list *node);
/* Event callbacks (also used by pool.c when moving a server between workers). */
void server_on_read(int fd, short what, void *arg);
void server_on_write(int fd, short what, void *arg);
/* The login phase, in server_login.c: consume login-phase messages. */
bool server_login_process(struct server *s);
void server_login_start(struct server *s);
/*
 * Steady state: forward what the server sent. false when the server was released to the
 * pool on the way (it may already belong to another thread: do not touch it).
 */
bool server_process(struct server *s);
void server_free(struct server *s);

#endif
