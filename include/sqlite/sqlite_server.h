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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct db_config;

/*
 * Start a session for database db on a new socketpair; *fd_out is the proxy's end
 * (non-blocking, close-on-exec). false with err when the thread or socketpair cannot be made;
 * errors opening the database itself are reported over the protocol at login.
 */
bool sqlite_server_open(const struct db_config *db, int *fd_out, char *err, size_t errlen);
/* Interrupt the statement of the session with this BackendKeyData, if it still exists. */
void sqlite_server_cancel(uint32_t pid, uint32_t key);
/* Wait up to timeout_ms for every session thread to end (their sockets are closed first). */
void sqlite_server_shutdown(int timeout_ms);

#endif
