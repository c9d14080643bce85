/*
 * Session parameters tracked per client and per server so that, in transaction and
 * statement mode, a server attached to a client first gets the client's values with SET.
 */
#ifndef MYRMEX_POOL_PARAMS_H
#define MYRMEX_POOL_PARAMS_H

#include <stdbool.h>
#include <stddef.h>

enum param_id {
    PARAM_CLIENT_ENCODING = 0,
    PARAM_DATESTYLE,
    PARAM_TIMEZONE,
    PARAM_STANDARD_CONFORMING_STRINGS,
    PARAM_APPLICATION_NAME,
    PARAM_INTERVALSTYLE,
    PARAM_SEARCH_PATH,
    PARAM_EXTRA_FLOAT_DIGITS,
    PARAM_COUNT
};

struct params {
    char *v[PARAM_COUNT]; /* NULL: the server's default */
};

/* The id of a tracked parameter name (case-insensitive), or -1. */
int params_lookup(const char *name);
const char *params_name(int id);
/* Whether the server reports this parameter with ParameterStatus. */
bool params_reported(int id);
void params_set(struct params *p, int id, const char *value);
void params_copy(struct params *dst, const struct params *src);
void params_clear(struct params *p);
bool params_equal(const char *a, const char *b);

/*
 * Append to sql the SET / RESET statements that move a server from srv to want, updating
 * srv for the parameters the server does not report. Returns the number of statements.
 */
struct evbuffer;
int params_sync_sql(const struct params *want, struct params *srv, char *sql, size_t cap);

/*
 * Recognise a session-level "SET name = value" / "SET name TO value" / "RESET name" /
 * "RESET ALL" / "DISCARD ALL" for an unreported tracked parameter in a simple query.
 * On a match, *id is the parameter (-1 for RESET ALL / DISCARD ALL) and value (cap bytes) holds
 * the value as written, or "" for a reset. Returns false when the text is not such a command.
 */
bool params_parse_set(const char *sql, size_t len, int *id, char *value, size_t cap);

/*
 * Whether sql might change an unreported tracked parameter for the session: a SET (not SET
 * LOCAL) or RESET of one, RESET ALL, DISCARD ALL, or set_config() naming one, in any of its
 * statements. A cheap scan that errs towards true.
 */
bool params_may_set_unreported(const char *sql, size_t len);

enum params_tx_end {
    PARAMS_TX_OTHER = 0,
    PARAMS_TX_COMMIT,   /* COMMIT / END [WORK|TRANSACTION] */
    PARAMS_TX_ROLLBACK, /* ROLLBACK / ABORT [WORK|TRANSACTION] */
    PARAMS_TX_SAVEPOINT /* ROLLBACK TO [SAVEPOINT] name */
};

/* How a single-statement query ends the open transaction, if it does. */
enum params_tx_end params_tx_end(const char *sql, size_t len);

#endif
