/*
 * A client connection: startup and authentication (client_login.c), then the steady state
 * that forwards its messages to an attached server (client.c).
 */
#ifndef MYRMEX_CLIENT_CLIENT_H
#define MYRMEX_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "auth/scram.h"
#include "core/io.h"
#include "monitor/monitor.h"
#include "pool/params.h"
#include "pool/stats.h"
#include "util/list.h"

struct pool;
struct ps_client;
struct server;
struct worker;

/*
 *  STARTUP --StartupMessage--> AUTH --ok--> (LOGIN_WAIT: first server of the pool) --> IDLE
 *  IDLE --message needs a server--> WAITING --handoff--> ACTIVE --release--> IDLE
 *  any --close--> CLOSED (reaped after the callback)
 */
enum client_state {
    CLIENT_STARTUP = 0,
    CLIENT_AUTH,
    CLIENT_LOGIN_WAIT, /* authenticated, waiting for a server to learn the pool's parameters */
    CLIENT_IDLE,       /* logged in, no server */
    CLIENT_WAITING,    /* in pool->waiting for a server */
    CLIENT_ACTIVE,     /* attached to a server */
    CLIENT_CLOSED,
};

enum client_auth_step {
    AUTH_STEP_NONE = 0,
    AUTH_STEP_PASSWORD,
    AUTH_STEP_MD5,
    AUTH_STEP_SASL,
    AUTH_STEP_SASL_FINAL
};

struct client {
    struct list node;        /* worker->clients, then worker->reap */
    struct list wait_node;   /* pool->waiting or worker->handoff */
    struct list resume_node; /* worker->resume */
    struct io io;
    int id;
    enum client_state state;
    struct worker *worker;
    struct pool *pool;
    struct server *server;
    char prefix[96];
    char addr[64];
    bool unix_socket;

    char *user;
    char *dbname;
    uint64_t cancel_key; /* pid << 32 | key, as sent in BackendKeyData */
    struct client *cancel_next;
    bool in_cancel_table;
    bool counted; /* counts toward max_client_conn */

    /* authentication */
    enum client_auth_step auth_step;
    uint8_t md5_salt[4];
    struct scram_server *scram;
    char *secret; /* this login's copy of the auth_file secret (a reload may free the file's) */

    /* steady state */
    struct params params;
    int expect_rfq;           /* Query/Sync/FunctionCall forwarded, ReadyForQuery not yet seen */
    bool unsynced;            /* extended-protocol messages forwarded since the last Sync */
    uint32_t fwd_left;        /* bytes of a partly forwarded message still to move */
    uint32_t discard_left;    /* bytes of an ignored message still to drop */
    bool skip_to_sync;        /* a message was refused: drop the rest up to Sync */
    bool read_blocked;        /* stopped reading: the server's output is full */
    bool statement_violation; /* statement mode saw a transaction open */
    struct server *handoff_server; /* set under pool_lock by the thread that hands it over */
    const char *handoff_error;     /* SQLSTATE-prefixed reason instead of a server */
    char handoff_msg[256];
    bool cancel_sent;
    bool query_failed; /* an ErrorResponse was forwarded since the last ReadyForQuery */
    int pending_set;   /* unreported parameter a forwarded SET changes (-1 RESET ALL, -2 none) */
    char *pending_value;
    /* SETs of unreported parameters inside the open transaction: they last only if it commits. */
    struct params tx_params;
    bool tx_set[PARAM_COUNT];
    bool tx_any;
    int last_tx_end; /* enum params_tx_end of the last whole statement forwarded */
    /* COPY FROM STDIN by the extended protocol, on a server pool/prepared.c does not follow:
     * the server ignores Syncs from its Execute until CopyDone, so they are owed no reply. */
    bool copy_exec_open;  /* a Query/Execute was forwarded, no CopyDone/CopyFail since */
    bool copy_in;         /* the client sends CopyData */
    int copy_syncs;       /* Syncs forwarded since that Execute */
    struct ps_client *ps; /* statement names in transaction pooling (pool/prepared.h) */
    char last_status;     /* the last ReadyForQuery status */
    /* The FATAL error to send once a lease the worker ended gives the socket back. */
    char lease_sqlstate[6];
    char lease_msg[96];
    int64_t lease_kill_ms;      /* when it was asked to end (a hard end follows after 1 s) */
    int64_t lease_cancelled_ms; /* the busy_since_ms of the query query_timeout cancelled */

    int64_t connect_ms, wait_start_ms, query_start_ms, last_active_ms;
    /* SHOW STATS: when the current query and transaction began (now_us(); 0: none). */
    struct stats_clock stats; /* SHOW STATS: the open query and transaction */
    struct mon_tap mon;       /* the performance monitor (monitor/monitor.h) */
};

/* Accept a new client socket on worker w (takes fd). */
void client_accept(struct worker *w, int fd, bool unix_socket, const char *addr);
/* Send an ErrorResponse (FATAL) and close. */
void client_fatal(struct client *c, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Send an ErrorResponse (ERROR) without closing. */
void client_error(struct client *c, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void client_close(struct client *c, const char *reason);
/* Close c with a FATAL error now, whatever it is doing (KILL); a leased client's socket is
 * taken back first (its query is cancelled). */
void client_kill(struct client *c, const char *sqlstate, const char *msg);
void client_free(struct client *c);
/* Wipe and free the login's copy of the secret. */
void client_drop_secret(struct client *c);
/* Write what the client is owed; resumes a server blocked on it. false once closed. */
bool client_flush(struct client *c);
/* Steady-state processing of whatever the client sent. */
void client_process(struct client *c);
/* Go on with input buffered while the client had no server (worker_schedule_resume). */
void client_resume(struct client *c);
/* The mailbox delivered a server (or an error) to this waiting client. */
void client_on_handoff(struct client *c);
/* The attached server sent ReadyForQuery; true when the server was released by it. */
bool client_on_ready(struct client *c, char status);
/* A server was just attached: replay the client's session parameters onto it. */
void client_attach(struct client *c);
/* Release the attached server if the pool mode allows it now; true when released. */
bool client_maybe_release(struct client *c);
/* The attached server died. */
void client_on_server_lost(struct client *c, const char *reason);
/* Periodic timeouts for one client. */
void client_check_timeouts(struct client *c, int64_t now);
/* Leases of the client's socket to an SQLite session (client_lease.c, sqlite_server.h). */
bool client_leased(const struct client *c);
/* Lend the socket now if the client qualifies and nothing is owed either way. */
void client_lease_try(struct client *c);
/* The session gave the socket back (why: enum sq_lease_end): the client is done. false. */
bool client_lease_ended(struct client *c, char why);
/* Closing a leased client: make the session let go of the socket. */
void client_lease_abandon(struct client *c);
/* A leased client's query is running. */
bool client_lease_busy(const struct client *c);
void client_lease_check_timeouts(struct client *c, int64_t now);
/* Login phase (client_login.c). */
void client_login_process(struct client *c);
void client_login_finish(struct client *c);
void client_on_read(int fd, short what, void *arg);
void client_on_write(int fd, short what, void *arg);
/* Cancel keys: O(1) lookup from any thread. */
void cancel_register(struct client *c);
void cancel_unregister(struct client *c);
/* Find the client for a key and post the cancel to its worker. */
void cancel_dispatch(uint64_t key);
/* On the owning worker: forward a cancel for key if that client is mid-query. */
void cancel_execute(struct worker *w, uint64_t key);

#endif
