/*
 * pg_catalog and information_schema of an SQLite session. The catalog is a set of TEMP tables
 * (sqlite_catalog_ddl.h) with PostgreSQL's column names and types, filled from sqlite_schema and
 * the pragmas (table_xinfo, index_list, index_xinfo, foreign_key_list), plus the functions
 * clients call on them (format_type, pg_get_indexdef, pg_get_constraintdef, ...). It also gives
 * RowDescription the table OID and attnum of result columns that come from a table.
 *
 * Why TEMP tables rather than views: declared column types make RowDescription and the text
 * output of bool, oid and "char" columns what PostgreSQL sends (psql compares "t"), and a fill
 * is cheap. They are filled lazily, before the first statement that reads the catalog, and
 * refilled when the signature (schema_version, the sequences, user and database) changes. The
 * signature is stored in a TEMP table filled in the same savepoint, so a ROLLBACK of the
 * client's transaction rolls catalog and signature back together. Writing TEMP tables takes no
 * lock on the main database: a read-only query stays read-only.
 *
 * OIDs are pgcat_oid() of the name (src/sql/catalog.c), stable across connections and
 * restarts. SQLite's own tables (sqlite_*) and myrmex's (_myrmex_*) are hidden. Everything is
 * in schema public (SQLite's main); pg_catalog and information_schema exist as namespaces.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql/catalog.h"
#include "sqlite/session.h"
#include "sqlite_catalog_ddl.h"
#include "sqlite_catalog_int.h"
#include "util/util.h"

/* ---------------------------------------------------------------------------------------- */
/* Small helpers */

void cat_sb_putn(struct cat_sbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 128;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void cat_sb_put(struct cat_sbuf *b, const char *s)
{
    cat_sb_putn(b, s, strlen(s));
}

void cat_sb_printf(struct cat_sbuf *b, const char *fmt, ...)
{
    char tmp[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof tmp)
        n = sizeof tmp - 1;
    cat_sb_putn(b, tmp, (size_t)n);
}

const char *cat_sb_str(struct cat_sbuf *b)
{
    return b->p ? b->p : "";
}

/* Case-insensitive strstr (ASCII). */
const char *ci_find(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; hay && *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

static bool is_hidden(const char *name)
{
    return !name || strncmp(name, "sqlite_", 7) == 0 || strncmp(name, "_myrmex_", 8) == 0;
}

/* PostgreSQL's quote_ident: quotes unless lower-case letters, digits and '_'. */
void cat_quote_ident(struct cat_sbuf *b, const char *name)
{
    bool plain = name[0] && (islower((unsigned char)name[0]) || name[0] == '_');
    for (const char *p = name; plain && *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
            plain = false;
    static const char *const reserved[] = {"all",        "and",    "check", "column", "default",
                                           "from",       "group",  "order", "select", "table",
                                           "where",      "user",   "to",    "limit",  "primary",
                                           "references", "unique", "end",   "case",   "when"};
    for (size_t i = 0; plain && i < sizeof reserved / sizeof reserved[0]; i++)
        if (!strcmp(name, reserved[i]))
            plain = false;
    if (plain) {
        cat_sb_put(b, name);
        return;
    }
    cat_sb_put(b, "\"");
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            cat_sb_put(b, "\"");
        cat_sb_putn(b, p, 1);
    }
    cat_sb_put(b, "\"");
}

/*
 * An expression stored by the translator, as PostgreSQL would print it: double-quoted plain
 * identifiers lose their quotes and the translator's pg_now() is now() again. Other pg_*
 * helpers stay visible: the text is what SQLite evaluates.
 */
static void untranslate(struct cat_sbuf *b, const char *expr)
{
    const char *p = expr;
    while (*p) {
        if (*p == '\'') {
            const char *q = p + 1;
            while (*q && !(*q == '\'' && q[1] != '\''))
                q += *q == '\'' ? 2 : 1;
            if (*q)
                q++;
            cat_sb_putn(b, p, (size_t)(q - p));
            p = q;
        } else if (*p == '"') {
            const char *q = p + 1;
            bool plain = true;
            while (*q && *q != '"') {
                if (!islower((unsigned char)*q) && !isdigit((unsigned char)*q) && *q != '_')
                    plain = false;
                q++;
            }
            if (*q == '"' && plain && q > p + 1)
                cat_sb_putn(b, p + 1, (size_t)(q - p - 1));
            else
                cat_sb_putn(b, p, (size_t)(q - p) + (*q ? 1 : 0));
            p = *q ? q + 1 : q;
        } else if (!strncmp(p, "pg_now()", 8)) {
            cat_sb_put(b, "now()");
            p += 8;
        } else if ((p == expr || !isalnum((unsigned char)p[-1])) &&
                   (!strncmp(p, "pg_lower(", 9) || !strncmp(p, "pg_upper(", 9))) {
            /* The translator's spellings of lower() / upper(). */
            p += 3;
        } else {
            cat_sb_putn(b, p, 1);
            p++;
        }
    }
}

/* Strip one pair of parentheses that encloses the whole text. */
static const char *strip_parens(const char *s, size_t *len)
{
    size_t n = strlen(s);
    while (n >= 2 && s[0] == '(' && s[n - 1] == ')') {
        int depth = 0;
        bool whole = true;
        bool quote = false;
        for (size_t i = 0; i < n; i++) {
            if (s[i] == '\'')
                quote = !quote;
            if (quote)
                continue;
            if (s[i] == '(')
                depth++;
            else if (s[i] == ')' && --depth == 0 && i != n - 1) {
                whole = false;
                break;
            }
        }
        if (!whole)
            break;
        s++;
        n -= 2;
    }
    *len = n;
    return s;
}

/* ---------------------------------------------------------------------------------------- */
/* Running SQL on the session's handle */

static bool cat_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK;
}

/* Prepare with positional binds: 'i' int64, 't' text (NULL allowed), 'n' NULL. */
static bool cat_run(sqlite3 *db, const char *sql, const char *fmt, ...)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return false;
    va_list ap;
    va_start(ap, fmt);
    for (int i = 0; fmt[i]; i++) {
        if (fmt[i] == 'i') {
            sqlite3_bind_int64(st, i + 1, va_arg(ap, int64_t));
        } else if (fmt[i] == 't') {
            const char *v = va_arg(ap, const char *);
            if (v)
                sqlite3_bind_text(st, i + 1, v, -1, SQLITE_TRANSIENT);
        }
    }
    va_end(ap);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW;
}

/* ---------------------------------------------------------------------------------------- */
/* Types */

static const struct {
    uint32_t oid;
    const char *name;
    int16_t len;
    bool byval;
    char category;
    uint32_t array;
    uint32_t collation;
} cat_types[] = {
    {16, "bool", 1, true, 'B', 1000, 0},         {17, "bytea", -1, false, 'U', 1001, 0},
    {18, "char", 1, true, 'Z', 1002, 0},         {19, "name", 64, false, 'S', 1003, 950},
    {20, "int8", 8, true, 'N', 1016, 0},         {21, "int2", 2, true, 'N', 1005, 0},
    {22, "int2vector", -1, false, 'A', 1006, 0}, {23, "int4", 4, true, 'N', 1007, 0},
    {24, "regproc", 4, true, 'N', 1008, 0},      {25, "text", -1, false, 'S', 1009, 100},
    {26, "oid", 4, true, 'N', 1028, 0},          {30, "oidvector", -1, false, 'A', 1013, 0},
    {114, "json", -1, false, 'U', 199, 0},       {700, "float4", 4, true, 'N', 1021, 0},
    {701, "float8", 8, true, 'N', 1022, 0},      {705, "unknown", -2, false, 'X', 0, 0},
    {1042, "bpchar", -1, false, 'S', 1014, 100}, {1043, "varchar", -1, false, 'S', 1015, 100},
    {1082, "date", 4, true, 'D', 1182, 0},       {1083, "time", 8, true, 'D', 1183, 0},
    {1114, "timestamp", 8, true, 'D', 1115, 0},  {1184, "timestamptz", 8, true, 'D', 1185, 0},
    {1186, "interval", 16, false, 'T', 1187, 0}, {1700, "numeric", -1, false, 'N', 1231, 0},
    {2205, "regclass", 4, true, 'N', 2210, 0},   {2206, "regtype", 4, true, 'N', 2211, 0},
    {2950, "uuid", 16, false, 'U', 2951, 0},     {3802, "jsonb", -1, false, 'U', 3807, 0},
};

static bool cat_fill_types(sqlite3 *db)
{
    for (size_t i = 0; i < sizeof cat_types / sizeof cat_types[0]; i++) {
        if (!cat_run(db,
                     "INSERT INTO temp.pg_type (oid, typname, typnamespace, typowner, typlen, "
                     "typbyval, typtype, typcategory, typispreferred, typisdefined, typdelim, "
                     "typrelid, typelem, typarray, typinput, typoutput, typalign, typstorage, "
                     "typnotnull, typbasetype, typtypmod, typndims, typcollation) VALUES (?1, ?2, "
                     "11, 10, ?3, ?4, 'b', ?5, 0, 1, ',', 0, 0, ?6, ?2 || 'in', ?2 || 'out', "
                     "CASE WHEN ?3 = 8 OR ?3 = -1 THEN 'd' WHEN ?3 = 2 THEN 's' WHEN ?3 = 1 "
                     "THEN 'c' ELSE 'i' END, CASE WHEN ?3 = -1 THEN 'x' ELSE 'p' END, 0, 0, -1, "
                     "0, ?7)",
                     "itiitii", (int64_t)cat_types[i].oid, cat_types[i].name,
                     (int64_t)cat_types[i].len, (int64_t)cat_types[i].byval,
                     (const char *)(char[]){cat_types[i].category, '\0'},
                     (int64_t)cat_types[i].array, (int64_t)cat_types[i].collation))
            return false;
    }
    return true;
}

/* pg_attribute.attstorage of a type: plain, main (numeric) or extended. */
static const char *type_storage(uint32_t oid)
{
    if (oid == PGOID_NUMERIC)
        return "m";
    return pgtype_len(oid) == -1 ? "x" : "p";
}

static uint32_t type_collation(uint32_t oid)
{
    return oid == PGOID_TEXT || oid == PGOID_VARCHAR || oid == PGOID_BPCHAR ? 100 : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Sequences (_myrmex_sequence, when it exists) */

struct cat_seq {
    char *name, *data_type, *owner_table, *owner_column;
    int64_t start, min, max, inc, cache;
    bool cycle;
};

struct cat_seqs {
    struct cat_seq *v;
    int n;
};

static bool seq_table_exists(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    bool yes = false;
    if (sqlite3_prepare_v2(db,
                           "SELECT 1 FROM main.sqlite_schema WHERE type = 'table' AND "
                           "name = '_myrmex_sequence'",
                           -1, &st, NULL) == SQLITE_OK)
        yes = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return yes;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const char *v = (const char *)sqlite3_column_text(st, i);
    return v ? xstrdup(v) : NULL;
}

static void seqs_load(sqlite3 *db, struct cat_seqs *q)
{
    memset(q, 0, sizeof *q);
    if (!seq_table_exists(db))
        return;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, data_type, start_value, min_value, max_value, "
                           "increment_by, cycle, cache_size, owner_table, owner_column FROM "
                           "main._myrmex_sequence ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        q->v = xrealloc(q->v, (size_t)(q->n + 1) * sizeof *q->v);
        struct cat_seq *s = &q->v[q->n++];
        s->name = col_dup(st, 0);
        s->data_type = col_dup(st, 1);
        s->start = sqlite3_column_int64(st, 2);
        s->min = sqlite3_column_int64(st, 3);
        s->max = sqlite3_column_int64(st, 4);
        s->inc = sqlite3_column_int64(st, 5);
        s->cycle = sqlite3_column_int(st, 6) != 0;
        s->cache = sqlite3_column_int64(st, 7);
        s->owner_table = col_dup(st, 8);
        s->owner_column = col_dup(st, 9);
        if (!s->name)
            s->name = xstrdup("");
    }
    sqlite3_finalize(st);
}

static void seqs_free(struct cat_seqs *q)
{
    for (int i = 0; i < q->n; i++) {
        free(q->v[i].name);
        free(q->v[i].data_type);
        free(q->v[i].owner_table);
        free(q->v[i].owner_column);
    }
    free(q->v);
    memset(q, 0, sizeof *q);
}

static const struct cat_seq *seq_owning(const struct cat_seqs *q, const char *table,
                                        const char *column)
{
    for (int i = 0; i < q->n; i++)
        if (q->v[i].owner_table && q->v[i].owner_column && !strcmp(q->v[i].owner_table, table) &&
            !strcmp(q->v[i].owner_column, column))
            return &q->v[i];
    return NULL;
}

static uint32_t seq_type(const struct cat_seq *s)
{
    int32_t mod;
    uint32_t t = s && s->data_type ? pgtype_from_decltype(s->data_type, &mod) : 0;
    return t == PGOID_INT2 || t == PGOID_INT4 ? t : PGOID_INT8;
}

/* ---------------------------------------------------------------------------------------- */
/* Tables, views, indexes and constraints */

struct cat_col {
    char *name;
    char *decl;
    char *dflt;
    bool notnull;
    int pk;     /* position in the primary key, 0 when not in it */
    int hidden; /* pragma_table_xinfo: 2 virtual, 3 stored generated column */
    uint32_t type;
    int32_t typmod;
};

struct cat_table {
    const char *name;
    uint32_t oid;
    struct cat_col *cols;
    int n;
};

static void table_cols_load(sqlite3 *db, const char *name, struct cat_table *t)
{
    sqlite3_stmt *st = NULL;
    t->name = name;
    t->oid = pgcat_oid('r', name);
    t->cols = NULL;
    t->n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM "
                           "main.pragma_table_xinfo(?1) ORDER BY cid",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        t->cols = xrealloc(t->cols, (size_t)(t->n + 1) * sizeof *t->cols);
        struct cat_col *c = &t->cols[t->n++];
        c->name = col_dup(st, 0);
        c->decl = col_dup(st, 1);
        c->notnull = sqlite3_column_int(st, 2) != 0;
        c->dflt = col_dup(st, 3);
        c->pk = sqlite3_column_int(st, 4);
        c->hidden = sqlite3_column_int(st, 5);
        if (!c->name)
            c->name = xstrdup("?");
        c->typmod = -1;
        c->type = pgtype_from_decltype(c->decl, &c->typmod);
        if (!c->type) {
            /* A table made outside myrmex: SQLite's affinity rules. */
            const char *d = c->decl ? c->decl : "";
            if (ci_find(d, "INT"))
                c->type = PGOID_INT8;
            else if (ci_find(d, "REAL") || ci_find(d, "FLOA") || ci_find(d, "DOUB"))
                c->type = PGOID_FLOAT8;
            else if (ci_find(d, "BLOB"))
                c->type = PGOID_BYTEA;
            else if (ci_find(d, "CHAR") || ci_find(d, "CLOB") || ci_find(d, "TEXT"))
                c->type = PGOID_TEXT;
            else
                c->type = *d ? PGOID_NUMERIC : PGOID_TEXT;
        }
        /* A rowid primary key is NOT NULL in effect. */
        if (c->pk && c->decl && !strcasecmp(c->decl, "INTEGER"))
            c->notnull = true;
    }
    sqlite3_finalize(st);
}

static void table_cols_free(struct cat_table *t)
{
    for (int i = 0; i < t->n; i++) {
        free(t->cols[i].name);
        free(t->cols[i].decl);
        free(t->cols[i].dflt);
    }
    free(t->cols);
    t->cols = NULL;
    t->n = 0;
}

static int table_attnum(const struct cat_table *t, const char *col)
{
    for (int i = 0; i < t->n; i++)
        if (!strcasecmp(t->cols[i].name, col))
            return i + 1;
    return 0;
}

/* A default as pg_get_expr would print it. */
static void default_text(struct cat_sbuf *b, const struct cat_col *c)
{
    size_t n;
    const char *in = strip_parens(c->dflt, &n);
    char *e = xmalloc(n + 1);
    memcpy(e, in, n);
    e[n] = '\0';
    if (c->type == PGOID_BOOL && (!strcmp(e, "1") || !strcmp(e, "0"))) {
        cat_sb_put(b, e[0] == '1' ? "true" : "false");
    } else if (e[0] == '\'') {
        char ty[96];
        pgcat_format_type(c->type, -1, ty, sizeof ty);
        cat_sb_put(b, e);
        cat_sb_put(b, "::");
        cat_sb_put(b, ty);
    } else {
        untranslate(b, e);
    }
    free(e);
}

static void put_col_list(struct cat_sbuf *b, const struct cat_table *t, const char *cols,
                         struct cat_sbuf *attnums)
{
    /* cols: "a,b" */
    char *copy = xstrdup(cols);
    char *save = NULL;
    bool first = true;
    for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save)) {
        if (!first)
            cat_sb_put(b, ", ");
        cat_quote_ident(b, c);
        if (attnums)
            cat_sb_printf(attnums, "%s%d", first ? "" : ",", t ? table_attnum(t, c) : 0);
        first = false;
    }
    free(copy);
}

static bool cols_equal(const char *a, const char *b)
{
    return a && b && !strcasecmp(a, b);
}

static bool insert_def(sqlite3 *db, uint32_t oid, const char *def, const char *cols)
{
    return cat_run(db, "INSERT OR REPLACE INTO temp._myrmex_catalog_def VALUES (?1, ?2, ?3)", "itt",
                   (int64_t)oid, def, cols);
}

static bool insert_class(sqlite3 *db, uint32_t oid, const char *name, const char *kind, uint32_t am,
                         int natts, int nchecks, bool hasindex)
{
    return cat_run(db,
                   "INSERT INTO temp.pg_class VALUES (?1, ?2, 2200, 0, 0, 10, ?4, ?1, 0, 0, -1, "
                   "0, 0, ?7, 0, 'p', ?3, ?5, ?6, 0, 0, 0, 0, 0, 1, 'd', 0, 0, '0', '0', NULL, "
                   "NULL, NULL)",
                   "ittiiii", (int64_t)oid, name, kind, (int64_t)am, (int64_t)natts,
                   (int64_t)nchecks, (int64_t)hasindex);
}

static bool insert_attr(sqlite3 *db, uint32_t rel, const char *name, uint32_t type, int32_t typmod,
                        int attnum, bool notnull, bool hasdef, const char *generated)
{
    char align[2] = {pgtype_len(type) == 8 || pgtype_len(type) == -1 ? 'd' : 'i', '\0'};
    if (type == PGOID_TEXT || type == PGOID_VARCHAR || type == PGOID_BPCHAR)
        align[0] = 'i';
    return cat_run(db,
                   "INSERT INTO temp.pg_attribute VALUES (?1, ?2, ?3, -1, ?4, ?5, 0, -1, ?6, "
                   "?7, ?8, ?9, '', ?10, ?11, 0, '', ?12, 0, 1, 0, ?13, NULL, NULL, NULL, NULL)",
                   "itiiiiittiiti", (int64_t)rel, name, (int64_t)type, (int64_t)pgtype_len(type),
                   (int64_t)attnum, (int64_t)typmod,
                   (int64_t)(pgtype_len(type) > 0 && pgtype_len(type) <= 8), align,
                   type_storage(type), (int64_t)notnull, (int64_t)hasdef, generated,
                   (int64_t)type_collation(type));
}

/* An index key that is an expression (pragma_index_xinfo has no name for it). */
#define EXPR_COL "\x01"

struct cat_index {
    char *name;    /* as the catalog shows it */
    char *sqlname; /* SQLite's name (NULL for the rowid primary key) */
    char *cols;    /* "a,b" */
    char *desc;    /* "0 1" indoption */
    bool unique, primary, partial;
    char origin; /* 'c' CREATE INDEX, 'u' UNIQUE, 'p' PRIMARY KEY */
};

static void index_cols(sqlite3 *db, const char *idx, struct cat_index *x)
{
    sqlite3_stmt *st = NULL;
    struct cat_sbuf cols = {0}, desc = {0};
    if (sqlite3_prepare_v2(db,
                           "SELECT name, \"desc\", cid FROM main.pragma_index_xinfo(?1) WHERE "
                           "key ORDER BY seqno",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, idx, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            const char *nm = (const char *)sqlite3_column_text(st, 0);
            if (cols.len)
                cat_sb_put(&cols, ",");
            cat_sb_put(&cols, nm ? nm : EXPR_COL);
            cat_sb_printf(&desc, "%s%d", desc.len ? " " : "", sqlite3_column_int(st, 1) ? 3 : 0);
        }
    }
    sqlite3_finalize(st);
    x->cols = cols.p ? cols.p : xstrdup("");
    x->desc = desc.p ? desc.p : xstrdup("");
}

/* The constraint name the splitter found for kind and column list, or NULL. */
static const char *split_name(const struct cat_split *sp, char kind, const char *cols)
{
    for (size_t i = 0; i < sp->n; i++)
        if (sp->v[i].kind == kind && sp->v[i].name && cols_equal(sp->v[i].cols, cols))
            return sp->v[i].name;
    return NULL;
}

static char *default_con_name(const char *table, const char *cols, const char *suffix)
{
    struct cat_sbuf b = {0};
    cat_sb_put(&b, table);
    if (cols && *cols) {
        /* PostgreSQL joins the column names with '_'. */
        char *copy = xstrdup(cols);
        for (char *p = copy; *p; p++)
            if (*p == ',')
                *p = '_';
        cat_sb_put(&b, "_");
        cat_sb_put(&b, copy);
        free(copy);
    }
    cat_sb_put(&b, "_");
    cat_sb_put(&b, suffix);
    if (b.len > 63)
        b.p[63] = '\0';
    return b.p;
}

static bool fill_indexes(sqlite3 *db, const struct cat_table *t, const struct cat_split *sp,
                         struct cat_index **out, int *n_out)
{
    struct cat_index *v = NULL;
    int n = 0;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT name, \"unique\", origin, partial FROM "
                           "main.pragma_index_list(?1) ORDER BY seq DESC",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW) {
            v = xrealloc(v, (size_t)(n + 1) * sizeof *v);
            struct cat_index *x = &v[n++];
            memset(x, 0, sizeof *x);
            x->sqlname = col_dup(st, 0);
            x->unique = sqlite3_column_int(st, 1) != 0;
            const char *origin = (const char *)sqlite3_column_text(st, 2);
            x->origin = origin && origin[0] == 'p' ? 'p' : origin && origin[0] == 'u' ? 'u' : 'c';
            x->primary = x->origin == 'p';
            x->partial = sqlite3_column_int(st, 3) != 0;
            index_cols(db, x->sqlname, x);
            if (x->origin == 'c') {
                x->name = xstrdup(x->sqlname);
            } else {
                const char *nm = split_name(sp, x->origin, x->cols);
                x->name = nm ? xstrdup(nm)
                             : default_con_name(t->name, x->origin == 'p' ? NULL : x->cols,
                                                x->origin == 'p' ? "pkey" : "key");
            }
        }
    }
    sqlite3_finalize(st);
    /* The rowid primary key has no index in SQLite; PostgreSQL shows one. */
    bool have_pk = false;
    for (int i = 0; i < n; i++)
        have_pk = have_pk || v[i].primary;
    for (int i = 0; !have_pk && i < t->n; i++) {
        if (t->cols[i].pk == 1 && t->cols[i].decl && !strcasecmp(t->cols[i].decl, "INTEGER")) {
            bool single = true;
            for (int k = 0; k < t->n; k++)
                if (k != i && t->cols[k].pk)
                    single = false;
            if (!single)
                break;
            v = xrealloc(v, (size_t)(n + 1) * sizeof *v);
            struct cat_index *x = &v[n++];
            memset(x, 0, sizeof *x);
            x->cols = xstrdup(t->cols[i].name);
            x->desc = xstrdup("0");
            const char *nm = split_name(sp, 'p', x->cols);
            x->name = nm ? xstrdup(nm) : default_con_name(t->name, NULL, "pkey");
            x->unique = x->primary = true;
            x->origin = 'p';
        }
    }
    *out = v;
    *n_out = n;
    return true;
}

static void free_indexes(struct cat_index *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].sqlname);
        free(v[i].cols);
        free(v[i].desc);
    }
    free(v);
}

/* The part of a CREATE INDEX text after the column list's ")" that starts with WHERE. */
static const char *index_where(const char *sql)
{
    if (!sql)
        return NULL;
    const char *w = NULL;
    for (const char *p = sql; (p = ci_find(p, "WHERE")) != NULL; p += 5)
        w = p;
    return w;
}

static bool table_index_sql(sqlite3 *db, const char *name, char **sql)
{
    sqlite3_stmt *st = NULL;
    *sql = NULL;
    if (sqlite3_prepare_v2(db, "SELECT sql FROM main.sqlite_schema WHERE name = ?1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            *sql = col_dup(st, 0);
    }
    sqlite3_finalize(st);
    return true;
}

/* The k-th key of CREATE INDEX text sql (0-based) as PostgreSQL would print it. */
static void index_expr(struct cat_sbuf *b, const char *sql, int k)
{
    const char *on = sql ? ci_find(sql, " ON ") : NULL;
    const char *p = on ? strchr(on, '(') : NULL;
    if (!p) {
        cat_sb_put(b, "expr");
        return;
    }
    int depth = 0, item = 0;
    const char *start = p + 1;
    for (p = p + 1; *p; p++) {
        if (*p == '\'' || *p == '"') {
            char q = *p;
            for (p++; *p && *p != q; p++)
                ;
            if (!*p)
                break;
            continue;
        }
        if (*p == '(') {
            depth++;
        } else if ((*p == ',' && depth == 0) || (*p == ')' && depth-- == 0)) {
            if (item == k) {
                size_t n = (size_t)(p - start);
                while (n && start[n - 1] == ' ')
                    n--;
                if (n >= 5 && !strncasecmp(start + n - 5, " DESC", 5))
                    n -= 5;
                else if (n >= 4 && !strncasecmp(start + n - 4, " ASC", 4))
                    n -= 4;
                while (*start == ' ' && n)
                    start++, n--;
                char *e = xmalloc(n + 1);
                memcpy(e, start, n);
                e[n] = '\0';
                size_t in_len;
                const char *in = strip_parens(e, &in_len);
                e[in - e + (ptrdiff_t)in_len] = '\0';
                /* PostgreSQL parenthesises an expression key unless it is a function call. */
                size_t id = 0;
                while (in[id] == '_' || isalnum((unsigned char)in[id]))
                    id++;
                size_t call_len;
                bool call = id > 0 && in[id] == '(' && strip_parens(in + id, &call_len) &&
                            call_len + 2 == strlen(in + id);
                if (!call)
                    cat_sb_put(b, "(");
                untranslate(b, in);
                if (!call)
                    cat_sb_put(b, ")");
                free(e);
                return;
            }
            if (*p == ')')
                break;
            item++;
            start = p + 1;
        }
    }
    cat_sb_put(b, "expr");
}

static bool fill_index_rows(sqlite3 *db, const struct cat_table *t, struct cat_index *v, int n)
{
    for (int i = 0; i < n; i++) {
        struct cat_index *x = &v[i];
        uint32_t oid = pgcat_oid('r', x->name);
        struct cat_sbuf def = {0}, key = {0}, colsdef = {0}, coll = {0}, cls = {0};
        char *sql = NULL;
        if (x->sqlname && x->origin == 'c')
            table_index_sql(db, x->sqlname, &sql);
        cat_sb_put(&def, x->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
        cat_quote_ident(&def, x->name);
        cat_sb_put(&def, " ON public.");
        cat_quote_ident(&def, t->name);
        cat_sb_put(&def, " USING btree (");
        char *copy = xstrdup(x->cols);
        char *save = NULL;
        int k = 0;
        const char *dp = x->desc;
        for (char *c = strtok_r(copy, ",", &save); c; c = strtok_r(NULL, ",", &save), k++) {
            bool expr = !strcmp(c, EXPR_COL);
            int attnum = expr ? 0 : table_attnum(t, c);
            struct cat_sbuf one = {0};
            if (expr)
                index_expr(&one, sql, k);
            else
                cat_quote_ident(&one, c);
            int desc = dp && *dp ? atoi(dp) : 0;
            if (dp) {
                while (*dp && *dp != ' ')
                    dp++;
                while (*dp == ' ')
                    dp++;
            }
            if (k)
                cat_sb_put(&def, ", ");
            cat_sb_put(&def, cat_sb_str(&one));
            if (desc & 1)
                cat_sb_put(&def, " DESC");
            if (colsdef.len)
                cat_sb_put(&colsdef, "\x1f");
            cat_sb_put(&colsdef, cat_sb_str(&one));
            cat_sb_printf(&key, "%s%d", k ? " " : "", attnum);
            const struct cat_col *cc = attnum ? &t->cols[attnum - 1] : NULL;
            cat_sb_printf(&coll, "%s%u", k ? " " : "", cc ? type_collation(cc->type) : 0);
            cat_sb_printf(&cls, "%s0", k ? " " : "");
            uint32_t ty = cc ? cc->type : PGOID_TEXT;
            if (!insert_attr(db, oid, expr ? "expr" : c, ty, cc ? cc->typmod : -1, k + 1, false,
                             false, "")) {
                free(one.p);
                free(copy);
                free(def.p);
                free(key.p);
                free(colsdef.p);
                free(coll.p);
                free(cls.p);
                free(sql);
                return false;
            }
            free(one.p);
        }
        free(copy);
        cat_sb_put(&def, ")");
        const char *where = x->partial ? index_where(sql) : NULL;
        char *pred = NULL;
        if (where) {
            struct cat_sbuf p = {0};
            untranslate(&p, where + 5 + strspn(where + 5, " "));
            /* As the pretty forms print it: no outer parentheses. */
            size_t plen;
            const char *in = strip_parens(cat_sb_str(&p), &plen);
            pred = xmalloc(plen + 1);
            memcpy(pred, in, plen);
            pred[plen] = '\0';
            free(p.p);
            cat_sb_put(&def, " WHERE ");
            cat_sb_put(&def, pred);
        }
        bool ok = insert_class(db, oid, x->name, "i", PGCAT_AM_BTREE, k, 0, false) &&
                  cat_run(db,
                          "INSERT INTO temp.pg_index VALUES (?1, ?2, ?3, ?3, ?4, 0, ?5, 0, 1, "
                          "0, 1, 0, 1, 1, 0, ?6, ?7, ?8, ?9, NULL, ?10)",
                          "iiiiitttt"
                          "t",
                          (int64_t)oid, (int64_t)t->oid, (int64_t)k, (int64_t)x->unique,
                          (int64_t)x->primary, cat_sb_str(&key), cat_sb_str(&coll),
                          cat_sb_str(&cls), x->desc, pred) &&
                  insert_def(db, oid, cat_sb_str(&def), cat_sb_str(&colsdef));
        free(def.p);
        free(key.p);
        free(colsdef.p);
        free(coll.p);
        free(cls.p);
        free(sql);
        free(pred);
        if (!ok)
            return false;
    }
    return true;
}

static const char *fk_action_word(const char *a)
{
    if (!a)
        return NULL;
    if (!strcasecmp(a, "CASCADE"))
        return "CASCADE";
    if (!strcasecmp(a, "SET NULL"))
        return "SET NULL";
    if (!strcasecmp(a, "SET DEFAULT"))
        return "SET DEFAULT";
    if (!strcasecmp(a, "RESTRICT"))
        return "RESTRICT";
    return NULL;
}

static char fk_action_char(const char *a)
{
    if (!a)
        return 'a';
    if (!strcasecmp(a, "CASCADE"))
        return 'c';
    if (!strcasecmp(a, "SET NULL"))
        return 'n';
    if (!strcasecmp(a, "SET DEFAULT"))
        return 'd';
    if (!strcasecmp(a, "RESTRICT"))
        return 'r';
    return 'a';
}

static bool insert_constraint(sqlite3 *db, uint32_t oid, const char *name, char type, uint32_t rel,
                              uint32_t index, uint32_t frel, char upd, char del, const char *conkey,
                              const char *confkey, const char *def, bool deferrable, bool deferred)
{
    char ty[2] = {type, 0}, u[2] = {upd, 0}, d[2] = {del, 0};
    return cat_run(db,
                   "INSERT INTO temp.pg_constraint VALUES (?1, ?2, 2200, ?3, ?12, ?13, 1, ?4, "
                   "0, ?5, 0, ?6, ?7, ?8, CASE WHEN ?3 = 'f' THEN 's' ELSE ' ' END, 1, 0, 0, "
                   "?9, ?10, NULL, NULL, NULL, NULL, NULL, ?11)",
                   "ittiiitttttii", (int64_t)oid, name, ty, (int64_t)rel, (int64_t)index,
                   (int64_t)frel, u, d, conkey, confkey, def, (int64_t)deferrable,
                   (int64_t)deferred) &&
           insert_def(db, oid, def, NULL);
}

static bool fill_constraints(sqlite3 *db, const struct cat_table *t, const struct cat_split *sp,
                             const struct cat_index *ix, int n_ix, int *n_checks)
{
    char buf[512];
    *n_checks = 0;
    /* Primary key and unique constraints: the indexes that back them. */
    for (int i = 0; i < n_ix; i++) {
        if (ix[i].origin == 'c')
            continue;
        struct cat_sbuf def = {0}, key = {0};
        cat_sb_put(&def, ix[i].origin == 'p' ? "PRIMARY KEY (" : "UNIQUE (");
        cat_sb_put(&key, "{");
        put_col_list(&def, t, ix[i].cols, &key);
        cat_sb_put(&def, ")");
        cat_sb_put(&key, "}");
        snprintf(buf, sizeof buf, "%s.%s", t->name, ix[i].name);
        bool ok = insert_constraint(db, pgcat_oid('c', buf), ix[i].name, ix[i].origin, t->oid,
                                    pgcat_oid('r', ix[i].name), 0, ' ', ' ', cat_sb_str(&key), NULL,
                                    cat_sb_str(&def), false, false);
        free(def.p);
        free(key.p);
        if (!ok)
            return false;
    }
    /* CHECK constraints: only the CREATE TABLE text has them. */
    for (size_t i = 0; i < sp->n; i++) {
        const struct cat_split_con *c = &sp->v[i];
        if (c->kind != 'c')
            continue;
        /* The translator's own CHECK for varchar(n) / char(n) is the type, not a constraint. */
        if (c->name &&
            (!strncmp(c->name, "varchar_length_", 15) || !strncmp(c->name, "char_length_", 12)) &&
            c->expr && !strncmp(c->expr, "length(", 7))
            continue;
        char *name = c->name ? xstrdup(c->name)
                             : default_con_name(t->name, *c->cols ? c->cols : NULL, "check");
        struct cat_sbuf def = {0}, key = {0};
        size_t n;
        const char *e = strip_parens(c->expr ? c->expr : "", &n);
        char *inner = xmalloc(n + 1);
        memcpy(inner, e, n);
        inner[n] = '\0';
        cat_sb_put(&def, "CHECK (");
        untranslate(&def, inner);
        cat_sb_put(&def, ")");
        free(inner);
        if (*c->cols)
            cat_sb_printf(&key, "{%d}", table_attnum(t, c->cols));
        snprintf(buf, sizeof buf, "%s.%s", t->name, name);
        bool ok = insert_constraint(db, pgcat_oid('c', buf), name, 'c', t->oid, 0, 0, ' ', ' ',
                                    key.p, NULL, cat_sb_str(&def), false, false);
        free(def.p);
        free(key.p);
        free(name);
        if (!ok)
            return false;
        (*n_checks)++;
    }
    /* Foreign keys: pragma_foreign_key_list, one row per column, grouped by id. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete FROM "
                           "main.pragma_foreign_key_list(?1) ORDER BY id DESC, seq",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return true;
    }
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    bool ok = true;
    while (ok && rc == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        char *ref = col_dup(st, 1);
        char *upd = col_dup(st, 4), *del = col_dup(st, 5);
        struct cat_sbuf from = {0}, to = {0};
        bool to_known = true;
        while (rc == SQLITE_ROW && sqlite3_column_int(st, 0) == id) {
            const char *f = (const char *)sqlite3_column_text(st, 2);
            const char *o = (const char *)sqlite3_column_text(st, 3);
            if (from.len)
                cat_sb_put(&from, ",");
            cat_sb_put(&from, f ? f : "");
            if (!o)
                to_known = false;
            else {
                if (to.len)
                    cat_sb_put(&to, ",");
                cat_sb_put(&to, o);
            }
            rc = sqlite3_step(st);
        }
        struct cat_table rt = {0};
        table_cols_load(db, ref ? ref : "", &rt);
        if (!to_known) {
            /* REFERENCES t without columns: t's primary key. */
            free(to.p);
            memset(&to, 0, sizeof to);
            for (int pos = 1; pos <= rt.n; pos++)
                for (int k = 0; k < rt.n; k++)
                    if (rt.cols[k].pk == pos) {
                        if (to.len)
                            cat_sb_put(&to, ",");
                        cat_sb_put(&to, rt.cols[k].name);
                    }
        }
        const char *nm = split_name(sp, 'f', cat_sb_str(&from));
        char *name = nm ? xstrdup(nm) : default_con_name(t->name, cat_sb_str(&from), "fkey");
        struct cat_sbuf def = {0}, key = {0}, fkey = {0};
        cat_sb_put(&def, "FOREIGN KEY (");
        cat_sb_put(&key, "{");
        put_col_list(&def, t, cat_sb_str(&from), &key);
        cat_sb_put(&key, "}");
        cat_sb_put(&def, ") REFERENCES ");
        cat_quote_ident(&def, ref ? ref : "");
        cat_sb_put(&def, "(");
        cat_sb_put(&fkey, "{");
        put_col_list(&def, &rt, cat_sb_str(&to), &fkey);
        cat_sb_put(&fkey, "}");
        cat_sb_put(&def, ")");
        const char *w;
        if ((w = fk_action_word(upd)) != NULL)
            cat_sb_printf(&def, " ON UPDATE %s", w);
        if ((w = fk_action_word(del)) != NULL)
            cat_sb_printf(&def, " ON DELETE %s", w);
        bool deferrable = false, deferred = false;
        for (size_t i = 0; i < sp->n; i++) {
            if (sp->v[i].kind == 'f' && cols_equal(sp->v[i].cols, cat_sb_str(&from)) &&
                sp->v[i].fk) {
                deferrable =
                    ci_find(sp->v[i].fk, "DEFERRABLE") && !ci_find(sp->v[i].fk, "NOT DEFERRABLE");
                deferred = ci_find(sp->v[i].fk, "INITIALLY DEFERRED") != NULL;
            }
        }
        if (deferrable)
            cat_sb_put(&def, deferred ? " DEFERRABLE INITIALLY DEFERRED" : " DEFERRABLE");
        /* The referenced table's unique index on those columns. */
        uint32_t index = 0;
        snprintf(buf, sizeof buf, "%s.%s", t->name, name);
        ok = insert_constraint(db, pgcat_oid('c', buf), name, 'f', t->oid, index, rt.oid,
                               fk_action_char(upd), fk_action_char(del), cat_sb_str(&key),
                               cat_sb_str(&fkey), cat_sb_str(&def), deferrable, deferred);
        table_cols_free(&rt);
        free(def.p);
        free(key.p);
        free(fkey.p);
        free(name);
        free(from.p);
        free(to.p);
        free(ref);
        free(upd);
        free(del);
    }
    sqlite3_finalize(st);
    return ok;
}

static bool fill_table(sqlite3 *db, const char *name, const char *sql, const struct cat_seqs *q)
{
    struct cat_table t;
    struct cat_split sp;
    struct cat_index *ix = NULL;
    int n_ix = 0, n_checks = 0;
    bool ok = true;
    table_cols_load(db, name, &t);
    cat_split_table(sql, &sp);
    fill_indexes(db, &t, &sp, &ix, &n_ix);
    for (int i = 0; ok && i < t.n; i++) {
        struct cat_col *c = &t.cols[i];
        const struct cat_seq *seq = seq_owning(q, name, c->name);
        struct cat_sbuf dflt = {0};
        if (seq) {
            if (c->decl && !strcasecmp(c->decl, "INTEGER"))
                c->type = seq_type(seq);
            cat_sb_put(&dflt, "nextval('");
            struct cat_sbuf qn = {0};
            cat_quote_ident(&qn, seq->name);
            for (const char *p = cat_sb_str(&qn); *p; p++) {
                if (*p == '\'')
                    cat_sb_put(&dflt, "'");
                cat_sb_putn(&dflt, p, 1);
            }
            free(qn.p);
            cat_sb_put(&dflt, "'::regclass)");
        } else if (c->dflt && c->hidden < 2) {
            default_text(&dflt, c);
        } else if (c->hidden >= 2) {
            /* A generated column's expression is in the CREATE TABLE text only. */
            dflt.len = 0;
        }
        const char *gen = c->hidden == 3 ? "s" : "";
        ok = insert_attr(db, t.oid, c->name, c->type, c->typmod, i + 1, c->notnull, dflt.len > 0,
                         gen);
        if (ok && dflt.len) {
            char key[512];
            snprintf(key, sizeof key, "%s.%s", name, c->name);
            ok = cat_run(db, "INSERT INTO temp.pg_attrdef VALUES (?1, ?2, ?3, ?4)", "iiit",
                         (int64_t)pgcat_oid('d', key), (int64_t)t.oid, (int64_t)(i + 1),
                         cat_sb_str(&dflt));
        }
        free(dflt.p);
    }
    ok = ok && fill_constraints(db, &t, &sp, ix, n_ix, &n_checks);
    ok = ok && fill_index_rows(db, &t, ix, n_ix);
    ok = ok && insert_class(db, t.oid, name, "r", PGCAT_AM_HEAP, t.n, n_checks, n_ix > 0);
    free_indexes(ix, n_ix);
    cat_split_free(&sp);
    table_cols_free(&t);
    return ok;
}

static bool fill_view(sqlite3 *db, const char *name, const char *sql)
{
    struct cat_table t;
    bool ok = true;
    table_cols_load(db, name, &t);
    for (int i = 0; ok && i < t.n; i++)
        ok = insert_attr(db, t.oid, t.cols[i].name, t.cols[i].type, t.cols[i].typmod, i + 1, false,
                         false, "");
    ok = ok && insert_class(db, t.oid, name, "v", 0, t.n, 0, false);
    /* The definition: what SQLite runs, after "AS". */
    const char *as = sql ? ci_find(sql, " AS ") : NULL;
    struct cat_sbuf def = {0};
    cat_sb_put(&def, " ");
    if (as)
        untranslate(&def, as + 4);
    cat_sb_put(&def, ";");
    ok = ok && insert_def(db, t.oid, cat_sb_str(&def), NULL);
    free(def.p);
    table_cols_free(&t);
    return ok;
}

static bool fill_sequences(sqlite3 *db, const struct cat_seqs *q)
{
    for (int i = 0; i < q->n; i++) {
        const struct cat_seq *s = &q->v[i];
        uint32_t oid = pgcat_oid('r', s->name);
        if (!insert_class(db, oid, s->name, "S", 0, 3, 0, false) ||
            !cat_run(db, "INSERT INTO temp.pg_sequence VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                     "iiiiiiii", (int64_t)oid, (int64_t)seq_type(s), s->start, s->inc, s->max,
                     s->min, s->cache, (int64_t)s->cycle))
            return false;
        if (s->owner_table && s->owner_column) {
            struct cat_table t;
            table_cols_load(db, s->owner_table, &t);
            int attnum = table_attnum(&t, s->owner_column);
            bool ok = cat_run(db,
                              "INSERT INTO temp.pg_depend VALUES (1259, ?1, 0, 1259, ?2, ?3, "
                              "'a')",
                              "iii", (int64_t)oid, (int64_t)t.oid, (int64_t)attnum);
            table_cols_free(&t);
            if (!ok)
                return false;
        }
    }
    return true;
}

static bool fill_schema(sqlite3 *db, const struct cat_seqs *q)
{
    sqlite3_stmt *st = NULL;
    bool ok = true;
    if (sqlite3_prepare_v2(db,
                           "SELECT type, name, sql FROM main.sqlite_schema WHERE type IN "
                           "('table', 'view') ORDER BY rowid",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return false;
    }
    while (ok && sqlite3_step(st) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        char *name = col_dup(st, 1);
        char *sql = col_dup(st, 2);
        if (!is_hidden(name)) {
            if (!strcmp(type, "table"))
                ok = fill_table(db, name, sql, q);
            else
                ok = fill_view(db, name, sql);
        }
        free(name);
        free(sql);
    }
    sqlite3_finalize(st);
    /* Foreign keys are triggers in PostgreSQL: psql looks for them only when this is set. */
    return ok && fill_sequences(db, q) &&
           cat_exec(db, "UPDATE temp.pg_class SET relhastriggers = 1 WHERE oid IN (SELECT "
                        "conrelid FROM temp.pg_constraint WHERE contype = 'f' UNION SELECT "
                        "confrelid FROM temp.pg_constraint WHERE contype = 'f')");
}

/* ---------------------------------------------------------------------------------------- */
/* Signature and refill */

static char *catalog_signature(struct sq_session *s, const struct cat_seqs *q)
{
    struct cat_sbuf b = {0};
    sqlite3_stmt *st = NULL;
    int64_t version = -1;
    if (sqlite3_prepare_v2(s->db, "PRAGMA main.schema_version", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        version = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    const char *user = sq_guc_get(s, "session_authorization");
    const char *db = sq_guc_get(s, "myrmex.database");
    cat_sb_printf(&b, "v3|%lld|%s|%s", (long long)version, user ? user : "", db ? db : "");
    for (int i = 0; i < q->n; i++)
        cat_sb_printf(&b, "|%s:%s:%s.%s", q->v[i].name, q->v[i].data_type ? q->v[i].data_type : "",
                      q->v[i].owner_table ? q->v[i].owner_table : "",
                      q->v[i].owner_column ? q->v[i].owner_column : "");
    return b.p;
}

/* kind: "schema" (the tables filled from the database) or "session" (settings, role, database). */
static bool stored_signature_is(sqlite3 *db, const char *kind, const char *sig)
{
    sqlite3_stmt *st = NULL;
    bool same = false;
    if (sqlite3_prepare_v2(db, "SELECT sig FROM temp._myrmex_catalog_state WHERE kind = ?1", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_bind_text(st, 1, kind, -1, SQLITE_STATIC) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        const char *v = (const char *)sqlite3_column_text(st, 0);
        same = v && !strcmp(v, sig);
    }
    sqlite3_finalize(st);
    return same;
}

static bool fill_session_rows(struct sq_session *s)
{
    const char *user = sq_guc_get(s, "session_authorization");
    const char *dbname = sq_guc_get(s, "myrmex.database");
    bool ok = cat_exec(s->db, "DELETE FROM temp.pg_settings") &&
              cat_exec(s->db, "DELETE FROM temp.pg_database") &&
              cat_exec(s->db, "DELETE FROM temp.pg_authid");
    ok = ok && cat_run(s->db,
                       "INSERT INTO temp.pg_database VALUES (16384, ?1, 10, 6, 'c', 0, 1, -1, "
                       "'0', '1', 1663, 'C', 'C', NULL, NULL, NULL)",
                       "t", dbname ? dbname : "");
    ok = ok && cat_run(s->db,
                       "INSERT INTO temp.pg_authid VALUES (10, ?1, 1, 1, 1, 1, 1, 1, 1, -1, "
                       "NULL, NULL), (6171, 'pg_database_owner', 0, 1, 0, 0, 0, 0, 0, -1, "
                       "NULL, NULL)",
                       "t", user ? user : "");
    for (int i = 0; ok && i < s->n_gucs; i++)
        ok = cat_run(s->db,
                     "INSERT INTO temp.pg_settings (name, setting, category, short_desc, "
                     "context, vartype, source, boot_val, reset_val, pending_restart) VALUES "
                     "(?1, ?2, 'Client Connection Defaults', '', 'user', 'string', 'session', "
                     "?2, ?2, 0)",
                     "tt", s->gucs[i].name, s->gucs[i].value);
    return ok;
}

bool sq_catalog_prepare(struct sq_session *s)
{
    struct cat_seqs q;
    bool ok = true;
    seqs_load(s->db, &q);
    char *sig = catalog_signature(s, &q);
    if (!cat_exec(s->db, "SAVEPOINT _myrmex_catalog")) {
        free(sig);
        seqs_free(&q);
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    if (!stored_signature_is(s->db, "schema", sig)) {
        for (size_t i = 0; ok && i < sizeof sq_cat_tables / sizeof sq_cat_tables[0]; i++)
            ok = cat_exec(s->db, sq_cat_tables[i]);
        static const char *const clear[] = {"pg_namespace",
                                            "pg_class",
                                            "pg_attribute",
                                            "pg_attrdef",
                                            "pg_index",
                                            "pg_constraint",
                                            "pg_type",
                                            "pg_am",
                                            "pg_collation",
                                            "pg_tablespace",
                                            "pg_language",
                                            "pg_sequence",
                                            "pg_depend",
                                            "_myrmex_catalog_def",
                                            "_myrmex_catalog_state"};
        for (size_t i = 0; ok && i < sizeof clear / sizeof clear[0]; i++) {
            char sql[96];
            snprintf(sql, sizeof sql, "DELETE FROM temp.\"%s\"", clear[i]);
            ok = cat_exec(s->db, sql);
        }
        for (size_t i = 0; ok && i < sizeof sq_cat_static / sizeof sq_cat_static[0]; i++)
            ok = cat_exec(s->db, sq_cat_static[i]);
        ok = ok && cat_fill_types(s->db) && fill_schema(s->db, &q);
        for (size_t i = 0; ok && i < sizeof sq_cat_views / sizeof sq_cat_views[0]; i++)
            ok = cat_exec(s->db, sq_cat_views[i]);
        ok = ok && cat_run(s->db, "INSERT INTO temp._myrmex_catalog_state VALUES ('schema', ?1)",
                           "t", sig);
    }
    /* Settings change with SET: their rows are refilled only when a value changed. */
    struct cat_sbuf ssig = {0};
    for (int i = 0; i < s->n_gucs; i++) {
        cat_sb_put(&ssig, s->gucs[i].name);
        cat_sb_put(&ssig, "=");
        cat_sb_put(&ssig, s->gucs[i].value ? s->gucs[i].value : "");
        cat_sb_put(&ssig, "\x1f");
    }
    if (ok && !stored_signature_is(s->db, "session", cat_sb_str(&ssig)))
        ok = fill_session_rows(s) &&
             cat_run(s->db,
                     "INSERT OR REPLACE INTO temp._myrmex_catalog_state VALUES ('session', ?1)",
                     "t", cat_sb_str(&ssig));
    free(ssig.p);
    if (!ok) {
        char msg[256];
        snprintf(msg, sizeof msg, "could not build pg_catalog: %s", sqlite3_errmsg(s->db));
        cat_exec(s->db, "ROLLBACK TO _myrmex_catalog");
        cat_exec(s->db, "RELEASE _myrmex_catalog");
        free(sig);
        seqs_free(&q);
        sq_error(s, "XX000", 0, "%s", msg);
        return false;
    }
    cat_exec(s->db, "RELEASE _myrmex_catalog");
    free(sig);
    seqs_free(&q);
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* RowDescription: table OID and attnum of result columns */

void sq_catalog_origins(struct sq_session *s, sqlite3_stmt *st, int n, uint32_t *relids,
                        int16_t *attnums)
{
    bool checked = false;
    for (int i = 0; i < n; i++) {
        relids[i] = 0;
        attnums[i] = 0;
        const char *dbn = sqlite3_column_database_name(st, i);
        const char *tbl = sqlite3_column_table_name(st, i);
        const char *col = sqlite3_column_origin_name(st, i);
        if (!dbn || strcmp(dbn, "main") != 0 || !tbl || !col || is_hidden(tbl))
            continue;
        if (!checked) {
            int64_t version = -1;
            if (!s->cat_version_st)
                sqlite3_prepare_v3(s->db, "PRAGMA main.schema_version", -1,
                                   SQLITE_PREPARE_PERSISTENT, &s->cat_version_st, NULL);
            if (s->cat_version_st) {
                if (sqlite3_step(s->cat_version_st) == SQLITE_ROW)
                    version = sqlite3_column_int64(s->cat_version_st, 0);
                sqlite3_reset(s->cat_version_st);
            }
            if (version != s->cat_origin_version) {
                sq_catalog_fini(s);
                s->cat_origin_version = version;
            }
            checked = true;
        }
        struct sq_cat_origin *o = NULL;
        for (int k = 0; k < s->n_cat_origins; k++)
            if (!strcmp(s->cat_origins[k].table, tbl)) {
                o = &s->cat_origins[k];
                break;
            }
        if (!o) {
            if (s->n_cat_origins == SQ_CAT_ORIGINS) {
                free(s->cat_origins[0].table);
                free(s->cat_origins[0].columns);
                memmove(&s->cat_origins[0], &s->cat_origins[1],
                        (SQ_CAT_ORIGINS - 1) * sizeof s->cat_origins[0]);
                s->n_cat_origins--;
            }
            o = &s->cat_origins[s->n_cat_origins++];
            o->table = xstrdup(tbl);
            /* Column names NUL-separated in attnum order. */
            struct cat_sbuf b = {0};
            sqlite3_stmt *q = NULL;
            o->n_columns = 0;
            if (sqlite3_prepare_v2(s->db,
                                   "SELECT name FROM main.pragma_table_xinfo(?1) ORDER BY cid", -1,
                                   &q, NULL) == SQLITE_OK) {
                sqlite3_bind_text(q, 1, tbl, -1, SQLITE_STATIC);
                while (sqlite3_step(q) == SQLITE_ROW) {
                    const char *nm = (const char *)sqlite3_column_text(q, 0);
                    cat_sb_putn(&b, nm ? nm : "", nm ? strlen(nm) + 1 : 1);
                    o->n_columns++;
                }
            }
            sqlite3_finalize(q);
            o->columns = b.p;
        }
        const char *p = o->columns;
        for (int k = 0; p && k < o->n_columns; k++) {
            if (!strcasecmp(p, col)) {
                relids[i] = pgcat_oid('r', tbl);
                attnums[i] = (int16_t)(k + 1);
                break;
            }
            p += strlen(p) + 1;
        }
    }
}

void sq_catalog_fini(struct sq_session *s)
{
    for (int k = 0; k < s->n_cat_origins; k++) {
        free(s->cat_origins[k].table);
        free(s->cat_origins[k].columns);
    }
    s->n_cat_origins = 0;
}

void sq_catalog_close(struct sq_session *s)
{
    sq_catalog_fini(s);
    if (s->cat_version_st)
        sqlite3_finalize(s->cat_version_st);
    s->cat_version_st = NULL;
}
