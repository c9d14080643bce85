/*
 * DDL the SQLite backend carries out itself: DROP of several objects, TRUNCATE (several
 * tables, RESTART IDENTITY, CASCADE), VACUUM / ANALYZE, CREATE TABLE with the sequences of its
 * serial columns, renames that carry owned sequences along, and the ALTER TABLE forms SQLite
 * cannot do in place, which run as SQLite's documented table rebuild
 * (https://www.sqlite.org/lang_altertable.html, "Making Other Kinds Of Table Schema Changes"):
 *
 *   1. foreign keys off (only possible outside a transaction: see rebuild_table)
 *   2. begin a write transaction (or a savepoint inside the client's block)
 *   3. remember the table's indexes and triggers
 *   4. CREATE TABLE "_myrmex_new_X" with the changed definition (include/sqlite/schema.h)
 *   5. INSERT INTO it SELECT ... FROM X, converting changed columns
 *   6. DROP TABLE X; ALTER TABLE "_myrmex_new_X" RENAME TO X (legacy_alter_table on, so
 *      views and triggers that name X are left alone: they still name the right table)
 *   7. recreate the indexes and triggers, restore the AUTOINCREMENT counter
 *   8. foreign_key_check, commit, foreign keys back on
 *
 * A failure anywhere rolls the whole change back; violations found while copying are reported
 * with PostgreSQL's SQLSTATE and message (23505, 23502, 23514, 23503).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sqlite/schema.h"
#include "sqlite/session.h"
#include "util/util.h"

#define DDL_SAVEPOINT "\"_myrmex_ddl\""

bool sq_ddl_exec(struct sq_session *s, const char *sql)
{
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    return true;
}

static void ddl_complete(struct sq_session *s, const char *tag)
{
    proto_begin(&s->out, 'C');
    proto_put_str(&s->out, tag);
    proto_end(&s->out);
}

/*
 * The write transaction DDL runs in: one of its own outside a block (*own), else the block's,
 * with a savepoint so that a failed statement leaves nothing half done.
 */
static bool ddl_begin(struct sq_session *s, bool *own)
{
    *own = s->tx == 'I';
    if (*own)
        return sq_ddl_exec(s, "BEGIN IMMEDIATE");
    if (!sq_ensure_begun(s, true))
        return false;
    return sq_ddl_exec(s, "SAVEPOINT " DDL_SAVEPOINT);
}

static bool ddl_end(struct sq_session *s, bool own, bool ok)
{
    if (ok && sq_ddl_exec(s, own ? "COMMIT" : "RELEASE " DDL_SAVEPOINT))
        return true;
    if (own) {
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    } else if (!sqlite3_get_autocommit(s->db)) {
        sqlite3_exec(s->db, "ROLLBACK TO " DDL_SAVEPOINT, NULL, NULL, NULL);
        sqlite3_exec(s->db, "RELEASE " DDL_SAVEPOINT, NULL, NULL, NULL);
    }
    return false;
}

/* First column of the first row of sql with text parameters ?1.. (NULL when no row). */
static char *query_text(struct sq_session *s, const char *sql, const char *p1, const char *p2)
{
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    if (p1)
        sqlite3_bind_text(st, 1, p1, -1, SQLITE_TRANSIENT);
    if (p2)
        sqlite3_bind_text(st, 2, p2, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
        out = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return out;
}

/* The type ("table", "view", "index", "trigger") of a schema object, or NULL. */
static char *object_type(struct sq_session *s, const char *name)
{
    return query_text(s,
                      "SELECT type FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE "
                      "UNION ALL SELECT type FROM sqlite_temp_schema WHERE name = ?1 COLLATE "
                      "NOCASE",
                      name, NULL);
}

struct names {
    char **v;
    int n;
};

static void names_add(struct names *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcasecmp(l->v[i], name) == 0)
            return;
    l->v = xrealloc(l->v, (size_t)(l->n + 1) * sizeof(*l->v));
    l->v[l->n++] = xstrdup(name);
}

static bool names_has(const struct names *l, const char *name)
{
    for (int i = 0; i < l->n; i++)
        if (strcasecmp(l->v[i], name) == 0)
            return true;
    return false;
}

static void names_fini(struct names *l)
{
    for (int i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = 0;
}

/* Tables with a foreign key that references table (the table itself included). */
static void referencing_tables(struct sq_session *s, const char *table, struct names *out)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT DISTINCT m.name FROM sqlite_schema AS m, "
                           "pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' AND "
                           "f.\"table\" = ?1 COLLATE NOCASE",
                           -1, &st, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        names_add(out, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

static bool foreign_keys_on(struct sq_session *s)
{
    char *v = query_text(s, "PRAGMA foreign_keys", NULL, NULL);
    bool on = v && strcmp(v, "1") == 0;
    free(v);
    return on;
}

/* ---------------------------------------------------------------------------------------- */
/* DROP, TRUNCATE, VACUUM, CREATE TABLE / RENAME bookkeeping */

static bool ddl_drop(struct sq_session *s, const struct sql_stmt *stmt)
{
    const struct sql_ddl *d = stmt->ddl;
    const char *what = stmt->tag + strlen("DROP "); /* TABLE, INDEX, VIEW */
    char lower[16], sql[64];
    struct names dropping = {0};
    bool ok = true;

    snprintf(lower, sizeof(lower), "%s", what);
    for (char *p = lower; *p; p++)
        *p = (char)(*p - 'A' + 'a');
    for (int i = 0; i < d->n_names; i++)
        names_add(&dropping, d->names[i]);
    for (int i = 0; ok && i < d->n_names; i++) {
        const char *name = d->names[i];
        char *type = object_type(s, name);
        if (!type) {
            if (d->missing_ok) {
                sq_report(s, "NOTICE", "00000", 0, NULL, "%s \"%s\" does not exist, skipping",
                          lower, name);
                continue;
            }
            sq_error(s, strcmp(lower, "index") == 0 ? "42704" : "42P01", 0,
                     "%s \"%s\" does not exist", lower, name);
            ok = false;
            break;
        }
        if (strcmp(type, lower) != 0) {
            sq_report(s, "ERROR", "42809", 0, NULL, "\"%s\" is not a%s %s", name,
                      lower[0] == 'i' ? "n" : "", lower);
            s->errors++;
            if (s->tx == 'T')
                s->tx = 'E';
            free(type);
            ok = false;
            break;
        }
        free(type);
        if (strcmp(lower, "table") == 0) {
            struct names refs = {0};
            referencing_tables(s, name, &refs);
            for (int k = 0; k < refs.n; k++) {
                if (!names_has(&dropping, refs.v[k])) {
                    sq_report(s, "ERROR", "2BP01", 0,
                              "Use DROP ... CASCADE to drop the dependent objects too.",
                              "cannot drop table %s because other objects depend on it "
                              "(table %s references it)",
                              name, refs.v[k]);
                    s->errors++;
                    if (s->tx == 'T')
                        s->tx = 'E';
                    ok = false;
                    break;
                }
            }
            names_fini(&refs);
            if (!ok)
                break;
        }
        char *q = schema_quote(name);
        snprintf(sql, sizeof(sql), "DROP %s ", what);
        char *full = xmalloc(strlen(sql) + strlen(q) + 1);
        strcpy(full, sql);
        strcat(full, q);
        ok = sq_ddl_exec(s, full);
        free(full);
        free(q);
        if (ok && strcmp(lower, "table") == 0)
            ok = sq_seq_drop_owned(s, name);
    }
    names_fini(&dropping);
    return ok;
}

static bool ddl_truncate(struct sq_session *s, const struct sql_stmt *stmt)
{
    const struct sql_ddl *d = stmt->ddl;
    struct names tables = {0};
    bool ok = true;

    for (int i = 0; i < d->n_names; i++) {
        char *type = object_type(s, d->names[i]);
        bool table = type && strcmp(type, "table") == 0;
        free(type);
        if (!table) {
            sq_error(s, "42P01", 0, "relation \"%s\" does not exist", d->names[i]);
            names_fini(&tables);
            return false;
        }
        names_add(&tables, d->names[i]);
    }
    /* PostgreSQL refuses to empty a table other tables reference, unless they go too. */
    for (int i = 0; ok && i < tables.n; i++) {
        struct names refs = {0};
        referencing_tables(s, tables.v[i], &refs);
        for (int k = 0; k < refs.n; k++) {
            if (names_has(&tables, refs.v[k]))
                continue;
            if (d->cascade) {
                sq_report(s, "NOTICE", "00000", 0, NULL, "truncate cascades to table \"%s\"",
                          refs.v[k]);
                names_add(&tables, refs.v[k]);
                continue;
            }
            sq_report(s, "ERROR", "0A000", 0,
                      "Truncate the referencing table at the same time, or use TRUNCATE ... "
                      "CASCADE.",
                      "cannot truncate a table referenced in a foreign key constraint (table "
                      "\"%s\" references \"%s\")",
                      refs.v[k], tables.v[i]);
            s->errors++;
            if (s->tx == 'T')
                s->tx = 'E';
            ok = false;
            break;
        }
        names_fini(&refs);
    }
    /* Emptied together, the tables satisfy their keys again at the end. */
    if (ok)
        ok = sq_ddl_exec(s, "PRAGMA defer_foreign_keys = ON");
    for (int i = 0; ok && i < tables.n; i++) {
        char *q = schema_quote(tables.v[i]);
        char *sql = xmalloc(strlen(q) + 16);
        sprintf(sql, "DELETE FROM %s", q);
        ok = sq_ddl_exec(s, sql);
        free(sql);
        free(q);
        if (ok && d->restart_identity)
            ok = sq_seq_restart_owned(s, tables.v[i]);
    }
    sqlite3_exec(s->db, "PRAGMA defer_foreign_keys = OFF", NULL, NULL, NULL);
    names_fini(&tables);
    return ok;
}

/* VACUUM / ANALYZE: outside any transaction for VACUUM, as PostgreSQL requires. */
static bool ddl_vacuum(struct sq_session *s, const struct sql_stmt *stmt)
{
    const struct sql_ddl *d = stmt->ddl;
    if (d->vacuum && s->tx != 'I') {
        sq_error(s, "25001", 0, "VACUUM cannot run inside a transaction block");
        return false;
    }
    for (int i = 0; i < d->n_names; i++) {
        char *type = object_type(s, d->names[i]);
        bool table = type && strcmp(type, "table") == 0;
        free(type);
        if (!table) {
            sq_error(s, "42P01", 0, "relation \"%s\" does not exist", d->names[i]);
            return false;
        }
    }
    if (d->vacuum) {
        if (d->n_names == 0) {
            if (!sq_ddl_exec(s, "VACUUM"))
                return false;
        } else {
            sq_report(s, "NOTICE", "00000", 0, NULL,
                      "VACUUM of a table has no effect on the SQLite backend: SQLite vacuums "
                      "whole databases (VACUUM without a table name does)");
        }
    }
    if (!d->analyze)
        return true;
    if (!sq_ensure_begun(s, true))
        return false;
    if (d->n_names == 0)
        return sq_ddl_exec(s, "ANALYZE");
    for (int i = 0; i < d->n_names; i++) {
        char *q = schema_quote(d->names[i]);
        char *sql = xmalloc(strlen(q) + 16);
        bool ok;
        sprintf(sql, "ANALYZE %s", q);
        ok = sq_ddl_exec(s, sql);
        free(sql);
        free(q);
        if (!ok)
            return false;
    }
    return true;
}

/* CREATE TABLE with serial columns, renames: the statement, then the sequences' bookkeeping. */
static bool ddl_with_sequences(struct sq_session *s, const struct sql_stmt *stmt)
{
    const struct sql_ddl *d = stmt->ddl;
    bool existed = false;
    if (d->n_seqs && d->if_not_exists) {
        char *type = object_type(s, d->table);
        existed = type != NULL;
        free(type);
        if (existed) {
            sq_report(s, "NOTICE", "42P07", 0, NULL, "relation \"%s\" already exists, skipping",
                      d->table);
            return true;
        }
    }
    if (!sq_ddl_exec(s, stmt->sqlite))
        return false;
    for (int i = 0; i < d->n_seqs; i++)
        if (!sq_seq_create(s, &d->seqs[i], false))
            return false;
    if (d->new_name && !sq_seq_rename_owner(s, d->table, d->column, d->new_name))
        return false;
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* ALTER TABLE by rebuild */

struct rebuild {
    struct schema_table tb;
    char **exprs; /* per item: the new column's value from the old row; NULL: not copied */
    const char *table;
};

static void rb_error(struct sq_session *s, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void rb_error(struct sq_session *s, const char *sqlstate, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    sq_error(s, sqlstate, 0, "%s", msg);
}

static struct schema_column *rb_column(struct sq_session *s, struct rebuild *rb, const char *name)
{
    int i = schema_find_column(&rb->tb, name);
    if (i < 0) {
        rb_error(s, "42703", "column \"%s\" of relation \"%s\" does not exist", name, rb->table);
        return NULL;
    }
    return &rb->tb.items[i].col;
}

static bool rb_has_primary(const struct rebuild *rb)
{
    for (int i = 0; i < rb->tb.n_items; i++) {
        const struct schema_item *it = &rb->tb.items[i];
        if (!it->is_column && it->cons.kind == SCHEMA_CONS_PRIMARY)
            return true;
        for (int k = 0; it->is_column && k < it->col.n_cons; k++)
            if (it->col.cons[k].kind == SCHEMA_CONS_PRIMARY)
                return true;
    }
    return false;
}

static bool rb_in_primary(const struct rebuild *rb, const char *col)
{
    for (int i = 0; i < rb->tb.n_items; i++) {
        const struct schema_item *it = &rb->tb.items[i];
        if (!it->is_column && it->cons.kind == SCHEMA_CONS_PRIMARY) {
            for (int k = 0; k < it->n_keys; k++)
                if (strcmp(it->keys[k], col) == 0)
                    return true;
        }
        if (it->is_column && strcmp(it->col.name, col) == 0)
            for (int k = 0; k < it->col.n_cons; k++)
                if (it->col.cons[k].kind == SCHEMA_CONS_PRIMARY)
                    return true;
    }
    return false;
}

/* The length CHECKs the translator adds to varchar(n)/char(n) are part of the type. */
static bool internal_check(const char *name)
{
    return name &&
           (strncmp(name, "varchar_length_", 15) == 0 || strncmp(name, "char_length_", 12) == 0);
}

/* Is there a constraint called name? */
static bool rb_constraint_exists(const struct rebuild *rb, const char *name)
{
    bool found = false;
    for (int i = 0; i < rb->tb.n_items && !found; i++) {
        const struct schema_item *it = &rb->tb.items[i];
        if (!it->is_column) {
            char *n = schema_constraint_name(rb->table, it, NULL, &it->cons);
            found = n && strcmp(n, name) == 0;
            free(n);
            continue;
        }
        for (int k = 0; k < it->col.n_cons && !found; k++) {
            char *n = schema_constraint_name(rb->table, it, &it->col, &it->col.cons[k]);
            found = n && strcmp(n, name) == 0;
            free(n);
        }
    }
    return found;
}

static void rb_add_item(struct rebuild *rb, struct schema_item *it, char *expr)
{
    rb->tb.items = xrealloc(rb->tb.items, (size_t)(rb->tb.n_items + 1) * sizeof(*rb->tb.items));
    rb->exprs = xrealloc(rb->exprs, (size_t)(rb->tb.n_items + 1) * sizeof(*rb->exprs));
    rb->tb.items[rb->tb.n_items] = *it;
    rb->exprs[rb->tb.n_items] = expr;
    rb->tb.n_items++;
}

static void rb_remove_item(struct rebuild *rb, int i)
{
    struct schema_table one = {0};
    one.items = xmalloc(sizeof(*one.items));
    one.items[0] = rb->tb.items[i];
    one.n_items = 1;
    schema_table_fini(&one);
    free(rb->exprs[i]);
    memmove(&rb->tb.items[i], &rb->tb.items[i + 1],
            (size_t)(rb->tb.n_items - i - 1) * sizeof(*rb->tb.items));
    memmove(&rb->exprs[i], &rb->exprs[i + 1], (size_t)(rb->tb.n_items - i - 1) * sizeof(char *));
    rb->tb.n_items--;
}

static bool rb_drop_constraint(struct sq_session *s, struct rebuild *rb, const struct sql_alter *a)
{
    if (!internal_check(a->name)) {
        for (int i = 0; i < rb->tb.n_items; i++) {
            struct schema_item *it = &rb->tb.items[i];
            if (!it->is_column) {
                char *n = schema_constraint_name(rb->table, it, NULL, &it->cons);
                bool match = n && strcmp(n, a->name) == 0;
                free(n);
                if (match) {
                    rb_remove_item(rb, i);
                    return true;
                }
                continue;
            }
            for (int k = 0; k < it->col.n_cons; k++) {
                struct schema_cons *c = &it->col.cons[k];
                char *n = schema_constraint_name(rb->table, it, &it->col, c);
                bool match = n && strcmp(n, a->name) == 0;
                free(n);
                if (!match)
                    continue;
                free(c->name);
                free(c->text);
                memmove(c, c + 1, (size_t)(it->col.n_cons - k - 1) * sizeof(*c));
                it->col.n_cons--;
                return true;
            }
        }
    }
    if (a->missing_ok) {
        sq_report(s, "NOTICE", "00000", 0, NULL,
                  "constraint \"%s\" of relation \"%s\" does not exist, skipping", a->name,
                  rb->table);
        return true;
    }
    rb_error(s, "42704", "constraint \"%s\" of relation \"%s\" does not exist", a->name, rb->table);
    return false;
}

static bool rb_add_constraint(struct sq_session *s, struct rebuild *rb, const struct sql_alter *a)
{
    struct schema_item it;
    if (a->contype == 'p' && rb_has_primary(rb)) {
        rb_error(s, "42P16", "multiple primary keys for table \"%s\" are not allowed", rb->table);
        return false;
    }
    if (rb_constraint_exists(rb, a->name)) {
        rb_error(s, "42710", "constraint \"%s\" for relation \"%s\" already exists", a->name,
                 rb->table);
        return false;
    }
    for (int k = 0; k < a->n_keys; k++) {
        struct schema_column *col;
        if (schema_find_column(&rb->tb, a->keys[k]) < 0) {
            rb_error(s, "42703", "column \"%s\" named in key does not exist", a->keys[k]);
            return false;
        }
        col = rb_column(s, rb, a->keys[k]);
        /* A primary key makes its columns NOT NULL, and they stay so if it is dropped. */
        if (a->contype == 'p') {
            bool has = false;
            for (int c = 0; c < col->n_cons; c++)
                has = has || col->cons[c].kind == SCHEMA_CONS_NOT_NULL;
            if (!has)
                schema_column_add(col, SCHEMA_CONS_NOT_NULL, NULL, "NOT NULL");
        }
    }
    memset(&it, 0, sizeof(it));
    it.cons.kind = a->contype == 'p'   ? SCHEMA_CONS_PRIMARY
                   : a->contype == 'u' ? SCHEMA_CONS_UNIQUE
                   : a->contype == 'c' ? SCHEMA_CONS_CHECK
                                       : SCHEMA_CONS_FOREIGN;
    it.cons.name = xstrdup(a->name);
    it.cons.text = xstrdup(a->text);
    if (a->n_keys) {
        it.keys = xcalloc((size_t)a->n_keys, sizeof(*it.keys));
        for (int k = 0; k < a->n_keys; k++)
            it.keys[k] = xstrdup(a->keys[k]);
        it.n_keys = a->n_keys;
    }
    rb_add_item(rb, &it, NULL);
    return true;
}

static bool rb_add_column(struct sq_session *s, struct rebuild *rb, const struct sql_alter *a)
{
    struct schema_table one;
    char err[200];
    char *sql;
    if (schema_find_column(&rb->tb, a->column) >= 0) {
        rb_error(s, "42701", "column \"%s\" of relation \"%s\" already exists", a->column,
                 rb->table);
        return false;
    }
    sql = xmalloc(strlen(a->text) + 32);
    sprintf(sql, "CREATE TABLE x (%s)", a->text);
    if (!schema_parse(sql, &one, err, sizeof(err)) || one.n_items != 1) {
        free(sql);
        rb_error(s, "XX000", "could not read the new column: %s", err);
        return false;
    }
    free(sql);
    rb_add_item(rb, &one.items[0], NULL);
    one.n_items = 0;
    schema_table_fini(&one);
    return true;
}

/* A declared type of PostgreSQL's string category (text, varchar(n), char(n), name). */
static bool is_string_type(const char *t)
{
    return strncasecmp(t, "text", 4) == 0 || strncasecmp(t, "varchar", 7) == 0 ||
           strncasecmp(t, "bpchar", 6) == 0 || strncasecmp(t, "name", 4) == 0;
}

static bool rb_apply(struct sq_session *s, struct rebuild *rb, const struct sql_alter *a)
{
    struct schema_column *col = NULL;
    if (a->op == SQL_ALTER_ADD_CONSTRAINT)
        return rb_add_constraint(s, rb, a);
    if (a->op == SQL_ALTER_DROP_CONSTRAINT)
        return rb_drop_constraint(s, rb, a);
    if (a->op == SQL_ALTER_ADD_COLUMN)
        return rb_add_column(s, rb, a);
    if (!(col = rb_column(s, rb, a->column)))
        return false;
    switch (a->op) {
    case SQL_ALTER_TYPE: {
        int i = schema_find_column(&rb->tb, a->column);
        /* PostgreSQL converts a string to another type only when told how (USING). */
        if (!a->using_given && is_string_type(col->type) && !is_string_type(a->text)) {
            sq_report(s, "ERROR", "42804", 0, "You might need to specify a USING expression.",
                      "column \"%s\" cannot be cast automatically to type %s", a->column, a->text);
            s->errors++;
            if (s->tx == 'T')
                s->tx = 'E';
            return false;
        }
        for (int k = 0; k < col->n_cons; k++) {
            if (col->cons[k].kind == SCHEMA_CONS_CHECK && internal_check(col->cons[k].name)) {
                free(col->cons[k].name);
                free(col->cons[k].text);
                memmove(&col->cons[k], &col->cons[k + 1],
                        (size_t)(col->n_cons - k - 1) * sizeof(col->cons[0]));
                col->n_cons--;
                k--;
            }
        }
        free(col->type);
        col->type = xstrdup(a->text);
        if (a->check)
            schema_column_add(col, SCHEMA_CONS_OTHER, NULL, a->check);
        free(rb->exprs[i]);
        rb->exprs[i] = xstrdup(a->using_expr);
        return true;
    }
    case SQL_ALTER_SET_NOT_NULL:
        for (int k = 0; k < col->n_cons; k++)
            if (col->cons[k].kind == SCHEMA_CONS_NOT_NULL)
                return true;
        schema_column_add(col, SCHEMA_CONS_NOT_NULL, NULL, "NOT NULL");
        return true;
    case SQL_ALTER_DROP_NOT_NULL:
        if (rb_in_primary(rb, a->column)) {
            rb_error(s, "42P16", "column \"%s\" is in a primary key", a->column);
            return false;
        }
        schema_column_drop(col, SCHEMA_CONS_NOT_NULL);
        return true;
    case SQL_ALTER_SET_DEFAULT: {
        char *text = xmalloc(strlen(a->text) + 16);
        sprintf(text, "DEFAULT (%s)", a->text);
        schema_column_drop(col, SCHEMA_CONS_DEFAULT);
        schema_column_add(col, SCHEMA_CONS_DEFAULT, NULL, text);
        free(text);
        return true;
    }
    case SQL_ALTER_DROP_DEFAULT:
        schema_column_drop(col, SCHEMA_CONS_DEFAULT);
        return true;
    default:
        rb_error(s, "XX000", "unknown ALTER TABLE action");
        return false;
    }
}

/* A violation met while copying the rows, in PostgreSQL's words. */
static void rb_copy_error(struct sq_session *s, const struct sql_ddl *d, const char *table)
{
    int rc = sqlite3_extended_errcode(s->db);
    const char *msg = sqlite3_errmsg(s->db);
    const char *added[4] = {NULL, NULL, NULL, NULL}; /* p u c f: the name when one was added */
    int counts[4] = {0, 0, 0, 0};
    static const char types[] = "pucf";
    for (int i = 0; i < d->n_alters; i++) {
        const char *k;
        if (d->alters[i].op != SQL_ALTER_ADD_CONSTRAINT)
            continue;
        if ((k = strchr(types, d->alters[i].contype)) != NULL) {
            added[k - types] = d->alters[i].name;
            counts[k - types]++;
        }
    }
    if (sqlite3_get_autocommit(s->db))
        s->begun = false;
    if ((rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE) &&
        counts[0] + counts[1] == 1) {
        rb_error(s, "23505", "could not create unique index \"%s\" (%s)",
                 added[0] ? added[0] : added[1], msg);
        return;
    }
    if (rc == SQLITE_CONSTRAINT_NOTNULL) {
        const char *dot = strrchr(msg, '.');
        rb_error(s, "23502", "column \"%s\" of relation \"%s\" contains null values",
                 dot ? dot + 1 : "?", table);
        return;
    }
    if (rc == SQLITE_CONSTRAINT_CHECK && !strstr(msg, "_length_")) {
        const char *name = strstr(msg, "failed: ");
        rb_error(s, "23514", "check constraint \"%s\" of relation \"%s\" is violated by some row",
                 name ? name + 8 : "?", table);
        return;
    }
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        rb_error(s, "23503",
                 "insert or update on table \"%s\" violates foreign key constraint \"%s\"", table,
                 counts[3] == 1 ? added[3] : "?");
        return;
    }
    sq_error_sqlite(s, rc);
}

/* Run sql; false (error sent) when it fails. Collects each row's first column into out. */
static bool exec_rows(struct sq_session *s, const char *sql, struct names *out)
{
    sqlite3_stmt *st = NULL;
    int rc;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        return false;
    }
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (out && sqlite3_column_type(st, 0) != SQLITE_NULL)
            names_add(out, (const char *)sqlite3_column_text(st, 0));
    if (rc != SQLITE_DONE) {
        sq_error_sqlite(s, sqlite3_extended_errcode(s->db));
        sqlite3_finalize(st);
        return false;
    }
    sqlite3_finalize(st);
    return true;
}

/* sqlite3_mprintf (with %Q and %w) into a malloc'd string. */
static char *sqlf(const char *fmt, ...)
{
    va_list ap;
    char *m, *out;
    va_start(ap, fmt);
    m = sqlite3_vmprintf(fmt, ap);
    va_end(ap);
    out = xstrdup(m ? m : "");
    sqlite3_free(m);
    return out;
}

/* Steps 3 to 8 inside the open transaction. */
static bool rb_swap(struct sq_session *s, const struct sql_ddl *d, struct rebuild *rb,
                    bool check_fks, const struct names *refs)
{
    struct names saved = {0};
    char *tmp_name = sqlf("_myrmex_new_%s", rb->table);
    char *sql = NULL, *seq = NULL;
    bool ok = false;
    size_t cap = 256;

    /* 3. indexes and triggers (an index on the table is named in its own sql). */
    sql = sqlf("SELECT sql FROM sqlite_schema WHERE tbl_name = %Q COLLATE NOCASE AND type IN "
               "('index', 'trigger') AND sql IS NOT NULL ORDER BY type = 'trigger'",
               rb->table);
    if (!exec_rows(s, sql, &saved))
        goto out;
    free(sql);
    sql = NULL;
    {
        char *has =
            query_text(s, "SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_sequence'", NULL, NULL);
        if (has)
            seq = query_text(s, "SELECT seq FROM sqlite_sequence WHERE name = ?1 COLLATE NOCASE",
                             rb->table, NULL);
        free(has);
    }
    /* 4. the new table. */
    sql = schema_render(&rb->tb, tmp_name);
    if (!sq_ddl_exec(s, sql))
        goto out;
    free(sql);
    /* 5. the rows. */
    {
        char *cols = xstrdup(""), *vals = xstrdup("");
        for (int i = 0; i < rb->tb.n_items; i++) {
            const struct schema_item *it = &rb->tb.items[i];
            char *q;
            bool generated = false;
            if (!it->is_column || !rb->exprs[i])
                continue;
            for (int k = 0; k < it->col.n_cons; k++)
                generated = generated || it->col.cons[k].kind == SCHEMA_CONS_GENERATED;
            if (generated)
                continue;
            q = schema_quote(it->col.name);
            cols = xrealloc(cols, strlen(cols) + strlen(q) + 3);
            if (cols[0])
                strcat(cols, ", ");
            strcat(cols, q);
            free(q);
            vals = xrealloc(vals, strlen(vals) + strlen(rb->exprs[i]) + 3);
            if (vals[0])
                strcat(vals, ", ");
            strcat(vals, rb->exprs[i]);
        }
        char *qt = schema_quote(tmp_name), *qo = schema_quote(rb->table);
        cap = strlen(cols) + strlen(vals) + strlen(qt) + strlen(qo) + 64;
        sql = xmalloc(cap);
        snprintf(sql, cap, "INSERT INTO %s (%s) SELECT %s FROM %s", qt, cols, vals, qo);
        free(cols);
        free(vals);
        free(qt);
        free(qo);
        if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
            rb_copy_error(s, d, rb->table);
            goto out;
        }
        free(sql);
    }
    /* 6. swap; legacy_alter_table keeps views and triggers that name the table untouched. */
    sql = sqlf("PRAGMA legacy_alter_table = ON; DROP TABLE \"%w\"; ALTER TABLE \"%w\" RENAME TO "
               "\"%w\"; PRAGMA legacy_alter_table = OFF",
               rb->table, tmp_name, rb->table);
    if (!sq_ddl_exec(s, sql)) {
        sqlite3_exec(s->db, "PRAGMA legacy_alter_table = OFF", NULL, NULL, NULL);
        goto out;
    }
    free(sql);
    sql = NULL;
    /* 7. indexes, triggers, the AUTOINCREMENT counter. */
    for (int i = 0; i < saved.n; i++)
        if (!sq_ddl_exec(s, saved.v[i]))
            goto out;
    if (seq) {
        sql = sqlf("UPDATE sqlite_sequence SET seq = max(seq, %s) WHERE name = %Q", seq, rb->table);
        if (!sq_ddl_exec(s, sql))
            goto out;
        free(sql);
        sql = NULL;
    }
    /* 8. with foreign keys off for the swap, check them now. */
    if (check_fks) {
        struct names bad = {0};
        for (int i = -1; i < refs->n; i++) {
            sql = sqlf("SELECT parent FROM pragma_foreign_key_check(%Q)",
                       i < 0 ? rb->table : refs->v[i]);
            if (!exec_rows(s, sql, &bad))
                goto out;
            free(sql);
            sql = NULL;
            if (bad.n) {
                rb_error(s, "23503",
                         "insert or update on table \"%s\" violates a foreign key constraint "
                         "(key not present in table \"%s\")",
                         i < 0 ? rb->table : refs->v[i], bad.v[0]);
                names_fini(&bad);
                goto out;
            }
        }
    }
    ok = true;
out:
    free(sql);
    free(seq);
    free(tmp_name);
    names_fini(&saved);
    return ok;
}

static bool ddl_rebuild(struct sq_session *s, const struct sql_stmt *stmt)
{
    const struct sql_ddl *d = stmt->ddl;
    struct rebuild rb;
    struct names refs = {0};
    char err[256];
    char *sql;
    bool ok = false, own = false, fks, fks_off = false;

    memset(&rb, 0, sizeof(rb));
    rb.table = d->table;
    sql = query_text(s,
                     "SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?1 COLLATE "
                     "NOCASE",
                     d->table, NULL);
    if (!sql) {
        if (d->missing_ok) {
            sq_report(s, "NOTICE", "00000", 0, NULL, "relation \"%s\" does not exist, skipping",
                      d->table);
            return true;
        }
        sq_error(s, "42P01", 0, "relation \"%s\" does not exist", d->table);
        return false;
    }
    if (!schema_parse(sql, &rb.tb, err, sizeof(err))) {
        sq_error(s, "0A000", 0, "table \"%s\" cannot be altered on the SQLite backend: %s",
                 d->table, err);
        free(sql);
        return false;
    }
    free(sql);
    rb.exprs = xcalloc((size_t)rb.tb.n_items + 1, sizeof(*rb.exprs));
    for (int i = 0; i < rb.tb.n_items; i++)
        if (rb.tb.items[i].is_column)
            rb.exprs[i] = schema_quote(rb.tb.items[i].col.name);
    for (int i = 0; i < d->n_alters; i++)
        if (!rb_apply(s, &rb, &d->alters[i]))
            goto out;

    /*
     * Dropping the old table would run foreign key actions on the tables that reference it.
     * Foreign keys can only be switched off outside a transaction: inside a block such a
     * table cannot be rebuilt.
     */
    fks = foreign_keys_on(s);
    referencing_tables(s, d->table, &refs);
    if (fks && refs.n > 0 && s->tx != 'I') {
        sq_error(s, "0A000", 0,
                 "ALTER TABLE of table \"%s\", which foreign keys reference, must run outside a "
                 "transaction block on the SQLite backend",
                 d->table);
        goto out;
    }
    if (fks && s->tx == 'I') {
        if (!sq_ddl_exec(s, "PRAGMA foreign_keys = OFF"))
            goto out;
        fks_off = true;
    }
    if (!ddl_begin(s, &own))
        goto out;
    ok = ddl_end(s, own, rb_swap(s, d, &rb, fks_off, &refs));
out:
    if (fks_off)
        sqlite3_exec(s->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL);
    names_fini(&refs);
    for (int i = 0; i < rb.tb.n_items; i++)
        free(rb.exprs[i]);
    free(rb.exprs);
    schema_table_fini(&rb.tb);
    return ok;
}

/* ---------------------------------------------------------------------------------------- */

bool sq_ddl(struct sq_session *s, const struct sql_stmt *stmt)
{
    bool own = false, ok;
    unsigned errors = s->errors;

    if (stmt->notice)
        sq_report(s, "NOTICE", "00000", 0, NULL, "%s", stmt->notice);
    switch (stmt->kind) {
    case SQL_VACUUM:
        ok = ddl_vacuum(s, stmt);
        break;
    case SQL_REBUILD:
        ok = ddl_rebuild(s, stmt);
        break;
    case SQL_DROP:
    case SQL_TRUNCATE:
    case SQL_DDL:
    case SQL_SEQUENCE:
        if (!ddl_begin(s, &own))
            return false;
        ok = stmt->kind == SQL_DROP       ? ddl_drop(s, stmt)
             : stmt->kind == SQL_TRUNCATE ? ddl_truncate(s, stmt)
             : stmt->kind == SQL_DDL      ? ddl_with_sequences(s, stmt)
                                          : sq_seq_statement(s, stmt);
        ok = ddl_end(s, own, ok);
        break;
    default:
        sq_error(s, "XX000", 0, "unknown DDL statement kind %d", stmt->kind);
        return false;
    }
    if (!ok || s->errors != errors)
        return false;
    ddl_complete(s, stmt->tag);
    return true;
}
