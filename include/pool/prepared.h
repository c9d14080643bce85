/*
 * Named prepared statements in transaction and statement pooling (src/pool/prepared.c).
 *
 * A client's statement names live in the proxy: each name maps to a shared entry keyed by
 * (query text, parameter types, search_path), and each entry has a server-side name
 * "myrmex_<id>". A server keeps the ids it has prepared in an LRU set of at most
 * max_prepared_statements; a Bind or Describe of a statement the server lacks is preceded by
 * an injected Parse (and, when the set is full, a Close of the least recently used one).
 *
 * Every message forwarded to such a server pushes what its reply will be onto the server's
 * reply queue, so that replies to injected messages are swallowed and replies to messages
 * the proxy answers itself (a Parse the server already has, a Close) are written in place.
 * After an ErrorResponse the queue is unwound up to the Sync, undoing what the skipped
 * messages would have done, exactly as PostgreSQL skips them.
 */
#ifndef MYRMEX_POOL_PREPARED_H
#define MYRMEX_POOL_PREPARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct client;
struct server;

/* Prefix of the server-side statement names the proxy creates. */
#define PS_NAME_PREFIX "myrmex_"

struct pool;

/* Whether the pool's clients keep their statement names in the proxy (transaction or
 * statement pooling with max_prepared_statements > 0). */
bool ps_pool_enabled(const struct pool *p);

/*
 * A client with no server sent Parse and Sync: when a server of the pool already accepted
 * that statement (same text, types and search_path), answer here without taking a server
 * (drivers that prepare synchronously would otherwise wait for one). true when answered.
 */
bool ps_parse_locally(struct client *c);

/*
 * Forward one client message (type, len as in its header) to the attached server, rewriting
 * statement names and injecting what the server lacks. msg holds the first `have` bytes of
 * the message (header included); a Parse is always whole. Consumes the message from the
 * client's input (or sets c->fwd_left for the rest of a long one). A message refused here
 * gets its ErrorResponse in place and the client's input is skipped up to Sync.
 * false when the client was closed.
 */
bool ps_forward(struct client *c, uint8_t type, const uint8_t *msg, size_t have, uint32_t len,
                size_t avail);

/* Whether the server's reply type needs ps_on_reply (always a whole message). */
bool ps_reply_tracked(uint8_t type);
/*
 * A whole reply message from the server (msg holds len + 1 bytes; it is still in the
 * server's input). Moves it to the client, drops it or writes a replacement, and pops the
 * reply queue. A 'Z' for the client is left in the input for the caller (the ReadyForQuery
 * path); PS_REPLY_SWALLOWED: it answered a Sync of the proxy's own and was consumed.
 * PS_REPLY_DESYNC: a reply the queue did not expect (the caller closes the server).
 */
enum { PS_REPLY_OK = 0, PS_REPLY_DESYNC, PS_REPLY_SWALLOWED };
int ps_on_reply(struct server *s, struct client *c, uint8_t type, const uint8_t *msg, uint32_t len);
/* A reset query ran (or will run) on the server outside the mapping: forget its statements. */
void ps_server_forget(struct server *s, const char *sql);
/* A client was attached to s (after its SETs were queued when injected). */
void ps_server_attached(struct server *s, bool injected);
/* Write the replies the proxy owes in place at the head of the queue. */
void ps_emit_owed(struct server *s, struct client *c);
/* Whether the server has no reply outstanding in its queue. */
bool ps_server_settled(const struct server *s);
/* Whether the server's prepared statements are no longer known (it must not be shared). */
bool ps_server_unknown(const struct server *s);

void ps_client_free(struct client *c);
void ps_server_free(struct server *s);
/* Free the shared registry (at exit). */
void ps_registry_free(void);

/* Split a query into its statements and classify them (for the console and tests). */
enum ps_sql_kind {
    PS_SQL_OTHER = 0,
    PS_SQL_PREPARE,        /* PREPARE name AS ... */
    PS_SQL_EXECUTE,        /* EXECUTE name */
    PS_SQL_DEALLOCATE,     /* DEALLOCATE [PREPARE] name */
    PS_SQL_DEALLOCATE_ALL, /* DEALLOCATE [PREPARE] ALL */
    PS_SQL_DISCARD_ALL,    /* DISCARD ALL */
    PS_SQL_MULTI_MIXED,    /* several statements, one of them one of the above */
};
/* Kind of sql (len bytes); for PS_SQL_DEALLOCATE the name (unquoted, case-folded as
 * PostgreSQL folds identifiers) goes into name. */
enum ps_sql_kind ps_sql_classify(const char *sql, size_t len, char *name, size_t cap);
/* Whether sql starts with COMMIT, ROLLBACK or their kin, which PostgreSQL parses even in a
 * failed transaction (src/pool/prepared_sql.c). */
bool ps_sql_tx_exit(const char *sql, size_t len);

#endif
