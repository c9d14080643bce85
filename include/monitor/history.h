/*
 * The query history: per-minute aggregates of the monitor in the proxy's own SQLite state
 * database (state_dir/myrmex-state.db, or in memory when state_dir is empty), kept
 * monitor_history_days. Written by the monitor thread once a minute; read by SHOW QUERY
 * HISTORY and the dashboard from any thread (one connection behind a mutex).
 */
#ifndef MYRMEX_MONITOR_HISTORY_H
#define MYRMEX_MONITOR_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/monitor.h"

/* One minute of one (database, user, fingerprint); fp 0 with user "" is the database's total
 * over all its statements. */
struct mon_minute {
    int64_t minute; /* unix seconds at the start of the minute */
    char db[MON_NAME_MAX], user[MON_NAME_MAX];
    uint64_t fp;
    uint64_t calls, errors, rows;
    double total_ms, wait_ms, max_ms, p50_ms, p95_ms, p99_ms;
};

/* Open (creating the directory, mode 0700, and the schema); false with err filled. */
bool history_open(const char *state_dir, int keep_days, char *err, size_t errlen);
void history_set_keep_days(int keep_days);
void history_close(void);
/* Store one minute's rows in one transaction, then delete rows older than keep_days. */
bool history_append(const struct mon_minute *rows, int n);
/* Rows of fp (0: the database totals) with minute >= since (unix s), oldest first; db NULL
 * for every database. Returns the count (free *out), -1 on error. */
int history_query(uint64_t fp, const char *db, int64_t since, struct mon_minute **out);

#endif
