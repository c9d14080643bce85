/*
 * Inside the migration engine: one connection to the target database, which the engine
 * drives with plain SQL texts. PostgreSQL: a libpq connection of its own (never a pooled
 * one), so a session-level advisory lock lives exactly as long as the run. SQLite: an
 * embedded SQLite session (sqlite_server_open) spoken to over its socketpair with the simple
 * query protocol, so PostgreSQL-dialect SQL is translated exactly as a client's would be.
 */
#ifndef MYRMEX_MIGRATE_MIGRATE_INT_H
#define MYRMEX_MIGRATE_MIGRATE_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "migrate/migrate.h"

/* The outcome of one SQL text (the last statement's result when it holds several). */
struct mig_res {
    bool ok;           /* no ErrorResponse */
    char sqlstate[6];  /* when !ok */
    char *message;     /* when !ok */
    char *detail;      /* or NULL */
    char *hint;        /* or NULL */
    int position;      /* 1-based character of the error in the text, 0: none */
    char *tag;         /* CommandComplete's tag, or NULL */
    int n_cols;
    char **names;      /* n_cols */
    size_t n_rows;
    char **cells;      /* n_rows * n_cols, text, NULL for SQL NULL */
};
void mig_res_clear(struct mig_res *r);
/* The cell (row, col), or NULL. */
const char *mig_res_get(const struct mig_res *r, size_t row, int col);

struct mig_conn;

/*
 * Connect to t. PostgreSQL: host/port/dbname/user/password with application_name
 * "myrmex-migrate" (the runner's lock report reads it); SQLite: a session on t->sqlite_path
 * (the proxy's configuration must be set, proxy_config(), for busy timeout and synchronous).
 * NULL with the reason in err.
 */
struct mig_conn *mig_connect(const struct mig_target *t, const char *application_name, char *err,
                             size_t errlen);
/*
 * Run sql. Returns false only when the connection is lost or broken (res->message says
 * why); an SQL error returns true with res->ok false. NOTICEs go to the notice callback.
 */
bool mig_exec(struct mig_conn *c, const char *sql, struct mig_res *res);
/* SQLite only: run sql as SQLite's own SQL, untranslated, inside the session's open
 * transaction if there is one. */
bool mig_exec_native(struct mig_conn *c, const char *sql, struct mig_res *res);
/*
 * Run n texts in order (native[i]: SQLite's own SQL; native may be NULL), res[i] for each
 * (cleared by the caller). They run whatever the earlier ones did, so use it only where an
 * error makes the rest harmless (inside a transaction block, which an error aborts). On SQLite
 * they go in one write when small enough. false when the connection was lost.
 */
bool mig_exec_pipeline(struct mig_conn *c, size_t n, const char *const *sql, const bool *native,
                       struct mig_res *res);
void mig_set_notice(struct mig_conn *c, void (*fn)(void *arg, const char *message), void *arg);
/* From another thread: interrupt the statement running on c (PQcancel / sqlite interrupt). */
void mig_interrupt(struct mig_conn *c);
void mig_disconnect(struct mig_conn *c);

/* The cancel watcher (migrate_lock.c): while a run is connected, a thread polls h->cancelled
 * and interrupts the running statement once. start does nothing without that hook. */
struct mig_watch {
    struct mig_conn *conn;
    const struct mig_hooks *h;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop, started;
    pthread_t thread;
};
void mig_watch_start(struct mig_watch *w, struct mig_conn *conn, const struct mig_hooks *h);
void mig_watch_stop(struct mig_watch *w);

#endif
