/*
 * A table's definition as the CREATE TABLE text SQLite stores in sqlite_schema, split into
 * its top-level items: columns (name, declared type, column constraints) and table
 * constraints, each keeping its text as written. The table rebuild (sqlite_ddl.c) edits this
 * model and renders it back. Pure text processing: no SQLite handle, unit-tested alone.
 */
#ifndef MYRMEX_SQLITE_SCHEMA_H
#define MYRMEX_SQLITE_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

enum schema_cons_kind {
    SCHEMA_CONS_OTHER = 0,
    SCHEMA_CONS_PRIMARY,
    SCHEMA_CONS_UNIQUE,
    SCHEMA_CONS_CHECK,
    SCHEMA_CONS_FOREIGN, /* REFERENCES on a column, FOREIGN KEY on the table */
    SCHEMA_CONS_NOT_NULL,
    SCHEMA_CONS_NULL,
    SCHEMA_CONS_DEFAULT,
    SCHEMA_CONS_COLLATE,
    SCHEMA_CONS_GENERATED,
};

/* One constraint clause; text is the clause after "CONSTRAINT name", as written. */
struct schema_cons {
    enum schema_cons_kind kind;
    char *name; /* unquoted, NULL when unnamed */
    char *text;
};

struct schema_column {
    char *name; /* unquoted */
    char *type; /* declared type as written, "" when none */
    struct schema_cons *cons;
    int n_cons;
};

struct schema_item {
    bool is_column;
    struct schema_column col; /* is_column */
    struct schema_cons cons;  /* a table constraint */
    char **keys;              /* its PRIMARY KEY / UNIQUE / FOREIGN KEY columns, unquoted */
    int n_keys;
};

struct schema_table {
    char *name; /* unquoted */
    struct schema_item *items;
    int n_items;
    char *options; /* what follows the closing parenthesis (" WITHOUT ROWID"), or "" */
};

/* Split a CREATE TABLE statement. false with err filled when it is not one. */
bool schema_parse(const char *sql, struct schema_table *out, char *err, size_t errlen);
void schema_table_fini(struct schema_table *t);

/* CREATE TABLE "name" (...) from the model (malloc'd). */
char *schema_render(const struct schema_table *t, const char *name);

/* "name" with embedded quotes doubled (malloc'd). */
char *schema_quote(const char *name);

/* The item's column (or table constraint) index by name; -1 when absent. */
int schema_find_column(const struct schema_table *t, const char *name);

/*
 * PostgreSQL's name for a constraint: its own name, or the default PostgreSQL gives an
 * unnamed one (<table>_pkey, <table>_<cols>_key, <table>_<col>_check, <table>_<cols>_fkey);
 * NULL for a clause that is not a constraint in PostgreSQL (NOT NULL, DEFAULT, ...).
 * col is the column of a column constraint, NULL for a table constraint (then item gives its
 * keys). Result malloc'd.
 */
char *schema_constraint_name(const char *table, const struct schema_item *item,
                             const struct schema_column *col, const struct schema_cons *c);

/* Add a clause to a column (text copied). */
void schema_column_add(struct schema_column *col, enum schema_cons_kind kind, const char *name,
                       const char *text);
/* Remove the column's clauses of this kind. Returns how many. */
int schema_column_drop(struct schema_column *col, enum schema_cons_kind kind);

#endif
