/*
 * What an SQLite session does with each frontend message: settings (SET/SHOW/RESET and the
 * ParameterStatus set of PostgreSQL 15), transactions as PostgreSQL has them ('I'/'T'/'E',
 * deferred BEGIN upgraded to a write transaction by the first write), the simple query
 * protocol and the statement machinery the extended one (sqlite_extended.c) shares, result rows
 * in text and binary, and SQLite errors as SQLSTATEs.
 */
#include <ctype.h>
#include <event2/buffer.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "sqlite/session.h"
#include "util/log.h"
#include "util/util.h"

#define SQ_SERVER_VERSION "15.0"

/* ---------------------------------------------------------------------------------------- */
/* Settings */

static const struct {
    const char *name;     /* lowercased */
    const char *reported; /* ParameterStatus name, or NULL when not reported */
    const char *value;
} sq_guc_defaults[] = {
    {"application_name", "application_name", ""},
    {"client_encoding", "client_encoding", "UTF8"},
    {"datestyle", "DateStyle", "ISO, MDY"},
    {"default_transaction_read_only", "default_transaction_read_only", "off"},
    {"in_hot_standby", "in_hot_standby", "off"},
    {"integer_datetimes", "integer_datetimes", "on"},
    {"intervalstyle", "IntervalStyle", "postgres"},
    {"is_superuser", "is_superuser", "on"},
    {"server_encoding", "server_encoding", "UTF8"},
    {"server_version", "server_version", SQ_SERVER_VERSION},
    {"session_authorization", "session_authorization", ""},
    {"standard_conforming_strings", "standard_conforming_strings", "on"},
    {"timezone", "TimeZone", "UTC"},
    {"extra_float_digits", NULL, "1"},
    {"search_path", NULL, "\"$user\", public"},
    {"statement_timeout", NULL, "0"},
    {"lock_timeout", NULL, "0"},
    {"idle_in_transaction_session_timeout", NULL, "0"},
    {"client_min_messages", NULL, "notice"},
    {"bytea_output", NULL, "hex"},
    {"transaction_isolation", NULL, "serializable"},
    {"default_transaction_isolation", NULL, "serializable"},
    {"server_version_num", NULL, "150000"},
    {"max_identifier_length", NULL, "63"},
};

static void sq_lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static struct sq_guc *sq_guc_find(struct sq_session *s, const char *name)
{
    for (int i = 0; i < s->n_gucs; i++)
        if (strcasecmp(s->gucs[i].name, name) == 0)
            return &s->gucs[i];
    return NULL;
}

static const char *sq_guc_default(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(sq_guc_defaults); i++)
        if (strcasecmp(sq_guc_defaults[i].name, name) == 0)
            return sq_guc_defaults[i].value;
    return NULL;
}

const char *sq_guc_reported(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(sq_guc_defaults); i++)
        if (strcasecmp(sq_guc_defaults[i].name, name) == 0)
            return sq_guc_defaults[i].reported;
    return NULL;
}

/* Apply the settings that change how values print. */
static void sq_guc_apply(struct sq_session *s)
{
    const char *v;
    pg_format_settings_default(&s->fs);
    if ((v = sq_guc_get(s, "extra_float_digits")) != NULL)
        s->fs.extra_float_digits = atoi(v);
    if ((v = sq_guc_get(s, "timezone")) != NULL)
        snprintf(s->fs.timezone, sizeof(s->fs.timezone), "%s", v);
    if ((v = sq_guc_get(s, "intervalstyle")) != NULL)
        snprintf(s->fs.intervalstyle, sizeof(s->fs.intervalstyle), "%s", v);
    s->statement_timeout_ms = sq_parse_ms(sq_guc_get(s, "statement_timeout"));
}

static bool sq_guc_store(struct sq_session *s, const char *name, const char *value)
{
    struct sq_guc *g = sq_guc_find(s, name);
    if (!g) {
        if (s->n_gucs == SQ_MAX_GUCS)
            return false;
        g = &s->gucs[s->n_gucs++];
        g->name = xstrdup(name);
        sq_lower(g->name);
    }
    str_replace(&g->value, value);
    if (sq_guc_reported(name))
        s->report_pending = true;
    return true;
}

void sq_guc_init(struct sq_session *s, const char *const *names, const char *const *values, int n)
{
    for (size_t i = 0; i < ARRAY_SIZE(sq_guc_defaults); i++)
        sq_guc_store(s, sq_guc_defaults[i].name, sq_guc_defaults[i].value);
    for (int i = 0; i < n; i++) {
        if (strcmp(names[i], "user") == 0) {
            sq_guc_store(s, "session_authorization", values[i]);
        } else if (strcmp(names[i], "database") == 0) {
            sq_guc_store(s, "myrmex.database", values[i]);
        } else if (strcmp(names[i], "options") == 0 || strcmp(names[i], "replication") == 0) {
            continue;
        } else {
            sq_guc_store(s, names[i], values[i]);
        }
    }
    sq_guc_apply(s);
    s->report_pending = false;
}

void sq_guc_fini(struct sq_session *s)
{
    for (int i = 0; i < s->n_gucs; i++) {
        free(s->gucs[i].name);
        free(s->gucs[i].value);
        free(s->gucs[i].saved);
    }
    s->n_gucs = 0;
}

const char *sq_guc_get(struct sq_session *s, const char *name)
{
    struct sq_guc *g = sq_guc_find(s, name);
    return g ? g->value : NULL;
}

void sq_send_startup_status(struct sq_session *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(sq_guc_defaults); i++)
        if (sq_guc_defaults[i].reported)
            proto_write_param_status(&s->out, sq_guc_defaults[i].reported,
                                     sq_guc_get(s, sq_guc_defaults[i].name));
}

/* ParameterStatus for every reported setting (sent before ReadyForQuery, as PostgreSQL does). */
void sq_report_settings(struct sq_session *s)
{
    if (!s->report_pending)
        return;
    sq_send_startup_status(s);
    s->report_pending = false;
}

/* Validate a value for the settings the backend itself interprets; NULL when fine. */
static const char *sq_guc_check(const char *name, const char *value, char *buf, size_t cap)
{
    if (strcasecmp(name, "client_encoding") == 0 && strcasecmp(value, "UTF8") != 0 &&
        strcasecmp(value, "UTF-8") != 0 && strcasecmp(value, "UNICODE") != 0) {
        snprintf(buf, cap,
                 "client_encoding \"%s\" is not supported on the SQLite backend "
                 "(only UTF8)",
                 value);
        return buf;
    }
    if (strcasecmp(name, "datestyle") == 0 && strncasecmp(value, "ISO", 3) != 0) {
        snprintf(buf, cap, "DateStyle \"%s\" is not supported on the SQLite backend (only ISO)",
                 value);
        return buf;
    }
    if (strcasecmp(name, "intervalstyle") == 0 && strcasecmp(value, "postgres") != 0 &&
        strcasecmp(value, "iso_8601") != 0) {
        snprintf(buf, cap,
                 "IntervalStyle \"%s\" is not supported on the SQLite backend (only postgres "
                 "and iso_8601)",
                 value);
        return buf;
    }
    if (strcasecmp(name, "standard_conforming_strings") == 0 && strcasecmp(value, "on") != 0) {
        snprintf(buf, cap, "standard_conforming_strings must be on on the SQLite backend");
        return buf;
    }
    if (strcasecmp(name, "bytea_output") == 0 && strcasecmp(value, "hex") != 0) {
        snprintf(buf, cap, "bytea_output \"%s\" is not supported on the SQLite backend (only hex)",
                 value);
        return buf;
    }
    return NULL;
}

static void sq_normalise_setting(const char *name, const char *in, char *out, size_t cap)
{
    snprintf(out, cap, "%s", in);
    if (strcasecmp(name, "client_encoding") == 0)
        snprintf(out, cap, "UTF8");
    else if (strcasecmp(name, "datestyle") == 0)
        snprintf(out, cap, "%s", strstr(in, "DMY") || strstr(in, "dmy") ? "ISO, DMY" : "ISO, MDY");
}

/* SET [LOCAL] name = value / TO DEFAULT; false after sending an error. */
static bool sq_set(struct sq_session *s, const struct sql_stmt *st)
{
    char buf[256], norm[256];
    const char *value = st->value ? st->value : sq_guc_default(st->name);
    const char *bad;
    struct sq_guc *g;

    if (strcasecmp(st->name, "server_version") == 0 ||
        strcasecmp(st->name, "server_encoding") == 0 || strcasecmp(st->name, "is_superuser") == 0 ||
        strcasecmp(st->name, "integer_datetimes") == 0) {
        sq_error(s, "55P02", 0, "parameter \"%s\" cannot be changed", st->name);
        return false;
    }
    if (!value)
        value = "";
    if ((bad = sq_guc_check(st->name, value, buf, sizeof(buf))) != NULL) {
        sq_error(s, "0A000", 0, "%s", bad);
        return false;
    }
    sq_normalise_setting(st->name, value, norm, sizeof(norm));
    g = sq_guc_find(s, st->name);
    if (st->is_local) {
        if (s->tx == 'I') {
            sq_report(s, "WARNING", "25P01", 0, NULL,
                      "SET LOCAL can only be used in transaction blocks");
            return true;
        }
        if (g && !g->local_set) {
            g->saved = g->value ? xstrdup(g->value) : NULL;
            g->local_set = true;
        } else if (!g) {
            if (!sq_guc_store(s, st->name, ""))
                goto full;
            g = sq_guc_find(s, st->name);
            g->saved = xstrdup("");
            g->local_set = true;
        }
    }
    if (!sq_guc_store(s, st->name, norm))
        goto full;
    sq_guc_apply(s);
    return true;
full:
    sq_error(s, "54000", 0, "too many settings in this session");
    return false;
}

/*
 * set_config(name, value, is_local) from SQL: SET without sending anything (the function's
 * caller reports the error). Returns NULL when done, else "[SQLSTATE] message".
 */
const char *sq_set_config(void *arg, const char *name, const char *value, bool is_local)
{
    static __thread char err[320];
    struct sq_session *s = arg;
    char buf[256], norm[256];
    const char *bad;
    struct sq_guc *g;

    if (strcasecmp(name, "server_version") == 0 || strcasecmp(name, "server_encoding") == 0 ||
        strcasecmp(name, "is_superuser") == 0 || strcasecmp(name, "integer_datetimes") == 0) {
        snprintf(err, sizeof(err), "[55P02] parameter \"%s\" cannot be changed", name);
        return err;
    }
    if ((bad = sq_guc_check(name, value, buf, sizeof(buf))) != NULL) {
        snprintf(err, sizeof(err), "[0A000] %s", bad);
        return err;
    }
    sq_normalise_setting(name, value, norm, sizeof(norm));
    if (is_local) {
        /* Outside a block the statement is its own transaction: nothing outlives it. */
        if (s->tx == 'I')
            return NULL;
        g = sq_guc_find(s, name);
        if (g && !g->local_set) {
            g->saved = g->value ? xstrdup(g->value) : NULL;
            g->local_set = true;
        } else if (!g) {
            if (!sq_guc_store(s, name, ""))
                goto full;
            g = sq_guc_find(s, name);
            g->saved = xstrdup("");
            g->local_set = true;
        }
    }
    if (!sq_guc_store(s, name, norm))
        goto full;
    sq_guc_apply(s);
    return NULL;
full:
    snprintf(err, sizeof(err), "[54000] too many settings in this session");
    return err;
}

/* End of a transaction block: SET LOCAL values go back. */
static void sq_guc_end_tx(struct sq_session *s)
{
    for (int i = 0; i < s->n_gucs; i++) {
        struct sq_guc *g = &s->gucs[i];
        if (!g->local_set)
            continue;
        str_replace(&g->value, g->saved);
        free(g->saved);
        g->saved = NULL;
        g->local_set = false;
        if (sq_guc_reported(g->name))
            s->report_pending = true;
    }
    sq_guc_apply(s);
}

void sq_reset(struct sq_session *s, const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(sq_guc_defaults); i++) {
        if (name && strcasecmp(name, sq_guc_defaults[i].name) != 0)
            continue;
        if (strcmp(sq_guc_defaults[i].name, "session_authorization") == 0 ||
            strcmp(sq_guc_defaults[i].name, "server_version") == 0)
            continue;
        sq_guc_store(s, sq_guc_defaults[i].name, sq_guc_defaults[i].value);
    }
    if (name && !sq_guc_default(name)) {
        struct sq_guc *g = sq_guc_find(s, name);
        if (g)
            str_replace(&g->value, "");
    }
    sq_guc_apply(s);
}

/* ---------------------------------------------------------------------------------------- */
/* Messages */

static void sq_vreport(struct sq_session *s, const char *severity, const char *sqlstate,
                       int position, const char *hint, const char *fmt, va_list ap)
{
    char msg[1024];
    struct proto_error e = {severity, sqlstate, msg, NULL, hint, position};
    vsnprintf(msg, sizeof(msg), fmt, ap);
    if (strcmp(severity, "ERROR") == 0 || strcmp(severity, "FATAL") == 0)
        proto_write_error(&s->out, &e);
    else
        proto_write_notice(&s->out, &e);
}

void sq_report(struct sq_session *s, const char *severity, const char *sqlstate, int position,
               const char *hint, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sq_vreport(s, severity, sqlstate, position, hint, fmt, ap);
    va_end(ap);
}

void sq_error(struct sq_session *s, const char *sqlstate, int position, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sq_vreport(s, "ERROR", sqlstate, position, NULL, fmt, ap);
    va_end(ap);
    s->errors++;
    if (s->tx == 'T')
        s->tx = 'E';
}

void sq_error_text(struct sq_session *s, const char *err, const char *fallback_state)
{
    char state[6];
    const char *text;
    if (err && sql_functions_error_sqlstate(err, state, &text))
        sq_error(s, state, 0, "%s", text);
    else
        sq_error(s, fallback_state, 0, "%s", err ? err : "invalid value");
}

/* Pull 'name' out of SQLite's "...: name" message tails. */
static const char *sq_after(const char *msg, const char *prefix, char *buf, size_t cap)
{
    const char *p = strstr(msg, prefix);
    if (!p)
        return NULL;
    snprintf(buf, cap, "%s", p + strlen(prefix));
    return buf;
}

void sq_error_sqlite(struct sq_session *s, int rc)
{
    const char *msg = sqlite3_errmsg(s->db);
    char name[256];

    if (s->begun && sqlite3_get_autocommit(s->db))
        s->begun = false; /* SQLite rolled the transaction back itself */
    {
        /* "[SQLSTATE] message" from our SQL functions and type conversions. */
        char state[6];
        const char *text;
        if (sql_functions_error_sqlstate(msg, state, &text)) {
            sq_error(s, state, 0, "%s", text);
            return;
        }
    }
    switch (rc) {
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        sq_error(s, "23505", 0, "duplicate key value violates unique constraint (%s)", msg);
        return;
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        sq_error(s, "23503", 0, "insert or update violates foreign key constraint (%s)", msg);
        return;
    case SQLITE_CONSTRAINT_NOTNULL:
        sq_error(s, "23502", 0, "null value violates not-null constraint (%s)", msg);
        return;
    case SQLITE_CONSTRAINT_CHECK: {
        /* The translator enforces varchar(n)/char(n) with CHECKs named varchar_length_<n>. */
        const char *v = strstr(msg, "varchar_length_");
        if (v) {
            sq_error(s, "22001", 0, "value too long for type character varying(%d)",
                     atoi(v + strlen("varchar_length_")));
            return;
        }
        if ((v = strstr(msg, "char_length_")) != NULL) {
            sq_error(s, "22001", 0, "value too long for type character(%d)",
                     atoi(v + strlen("char_length_")));
            return;
        }
        sq_error(s, "23514", 0, "new row violates check constraint (%s)", msg);
        return;
    }
    case SQLITE_BUSY_SNAPSHOT:
        sq_error(s, "40001", 0, "could not serialize access due to concurrent update");
        return;
    case SQLITE_BUSY:
        if (__atomic_load_n(&s->cancel_pending, __ATOMIC_ACQUIRE)) {
            sq_error(s, "57014", 0, "canceling statement due to user request");
            return;
        }
        if (s->timed_out) {
            sq_error(s, "57014", 0, "canceling statement due to statement timeout");
            return;
        }
        /* A block that began by reading cannot take the write lock while another writer has
         * it: SQLite gives up at once (waiting could deadlock), so it is a serialization
         * failure the client retries, as PostgreSQL's SERIALIZABLE would report it. */
        if (s->begun && !sqlite3_get_autocommit(s->db)) {
            sq_error(s, "40001", 0, "could not serialize access due to concurrent update");
            return;
        }
        /* fall through */
    case SQLITE_BUSY_TIMEOUT:
    case SQLITE_LOCKED:
        sq_error(s, "55P03", 0, "could not obtain lock: the database is locked by another writer");
        return;
    case SQLITE_FULL:
        sq_error(s, "53100", 0, "could not extend the database: disk full");
        return;
    case SQLITE_INTERRUPT:
        sq_error(s, "57014", 0, "canceling statement due to %s",
                 s->timed_out ? "statement timeout" : "user request");
        return;
    case SQLITE_READONLY:
        sq_error(s, "25006", 0, "cannot execute the statement: %s", msg);
        return;
    default:
        break;
    }
    if (sq_after(msg, "no such table: ", name, sizeof(name)))
        sq_error(s, "42P01", 0, "relation \"%s\" does not exist", name);
    else if (sq_after(msg, "no such column: ", name, sizeof(name)))
        sq_error(s, "42703", 0, "column \"%s\" does not exist", name);
    else if (sq_after(msg, "no such function: ", name, sizeof(name)))
        sq_error(s, "42883", 0, "function %s does not exist", name);
    else if (strstr(msg, " has no column named "))
        sq_error(s, "42703", 0, "%s", msg);
    else if (sq_after(msg, "ambiguous column name: ", name, sizeof(name)))
        sq_error(s, "42702", 0, "column reference \"%s\" is ambiguous", name);
    else if (sq_after(msg, "no such index: ", name, sizeof(name)))
        sq_error(s, "42704", 0, "index \"%s\" does not exist", name);
    else if (sq_after(msg, "no such view: ", name, sizeof(name)))
        sq_error(s, "42P01", 0, "view \"%s\" does not exist", name);
    else if (strstr(msg, "wrong number of arguments to function"))
        sq_error(s, "42883", 0, "%s", msg);
    else if (strstr(msg, "misuse of aggregate") || strstr(msg, "misuse of window function"))
        sq_error(s, "42803", 0, "%s", msg);
    else if (strstr(msg, "values were supplied") || strstr(msg, "VALUES must have the same"))
        sq_error(s, "42601", 0, "%s", msg);
    else if (sq_after(msg, "no such savepoint: ", name, sizeof(name)))
        sq_error(s, "3B001", 0, "savepoint \"%s\" does not exist", name);
    else if (strstr(msg, "already exists"))
        sq_error(s, "42P07", 0, "%s", msg);
    else if (strstr(msg, "syntax error"))
        sq_error(s, "42601", 0, "%s", msg);
    else
        sq_error(s, "XX000", 0, "%s", msg);
}

/* ---------------------------------------------------------------------------------------- */
/* Transactions */

int64_t sq_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

static bool sq_exec_simple(struct sq_session *s, const char *sql)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    return true;
}

/* Inside a transaction block, open SQLite's transaction on the first statement. */
bool sq_ensure_begun(struct sq_session *s, bool writes)
{
    if (s->tx != 'T' || s->begun)
        return true;
    if (!sq_exec_simple(s, writes ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED"))
        return false;
    s->begun = true;
    return true;
}

void sq_end_block(struct sq_session *s, bool commit)
{
    if (s->begun && !sqlite3_get_autocommit(s->db)) {
        if (commit) {
            if (!sq_exec_simple(s, "COMMIT")) {
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
                s->begun = false;
                s->tx = 'I';
                sq_guc_end_tx(s);
                return;
            }
        } else {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        }
    }
    s->begun = false;
    s->tx = 'I';
    sq_guc_end_tx(s);
}

static void sq_complete(struct sq_session *s, const char *tag)
{
    proto_begin(&s->out, 'C');
    proto_put_str(&s->out, tag);
    proto_end(&s->out);
}

static char *sq_quote_ident(const char *name, char *buf, size_t cap)
{
    size_t n = 0;
    buf[n++] = '"';
    for (; *name && n + 3 < cap; name++) {
        if (*name == '"')
            buf[n++] = '"';
        buf[n++] = *name;
    }
    buf[n++] = '"';
    buf[n] = '\0';
    return buf;
}

/* ---------------------------------------------------------------------------------------- */
/* Rows */

/*
 * A rowid column is declared INTEGER, which SQLite reports in upper case whatever the
 * spelling; the CREATE TABLE text keeps the translator's spelling of the PostgreSQL width
 * (src/sql/translate_ddl.c: "integer" serial/int4, "Integer" smallserial, "INTEGER" int8).
 */
static uint32_t sq_rowid_type(sqlite3 *db, const char *table, const char *col)
{
    sqlite3_stmt *st = NULL;
    uint32_t oid = PGOID_INT8;
    char needle[300];
    if (!table || !col ||
        sqlite3_prepare_v2(db, "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return oid;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
        const char *sql = (const char *)sqlite3_column_text(st, 0);
        snprintf(needle, sizeof(needle), "\"%s\" integer PRIMARY KEY", col);
        if (strstr(sql, needle))
            oid = PGOID_INT4;
        snprintf(needle, sizeof(needle), "\"%s\" Integer PRIMARY KEY", col);
        if (strstr(sql, needle))
            oid = PGOID_INT2;
    }
    sqlite3_finalize(st);
    return oid;
}

/*
 * The type of a result column computed from a table column (sql_column.derive): that column's
 * declared type, as PostgreSQL's operator or aggregate would turn it. 0 when unknown.
 */
static uint32_t sq_origin_type(sqlite3 *db, const struct sql_column *c, int32_t *mod);

static bool sq_int_oid(uint32_t o)
{
    return o == PGOID_INT2 || o == PGOID_INT4 || o == PGOID_INT8;
}

static bool sq_number_oid(uint32_t o)
{
    return sq_int_oid(o) || o == PGOID_NUMERIC || o == PGOID_FLOAT4 || o == PGOID_FLOAT8;
}

/* The type of + - * / % on two number types, as PostgreSQL's operators resolve. */
static uint32_t sq_arith_type(uint32_t a, uint32_t b)
{
    if (a == PGOID_FLOAT4 && b == PGOID_FLOAT4)
        return PGOID_FLOAT4;
    if (a == PGOID_FLOAT4 || a == PGOID_FLOAT8 || b == PGOID_FLOAT4 || b == PGOID_FLOAT8)
        return PGOID_FLOAT8;
    if (a == PGOID_NUMERIC || b == PGOID_NUMERIC)
        return PGOID_NUMERIC;
    if (a == PGOID_INT8 || b == PGOID_INT8)
        return PGOID_INT8;
    return a == PGOID_INT2 && b == PGOID_INT2 ? PGOID_INT2 : PGOID_INT4;
}

/* col op col2 (ADD2 / MUL2): PostgreSQL's operator on the two declared types. */
static uint32_t sq_origin2_type(sqlite3 *db, const struct sql_column *c, int32_t *mod)
{
    struct sql_column a = *c, b = *c;
    int32_t ma = -1, mb = -1;
    a.derive = b.derive = SQL_DERIVE_SAME;
    b.origin_rel = c->origin2_rel;
    b.origin_col = c->origin2_col;
    uint32_t ta = sq_origin_type(db, &a, &ma), tb = sq_origin_type(db, &b, &mb);
    *mod = -1;
    if ((sq_int_oid(ta) || ta == PGOID_FLOAT4 || ta == PGOID_FLOAT8 || ta == PGOID_NUMERIC) &&
        (sq_int_oid(tb) || tb == PGOID_FLOAT4 || tb == PGOID_FLOAT8 || tb == PGOID_NUMERIC)) {
        if (ta == PGOID_FLOAT8 || tb == PGOID_FLOAT8 || ta == PGOID_FLOAT4 || tb == PGOID_FLOAT4)
            return ta == PGOID_FLOAT4 && tb == PGOID_FLOAT4 ? PGOID_FLOAT4 : PGOID_FLOAT8;
        if (sq_int_oid(ta) && sq_int_oid(tb))
            return ta == PGOID_INT8 || tb == PGOID_INT8   ? PGOID_INT8
                   : ta == PGOID_INT2 && tb == PGOID_INT2 ? PGOID_INT2
                                                          : PGOID_INT4;
        /* numeric: an unconstrained operand's scale is its value's, unknown here. */
        if ((ta == PGOID_NUMERIC && ma < 4) || (tb == PGOID_NUMERIC && mb < 4))
            return PGOID_NUMERIC;
        int sa = ta == PGOID_NUMERIC ? (ma - 4) & 0xffff : 0;
        int sb = tb == PGOID_NUMERIC ? (mb - 4) & 0xffff : 0;
        int sc = c->derive == SQL_DERIVE_MUL2 ? sa + sb : (sa > sb ? sa : sb);
        *mod = (int32_t)(((1000 << 16) | (sc > 1000 ? 1000 : sc)) + 4);
        return PGOID_NUMERIC;
    }
    return 0;
}

static uint32_t sq_origin_type(sqlite3 *db, const struct sql_column *c, int32_t *mod)
{
    const char *decl = NULL;
    uint32_t oid;
    if (c->derive == SQL_DERIVE_ADD2 || c->derive == SQL_DERIVE_MUL2)
        return sq_origin2_type(db, c, mod);
    if (!c->origin_rel || sqlite3_table_column_metadata(db, NULL, c->origin_rel, c->origin_col,
                                                        &decl, NULL, NULL, NULL, NULL) != SQLITE_OK)
        return 0;
    oid = pgtype_from_decltype(decl, mod);
    if (decl && strcmp(decl, "INTEGER") == 0)
        oid = sq_rowid_type(db, c->origin_rel, c->origin_col);
    switch (c->derive) {
    case SQL_DERIVE_WIDEN:
        return oid == PGOID_INT2 ? PGOID_INT4 : oid;
    case SQL_DERIVE_ADDNUM:
    case SQL_DERIVE_MULNUM: {
        /* numeric scale rules of + - and *: the larger scale, or their sum. */
        int cs = c->typmod >= 4 ? (c->typmod - 4) & 0xffff : 0;
        int s = oid == PGOID_NUMERIC && *mod >= 4 ? (*mod - 4) & 0xffff : 0;
        if (oid == PGOID_FLOAT4 || oid == PGOID_FLOAT8) {
            *mod = -1;
            return PGOID_FLOAT8;
        }
        if (oid != PGOID_INT2 && oid != PGOID_INT4 && oid != PGOID_INT8 && oid != PGOID_NUMERIC)
            return 0;
        if (oid == PGOID_NUMERIC && *mod < 4) {
            /* unconstrained numeric: pg_numeric_op's digits (col + 0.5 with a literal), else
             * the value's own */
            *mod = PGTYPMOD_NUMERIC_EXACT;
            return PGOID_NUMERIC;
        }
        s = c->derive == SQL_DERIVE_MULNUM ? s + cs : (s > cs ? s : cs);
        *mod = (int32_t)(((1000 << 16) | (s > 1000 ? 1000 : s)) + 4);
        return PGOID_NUMERIC;
    }
    case SQL_DERIVE_PARAM:
        *mod = -1; /* a numeric has the value's own digits */
        if (!sq_number_oid(oid))
            return 0;
        /* The parameter has the column's type, unless the client named another. */
        return sq_number_oid(c->param_type) ? sq_arith_type(oid, c->param_type) : oid;
    case SQL_DERIVE_TIMESTAMP:
        *mod = -1;
        return oid == PGOID_DATE ? PGOID_TIMESTAMP : oid;
    case SQL_DERIVE_TRUNC:
        *mod = -1;
        return oid == PGOID_DATE ? PGOID_TIMESTAMPTZ : oid;
    case SQL_DERIVE_DIVIDE:
        if (oid == PGOID_NUMERIC)
            *mod = -1;
        return oid == PGOID_INT2 ? PGOID_INT4 : oid;
    case SQL_DERIVE_SUM:
        if (oid == PGOID_INT2 || oid == PGOID_INT4)
            return PGOID_INT8;
        if (oid == PGOID_INT8)
            *mod = -1;
        return oid == PGOID_INT8 || oid == PGOID_NUMERIC    ? PGOID_NUMERIC
               : oid == PGOID_FLOAT4 || oid == PGOID_FLOAT8 ? oid
                                                            : 0;
    case SQL_DERIVE_AVG:
        *mod = PGTYPMOD_NUMERIC_EXACT; /* pg_avg's exact digits */
        if (oid == PGOID_FLOAT4 || oid == PGOID_FLOAT8)
            return PGOID_FLOAT8;
        return oid == PGOID_INT2 || oid == PGOID_INT4 || oid == PGOID_INT8 || oid == PGOID_NUMERIC
                   ? PGOID_NUMERIC
                   : 0;
    default:
        return oid;
    }
}

uint32_t sq_param_type(sqlite3 *db, const struct sql_param_origin *o)
{
    struct sql_column c = {0};
    char column[256] = "";
    int32_t mod = -1;
    c.derive = SQL_DERIVE_SAME;
    c.origin_rel = o->rel;
    c.origin_col = o->col;
    if (!o->col) {
        /* INSERT without a column list: the table's column at that position. */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1) WHERE cid = ?2", -1, &st,
                               NULL) != SQLITE_OK)
            return 0;
        sqlite3_bind_text(st, 1, o->rel, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, o->position);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
            snprintf(column, sizeof column, "%s", (const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
        if (!column[0])
            return 0;
        c.origin_col = column;
    }
    uint32_t oid = sq_origin_type(db, &c, &mod);
    return o->arith && !sq_number_oid(oid) ? 0 : oid;
}

/* Decide each result column's type: translator, declared type, origin column, then the first
 * row's value. */
void sq_column_types(const struct sql_stmt *stmt, sqlite3_stmt *st, bool have_row, uint32_t *types,
                     int32_t *mods, int n)
{
    for (int i = 0; i < n; i++) {
        const char *decl;
        types[i] = 0;
        mods[i] = -1;
        if (i < stmt->n_columns && stmt->columns[i].derive != SQL_DERIVE_NONE &&
            (types[i] = sq_origin_type(sqlite3_db_handle(st), &stmt->columns[i], &mods[i]))) {
            /* coalesce(col, constants): the constants print their own digits (pg_numeric_lit),
             * the column's values its scale; col op $n and the like on a numeric column
             * (xl_column_numeric): pg_numeric_op's. */
            if (types[i] == PGOID_NUMERIC && stmt->columns[i].typmod == PGTYPMOD_NUMERIC_EXACT &&
                (stmt->columns[i].derive == SQL_DERIVE_VALUE ||
                 stmt->columns[i].derive == SQL_DERIVE_SUM ||
                 stmt->columns[i].derive == SQL_DERIVE_PARAM ||
                 stmt->columns[i].derive == SQL_DERIVE_WIDEN ||
                 stmt->columns[i].derive == SQL_DERIVE_ADD2 ||
                 stmt->columns[i].derive == SQL_DERIVE_MUL2))
                mods[i] = pgtypmod_numeric_exact(i, mods[i] >= 4 ? (mods[i] - 4) & 0xffff : -1);
            else if (mods[i] == PGTYPMOD_NUMERIC_EXACT) /* avg() */
                mods[i] = pgtypmod_numeric_exact(i, -1);
            continue;
        }
        mods[i] = -1;
        if (i < stmt->n_columns && stmt->columns[i].param && !stmt->columns[i].type &&
            stmt->columns[i].derive == SQL_DERIVE_NONE) {
            /* $n itself: the parameter's type, text when nothing gave it one. */
            types[i] = stmt->columns[i].param_type ? stmt->columns[i].param_type : PGOID_TEXT;
            continue;
        }
        if (i < stmt->n_columns && stmt->columns[i].type) {
            types[i] = stmt->columns[i].type;
            mods[i] = stmt->columns[i].typmod;
            if (mods[i] == PGTYPMOD_NUMERIC_EXACT)
                mods[i] = pgtypmod_numeric_exact(i, -1);
            continue;
        }
        decl = sqlite3_column_decltype(st, i);
        if (decl)
            types[i] = pgtype_from_decltype(decl, &mods[i]);
        if (decl && strcmp(decl, "INTEGER") == 0)
            types[i] = sq_rowid_type(sqlite3_db_handle(st), sqlite3_column_table_name(st, i),
                                     sqlite3_column_origin_name(st, i));
        if (!types[i] && have_row && sqlite3_column_type(st, i) != SQLITE_NULL)
            types[i] = pgtype_of_value(sqlite3_column_value(st, i));
        if (!types[i])
            types[i] = PGOID_TEXT;
    }
}

void sq_row_description(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt *st,
                        const uint32_t *types, const int32_t *mods, int n, const int16_t *formats)
{
    uint32_t *relids = xcalloc((size_t)n + 1, sizeof(*relids));
    int16_t *attnums = xcalloc((size_t)n + 1, sizeof(*attnums));
    sq_catalog_origins(s, st, n, relids, attnums);
    proto_begin(&s->out, 'T');
    proto_put_u16(&s->out, (uint16_t)n);
    for (int i = 0; i < n; i++) {
        const char *name = i < stmt->n_columns && stmt->columns[i].name
                               ? stmt->columns[i].name
                               : sqlite3_column_name(st, i);
        proto_put_str(&s->out, name ? name : "?column?");
        proto_put_u32(&s->out, relids[i]);            /* table OID (pg_class.oid) */
        proto_put_u16(&s->out, (uint16_t)attnums[i]); /* pg_attribute.attnum */
        proto_put_u32(&s->out, types[i]);
        proto_put_u16(&s->out, (uint16_t)pgtype_len(types[i]));
        /* A computed column keeps its origin's typmod for printing but reports none. */
        proto_put_u32(&s->out, (i < stmt->n_columns && stmt->columns[i].derive > SQL_DERIVE_SAME) ||
                                       mods[i] < 0
                                   ? (uint32_t)-1
                                   : (uint32_t)mods[i]);
        proto_put_u16(&s->out, formats ? (uint16_t)formats[i] : 0);
    }
    proto_end(&s->out);
    free(relids);
    free(attnums);
}

/* One DataRow from the current row of st; false after sending an error. */
static bool sq_data_row(struct sq_session *s, sqlite3_stmt *st, const uint32_t *types,
                        const int32_t *mods, int n, const int16_t *formats, struct evbuffer *tmp)
{
    proto_begin(&s->out, 'D');
    proto_put_u16(&s->out, (uint16_t)n);
    for (int i = 0; i < n; i++) {
        sqlite3_value *v = sqlite3_column_value(st, i);
        const char *err = NULL;
        bool ok;
        size_t len;
        if (sqlite3_value_type(v) == SQLITE_NULL) {
            proto_put_u32(&s->out, 0xFFFFFFFFu);
            continue;
        }
        evbuffer_drain(tmp, evbuffer_get_length(tmp));
        if (formats && formats[i] == 1)
            ok = pgtype_format_binary(types[i], mods[i], v, tmp, &err);
        else
            ok = pgtype_format_text(types[i], mods[i], v, &s->fs, tmp, &err);
        if (!ok) {
            /* Drop the half-built DataRow: the builder's open message is discarded. */
            s->out.len = s->out.msg_start - 1;
            sq_error_text(s, err, "22P02");
            return false;
        }
        len = evbuffer_get_length(tmp);
        proto_put_u32(&s->out, (uint32_t)len);
        proto_put_bytes(&s->out, evbuffer_pullup(tmp, (ssize_t)len), len);
    }
    proto_end(&s->out);
    return true;
}

void sq_tag_with_count(struct sq_session *s, const struct sql_stmt *stmt, int64_t rows)
{
    char tag[64];
    int64_t changes = sqlite3_changes64(s->db);
    if (strcmp(stmt->tag, "INSERT") == 0)
        snprintf(tag, sizeof(tag), "INSERT 0 %lld",
                 (long long)(stmt->returns_rows ? rows : changes));
    else if (strcmp(stmt->tag, "UPDATE") == 0 || strcmp(stmt->tag, "DELETE") == 0 ||
             strcmp(stmt->tag, "MERGE") == 0)
        snprintf(tag, sizeof(tag), "%s %lld", stmt->tag,
                 (long long)(stmt->returns_rows ? rows : changes));
    else if (strcmp(stmt->tag, "SELECT") == 0 || strcmp(stmt->tag, "CREATE TABLE AS") == 0)
        snprintf(tag, sizeof(tag), "SELECT %lld", (long long)rows);
    else
        snprintf(tag, sizeof(tag), "%s", stmt->tag);
    sq_complete(s, tag);
}

/*
 * Step st to the end (or max_rows rows), sending DataRows; with describe, a RowDescription
 * first. Returns 1 when done (CommandComplete sent), 0 when suspended at max_rows, -1 on error.
 */
int sq_run(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt *st, int describe,
           const int16_t *formats, uint32_t *types, int32_t *mods, bool *typed, int64_t *rows,
           int64_t max_rows)
{
    int n = sqlite3_column_count(st);
    struct evbuffer *tmp = evbuffer_new();
    int64_t sent = 0;
    int rc;

    s->fn.xact_start_us = s->tx == 'I' || !s->fn.xact_start_us ? sq_now_us() : s->fn.xact_start_us;
    if (*rows == 0)
        pgnumeric_forget_exact(); /* a new statement: earlier results' digits no longer apply */
    pgnumeric_set_statement(st);  /* its numeric parameters' digits */
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!*typed) {
            sq_column_types(stmt, st, true, types, mods, n);
            *typed = true;
        }
        if (describe) {
            sq_row_description(s, stmt, st, types, mods, n, formats);
            describe = 0;
        }
        if (!sq_data_row(s, st, types, mods, n, formats, tmp)) {
            sqlite3_reset(st);
            evbuffer_free(tmp);
            return -1;
        }
        (*rows)++;
        sent++;
        if (s->out.len >= SQ_FLUSH_AT && !sq_flush(s)) {
            sqlite3_reset(st);
            evbuffer_free(tmp);
            return -1;
        }
        if (max_rows > 0 && sent >= max_rows) {
            evbuffer_free(tmp);
            proto_begin(&s->out, 's');
            proto_end(&s->out);
            return 0;
        }
    }
    evbuffer_free(tmp);
    if (rc != SQLITE_DONE) {
        size_t at = s->out.len;
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        if (describe == SQ_DESCRIBE_ALWAYS && n > 0 && !s->out.failed) {
            /* The Describe this answers came before the Execute that failed: its
             * RowDescription goes in front of the error (made first: the description's
             * catalog lookups would replace SQLite's error message). */
            size_t n_err = s->out.len - at;
            uint8_t *err = xmalloc(n_err);
            memcpy(err, s->out.data + at, n_err);
            s->out.len = at;
            if (!*typed) {
                sq_column_types(stmt, st, false, types, mods, n);
                *typed = true;
            }
            sq_row_description(s, stmt, st, types, mods, n, formats);
            proto_put_bytes(&s->out, err, n_err);
            free(err);
        }
        sqlite3_reset(st);
        return -1;
    }
    if (describe && n > 0) {
        if (!*typed) {
            sq_column_types(stmt, st, false, types, mods, n);
            *typed = true;
        }
        sq_row_description(s, stmt, st, types, mods, n, formats);
    }
    sq_tag_with_count(s, stmt, *rows);
    sqlite3_reset(st);
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Statements */

bool sq_tx_failed(struct sq_session *s, const struct sql_stmt *st)
{
    if (s->tx != 'E')
        return false;
    if (st->kind == SQL_ROLLBACK || st->kind == SQL_ROLLBACK_TO || st->kind == SQL_COMMIT)
        return false;
    sq_error(s, "25P02", 0,
             "current transaction is aborted, commands ignored until end of transaction block");
    return true;
}

static void sq_show(struct sq_session *s, const char *name)
{
    const char *v = sq_guc_get(s, name);
    if (!v) {
        sq_error(s, "42704", 0, "unrecognized configuration parameter \"%s\"", name);
        return;
    }
    if (!s->in_execute) {
        /* The column is named as PostgreSQL spells the setting ("TimeZone"). */
        const char *col = sq_guc_reported(name) ? sq_guc_reported(name) : name;
        proto_begin(&s->out, 'T');
        proto_put_u16(&s->out, 1);
        proto_put_str(&s->out, col);
        proto_put_u32(&s->out, 0);
        proto_put_u16(&s->out, 0);
        proto_put_u32(&s->out, PGOID_TEXT);
        proto_put_u16(&s->out, (uint16_t)-1);
        proto_put_u32(&s->out, (uint32_t)-1);
        proto_put_u16(&s->out, 0);
        proto_end(&s->out);
    }
    proto_begin(&s->out, 'D');
    proto_put_u16(&s->out, 1);
    proto_put_u32(&s->out, (uint32_t)strlen(v));
    proto_put_bytes(&s->out, v, strlen(v));
    proto_end(&s->out);
    sq_complete(s, "SHOW");
}

/*
 * Run one statement that is not a row-producing SQLite statement, or is one with its
 * sqlite3_stmt prepared by the caller (st; then params are bound). Returns false on error.
 */
bool sq_utility(struct sq_session *s, const struct sql_stmt *stmt)
{
    char q[300], ident[260];
    unsigned errors = s->errors;

    switch (stmt->kind) {
    case SQL_EMPTY:
        proto_begin(&s->out, 'I');
        proto_end(&s->out);
        return true;
    case SQL_BEGIN:
        if (s->implicit) /* the implicit transaction becomes this block, as in PostgreSQL */
            s->implicit = false;
        else if (s->tx != 'I')
            sq_report(s, "WARNING", "25001", 0, NULL, "there is already a transaction in progress");
        else
            s->tx = 'T';
        s->fn.xact_start_us = sq_now_us();
        sq_complete(s, "BEGIN");
        return true;
    case SQL_COMMIT:
        s->implicit = false;
        if (s->tx == 'I') {
            sq_report(s, "WARNING", "25P01", 0, NULL, "there is no transaction in progress");
            sq_complete(s, "COMMIT");
            return true;
        }
        if (s->tx == 'E') {
            sq_end_block(s, false);
            sq_complete(s, "ROLLBACK");
            return true;
        }
        sq_end_block(s, true);
        if (s->errors != errors)
            return false;
        sq_complete(s, "COMMIT");
        return true;
    case SQL_ROLLBACK:
        s->implicit = false;
        if (s->tx == 'I')
            sq_report(s, "WARNING", "25P01", 0, NULL, "there is no transaction in progress");
        sq_end_block(s, false);
        sq_complete(s, "ROLLBACK");
        return true;
    case SQL_SAVEPOINT:
    case SQL_RELEASE:
    case SQL_ROLLBACK_TO:
        if (s->tx == 'I') {
            sq_error(s, "25P01", 0, "%s can only be used in transaction blocks",
                     stmt->kind == SQL_SAVEPOINT ? "SAVEPOINT"
                     : stmt->kind == SQL_RELEASE ? "RELEASE SAVEPOINT"
                                                 : "ROLLBACK TO SAVEPOINT");
            return false;
        }
        if (!s->begun && stmt->kind != SQL_SAVEPOINT) {
            sq_error(s, "3B001", 0, "savepoint \"%s\" does not exist", stmt->name);
            return false;
        }
        if (!sq_ensure_begun(s, false))
            return false;
        snprintf(q, sizeof(q), "%s %s",
                 stmt->kind == SQL_SAVEPOINT ? "SAVEPOINT"
                 : stmt->kind == SQL_RELEASE ? "RELEASE"
                                             : "ROLLBACK TO",
                 sq_quote_ident(stmt->name, ident, sizeof(ident)));
        if (stmt->kind == SQL_ROLLBACK_TO && s->tx == 'E')
            s->tx = 'T';
        if (!sq_exec_simple(s, q))
            return false;
        sq_complete(s, stmt->kind == SQL_SAVEPOINT ? "SAVEPOINT"
                       : stmt->kind == SQL_RELEASE ? "RELEASE"
                                                   : "ROLLBACK");
        return true;
    case SQL_SET:
        if (!sq_set(s, stmt))
            return false;
        sq_complete(s, "SET");
        return true;
    case SQL_RESET:
        sq_reset(s, stmt->name);
        sq_complete(s, "RESET");
        return true;
    case SQL_SHOW:
        sq_show(s, stmt->name);
        return s->errors == errors;
    case SQL_DISCARD_ALL:
        if (s->tx != 'I') {
            sq_error(s, "25001", 0, "DISCARD ALL cannot run inside a transaction block");
            return false;
        }
        sq_discard_all(s);
        sq_complete(s, "DISCARD ALL");
        return true;
    case SQL_DEALLOCATE:
        if (!sq_deallocate(s, stmt->name))
            return false;
        sq_complete(s, stmt->tag);
        return true;
    case SQL_NOTICE_NOOP:
        if (stmt->notice)
            sq_report(s, "NOTICE", "00000", 0, NULL, "%s", stmt->notice);
        sq_complete(s, stmt->tag);
        return true;
    case SQL_DDL:
    case SQL_DROP:
    case SQL_TRUNCATE:
    case SQL_VACUUM:
    case SQL_REBUILD:
    case SQL_SEQUENCE:
        return sq_ddl(s, stmt);
    case SQL_COPY_FROM:
        if (stmt->notice)
            sq_report(s, "NOTICE", "00000", 0, NULL, "%s", stmt->notice);
        if (!sq_ensure_begun(s, true))
            return false;
        sq_copy_from(s, stmt);
        return s->errors == errors;
    case SQL_COPY_TO:
        if (!sq_ensure_begun(s, false))
            return false;
        sq_copy_to(s, stmt);
        return s->errors == errors;
    case SQL_EXEC:
    default:
        return false;
    }
}

bool sq_prepare(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt **out)
{
    const char *tail = NULL;
    if (stmt->catalog && !sq_catalog_prepare(s))
        return false;
    int rc = sqlite3_prepare_v3(s->db, stmt->sqlite, -1, SQLITE_PREPARE_PERSISTENT, out, &tail);
    if (rc != SQLITE_OK && stmt->insert_fill) {
        /* INSERT without a column list and fewer values than columns: the first columns. */
        char *text = NULL;
        int fill = sq_insert_fill(s, stmt, &text);
        if (fill < 0)
            return false;
        rc = sqlite3_prepare_v3(s->db, fill ? text : stmt->sqlite, -1, SQLITE_PREPARE_PERSISTENT,
                                out, &tail);
        sqlite3_free(text);
    }
    if (rc != SQLITE_OK) {
        const char *msg = sqlite3_errmsg(s->db);
        size_t n = stmt->missing_from ? strlen(stmt->missing_from) : 0;
        if (n && !strncmp(msg, "no such column: ", 16) &&
            !strncmp(msg + 16, stmt->missing_from, n) && msg[16 + n] == '.') {
            sq_error(s, "42P01", 0, "missing FROM-clause entry for table \"%s\"",
                     stmt->missing_from);
            return false;
        }
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    if (!*out) {
        sq_error(s, "XX000", 0, "the translated statement is empty");
        return false;
    }
    for (int i = 0; i < stmt->n_lift; i++) {
        int k = stmt->lift_ids[i];
        if (!s->lift_values || k >= s->lift_values->n ||
            sqlite3_bind_int(*out, k + 1, s->lift_values->tok[k].value) != SQLITE_OK) {
            sqlite3_finalize(*out);
            *out = NULL;
            sq_error(s, "XX000", 0, "internal error: a lifted literal has no value");
            return false;
        }
    }
    if (stmt->n_group_checks && !sq_check_grouping(s, stmt)) {
        sqlite3_finalize(*out);
        *out = NULL;
        return false;
    }
    return true;
}

/*
 * Outside a block, a statement that reads but calls something that writes (SELECT nextval())
 * takes the write lock first: upgrading SQLite's read transaction midway would fail at once
 * under contention instead of waiting for the lock.
 */
bool sq_autocommit_write_begin(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt *st,
                               bool *own)
{
    *own = false;
    if (s->tx != 'I' || !stmt->writes || !sqlite3_stmt_readonly(st) ||
        !sqlite3_get_autocommit(s->db))
        return true;
    if (!sq_exec_simple(s, "BEGIN IMMEDIATE"))
        return false;
    *own = true;
    return true;
}

bool sq_autocommit_write_end(struct sq_session *s, bool own, bool ok)
{
    if (!own)
        return ok;
    if (ok && sq_exec_simple(s, "COMMIT"))
        return true;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return false;
}

/* A statement of a simple Query: no parameters, text results with a RowDescription. */
static bool sq_simple_statement(struct sq_session *s, const struct sql_stmt *stmt)
{
    sqlite3_stmt *st = NULL;
    uint32_t *types;
    int32_t *mods;
    bool typed = false;
    int64_t rows = 0;
    int n, rc;

    bool own = false, ok;

    if (sq_tx_failed(s, stmt))
        return false;
    if (stmt->kind != SQL_EXEC) {
        sq_timeout_arm(s);
        ok = sq_utility(s, stmt);
        sq_timeout_disarm(s);
        return ok;
    }
    if (stmt->n_params > 0) {
        sq_error(s, "42P02", stmt->location + 1, "there is no parameter $1");
        return false;
    }
    /* The timeout also bounds the wait for the write lock. */
    sq_timeout_arm(s);
    if (!sq_ensure_begun(s, stmt->writes) || !sq_prepare(s, stmt, &st)) {
        sq_timeout_disarm(s);
        return false;
    }
    if (stmt->notice)
        sq_report(s, "NOTICE", "00000", 0, NULL, "%s", stmt->notice);
    if (!sq_autocommit_write_begin(s, stmt, st, &own)) {
        sq_timeout_disarm(s);
        sqlite3_finalize(st);
        return false;
    }
    n = sqlite3_column_count(st);
    types = xcalloc((size_t)n + 1, sizeof(*types));
    mods = xcalloc((size_t)n + 1, sizeof(*mods));
    rc = sq_run(s, stmt, st, n > 0 ? SQ_DESCRIBE_ROWS : 0, NULL, types, mods, &typed, &rows, 0);
    sq_timeout_disarm(s);
    free(types);
    free(mods);
    sqlite3_finalize(st);
    return sq_autocommit_write_end(s, own, rc == 1);
}

static uint64_t sq_hash(const char *text)
{
    uint64_t h = 1469598103934665603ULL;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        h = (h ^ *p) * 1099511628211ULL;
    return h;
}

void sq_cached_clear(struct sq_cached *c)
{
    free(c->text);
    free(c->shape);
    free(c->toks);
    free(c->lifted);
    sql_stmt_list_free(&c->list);
    c->text = c->shape = NULL;
    c->toks = NULL;
    c->lifted = NULL;
    c->n_toks = 0;
}

/* A lifted translation serves text when the literals it did not lift are the same text. */
static bool sq_cached_serves(const struct sq_cached *c, const char *text, const struct sql_lift *l)
{
    if (!c->shape || c->hash != l->hash || c->n_toks != l->n || strcmp(c->shape, l->shape) != 0)
        return false;
    for (int k = 0; k < l->n; k++)
        if (!c->lifted[k] && (c->toks[k].len != l->tok[k].len ||
                              memcmp(c->text + c->toks[k].offset, text + l->tok[k].offset,
                                     (size_t)l->tok[k].len) != 0))
            return false;
    return true;
}

/*
 * Translation of a query text, cached per session (least recently used entry replaced). With
 * lift (a simple query's literals, sql/lift.h), a translation of the same shape is reused.
 */
static const struct sql_stmt_list *sq_translate(struct sq_session *s, const char *text,
                                                const struct sql_lift *lift, struct sql_error *err)
{
    struct sq_cached *slot = &s->cache[0];
    uint64_t h = lift ? lift->hash : sq_hash(text);
    for (int i = 0; i < SQ_CACHE_SIZE; i++) {
        struct sq_cached *c = &s->cache[i];
        if (c->text && c->hash == h &&
            (lift ? sq_cached_serves(c, text, lift) : !c->shape && strcmp(c->text, text) == 0)) {
            c->last_used = ++s->cache_clock;
            return &c->list;
        }
        if (!c->text || c->last_used < slot->last_used)
            slot = c;
    }
    sq_cached_clear(slot);
    if (!(lift ? sql_translate_lifted(text, lift, &slot->list, err)
               : sql_translate(text, &slot->list, err)))
        return NULL;
    slot->text = xstrdup(text);
    slot->hash = h;
    if (lift) {
        slot->shape = xstrdup(lift->shape);
        slot->n_toks = lift->n;
        slot->toks = xmalloc((size_t)lift->n * sizeof(*slot->toks));
        memcpy(slot->toks, lift->tok, (size_t)lift->n * sizeof(*slot->toks));
        slot->lifted = xcalloc((size_t)lift->n, sizeof(*slot->lifted));
        for (int i = 0; i < slot->list.n; i++)
            for (int j = 0; j < slot->list.v[i].n_lift; j++)
                slot->lifted[slot->list.v[i].lift_ids[j]] = true;
    }
    slot->last_used = ++s->cache_clock;
    return &slot->list;
}

bool sq_is_tx_control(enum sql_kind k)
{
    return k == SQL_BEGIN || k == SQL_COMMIT || k == SQL_ROLLBACK || k == SQL_SAVEPOINT ||
           k == SQL_RELEASE || k == SQL_ROLLBACK_TO;
}

void sq_query(struct sq_session *s, const char *text)
{
    struct sql_error err;
    const struct sql_stmt_list *list;
    bool implicit = false;

    memset(&err, 0, sizeof(err));
    bool lifted = sql_lift_scan(text, &s->lift);
    list = sq_translate(s, text, lifted ? &s->lift : NULL, &err);
    s->lift_values = lifted ? &s->lift : NULL;
    if (!list) {
        sq_report(s, "ERROR", err.sqlstate, err.position, err.hint[0] ? err.hint : NULL, "%s",
                  err.message);
        s->errors++;
        if (s->tx == 'T')
            s->tx = 'E';
    } else if (list->n == 0) {
        proto_begin(&s->out, 'I');
        proto_end(&s->out);
    } else {
        /* Several statements outside a block run as one implicit transaction, as in PostgreSQL. */
        if (list->n > 1 && s->tx == 'I') {
            implicit = true;
            for (int i = 0; i < list->n; i++)
                if (sq_is_tx_control(list->v[i].kind) || list->v[i].kind == SQL_DISCARD_ALL)
                    implicit = false;
            if (implicit) {
                s->tx = 'T';
                s->fn.xact_start_us = sq_now_us();
            }
        }
        for (int i = 0; i < list->n; i++) {
            sq_mon_scan(s); /* each statement is timed on its own */
            if (!sq_simple_statement(s, &list->v[i]))
                break;
        }
        /* (not committed when the client was lost on the way: it never learns the outcome) */
        if (implicit)
            sq_end_block(s, s->tx == 'T' && !s->lost);
    }
    s->lift_values = NULL;
    sql_lift_free(&s->lift);
    sq_report_settings(s);
    proto_write_ready(&s->out, s->tx);
}
