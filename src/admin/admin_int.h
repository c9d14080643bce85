/*
 * Private to src/admin/: the result of one console command (admin_result.c), the commands
 * (admin_command.c, admin_show.c) and the snapshot of the proxy's connections they read
 * (admin_snap.c).
 */
#ifndef MYRMEX_ADMIN_ADMIN_INT_H
#define MYRMEX_ADMIN_ADMIN_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "admin/admin.h"
#include "config/config.h"
#include "wire/proto.h"

struct pool;

#define ADMIN_MAX_COLUMNS 32

/*
 * One command's answer. The RowDescription is kept apart from the rows so that a Describe of
 * the extended protocol can send it alone; an error replaces everything else.
 * Column types as PgBouncer's console sends them: 's' text, 'i' int4, 'q' int8, 'N' numeric
 * (a uint64_t: PgBouncer's counters), 'T' a timestamp as text (wall-clock milliseconds, 0 for
 * NULL); and myrmex's 'f' float8 (a double, three decimals: milliseconds to the microsecond;
 * NaN or infinity for NULL).
 */
struct admin_result {
    struct proto_builder notices; /* NoticeResponses */
    struct proto_builder desc;    /* the RowDescription, empty for a command without rows */
    struct proto_builder rows;    /* DataRows */
    char fmt[ADMIN_MAX_COLUMNS + 1];
    long n_rows;
    char tag[64]; /* CommandComplete */
    bool error;
    char sqlstate[6];
    char message[512];
};

void admin_result_init(struct admin_result *r);
void admin_result_fini(struct admin_result *r);
void admin_result_reset(struct admin_result *r);
/* Open a result set: one type letter per column in fmt, then the column names. */
void admin_result_columns(struct admin_result *r, const char *fmt, ...);
/* The same with the column names in an array (one per letter of fmt). */
void admin_result_columns_v(struct admin_result *r, const char *fmt, const char *const *names);
/* One row, values in the types of the open result set (a NULL string is a NULL). */
void admin_result_row(struct admin_result *r, ...);
/* One row of text values (NULL is a NULL), one per column of the open result set. */
void admin_result_row_text(struct admin_result *r, const char *const *values);
void admin_result_notice(struct admin_result *r, const char *message, const char *detail);
void admin_result_tag(struct admin_result *r, const char *tag);
void admin_result_error(struct admin_result *r, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Who runs the commands of one console session, and how a long command (PAUSE, WAIT JOB,
 * WAIT_CLOSE, ...) talks to its client while it runs on the session's thread.
 */
struct admin_ctx {
    enum admin_role role;
    char user[64];
    void *session;
    /* Send a NoticeResponse to the client now (progress of a long command). */
    void (*notify)(void *session, const char *message, const char *detail);
    /* Whether the client has gone away: a waiting command stops waiting. */
    bool (*gone)(void *session);
};

struct admin_parse_cmd;

/* One console command: cmd is the parsed statement (verb, words), r its answer. */
typedef void (*admin_fn)(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                         struct admin_result *r);

/* Run one statement (admin_parse_next) into r. */
void admin_command_run(const struct admin_ctx *ctx, const char *stmt, struct admin_result *r);
/* Whether stmt only reads (SHOW): a Describe of a prepared statement may run it. */
bool admin_command_read_only(const char *stmt);
/* A notice now through ctx (nothing when the session has no client to tell). */
void admin_notify(const struct admin_ctx *ctx, const char *message, const char *detail);
/* "bad arguments" (42601) when cmd has more than max words after the verb; true if so. */
bool admin_too_many_words(const struct admin_parse_cmd *cmd, int max, struct admin_result *r);

/* Control commands (admin_control.c). */
/* Give clients waiting for a server one now (after a pause ends), not at the next janitor
 * round. */
void admin_kick(void);
void admin_cmd_pause(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                     struct admin_result *r);
void admin_cmd_resume(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r);
void admin_cmd_suspend(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                       struct admin_result *r);
void admin_cmd_disable(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                       struct admin_result *r);
void admin_cmd_enable(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r);
void admin_cmd_reconnect(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                         struct admin_result *r);
void admin_cmd_wait_close(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                          struct admin_result *r);
void admin_cmd_kill(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                    struct admin_result *r);
void admin_cmd_kill_client(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                           struct admin_result *r);
void admin_cmd_shutdown(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                        struct admin_result *r);
void admin_cmd_reload(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r);
void admin_cmd_set(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                   struct admin_result *r);

/* The SHOW commands that read the proxy's state (admin_show.c). */
void admin_show_databases(struct admin_result *r);
void admin_show_pools(struct admin_result *r);
void admin_show_clients(struct admin_result *r);
void admin_show_servers(struct admin_result *r);
void admin_show_users(struct admin_result *r);
void admin_show_lists(struct admin_result *r);
void admin_show_mem(struct admin_result *r);
/* Traffic statistics (admin_stats.c). */
void admin_show_stats(struct admin_result *r);
void admin_show_stats_totals(struct admin_result *r);
void admin_show_stats_averages(struct admin_result *r);
void admin_show_totals(struct admin_result *r);
void admin_show_prepared_statements(struct admin_result *r);

/* Migrations (admin_migrate.c). */
void admin_migrate(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                   struct admin_result *r);
void admin_show_migrations(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                           struct admin_result *r);

/* Backups (admin_backup.c). */
struct job;
struct backup_manifest;
/* Back up SQLite database `database` (file sqlite_path) into dir now, on job's thread (its
 * progress, its cancellation), holding the database's migration lock: BACKUP, and MIGRATE
 * with migrations_backup_before. false with sqlstate and err. */
bool admin_backup_sqlite_now(struct job *job, const char *database, const char *sqlite_path,
                             const char *dir, const char *label, bool gzip, int64_t lock_wait_ms,
                             const char *runner, struct backup_manifest *m, char *sqlstate,
                             char *err, size_t errlen);
void admin_backup(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                  struct admin_result *r);
void admin_show_backups(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                        struct admin_result *r);
void admin_verify_backup(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                         struct admin_result *r);
void admin_delete_backup(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                         struct admin_result *r);

/* Jobs (admin_jobs.c, admin_check.c). */
void admin_show_jobs(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                     struct admin_result *r);
void admin_wait_job(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                    struct admin_result *r);
void admin_cancel_job(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r);
void admin_check(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                 struct admin_result *r);
/* The answer to a command that queued job id: a NOTICE on how to follow it, and job_id. */
void admin_submitted(const struct admin_ctx *ctx, struct admin_result *r, int id);

/* The monitor (admin_monitor.c). */
void admin_show_queries(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                        struct admin_result *r);
void admin_show_query(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                      struct admin_result *r);
void admin_show_slow(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                     struct admin_result *r);
void admin_show_bottlenecks(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                            struct admin_result *r);
void admin_show_alerts(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                       struct admin_result *r);
void admin_cmd_reset(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                     struct admin_result *r);

/* ---- the snapshot (admin_snap.c) ---- */

/* Where a connection stands, in PgBouncer's list names. */
enum admin_sock_list {
    ADMIN_CL_LOGIN = 0, /* startup or authentication: not in a pool yet */
    ADMIN_CL_ACTIVE,    /* logged in, not waiting (with or without a server) */
    ADMIN_CL_WAITING,   /* waiting for a server */
    ADMIN_SV_ACTIVE,    /* attached to a client */
    ADMIN_SV_IDLE,      /* in the pool, ready */
    ADMIN_SV_USED,      /* in the pool, to be checked with server_check_query before reuse */
    ADMIN_SV_TESTED,    /* running the reset or check query */
    ADMIN_SV_LOGIN,     /* connecting or logging in */
};

/* One row of SHOW CLIENTS / SHOW SERVERS, copied on the thread that owns the connection. */
struct admin_sock {
    enum admin_sock_list list;
    const struct pool *pool; /* identity only (pools live until exit); NULL before login */
    int id;
    char user[64];
    char database[64];
    bool linked; /* a client with a server, or a server with a client */
    char addr[64];
    int port;
    char local_addr[64];
    int local_port;
    int64_t connect_wall_ms, request_wall_ms;
    int64_t wait_us;
    bool close_needed;
    char ptr[24], link[24];
    int remote_pid;
    char application_name[64];
};

/* One pool, copied under pool_lock. */
struct admin_pool {
    const struct pool *pool;
    char database[64];
    char user[64];
    enum pool_mode mode;
    int n_servers;
};

struct admin_snap {
    struct admin_sock *socks;
    size_t n_socks, cap_socks;
    struct admin_pool *pools;
    size_t n_pools, cap_pools;
    int workers_missed; /* workers that did not answer in time (stopping) */
};

/* Copy every worker's connections and every pool (see admin_snap.c on how, without races). */
void admin_snap_take(struct admin_snap *snap);
void admin_snap_fini(struct admin_snap *snap);
/* Wall-clock milliseconds of a now_ms() instant. */
int64_t admin_wall_ms(int64_t mono_ms);

#endif
