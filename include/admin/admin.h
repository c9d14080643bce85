/*
 * The admin console: the virtual database "myrmex". A client that logs in to it is served by a
 * console session instead of a pool's backend: like an SQLite session, one thread per
 * connection speaks the v3 protocol on the far end of a socketpair, so the pool, client and
 * forwarding code treat it as a server, and the event loops never wait for a console command.
 */
#ifndef MYRMEX_ADMIN_ADMIN_H
#define MYRMEX_ADMIN_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct db_config;

#define ADMIN_DBNAME "myrmex"

enum admin_role {
    ADMIN_ROLE_NONE = 0, /* neither admin_users nor stats_users: refused at login (28000) */
    ADMIN_ROLE_STATS,    /* stats_users: SHOW commands only */
    ADMIN_ROLE_ADMIN,    /* admin_users: every command */
};

/* The [databases]-like entry of the console (static; never freed, never reloaded). */
const struct db_config *admin_db(void);
/* Whether name is the console's database. */
bool admin_is_db(const char *name);
/* What user may do on the console under cfg. */
enum admin_role admin_role_of(const struct config *cfg, const char *user);

/* One pool's connections, counted as SHOW POOLS counts them. */
struct admin_pool_count {
    char database[64], user[64];
    const char *mode; /* "session", "transaction" or "statement" (static) */
    int cl_active, cl_waiting;
    int sv_active, sv_idle, sv_used, sv_tested, sv_login;
    int n_servers;      /* the pool's server connections, as SHOW DATABASES counts them */
    int64_t maxwait_us; /* the longest wait of a waiting client */
};
/*
 * Every pool now (what SHOW POOLS lists, for /metrics and /dashboard), from a snapshot of the
 * workers' connections: it asks each worker and waits for its answer, so it runs on a thread
 * that may block, never on an event loop. *complete is false when a worker did not answer
 * (it is stopping) and its connections are missing. Returns the count; free *out.
 */
int admin_pool_counts(struct admin_pool_count **out, bool *complete);

/*
 * Start a console session on a new socketpair; *fd_out is the proxy's end (non-blocking,
 * close-on-exec). false with err when the thread or socketpair cannot be made.
 */
bool admin_server_open(int *fd_out, char *err, size_t errlen);
/* Wait up to timeout_ms for every console session to end (their sockets are closed first). */
void admin_server_shutdown(int timeout_ms);

/* migrate_on_start: queue the job that applies every database's pending migrations (true
 * when off). */
bool admin_migrate_on_start(void);
/* false while migrate_on_start's run goes on or after it failed, with why (for /readyz). */
bool admin_migrate_ready(char *why, size_t whylen);

#endif
