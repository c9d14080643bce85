/*
 * The SQL functions the translator's output calls (pg_cast, pg_like, pg_regex, pg_now, ...),
 * registered on each SQLite handle of the embedded backend. Errors are reported through
 * sqlite3_result_error with a message that starts with the SQLSTATE in brackets, e.g.
 * "[22P02] invalid input syntax for type integer: \"abc\"", for the backend to turn into an
 * ErrorResponse (sql_functions_error_sqlstate splits such a message).
 */
#ifndef MYRMEX_SQL_FUNCTIONS_H
#define MYRMEX_SQL_FUNCTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct sqlite3;

/* Per-handle context, owned by the backend and alive as long as the handle. */
struct sql_fn_context {
    int64_t xact_start_us; /* now(): transaction start, microseconds since the epoch (UTC);
                              the backend sets it at BEGIN or at statement start */
    /* current_setting(name): the session's value, or NULL when unknown (then 42704). */
    const char *(*get_setting)(void *arg, const char *name);
    void *get_setting_arg;
    /* set_config(name, value, is_local), with get_setting_arg: NULL when set, else the error
     * as "[SQLSTATE] message" (valid until the next call). */
    const char *(*set_setting)(void *arg, const char *name, const char *value, bool is_local);
};

/* Register every function on db; ctx must outlive db. false when SQLite refuses one. */
bool sql_functions_register(struct sqlite3 *db, struct sql_fn_context *ctx);

/*
 * Split "[XXXXX] message" into sqlstate (6 bytes with NUL) and a pointer to the message;
 * false (sqlstate untouched, *message = msg) when msg has no such prefix.
 */
bool sql_functions_error_sqlstate(const char *msg, char sqlstate[6], const char **message);

#endif
