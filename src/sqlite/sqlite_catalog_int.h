/*
 * Internals of the catalog emulation shared by sqlite_catalog.c and sqlite_catalog_split.c.
 */
#ifndef MYRMEX_SQLITE_CATALOG_INT_H
#define MYRMEX_SQLITE_CATALOG_INT_H

#include <stdbool.h>
#include <stddef.h>

/* One constraint found in a CREATE TABLE text. */
struct cat_split_con {
    char kind;  /* 'p', 'u', 'f', 'c' */
    char *name; /* CONSTRAINT name, or NULL */
    char *cols; /* "a,b" (the column for a column constraint; "" for a table CHECK) */
    char *expr; /* CHECK: the text inside the parentheses */
    char *fk;   /* FOREIGN KEY: "REFERENCES ..." up to the end of the clause */
};

struct cat_split {
    struct cat_split_con *v;
    size_t n, cap;
};

/* A growing string (sqlite_catalog.c); p is NULL until something is put. */
struct cat_sbuf {
    char *p;
    size_t len, cap;
};

void cat_sb_putn(struct cat_sbuf *b, const char *s, size_t n);
void cat_sb_put(struct cat_sbuf *b, const char *s);
void cat_sb_printf(struct cat_sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *cat_sb_str(struct cat_sbuf *b);
/* PostgreSQL's quote_ident. */
void cat_quote_ident(struct cat_sbuf *b, const char *name);
/* Case-insensitive strstr (ASCII). */
const char *ci_find(const char *hay, const char *needle);

void cat_split_table(const char *sql, struct cat_split *sp);
void cat_split_free(struct cat_split *sp);

#endif
