/*
 * The SQL functions of the pg_catalog emulation (format_type, pg_get_indexdef,
 * pg_get_constraintdef, pg_get_userbyid, the reg* conversions, sizes, PostgreSQL array text),
 * registered on each SQLite session's handle. They read the TEMP catalog tables that
 * sqlite_catalog.c fills.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/catalog.h"
#include "sqlite/session.h"
#include "sqlite_catalog_int.h"

/* ---------------------------------------------------------------------------------------- */
/* Functions */

static void fn_error_text(sqlite3_context *cx, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void fn_error_text(sqlite3_context *cx, const char *sqlstate, const char *fmt, ...)
{
    char msg[600];
    int n = snprintf(msg, sizeof msg, "[%s] ", sqlstate);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    sqlite3_result_error(cx, msg, -1);
}

static int64_t arg_int(sqlite3_value *v)
{
    return sqlite3_value_int64(v);
}

static void fn_def_lookup(sqlite3_context *cx, int64_t oid, int col)
{
    sqlite3 *db = sqlite3_context_db_handle(cx);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT def, cols FROM temp._myrmex_catalog_def WHERE oid = ?1", -1,
                           &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        sqlite3_result_null(cx);
        return;
    }
    sqlite3_bind_int64(st, 1, oid);
    if (sqlite3_step(st) == SQLITE_ROW) {
        if (col <= 0) {
            sqlite3_result_value(cx, sqlite3_column_value(st, 0));
        } else {
            const char *cols = (const char *)sqlite3_column_text(st, 1);
            const char *p = cols;
            for (int k = 1; p && k < col; k++) {
                p = strchr(p, '\x1f');
                if (p)
                    p++;
            }
            if (p) {
                const char *e = strchr(p, '\x1f');
                sqlite3_result_text(cx, p, e ? (int)(e - p) : -1, SQLITE_TRANSIENT);
            } else {
                sqlite3_result_null(cx);
            }
        }
    } else {
        sqlite3_result_null(cx);
    }
    sqlite3_finalize(st);
}

static void fn_get_indexdef(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    fn_def_lookup(cx, arg_int(argv[0]), argc > 1 ? (int)arg_int(argv[1]) : 0);
}

static void fn_get_def(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    fn_def_lookup(cx, arg_int(argv[0]), 0);
}

static void fn_get_expr(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_value(cx, argv[0]);
}

static void fn_null(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_null(cx);
}

static void fn_true(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int(cx, 1);
}

static void fn_false(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int(cx, 0);
}

static void fn_format_type(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    char buf[96];
    uint32_t oid = (uint32_t)arg_int(argv[0]);
    int32_t mod = sqlite3_value_type(argv[1]) == SQLITE_NULL ? -1 : (int32_t)arg_int(argv[1]);
    if (oid == PGOID_BPCHAR && sqlite3_value_type(argv[1]) == SQLITE_NULL)
        snprintf(buf, sizeof buf, "bpchar");
    else
        pgcat_format_type(oid, mod, buf, sizeof buf);
    sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

static void fn_get_userbyid(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct sq_session *s = sqlite3_user_data(cx);
    int64_t oid = arg_int(argv[0]);
    if (oid == PGCAT_ROLE_BOOTSTRAP) {
        const char *u = sq_guc_get(s, "session_authorization");
        sqlite3_result_text(cx, u ? u : "", -1, SQLITE_TRANSIENT);
    } else if (oid == PGCAT_ROLE_DATABASE_OWNER) {
        sqlite3_result_text(cx, "pg_database_owner", -1, SQLITE_STATIC);
    } else {
        char buf[48];
        snprintf(buf, sizeof buf, "unknown (OID=%lld)", (long long)oid);
        sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
    }
}

static void fn_encoding_to_char(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int64_t e = arg_int(argv[0]);
    sqlite3_result_text(cx, e == 6 ? "UTF8" : e == 0 ? "SQL_ASCII" : "", -1, SQLITE_STATIC);
}

static void fn_quote_ident(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *v = (const char *)sqlite3_value_text(argv[0]);
    if (!v) {
        sqlite3_result_null(cx);
        return;
    }
    struct cat_sbuf b = {0};
    cat_quote_ident(&b, v);
    sqlite3_result_text(cx, cat_sb_str(&b), -1, SQLITE_TRANSIENT);
    free(b.p);
}

static void fn_current_schemas(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_text(cx, arg_int(argv[0]) ? "{pg_catalog,public}" : "{public}", -1,
                        SQLITE_STATIC);
}

static void fn_current_schema(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_text(cx, "public", -1, SQLITE_STATIC);
}

static void fn_pass_int(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        sqlite3_result_null(cx);
    else
        sqlite3_result_int64(cx, arg_int(argv[0]));
}

/* PostgreSQL's pg_size_pretty(bigint). */
static void fn_size_pretty(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    int64_t size = arg_int(argv[0]);
    const int64_t limit = 10 * 1024, limit2 = limit * 2 - 1;
    static const char *const units[] = {"kB", "MB", "GB", "TB", "PB"};
    char buf[64];
    if ((size < 0 ? -size : size) < limit) {
        snprintf(buf, sizeof buf, "%lld bytes", (long long)size);
    } else {
        size /= (1 << 9); /* one extra bit for rounding */
        size_t u = 0;
        while ((size < 0 ? -size : size) >= limit2 && u + 1 < sizeof units / sizeof units[0]) {
            size /= (1 << 10);
            u++;
        }
        snprintf(buf, sizeof buf, "%lld %s", (long long)((size + (size < 0 ? -1 : 1)) / 2),
                 units[u]);
    }
    sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

/* Relation sizes from SQLite's dbstat: the pages of the table, or of its indexes too. */
static int64_t rel_size(sqlite3 *db, int64_t oid, int what)
{
    sqlite3_stmt *st = NULL;
    int64_t size = 0;
    const char *sql =
        what == 0   ? "SELECT sum(pgsize) FROM dbstat('main') WHERE name = (SELECT relname FROM "
                      "temp.pg_class WHERE oid = ?1)"
        : what == 1 ? "SELECT sum(pgsize) FROM dbstat('main') WHERE name IN (SELECT name FROM "
                      "main.sqlite_schema WHERE tbl_name = (SELECT relname FROM temp.pg_class "
                      "WHERE oid = ?1))"
                    : "SELECT sum(pgsize) FROM dbstat('main') WHERE name IN (SELECT name FROM "
                      "main.sqlite_schema WHERE type = 'index' AND tbl_name = (SELECT relname "
                      "FROM temp.pg_class WHERE oid = ?1))";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, oid);
        if (sqlite3_step(st) == SQLITE_ROW)
            size = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return size;
}

static void fn_table_size(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int64(cx, rel_size(sqlite3_context_db_handle(cx), arg_int(argv[0]), 0));
}

static void fn_total_size(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int64(cx, rel_size(sqlite3_context_db_handle(cx), arg_int(argv[0]), 1));
}

static void fn_indexes_size(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_result_int64(cx, rel_size(sqlite3_context_db_handle(cx), arg_int(argv[0]), 2));
}

static void fn_database_size(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3 *db = sqlite3_context_db_handle(cx);
    sqlite3_stmt *st = NULL;
    int64_t size = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT page_count * page_size FROM main.pragma_page_count, "
                           "main.pragma_page_size",
                           -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        size = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_result_int64(cx, size);
}

/* ---- arrays (PostgreSQL array text) ---- */

static void fn_array_to_string(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *arr = (const char *)sqlite3_value_text(argv[0]);
    const char *sep = (const char *)sqlite3_value_text(argv[1]);
    const char *nullstr = argc > 2 ? (const char *)sqlite3_value_text(argv[2]) : NULL;
    if (!arr || !sep) {
        sqlite3_result_null(cx);
        return;
    }
    struct cat_sbuf b = {0};
    char el[1024];
    bool is_null, first = true;
    size_t pos = 0;
    while (pgcat_array_next(arr, &pos, el, sizeof el, &is_null)) {
        if (is_null && !nullstr)
            continue;
        if (!first)
            cat_sb_put(&b, sep);
        cat_sb_put(&b, is_null ? nullstr : el);
        first = false;
    }
    sqlite3_result_text(cx, cat_sb_str(&b), -1, SQLITE_TRANSIENT);
    free(b.p);
}

/* The 1-based position of x in arr, NULL when absent. */
static void fn_array_position(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *arr = (const char *)sqlite3_value_text(argv[0]);
    const char *x = (const char *)sqlite3_value_text(argv[1]);
    if (!arr || !x) {
        sqlite3_result_null(cx);
        return;
    }
    char el[1024];
    bool is_null;
    size_t pos = 0;
    for (int k = 1; pgcat_array_next(arr, &pos, el, sizeof el, &is_null); k++) {
        if (!is_null && !strcmp(el, x)) {
            sqlite3_result_int(cx, k);
            return;
        }
    }
    sqlite3_result_null(cx);
}

/* x = ANY(arr): true, false, or NULL when arr is NULL. */
static void fn_array_any_eq(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *arr = (const char *)sqlite3_value_text(argv[0]);
    const char *x = (const char *)sqlite3_value_text(argv[1]);
    if (!arr || !x) {
        sqlite3_result_null(cx);
        return;
    }
    char el[1024];
    bool is_null;
    size_t pos = 0;
    while (pgcat_array_next(arr, &pos, el, sizeof el, &is_null))
        if (!is_null && !strcmp(el, x)) {
            sqlite3_result_int(cx, 1);
            return;
        }
    sqlite3_result_int(cx, 0);
}

static void fn_array_get(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *arr = (const char *)sqlite3_value_text(argv[0]);
    if (!arr || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    int64_t want = arg_int(argv[1]) - pgcat_array_lower(arr);
    char el[1024];
    bool is_null;
    size_t pos = 0;
    for (int64_t k = 0; pgcat_array_next(arr, &pos, el, sizeof el, &is_null); k++) {
        if (k == want) {
            if (is_null)
                sqlite3_result_null(cx);
            else
                sqlite3_result_text(cx, el, -1, SQLITE_TRANSIENT);
            return;
        }
    }
    sqlite3_result_null(cx);
}

static int array_count(const char *arr)
{
    char el[1024];
    bool is_null;
    size_t pos = 0;
    int n = 0;
    while (pgcat_array_next(arr, &pos, el, sizeof el, &is_null))
        n++;
    return n;
}

static void fn_array_upper(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *arr = (const char *)sqlite3_value_text(argv[0]);
    int n = arr ? array_count(arr) : 0;
    if (!arr || n == 0 || arg_int(argv[1]) != 1)
        sqlite3_result_null(cx);
    else
        sqlite3_result_int(cx, n - 1 + pgcat_array_lower(arr));
}

static void fn_array_lower(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *arr = (const char *)sqlite3_value_text(argv[0]);
    if (!arr || array_count(arr) == 0 || arg_int(argv[1]) != 1)
        sqlite3_result_null(cx);
    else
        sqlite3_result_int(cx, pgcat_array_lower(arr));
}

static void fn_array_length(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *arr = (const char *)sqlite3_value_text(argv[0]);
    int n = arr ? array_count(arr) : 0;
    if (!arr || n == 0 || arg_int(argv[1]) != 1)
        sqlite3_result_null(cx);
    else
        sqlite3_result_int(cx, n);
}

/* An element in array text: quoted when it needs to be. */
static void array_put(struct cat_sbuf *b, sqlite3_value *v)
{
    if (sqlite3_value_type(v) == SQLITE_NULL) {
        cat_sb_put(b, "NULL");
        return;
    }
    const char *s = (const char *)sqlite3_value_text(v);
    bool quote = !*s || !strcasecmp(s, "NULL");
    for (const char *p = s; *p && !quote; p++)
        if (strchr("{},\"\\ \t\n", *p))
            quote = true;
    if (!quote) {
        cat_sb_put(b, s);
        return;
    }
    cat_sb_put(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"' || *p == '\\')
            cat_sb_put(b, "\\");
        cat_sb_putn(b, p, 1);
    }
    cat_sb_put(b, "\"");
}

/* Array text as a JSON array of strings (NULL elements as null), for json_each. */
static void fn_array_json(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *arr = (const char *)sqlite3_value_text(argv[0]);
    if (!arr) {
        sqlite3_result_null(cx);
        return;
    }
    struct cat_sbuf b = {0};
    char el[1024];
    bool is_null;
    size_t pos = 0;
    cat_sb_put(&b, "[");
    while (pgcat_array_next(arr, &pos, el, sizeof el, &is_null)) {
        if (b.len > 1)
            cat_sb_put(&b, ",");
        if (is_null) {
            cat_sb_put(&b, "null");
            continue;
        }
        cat_sb_put(&b, "\"");
        for (const char *p = el; *p; p++) {
            if (*p == '"' || *p == '\\')
                cat_sb_put(&b, "\\");
            if ((unsigned char)*p < 0x20)
                cat_sb_printf(&b, "\\u%04x", (unsigned char)*p);
            else
                cat_sb_putn(&b, p, 1);
        }
        cat_sb_put(&b, "\"");
    }
    cat_sb_put(&b, "]");
    sqlite3_result_text(cx, b.p, -1, SQLITE_TRANSIENT);
    free(b.p);
}

static void fn_array(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct cat_sbuf b = {0};
    cat_sb_put(&b, "{");
    for (int i = 0; i < argc; i++) {
        if (i)
            cat_sb_put(&b, ",");
        array_put(&b, argv[i]);
    }
    cat_sb_put(&b, "}");
    sqlite3_result_text(cx, b.p, -1, SQLITE_TRANSIENT);
    free(b.p);
}

static void fn_array_agg_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct cat_sbuf *b = sqlite3_aggregate_context(cx, sizeof *b);
    if (!b)
        return;
    cat_sb_put(b, b->len ? "," : "{");
    array_put(b, argv[0]);
}

static void fn_array_agg_final(sqlite3_context *cx)
{
    struct cat_sbuf *b = sqlite3_aggregate_context(cx, 0);
    if (!b || !b->len) {
        sqlite3_result_text(cx, "{}", -1, SQLITE_STATIC);
        if (b)
            free(b->p);
        return;
    }
    cat_sb_put(b, "}");
    sqlite3_result_text(cx, b->p, -1, SQLITE_TRANSIENT);
    free(b->p);
}

/* ---- reg* types: an OID from a name (or a number), a name from an OID ---- */

static const char *reg_table(const char *kind, const char **name_col)
{
    if (!strcmp(kind, "regclass")) {
        *name_col = "relname";
        return "pg_class";
    }
    if (!strcmp(kind, "regtype")) {
        *name_col = "typname";
        return "pg_type";
    }
    if (!strcmp(kind, "regnamespace")) {
        *name_col = "nspname";
        return "pg_namespace";
    }
    if (!strcmp(kind, "regrole")) {
        *name_col = "rolname";
        return "pg_authid";
    }
    *name_col = "proname";
    return "pg_proc";
}

static void fn_regoid(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *kind = (const char *)sqlite3_value_text(argv[0]);
    if (!kind || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    if (sqlite3_value_type(argv[1]) == SQLITE_INTEGER) {
        sqlite3_result_int64(cx, arg_int(argv[1]));
        return;
    }
    const char *v = (const char *)sqlite3_value_text(argv[1]);
    char *end = NULL;
    long long num = strtoll(v, &end, 10);
    if (*v && end && !*end) {
        sqlite3_result_int64(cx, num);
        return;
    }
    /* A name: "schema.name" or "name", either part may be double-quoted. */
    char name[256];
    const char *p = v;
    size_t n = 0;
    bool quoted = false;
    for (; *p && n + 1 < sizeof name; p++) {
        if (*p == '"') {
            if (quoted && p[1] == '"') {
                name[n++] = '"';
                p++;
                continue;
            }
            quoted = !quoted;
            continue;
        }
        if (*p == '.' && !quoted) {
            n = 0; /* drop the schema */
            continue;
        }
        name[n++] = quoted ? *p : (char)tolower((unsigned char)*p);
    }
    name[n] = '\0';
    const char *col;
    const char *table = reg_table(kind, &col);
    /* The SQL names of types resolve as PostgreSQL's parser does. */
    static const struct {
        const char *sql, *typname;
    } aliases[] = {{"integer", "int4"},
                   {"int", "int4"},
                   {"smallint", "int2"},
                   {"bigint", "int8"},
                   {"boolean", "bool"},
                   {"real", "float4"},
                   {"double precision", "float8"},
                   {"character varying", "varchar"},
                   {"character", "bpchar"},
                   {"timestamp with time zone", "timestamptz"},
                   {"timestamp without time zone", "timestamp"},
                   {"time without time zone", "time"}};
    if (!strcmp(kind, "regtype"))
        for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
            if (!strcmp(name, aliases[i].sql))
                snprintf(name, sizeof name, "%s", aliases[i].typname);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT oid FROM temp.%s WHERE %s = ?1", table, col);
    sqlite3_stmt *st = NULL;
    sqlite3 *db = sqlite3_context_db_handle(cx);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) {
            sqlite3_result_int64(cx, sqlite3_column_int64(st, 0));
            sqlite3_finalize(st);
            return;
        }
    }
    sqlite3_finalize(st);
    if (!strcmp(kind, "regclass"))
        fn_error_text(cx, "42P01", "relation \"%s\" does not exist", v);
    else if (!strcmp(kind, "regtype"))
        fn_error_text(cx, "42704", "type \"%s\" does not exist", v);
    else
        fn_error_text(cx, "42883", "%s \"%s\" does not exist",
                      !strcmp(kind, "regnamespace") ? "schema"
                      : !strcmp(kind, "regrole")    ? "role"
                                                    : "function",
                      v);
}

static void fn_regname(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *kind = (const char *)sqlite3_value_text(argv[0]);
    if (!kind || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    int64_t oid = arg_int(argv[1]);
    if (oid == 0) {
        sqlite3_result_text(cx, "-", -1, SQLITE_STATIC);
        return;
    }
    if (!strcmp(kind, "regtype")) {
        char buf[96];
        pgcat_format_type((uint32_t)oid, -1, buf, sizeof buf);
        if (strcmp(buf, "???") != 0 && strcmp(buf, "unknown") != 0) {
            sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
            return;
        }
    }
    const char *col;
    const char *table = reg_table(kind, &col);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT %s FROM temp.%s WHERE oid = ?1", col, table);
    sqlite3_stmt *st = NULL;
    sqlite3 *db = sqlite3_context_db_handle(cx);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, oid);
        if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0)) {
            struct cat_sbuf b = {0};
            cat_quote_ident(&b, (const char *)sqlite3_column_text(st, 0));
            sqlite3_result_text(cx, cat_sb_str(&b), -1, SQLITE_TRANSIENT);
            free(b.p);
            sqlite3_finalize(st);
            return;
        }
    }
    sqlite3_finalize(st);
    char buf[24];
    snprintf(buf, sizeof buf, "%lld", (long long)oid);
    sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

struct cat_fn {
    const char *name;
    int nargs;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
};

static const struct cat_fn cat_fns[] = {
    {"format_type", 2, fn_format_type},
    {"pg_get_indexdef", 1, fn_get_indexdef},
    {"pg_get_indexdef", 3, fn_get_indexdef},
    {"pg_get_constraintdef", 1, fn_get_def},
    {"pg_get_constraintdef", 2, fn_get_def},
    {"pg_get_viewdef", 1, fn_get_def},
    {"pg_get_viewdef", 2, fn_get_def},
    {"pg_get_expr", 2, fn_get_expr},
    {"pg_get_expr", 3, fn_get_expr},
    {"pg_get_userbyid", 1, fn_get_userbyid},
    {"pg_table_is_visible", 1, fn_true},
    {"pg_type_is_visible", 1, fn_true},
    {"pg_function_is_visible", 1, fn_true},
    {"pg_collation_is_visible", 1, fn_true},
    {"pg_relation_is_publishable", 1, fn_false},
    {"pg_is_in_recovery", 0, fn_false},
    {"obj_description", 1, fn_null},
    {"obj_description", 2, fn_null},
    {"col_description", 2, fn_null},
    {"shobj_description", 2, fn_null},
    {"pg_get_function_result", 1, fn_null},
    {"pg_get_function_arguments", 1, fn_null},
    {"pg_get_function_identity_arguments", 1, fn_null},
    {"pg_get_statisticsobjdef_columns", 1, fn_null},
    {"pg_get_triggerdef", 1, fn_null},
    {"pg_get_triggerdef", 2, fn_null},
    {"pg_get_ruledef", 1, fn_null},
    {"pg_get_ruledef", 2, fn_null},
    {"pg_get_partkeydef", 1, fn_null},
    {"pg_tablespace_location", 1, fn_null},
    {"pg_encoding_to_char", 1, fn_encoding_to_char},
    {"has_table_privilege", 2, fn_true},
    {"has_table_privilege", 3, fn_true},
    {"has_schema_privilege", 2, fn_true},
    {"has_schema_privilege", 3, fn_true},
    {"has_database_privilege", 2, fn_true},
    {"has_database_privilege", 3, fn_true},
    {"has_column_privilege", 3, fn_true},
    {"has_column_privilege", 4, fn_true},
    {"has_sequence_privilege", 2, fn_true},
    {"has_sequence_privilege", 3, fn_true},
    {"has_function_privilege", 2, fn_true},
    {"has_function_privilege", 3, fn_true},
    {"pg_has_role", 2, fn_true},
    {"pg_has_role", 3, fn_true},
    {"quote_ident", 1, fn_quote_ident},
    {"current_schemas", 1, fn_current_schemas},
    {"current_schema", 0, fn_current_schema},
    {"pg_partition_ancestors", 1, fn_pass_int},
    {"pg_partition_root", 1, fn_pass_int},
    {"pg_size_pretty", 1, fn_size_pretty},
    {"pg_table_size", 1, fn_table_size},
    {"pg_relation_size", 1, fn_table_size},
    {"pg_relation_size", 2, fn_table_size},
    {"pg_total_relation_size", 1, fn_total_size},
    {"pg_indexes_size", 1, fn_indexes_size},
    {"pg_database_size", 1, fn_database_size},
    {"array_to_string", 2, fn_array_to_string},
    {"array_to_string", 3, fn_array_to_string},
    {"pg_array_position", 2, fn_array_position},
    {"pg_array_any_eq", 2, fn_array_any_eq},
    {"pg_array_get", 2, fn_array_get},
    {"pg_array_upper", 2, fn_array_upper},
    {"pg_array_lower", 2, fn_array_lower},
    {"pg_array_length", 2, fn_array_length},
    {"pg_array", -1, fn_array},
    {"pg_array_json", 1, fn_array_json},
    {"pg_regoid", 2, fn_regoid},
    {"pg_regname", 2, fn_regname},
};

bool sq_catalog_register(struct sq_session *s)
{
    for (size_t i = 0; i < sizeof cat_fns / sizeof cat_fns[0]; i++)
        if (sqlite3_create_function_v2(s->db, cat_fns[i].name, cat_fns[i].nargs, SQLITE_UTF8, s,
                                       cat_fns[i].fn, NULL, NULL, NULL) != SQLITE_OK)
            return false;
    return sqlite3_create_function_v2(s->db, "pg_array_agg", 1, SQLITE_UTF8, s, NULL,
                                      fn_array_agg_step, fn_array_agg_final, NULL) == SQLITE_OK;
}
