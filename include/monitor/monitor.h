/*
 * The performance monitor (DESIGN.md section 5): every query timed per (database, user,
 * fingerprint), with its pool wait apart, on both backends.
 *
 * Hot path. Each client carries a mon_tap that watches the protocol both ways: the messages
 * it forwards to its server (mon_tap_frontend) and the replies forwarded back
 * (mon_tap_backend). A query's text is reduced to a shape hash in one pass (literals, comments
 * and whitespace do not count) and looked up in the recording thread's own cache of
 * fingerprints; only a shape never seen costs a parse (libpg_query's fingerprint, see
 * monitor/fingerprint.h). Each statement's time and outcome go into the thread's own table:
 * no lock, no shared cache line. The thread folds that table into the shared one (under
 * mon_lock) on its periodic tick (mon_thread_flush): workers every 100 ms, SQLite sessions
 * before they wait for the next message.
 *
 * Shared table: at most monitor_max_fingerprints (database, user, fingerprint) entries; a new
 * one evicts the least used. A background thread rolls the minute (history, alerts) once a
 * second.
 */
#ifndef MYRMEX_MONITOR_MONITOR_H
#define MYRMEX_MONITOR_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "monitor/hist.h"

#define MON_TAP_QUEUE 64 /* statements in flight per client followed (more: not timed) */
#define MON_NAME_MAX  64
#define MON_WHOLE_MAX (1u << 20) /* query texts longer are fingerprinted by a prefix */

/* A statement in flight: forwarded, its completion not yet seen. */
struct mon_inflight {
    uint64_t fp;       /* 0: followed for the order of replies only (nothing recorded) */
    int64_t sent_ns;   /* when its message was forwarded */
    int64_t wait_ns;   /* pool wait charged to it */
    uint32_t group;    /* the Query or Sync whose ReadyForQuery ends it */
    uint32_t text_ref; /* slow log: its text in the tap's ring (tap.c), 0 when none */
};

struct mon_names; /* statement and portal names -> fingerprints (monitor/tap.c) */
struct mon_texts; /* recent statement texts, for the slow log (monitor/tap.c) */

/*
 * What one client's traffic is followed with. Used by one thread at a time: the client's
 * worker, or the SQLite session its socket is lent to (the lease hands it over).
 */
struct mon_tap {
    int dbuser;       /* mon_dbuser() id, or -1 when the client is not followed */
    uint32_t head, n; /* ring of in-flight statements */
    struct mon_inflight q[MON_TAP_QUEUE];
    uint32_t send_group;       /* Query/Sync/FunctionCall messages forwarded */
    uint32_t recv_group;       /* ReadyForQuery replies seen */
    uint32_t drop_group;       /* dropping: the group the ring had no room for */
    uint32_t syncs_since_exec; /* Syncs since the last Query/Execute (COPY FROM STDIN) */
    bool dropping;
    bool exec_open;       /* a Query/Execute that may start COPY FROM STDIN, no CopyDone since */
    bool copy_in;         /* the client is sending CopyData: the server ignores its Syncs */
    int64_t last_done_ns; /* when the previous statement completed (pipelines) */
    int64_t pending_wait_ns;
    struct mon_names *names;
    struct mon_texts *texts;
    char app[MON_NAME_MAX];
    char addr[MON_NAME_MAX];
    int pid; /* the client's id, as the slow log's %p */
};

/* Start (options from cfg; the history in state_dir) and stop the monitor thread; free the
 * tables once no thread records any more. */
bool monitor_start(const struct config *cfg);
void monitor_stop(void);
void monitor_free(void);
/* A reload: thresholds, limits, on/off. */
void monitor_configure(const struct config *cfg);
/* monitor = on (relaxed load, any thread). */
bool monitor_enabled(void);
/* Whether the monitor reads a Bind's parameters (slow_query_log_parameters): the caller then
 * hands it the whole message. */
bool mon_wants_bind(void);

/* Follow a client of (db, user); addr and app for the slow log. */
void mon_tap_init(struct mon_tap *t, const char *db, const char *user, const char *addr, int pid);
void mon_tap_set_app(struct mon_tap *t, const char *app);
void mon_tap_fini(struct mon_tap *t);
/* A message forwarded to the server: body of len bytes (whole: all of it, else a prefix). */
void mon_tap_frontend(struct mon_tap *t, uint8_t type, const uint8_t *body, size_t len, bool whole);
/* A reply forwarded to the client (C, I, s, E, Z with its status byte; others are ignored). */
void mon_tap_backend(struct mon_tap *t, uint8_t type, const uint8_t *body, size_t len);
/* The client waited ns for a server: charged to its next statement. */
void mon_tap_waited(struct mon_tap *t, int64_t ns);
/* The server went away: what was in flight is dropped. */
void mon_tap_abort(struct mon_tap *t);

/* Fold this thread's counts into the shared table (cheap when there is nothing). */
void mon_thread_flush(void);
/* This thread records no more: flush and free its table. */
void mon_thread_exit(void);

/* One row of SHOW QUERIES: a (database, user, fingerprint) with its counts. Times in ms. */
struct mon_row {
    char db[MON_NAME_MAX], user[MON_NAME_MAX];
    uint64_t fp;
    char *query; /* normalized text ($n for literals) */
    uint64_t calls, errors, rows;
    double total_ms, min_ms, max_ms, mean_ms, stddev_ms, wait_ms;
    double p50_ms, p95_ms, p99_ms, p999_ms;
    int64_t first_seen, last_seen; /* unix ms */
    struct hist hist;
};
/* The shared table now (after folding every thread's counts that are due): db NULL for all.
 * Returns the count; free with mon_rows_free. -1 when out of memory. */
int mon_snapshot(struct mon_row **rows, const char *db);
void mon_rows_free(struct mon_row *rows, int n);
/* Forget one fingerprint (fp) or everything (fp 0, all 0). Returns the entries removed. */
int mon_reset(uint64_t fp);
/* "1a2b..." (16 hex digits) <-> fingerprint; false when s is not one. */
void mon_fp_format(uint64_t fp, char out[17]);
bool mon_fp_parse(const char *s, uint64_t *fp);

/* The recent past of each database in memory (last hour, one point per MON_POINT_SECONDS):
 * what the dashboard charts. The point being filled is included. */
#define MON_POINT_SECONDS 5
struct mon_point {
    int64_t t; /* unix s at the start of the interval */
    char db[MON_NAME_MAX];
    uint64_t calls, errors;
    double total_ms, wait_ms, p50_ms, p95_ms, p99_ms;
};
/* Points with t >= since, oldest first, db NULL for all; free *out. -1 when out of memory. */
int mon_recent(struct mon_point **out, const char *db, int64_t since);

/* Slow queries (slow_query_threshold), newest first. */
struct mon_slow {
    int64_t at; /* unix ms */
    char db[MON_NAME_MAX], user[MON_NAME_MAX], app[MON_NAME_MAX], addr[MON_NAME_MAX];
    uint64_t fp;
    double ms, wait_ms;
    char sqlstate[6]; /* "" when it succeeded */
    char *text;
    char *params; /* "$1 = '42', ..." when slow_query_log_parameters is on, else NULL */
};
int mon_slow_list(struct mon_slow **out, const char *db, int limit);
void mon_slow_free(struct mon_slow *s, int n);

/* Alerts: raised and cleared by the monitor thread (and by other parts: backups, migrations). */
enum mon_severity { MON_WARNING = 0, MON_CRITICAL };
struct mon_alert {
    char key[160]; /* what identifies it: "pool_wait:db/user", "p99:db/user/fp", ... */
    char name[32]; /* pool_wait, p99, error_rate, backend_down, ... */
    enum mon_severity severity;
    char db[MON_NAME_MAX];
    char message[256];
    char suggestion[256];
    double value, threshold;
    int64_t since; /* unix ms */
};
/* Raise (or update) the alert with a's key; logged once when it is new. */
void mon_alert_raise(const struct mon_alert *a);
/* Clear the alert of key (logged when it was raised). */
void mon_alert_clear(const char *key);
int mon_alert_list(struct mon_alert **out);
const char *mon_severity_name(enum mon_severity s);

#endif
