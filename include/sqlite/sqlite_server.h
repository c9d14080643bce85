/*
 * The embedded SQLite backend. Each pooled "server connection" to an sqlite:// database is
 * one end of a socketpair; on the other end a session thread (an executor thread: it may
 * block, it never runs on an event loop) speaks the PostgreSQL v3 protocol from its own
 * sqlite3 handle. The pool, the client code and the forwarding path therefore treat SQLite
 * exactly like a PostgreSQL server: transaction state comes from ReadyForQuery, session
 * parameters from ParameterStatus, and a cancel becomes sqlite3_interrupt().
 */
#ifndef MYRMEX_SQLITE_SQLITE_SERVER_H
#define MYRMEX_SQLITE_SQLITE_SERVER_H

#include "monitor/monitor.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db_config;
struct pool_stats;

/*
 * A lease: in session pooling, once a client's server is an SQLite session and everything
 * owed both ways has been delivered, the worker lends the client's socket to the session
 * thread, which then reads the client's messages and writes its replies itself until the
 * client leaves (or the worker takes the socket back). The proxy's hop is gone: a query costs
 * the client's round trip to one thread, as on PostgreSQL. The worker starts it with a
 * private 'y' message on the socketpair (token, the lease, then the client bytes it had read
 * but not forwarded); the session ends it with ParameterStatus for every reported setting
 * and a 'y' of its own (transaction status, reason). Clients never get 'y' through: the
 * worker refuses unknown frontend message types.
 */
#define SQ_LEASE_MSG 'y'

enum sq_lease_end {
    SQ_LEASE_CLIENT_GONE = 'e', /* end of file or a socket error on the client */
    SQ_LEASE_TERMINATE = 'x',   /* the client sent Terminate */
    SQ_LEASE_FATAL = 'f',       /* the session sent a FATAL error: the client is closed */
};

struct sq_lease {
    int fd;              /* a dup of the client's socket: the session's for the lease's length */
    int refs;            /* the worker's and the session's (atomic) */
    int64_t max_message; /* max_packet_size: a larger client message is a FATAL 54000 */
    /* Written by the session, read by the worker's timeout checks (atomic). */
    int64_t last_active_ms; /* the client's last message */
    int64_t busy_since_ms;  /* since when the client is owed a ReadyForQuery; 0: it is not */
    char tx;                /* the last ReadyForQuery status */
    /* The pool's SHOW STATS counters, which the session bumps for the client (pools live
     * until exit). */
    struct pool_stats *stats;
    /* The client's performance-monitor tap, moved here for the rest of its life: the
     * session times what it runs (freed with the lease). */
    struct mon_tap mon;
};

/* A new lease of fd (the caller's reference and the session's). */
struct sq_lease *sq_lease_new(int fd);
/* Drop a reference; the last one closes the fd and frees the lease. */
void sq_lease_put(struct sq_lease *l);

/*
 * Start a session for database db on a new socketpair; *fd_out is the proxy's end
 * (non-blocking, close-on-exec), *token_out what its lease messages must carry. false with err when
 * the thread or socketpair cannot be made; errors opening the database itself are reported over the
 * protocol at login.
 */
bool sqlite_server_open(const struct db_config *db, int *fd_out, uint64_t *token_out, char *err,
                        size_t errlen);
/*
 * The same, for the migration engine (src/migrate/): the session also runs SQLite's own SQL,
 * untranslated, sent as a private SQ_NATIVE_MSG message whose body is the SQL text. Only the
 * engine's sessions accept it: the flag is set here, before the thread starts, and a leased
 * client socket never gets it (native SQL could ATTACH any file the process can open). The
 * reply is what a simple Query gets: results, CommandComplete or ErrorResponse, ReadyForQuery.
 */
#define SQ_NATIVE_MSG 'n'
bool sqlite_server_open_engine(const struct db_config *db, int *fd_out, char *err, size_t errlen);
/* Interrupt the statement of the session with this BackendKeyData, if it still exists. */
void sqlite_server_cancel(uint32_t pid, uint32_t key);
/* Wait up to timeout_ms for every session thread to end (their sockets are closed first). */
void sqlite_server_shutdown(int timeout_ms);

#endif
