/*
 * Internals shared by functions.c (registration, strings, patterns, arithmetic) and
 * functions_cast.c (casts and date/time): error reporting and timestamp parsing/formatting.
 */
#ifndef MYRMEX_SQL_FUNCTIONS_INT_H
#define MYRMEX_SQL_FUNCTIONS_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

/* sqlite3_result_error with "[sqlstate] message". */
void fn_error(sqlite3_context *cx, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* sqlite3_result_double, except that NaN (which SQLite turns into NULL) is returned as the
 * text 'NaN', the form parameters bind it in and the output functions print. */
void fn_result_double(sqlite3_context *cx, double d);

/* A broken-down timestamp; usec is 0..999999; tz_sec is the offset east of UTC. */
struct fn_tm {
    int year, mon, mday, hour, min, sec, usec;
    bool has_time, has_tz;
    int tz_sec;
};

int64_t fn_days_from_civil(int y, int m, int d);
void fn_civil_from_days(int64_t z, int *y, int *m, int *d);
/* Microseconds since the epoch of tm interpreted as UTC (after removing tz_sec). */
int64_t fn_tm_to_us(const struct fn_tm *tm);
void fn_us_to_tm(int64_t us, struct fn_tm *tm);
/* Parse PostgreSQL date/timestamp input. 0 ok, 1 syntax error, 2 field out of range. */
int fn_parse_timestamp(const char *s, struct fn_tm *tm, int64_t now_us);
/* 'YYYY-MM-DD HH:MM:SS[.ffffff]' (+ "+00" when with_tz); out needs 40 bytes. */
void fn_format_timestamp(const struct fn_tm *tm, bool with_tz, char *out, size_t cap);
int64_t fn_now_us(void);
/* The session TimeZone's wall clock at a UTC instant (both Unix microseconds). */
int64_t fn_utc_to_local(sqlite3_context *cx, int64_t utc_us);

void fn_cast(sqlite3_context *cx, int argc, sqlite3_value **argv);
void fn_assign(sqlite3_context *cx, int argc, sqlite3_value **argv);
void fn_coltext(sqlite3_context *cx, int argc, sqlite3_value **argv);
void fn_colnumeric(sqlite3_context *cx, int argc, sqlite3_value **argv);
void fn_date_trunc(sqlite3_context *cx, int argc, sqlite3_value **argv);
void fn_extract(sqlite3_context *cx, int argc, sqlite3_value **argv);
void fn_date_part(sqlite3_context *cx, int argc, sqlite3_value **argv);
void fn_ts_add(sqlite3_context *cx, int argc, sqlite3_value **argv);

/* functions_num.c: pg_numeric_div, pg_avg, pg_power, set_config. */
struct sql_fn_context;
bool fn_num_register(sqlite3 *db, struct sql_fn_context *ctx);

#endif
