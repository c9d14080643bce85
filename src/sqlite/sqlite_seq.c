/*
 * Sequences on the SQLite backend: one row per sequence in the table _myrmex_sequence (created
 * with the first sequence; the pg_catalog emulation reads it too), the statements CREATE /
 * ALTER / DROP SEQUENCE, and the functions nextval, currval, setval, lastval and
 * pg_get_serial_sequence registered on each session's handle.
 *
 * Unlike PostgreSQL, where nextval() is never rolled back, a sequence row here changes inside
 * the caller's write transaction: a rolled-back transaction gives its numbers back. Numbers are
 * never handed out twice, because SQLite has one writer at a time: the transaction that took a
 * number holds the write lock until it commits or rolls back. currval() and lastval() are
 * per session, as in PostgreSQL, and keep the last value even after a rollback.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/schema.h"
#include "sqlite/session.h"
#include "util/util.h"

#define SEQ_TABLE_DDL                                                                              \
    "CREATE TABLE IF NOT EXISTS _myrmex_sequence (name TEXT PRIMARY KEY, data_type TEXT NOT "      \
    "NULL, start_value INTEGER NOT NULL, min_value INTEGER NOT NULL, max_value INTEGER NOT "       \
    "NULL, increment_by INTEGER NOT NULL, cycle INTEGER NOT NULL, cache_size INTEGER NOT NULL, "   \
    "last_value INTEGER NOT NULL, is_called INTEGER NOT NULL, owner_table TEXT, owner_column "     \
    "TEXT)"

struct seq_row {
    char data_type[16];
    int64_t start, min, max, inc, cache, last;
    bool cycle, called;
    char *owner_table, *owner_column;
};

struct seq_cur {
    char *name;
    int64_t value;
};

struct sq_seq_state {
    sqlite3_stmt *get, *set; /* prepared on first use; SQLite re-prepares after schema changes */
    struct seq_cur *cur;     /* currval() per sequence */
    int n_cur;
    char *last_name; /* lastval(): the sequence of the last nextval() */
    int64_t last_value;
};

static struct sq_seq_state *seq_state(struct sq_session *s)
{
    if (!s->seq)
        s->seq = xcalloc(1, sizeof(*s->seq));
    return s->seq;
}

void sq_seq_fini(struct sq_session *s)
{
    struct sq_seq_state *q = s->seq;
    if (!q)
        return;
    sqlite3_finalize(q->get);
    sqlite3_finalize(q->set);
    for (int i = 0; i < q->n_cur; i++)
        free(q->cur[i].name);
    free(q->cur);
    free(q->last_name);
    free(q);
    s->seq = NULL;
}

static bool seq_table_exists(struct sq_session *s)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = "
                           "'_myrmex_sequence'",
                           -1, &st, NULL) == SQLITE_OK)
        found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Type bounds of a sequence's data type. */
static void type_bounds(const char *type, int64_t *min, int64_t *max)
{
    if (strcmp(type, "smallint") == 0) {
        *min = -32768;
        *max = 32767;
    } else if (strcmp(type, "integer") == 0) {
        *min = -2147483648LL;
        *max = 2147483647LL;
    } else {
        *min = INT64_MIN;
        *max = INT64_MAX;
    }
}

/* Read a sequence; false when there is none (or no sequence table). */
static bool seq_get(struct sq_session *s, const char *name, struct seq_row *r)
{
    struct sq_seq_state *q = seq_state(s);
    bool found = false;
    memset(r, 0, sizeof(*r));
    if (!q->get && sqlite3_prepare_v3(s->db,
                                      "SELECT data_type, start_value, min_value, max_value, "
                                      "increment_by, cycle, cache_size, last_value, is_called, "
                                      "owner_table, owner_column FROM _myrmex_sequence WHERE "
                                      "name = ?1",
                                      -1, SQLITE_PREPARE_PERSISTENT, &q->get, NULL) != SQLITE_OK) {
        q->get = NULL;
        return false;
    }
    sqlite3_bind_text(q->get, 1, name, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(q->get) == SQLITE_ROW) {
        const char *owner = (const char *)sqlite3_column_text(q->get, 9);
        const char *col = (const char *)sqlite3_column_text(q->get, 10);
        snprintf(r->data_type, sizeof(r->data_type), "%s", sqlite3_column_text(q->get, 0));
        r->start = sqlite3_column_int64(q->get, 1);
        r->min = sqlite3_column_int64(q->get, 2);
        r->max = sqlite3_column_int64(q->get, 3);
        r->inc = sqlite3_column_int64(q->get, 4);
        r->cycle = sqlite3_column_int(q->get, 5) != 0;
        r->cache = sqlite3_column_int64(q->get, 6);
        r->last = sqlite3_column_int64(q->get, 7);
        r->called = sqlite3_column_int(q->get, 8) != 0;
        r->owner_table = owner ? xstrdup(owner) : NULL;
        r->owner_column = col ? xstrdup(col) : NULL;
        found = true;
    }
    sqlite3_reset(q->get);
    sqlite3_clear_bindings(q->get);
    return found;
}

static void seq_row_fini(struct seq_row *r)
{
    free(r->owner_table);
    free(r->owner_column);
    r->owner_table = r->owner_column = NULL;
}

/* Store last_value / is_called; SQLite's error code (SQLITE_DONE on success). */
static int seq_set(struct sq_session *s, const char *name, int64_t last, bool called)
{
    struct sq_seq_state *q = seq_state(s);
    int rc;
    if (!q->set &&
        (rc = sqlite3_prepare_v3(s->db,
                                 "UPDATE _myrmex_sequence SET last_value = ?2, is_called = ?3 "
                                 "WHERE name = ?1",
                                 -1, SQLITE_PREPARE_PERSISTENT, &q->set, NULL)) != SQLITE_OK) {
        q->set = NULL;
        return rc;
    }
    sqlite3_bind_text(q->set, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q->set, 2, last);
    sqlite3_bind_int(q->set, 3, called);
    rc = sqlite3_step(q->set);
    sqlite3_reset(q->set);
    sqlite3_clear_bindings(q->set);
    return rc;
}

static void seq_remember(struct sq_session *s, const char *name, int64_t v, bool last)
{
    struct sq_seq_state *q = seq_state(s);
    int i;
    for (i = 0; i < q->n_cur; i++)
        if (strcmp(q->cur[i].name, name) == 0)
            break;
    if (i == q->n_cur) {
        q->cur = xrealloc(q->cur, (size_t)(q->n_cur + 1) * sizeof(*q->cur));
        q->cur[q->n_cur].name = xstrdup(name);
        q->n_cur++;
    }
    q->cur[i].value = v;
    if (last) {
        str_replace(&q->last_name, name);
        q->last_value = v;
    }
}

/*
 * A regclass written as text, as PostgreSQL reads it: [schema.]name, each part lower-cased
 * unless double-quoted. Only public (or no schema) is known here. false on a bad name.
 */
static bool seq_parse_name(const char *in, char *out, size_t cap, char *err, size_t errcap)
{
    char parts[2][256];
    int n = 0;
    const char *p = in;
    while (isspace((unsigned char)*p))
        p++;
    for (;;) {
        size_t k = 0;
        if (n == 2) {
            snprintf(err, errcap, "[42601] improper relation name (too many dotted names): %s", in);
            return false;
        }
        if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"')
                    p++;
                else if (*p == '"')
                    break;
                if (k + 1 < sizeof(parts[0]))
                    parts[n][k++] = *p;
            }
            if (*p != '"') {
                snprintf(err, errcap, "[42601] invalid name syntax");
                return false;
            }
            p++;
        } else {
            for (; *p && *p != '.' && !isspace((unsigned char)*p); p++)
                if (k + 1 < sizeof(parts[0]))
                    parts[n][k++] = (char)tolower((unsigned char)*p);
        }
        parts[n++][k] = '\0';
        while (isspace((unsigned char)*p))
            p++;
        if (*p != '.')
            break;
        p++;
    }
    if (*p || !parts[n - 1][0]) {
        snprintf(err, errcap, "[42601] invalid name syntax");
        return false;
    }
    if (n == 2 && strcmp(parts[0], "public") != 0) {
        snprintf(err, errcap, "[3F000] schema \"%s\" does not exist", parts[0]);
        return false;
    }
    snprintf(out, cap, "%s", parts[n - 1]);
    return true;
}

static bool fn_name_arg(sqlite3_context *ctx, sqlite3_value *v, char *name, size_t cap)
{
    char err[400];
    const char *text = (const char *)sqlite3_value_text(v);
    if (!text) {
        sqlite3_result_null(ctx);
        return false;
    }
    if (!seq_parse_name(text, name, cap, err, sizeof(err))) {
        sqlite3_result_error(ctx, err, -1);
        return false;
    }
    return true;
}

static void fn_missing(sqlite3_context *ctx, const char *name)
{
    char err[400];
    snprintf(err, sizeof(err), "[42P01] relation \"%s\" does not exist", name);
    sqlite3_result_error(ctx, err, -1);
}

static void fn_nextval(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq_session *s = sqlite3_user_data(ctx);
    struct seq_row r;
    char name[256], err[400];
    int64_t next;
    int rc;
    (void)argc;
    if (!fn_name_arg(ctx, argv[0], name, sizeof(name)))
        return;
    if (!seq_get(s, name, &r)) {
        fn_missing(ctx, name);
        return;
    }
    seq_row_fini(&r);
    int64_t handed;
    if (sq_file_seq_last(s, name, &handed)) {
        r.last = handed; /* a rolled-back nextval still used its value up */
        r.called = true;
    }
    if (!r.called) {
        next = r.last;
    } else if (r.inc > 0 && (r.last > r.max - r.inc)) {
        if (!r.cycle) {
            snprintf(err, sizeof(err),
                     "[2200H] nextval: reached maximum value of sequence \"%s\" (%lld)", name,
                     (long long)r.max);
            sqlite3_result_error(ctx, err, -1);
            return;
        }
        next = r.min;
    } else if (r.inc < 0 && (r.last < r.min - r.inc)) {
        if (!r.cycle) {
            snprintf(err, sizeof(err),
                     "[2200H] nextval: reached minimum value of sequence \"%s\" (%lld)", name,
                     (long long)r.min);
            sqlite3_result_error(ctx, err, -1);
            return;
        }
        next = r.max;
    } else {
        next = r.last + r.inc;
    }
    if ((rc = seq_set(s, name, next, true)) != SQLITE_DONE) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    sq_file_seq_set_last(s, name, next);
    seq_remember(s, name, next, true);
    sqlite3_result_int64(ctx, next);
}

static void fn_currval(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq_session *s = sqlite3_user_data(ctx);
    struct sq_seq_state *q = seq_state(s);
    struct seq_row r;
    char name[256], err[400];
    (void)argc;
    if (!fn_name_arg(ctx, argv[0], name, sizeof(name)))
        return;
    if (!seq_get(s, name, &r)) {
        fn_missing(ctx, name);
        return;
    }
    seq_row_fini(&r);
    for (int i = 0; i < q->n_cur; i++) {
        if (strcmp(q->cur[i].name, name) == 0) {
            sqlite3_result_int64(ctx, q->cur[i].value);
            return;
        }
    }
    snprintf(err, sizeof(err),
             "[55000] currval of sequence \"%s\" is not yet defined in this "
             "session",
             name);
    sqlite3_result_error(ctx, err, -1);
}

static void fn_lastval(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq_session *s = sqlite3_user_data(ctx);
    struct sq_seq_state *q = seq_state(s);
    struct seq_row r;
    (void)argc;
    (void)argv;
    if (!q->last_name) {
        sqlite3_result_error(ctx, "[55000] lastval is not yet defined in this session", -1);
        return;
    }
    if (!seq_get(s, q->last_name, &r)) {
        fn_missing(ctx, q->last_name);
        return;
    }
    seq_row_fini(&r);
    sqlite3_result_int64(ctx, q->last_value);
}

/* setval(name, value [, is_called = true]) */
static void fn_setval(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq_session *s = sqlite3_user_data(ctx);
    struct seq_row r;
    char name[256], err[400];
    int64_t v;
    bool called = true;
    int rc;
    if (!fn_name_arg(ctx, argv[0], name, sizeof(name)))
        return;
    if (sqlite3_value_type(argv[1]) == SQLITE_NULL ||
        (argc > 2 && sqlite3_value_type(argv[2]) == SQLITE_NULL)) {
        sqlite3_result_null(ctx);
        return;
    }
    v = sqlite3_value_int64(argv[1]);
    if (argc > 2)
        called = sqlite3_value_int(argv[2]) != 0;
    if (!seq_get(s, name, &r)) {
        fn_missing(ctx, name);
        return;
    }
    seq_row_fini(&r);
    if (v < r.min || v > r.max) {
        snprintf(err, sizeof(err),
                 "[22003] setval: value %lld is out of bounds for sequence \"%s\" (%lld..%lld)",
                 (long long)v, name, (long long)r.min, (long long)r.max);
        sqlite3_result_error(ctx, err, -1);
        return;
    }
    if ((rc = seq_set(s, name, v, called)) != SQLITE_DONE) {
        sqlite3_result_error_code(ctx, rc);
        return;
    }
    sq_file_seq_forget(s);
    if (called)
        seq_remember(s, name, v, false);
    sqlite3_result_int64(ctx, v);
}

/* pg_get_serial_sequence(table, column): 'public.<sequence>' or NULL. */
static void fn_serial_sequence(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq_session *s = sqlite3_user_data(ctx);
    char table[256], err[400];
    const char *col = (const char *)sqlite3_value_text(argv[1]);
    sqlite3_stmt *st = NULL;
    (void)argc;
    if (!col) {
        sqlite3_result_null(ctx);
        return;
    }
    if (!fn_name_arg(ctx, argv[0], table, sizeof(table)))
        return;
    if (!sq_relation_exists(s, table)) {
        fn_missing(ctx, table);
        return;
    }
    if (!seq_table_exists(s)) {
        sqlite3_result_null(ctx);
        return;
    }
    if (sqlite3_prepare_v2(s->db,
                           "SELECT name FROM _myrmex_sequence WHERE owner_table = ?1 COLLATE "
                           "NOCASE AND owner_column = ?2",
                           -1, &st, NULL) != SQLITE_OK) {
        snprintf(err, sizeof(err), "%s", sqlite3_errmsg(s->db));
        sqlite3_result_error(ctx, err, -1);
        return;
    }
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW) {
        char *q = sqlite3_mprintf("public.%s", sqlite3_column_text(st, 0));
        sqlite3_result_text(ctx, q, -1, SQLITE_TRANSIENT);
        sqlite3_free(q);
    } else {
        sqlite3_result_null(ctx);
    }
    sqlite3_finalize(st);
}

bool sq_seq_register(struct sq_session *s)
{
    static const struct {
        const char *name;
        int n_args;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } fns[] = {
        {"nextval", 1, fn_nextval}, {"currval", 1, fn_currval},
        {"lastval", 0, fn_lastval}, {"setval", 2, fn_setval},
        {"setval", 3, fn_setval},   {"pg_get_serial_sequence", 2, fn_serial_sequence},
    };
    for (size_t i = 0; i < ARRAY_SIZE(fns); i++)
        if (sqlite3_create_function_v2(s->db, fns[i].name, fns[i].n_args, SQLITE_UTF8, s, fns[i].fn,
                                       NULL, NULL, NULL) != SQLITE_OK)
            return false;
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* Statements */

bool sq_relation_exists(struct sq_session *s, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE AND type "
                           "IN ('table', 'view', 'index') UNION ALL SELECT 1 FROM "
                           "sqlite_temp_schema WHERE name = ?1 COLLATE NOCASE",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        found = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    if (!found && seq_table_exists(s)) {
        struct seq_row r;
        found = seq_get(s, name, &r);
        seq_row_fini(&r);
    }
    return found;
}

/* Check a sequence's settings as PostgreSQL's init_params does; false after an error. */
static bool seq_validate(struct sq_session *s, const struct seq_row *r)
{
    int64_t tmin, tmax;
    type_bounds(r->data_type, &tmin, &tmax);
    if (r->inc == 0) {
        sq_error(s, "22023", 0, "INCREMENT must not be zero");
        return false;
    }
    if (r->max > tmax || r->max < tmin) {
        sq_error(s, "22023", 0, "MAXVALUE (%lld) is out of range for sequence data type %s",
                 (long long)r->max, r->data_type);
        return false;
    }
    if (r->min > tmax || r->min < tmin) {
        sq_error(s, "22023", 0, "MINVALUE (%lld) is out of range for sequence data type %s",
                 (long long)r->min, r->data_type);
        return false;
    }
    if (r->min >= r->max) {
        sq_error(s, "22023", 0, "MINVALUE (%lld) must be less than MAXVALUE (%lld)",
                 (long long)r->min, (long long)r->max);
        return false;
    }
    if (r->start < r->min) {
        sq_error(s, "22023", 0, "START value (%lld) cannot be less than MINVALUE (%lld)",
                 (long long)r->start, (long long)r->min);
        return false;
    }
    if (r->start > r->max) {
        sq_error(s, "22023", 0, "START value (%lld) cannot be greater than MAXVALUE (%lld)",
                 (long long)r->start, (long long)r->max);
        return false;
    }
    if (r->last < r->min || r->last > r->max) {
        sq_error(s, "22023", 0, "RESTART value (%lld) cannot be %s than %s (%lld)",
                 (long long)r->last, r->last < r->min ? "less" : "greater",
                 r->last < r->min ? "MINVALUE" : "MAXVALUE",
                 (long long)(r->last < r->min ? r->min : r->max));
        return false;
    }
    return true;
}

/* Apply the options written in q to r (create: r holds the type defaults). */
static bool seq_apply(struct sq_session *s, const struct sql_seq *q, struct seq_row *r, bool create)
{
    int64_t omin, omax, tmin, tmax;
    type_bounds(r->data_type, &omin, &omax);
    if (q->data_type)
        snprintf(r->data_type, sizeof(r->data_type), "%s", q->data_type);
    type_bounds(r->data_type, &tmin, &tmax);
    if (q->has_increment)
        r->inc = q->increment;
    if (q->has_max && !q->no_max)
        r->max = q->max_value;
    else if (create || q->no_max || (q->data_type && r->max == omax))
        r->max = r->inc > 0 ? tmax : -1;
    if (q->has_min && !q->no_min)
        r->min = q->min_value;
    else if (create || q->no_min || (q->data_type && r->min == omin))
        r->min = r->inc > 0 ? 1 : tmin;
    if (q->has_start)
        r->start = q->start;
    else if (create)
        r->start = r->inc > 0 ? r->min : r->max;
    if (create) {
        r->last = r->start;
        r->called = false;
    }
    if (q->has_restart) {
        r->last = q->restart_default ? r->start : q->restart;
        r->called = false;
    }
    if (q->has_cache)
        r->cache = q->cache;
    if (q->has_cycle)
        r->cycle = q->cycle;
    if (q->has_owner) {
        free(r->owner_table);
        free(r->owner_column);
        r->owner_table = q->owner_table ? xstrdup(q->owner_table) : NULL;
        r->owner_column = q->owner_column ? xstrdup(q->owner_column) : NULL;
        if (q->owner_table && !sq_relation_exists(s, q->owner_table)) {
            sq_error(s, "42P01", 0, "relation \"%s\" does not exist", q->owner_table);
            return false;
        }
    }
    return seq_validate(s, r);
}

static bool seq_store(struct sq_session *s, const char *name, const struct seq_row *r, bool insert)
{
    sqlite3_stmt *st = NULL;
    int rc;
    sq_file_seq_forget(s);
    const char *sql = insert ? "INSERT INTO _myrmex_sequence (name, data_type, start_value, "
                               "min_value, max_value, increment_by, cycle, cache_size, "
                               "last_value, is_called, owner_table, owner_column) VALUES (?1, "
                               "?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
                             : "UPDATE _myrmex_sequence SET data_type = ?2, start_value = ?3, "
                               "min_value = ?4, max_value = ?5, increment_by = ?6, cycle = ?7, "
                               "cache_size = ?8, last_value = ?9, is_called = ?10, owner_table "
                               "= ?11, owner_column = ?12 WHERE name = ?1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, r->data_type, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 3, r->start);
    sqlite3_bind_int64(st, 4, r->min);
    sqlite3_bind_int64(st, 5, r->max);
    sqlite3_bind_int64(st, 6, r->inc);
    sqlite3_bind_int(st, 7, r->cycle);
    sqlite3_bind_int64(st, 8, r->cache);
    sqlite3_bind_int64(st, 9, r->last);
    sqlite3_bind_int(st, 10, r->called);
    if (r->owner_table)
        sqlite3_bind_text(st, 11, r->owner_table, -1, SQLITE_TRANSIENT);
    if (r->owner_column)
        sqlite3_bind_text(st, 12, r->owner_column, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    return true;
}

bool sq_seq_create(struct sq_session *s, const struct sql_seq *q, bool if_not_exists)
{
    struct seq_row r;
    bool ok;
    if (sq_relation_exists(s, q->name)) {
        if (if_not_exists) {
            sq_report(s, "NOTICE", "42P07", 0, NULL, "relation \"%s\" already exists, skipping",
                      q->name);
            return true;
        }
        sq_error(s, "42P07", 0, "relation \"%s\" already exists", q->name);
        return false;
    }
    if (!sq_ddl_exec(s, SEQ_TABLE_DDL))
        return false;
    memset(&r, 0, sizeof(r));
    snprintf(r.data_type, sizeof(r.data_type), "bigint");
    r.inc = 1;
    r.cache = 1;
    ok = seq_apply(s, q, &r, true) && seq_store(s, q->name, &r, true);
    seq_row_fini(&r);
    return ok;
}

/* The sequence is used by a column default: PostgreSQL refuses to drop it (2BP01). */
static bool seq_in_default(struct sq_session *s, const struct seq_row *r, const char *name)
{
    sqlite3_stmt *st = NULL;
    bool used = false;
    if (!r->owner_table)
        return false;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?1 "
                           "COLLATE NOCASE AND instr(sql, 'nextval(''' || ?2 || '''') > 0",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, r->owner_table, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
        used = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return used;
}

bool sq_seq_statement(struct sq_session *s, const struct sql_stmt *stmt)
{
    const struct sql_ddl *d = stmt->ddl;
    struct seq_row r;
    bool ok;

    if (d->seq_op == SQL_SEQ_CREATE)
        return sq_seq_create(s, &d->seqs[0], d->if_not_exists);
    if (d->seq_op == SQL_SEQ_ALTER) {
        const char *name = d->seqs[0].name;
        if (!seq_table_exists(s) || !seq_get(s, name, &r)) {
            if (d->missing_ok) {
                sq_report(s, "NOTICE", "00000", 0, NULL, "relation \"%s\" does not exist, skipping",
                          name);
                return true;
            }
            sq_error(s, "42P01", 0, "relation \"%s\" does not exist", name);
            return false;
        }
        ok = seq_apply(s, &d->seqs[0], &r, false) && seq_store(s, name, &r, false);
        seq_row_fini(&r);
        return ok;
    }
    for (int i = 0; i < d->n_names; i++) {
        const char *name = d->names[i];
        sqlite3_stmt *st = NULL;
        if (!seq_table_exists(s) || !seq_get(s, name, &r)) {
            if (d->missing_ok) {
                sq_report(s, "NOTICE", "00000", 0, NULL, "sequence \"%s\" does not exist, skipping",
                          name);
                continue;
            }
            sq_error(s, "42P01", 0, "sequence \"%s\" does not exist", name);
            return false;
        }
        if (seq_in_default(s, &r, name)) {
            sq_report(s, "ERROR", "2BP01", 0,
                      "Use DROP ... CASCADE to drop the dependent "
                      "objects too.",
                      "cannot drop sequence %s because other objects depend on it (the default "
                      "of column %s of table %s)",
                      name, r.owner_column ? r.owner_column : "?", r.owner_table);
            s->errors++;
            if (s->tx == 'T')
                s->tx = 'E';
            seq_row_fini(&r);
            return false;
        }
        seq_row_fini(&r);
        sq_file_seq_forget(s);
        if (sqlite3_prepare_v2(s->db, "DELETE FROM _myrmex_sequence WHERE name = ?1", -1, &st,
                               NULL) != SQLITE_OK) {
            sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
            return false;
        }
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        ok = sqlite3_step(st) == SQLITE_DONE;
        sqlite3_finalize(st);
        if (!ok) {
            sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
            return false;
        }
    }
    return true;
}

/* Run sql with ?1..?3 bound to texts, when the sequence table exists. */
static bool seq_exec3(struct sq_session *s, const char *sql, const char *a, const char *b,
                      const char *c)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (!seq_table_exists(s))
        return true;
    sq_file_seq_forget(s);
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    sqlite3_bind_text(st, 1, a, -1, SQLITE_TRANSIENT);
    if (b)
        sqlite3_bind_text(st, 2, b, -1, SQLITE_TRANSIENT);
    if (c)
        sqlite3_bind_text(st, 3, c, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    return true;
}

bool sq_seq_drop_owned(struct sq_session *s, const char *table)
{
    return seq_exec3(s, "DELETE FROM _myrmex_sequence WHERE owner_table = ?1 COLLATE NOCASE", table,
                     NULL, NULL);
}

bool sq_seq_restart_owned(struct sq_session *s, const char *table)
{
    return seq_exec3(s,
                     "UPDATE _myrmex_sequence SET last_value = start_value, is_called = 0 WHERE "
                     "owner_table = ?1 COLLATE NOCASE",
                     table, NULL, NULL);
}

bool sq_seq_rename_owner(struct sq_session *s, const char *table, const char *column,
                         const char *new_name)
{
    if (column)
        return seq_exec3(s,
                         "UPDATE _myrmex_sequence SET owner_column = ?3 WHERE owner_table = ?1 "
                         "COLLATE NOCASE AND owner_column = ?2",
                         table, column, new_name);
    return seq_exec3(s,
                     "UPDATE _myrmex_sequence SET owner_table = ?2 WHERE owner_table = ?1 "
                     "COLLATE NOCASE",
                     table, new_name, NULL);
}
