/* Private to src/monitor/: what the tap (tap.c) needs from the tables (monitor.c). */
#ifndef MYRMEX_MONITOR_MONITOR_INT_H
#define MYRMEX_MONITOR_MONITOR_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "monitor/monitor.h"

/* Monotonic nanoseconds. */
int64_t mon_clock_ns(void);
/* The id of (db, user), interned once per login (takes a lock); -1 when the table is full. */
int mon_dbuser(const char *db, const char *user);
/* Its names (valid for the life of the process). */
void mon_dbuser_names(int id, const char **db, const char **user);

/* The fingerprints of a query text's statements, through this thread's shape cache: returns
 * how many statements (up to max fingerprints into fps; 0 when it is empty). */
int mon_fingerprints(const char *text, size_t len, uint64_t *fps, int max);

/* One statement done, on this thread's table. */
void mon_record(int dbuser, uint64_t fp, int64_t dur_ns, int64_t wait_ns, uint64_t rows,
                bool error);

/* Slow statements: the threshold (0: off) and whether parameters are logged. */
int64_t mon_slow_threshold_ns(void);
bool mon_slow_parameters(void);
struct mon_slow_event {
    const struct mon_tap *tap;
    uint64_t fp;
    int64_t dur_ns, wait_ns;
    const char *sqlstate; /* NULL when it succeeded */
    const char *text;     /* NULL: not kept (the normalized text is used) */
    const char *params;   /* NULL: none */
    const char *portal;   /* extended protocol: the statement's name ("" unnamed), else NULL */
};
void mon_slow_add(const struct mon_slow_event *ev);

#endif
