/*
 * Literal lifting for the translation cache of the simple query protocol. Clients that do not
 * use the extended protocol send the same statement again and again with other numbers in it
 * (`... WHERE id = 42`). The scanner finds the integer literals of a query text as PostgreSQL's
 * lexer would (outside strings, quoted identifiers, dollar quotes and comments), and the text
 * with each of them replaced by a marker is the query's shape. The translator emits an integer
 * constant whose value only matters as a value (an operand of a comparison, a value assigned to
 * a column) as the SQLite parameter ?k of its literal k; a later query of the same shape reuses
 * that translation with its own numbers bound, provided its other literals are the same text.
 */
#ifndef MYRMEX_SQL_LIFT_H
#define MYRMEX_SQL_LIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SQL_LIFT_MAX    256  /* literals considered per query text (later ones stay text) */
#define SQL_LIFT_MARKER '\1' /* stands for a literal in a shape */

struct sql_lift_token {
    int offset; /* byte offset in the text: the A_Const location PostgreSQL's parser gives */
    int len;
    int32_t value; /* an int4: PostgreSQL's type for an integer literal of this size */
};

struct sql_lift {
    struct sql_lift_token tok[SQL_LIFT_MAX];
    int n;
    char *shape; /* malloc'd; NULL when the text cannot be scanned (or has no literal) */
    uint64_t hash;
};

/* Scan text; false (nothing to lift) when it has no int4 literal or cannot be scanned. */
bool sql_lift_scan(const char *text, struct sql_lift *out);
void sql_lift_free(struct sql_lift *l);
/* The literal that starts at offset, or -1. */
int sql_lift_find(const struct sql_lift *l, int offset);

#endif
