/*
 * Internals shared by the translator's files: translate.c (SELECT/INSERT/UPDATE/DELETE and the
 * entry point), translate_expr.c (expressions, functions, literal typing by column),
 * translate_infer.c (result column names and type OIDs), translate_ddl.c (DDL) and
 * translate_utility.c (transactions, SET/SHOW, COPY). Not a public interface: the contract is
 * include/sql/translate.h.
 */
#ifndef MYRMEX_SQL_TRANSLATE_INT_H
#define MYRMEX_SQL_TRANSLATE_INT_H

#include "sql/lift.h"
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include "sql/translate.h"

typedef PgQuery__Node node_t;

/* A table visible to column references: FROM items by nesting depth (innermost last). */
struct xl_rel {
    const char *alias; /* the name column references use (alias or table name) */
    const char *rel;   /* the table */
    int depth;
    /* Not a table: a subquery or VALUES (sub, with the alias's column names), or
     * generate_series (series_type, its one column series_col); NULL / 0 otherwise. */
    const PgQuery__SelectStmt *sub;
    node_t *const *colnames;
    size_t n_colnames;
    uint32_t series_type;
    const char *series_col;
};

/* Per-statement translation state. The output buffer has a sticky failure flag. */
struct tr {
    char *buf;
    size_t len, cap;
    bool failed; /* an error is in *err; every emitter returns false from now on */
    struct sql_error *err;
    int n_params;
    uint32_t param_types[256];
    struct {
        const char *rel, *col; /* the parse tree's strings; col NULL: position */
        int position;
        bool arith;
    } param_origin[256]; /* a parameter typed by a table column (sql_param_origin) */
    bool writes;
    bool catalog;       /* a pg_catalog / information_schema relation or reg* cast was emitted */
    bool catalog_mode;  /* the statement reads the catalog: catalog array forms are allowed */
    bool float_literal; /* the constant being emitted is cast to float4/float8 at once */
    /* Literal lifting (sql/lift.h): the text's literals, and those emitted as ?k. */
    const struct sql_lift *lift;
    int lifted[SQL_LIFT_MAX];
    int n_lifted;
    const char *missing_from; /* first column qualifier that names no FROM item in scope */
    struct xl_rel scope[64];
    int n_scope;
    int depth;
    const PgQuery__CommonTableExpr *ctes[32]; /* WITH queries seen, for their column types */
    int n_ctes;
    const char *text;                         /* the whole query text, for error positions */
    const PgQuery__SelectStmt *result_select; /* the statement's SELECT, whose targets are the
                                                 result columns, or NULL */
    const node_t *result_target;              /* the result column being emitted, or NULL */
    int result_column;                        /* its position, from 0 */
    const node_t *srf_array; /* the catalog SELECT srf_select expands this array in its */
    const void *srf_select;  /* targets: its FROM joins the elements (xl_catalog_srf_from) */
};

void xl_put(struct tr *t, const char *s);
void xl_putn(struct tr *t, const char *s, size_t n);
void xl_printf(struct tr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void xl_ident(struct tr *t, const char *name);
void xl_string_lit(struct tr *t, const char *s);
bool xl_refuse(struct tr *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
bool xl_fail(struct tr *t, const char *sqlstate, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Expressions (translate_expr.c). */
bool xl_expr(struct tr *t, const node_t *n);
bool xl_expr_list(struct tr *t, node_t *const *v, size_t n);
uint32_t xl_expr_type(const node_t *n);
int xl_rel_column_types(const struct tr *t, const struct xl_rel *r, uint32_t *types, int cap);
const char *xl_expr_name(const node_t *n);
const char *xl_str(const node_t *n); /* String node's text or NULL */
const char *xl_func_name(const PgQuery__FuncCall *fc);
const char *xl_op_name(const PgQuery__AExpr *e);
/* A TypeName as a canonical pg_type name ("int4", "timestamptz"...), NULL when unknown. */
const char *xl_type_name(const PgQuery__TypeName *tn, uint32_t *oid);
void xl_note_param(struct tr *t, int number, uint32_t oid);
/* Parameter n is typed by rel.col (col "#k": the table's k-th column), unless its type is
 * known already; arith: an arithmetic operand, typed so only by a number column. */
void xl_note_param_column(struct tr *t, const node_t *n, const char *rel, const char *col,
                          bool arith);

/* Scopes for typing literals by the column they meet (translate_expr.c). */
int xl_scope_push(struct tr *t, node_t *const *from, size_t n, const PgQuery__RangeVar *target);
void xl_scope_pop(struct tr *t, int saved);
bool xl_assigned(struct tr *t, const node_t *v, const char *rel, const char *col);
bool xl_lift_const(struct tr *t, const node_t *n);
/* The table of a column reference in the current scopes (false when not resolvable). */
bool xl_column_table(const struct tr *t, const PgQuery__ColumnRef *c, const char **rel,
                     const char **col);
/* The type of a column of a CTE, subquery, VALUES or generate_series in FROM, as far as
 * its defining expression fixes it; 0 when unknown (translate_infer.c). */
uint32_t xl_scope_column_type(const struct tr *t, const PgQuery__ColumnRef *c);
/* xl_expr_type of a result column, its references to columns of WITH queries and subqueries
 * in the current scopes resolved through their defining expressions (translate_infer.c). */
uint32_t xl_select_expr_type(struct tr *t, const node_t *n);
/* n is col op col2 (+, -, *) of two table columns: SQL_DERIVE_ADD2 / MUL2, else NONE. */
enum sql_derive xl_expr_origin2(const struct tr *t, const node_t *n, const char **rel,
                                const char **col, const char **rel2, const char **col2);
/* n computes a numeric with its own display scale, its exact digits remembered by the
 * backend (pg_avg, pg_numeric_div/op/pow; PGTYPMOD_NUMERIC_EXACT) (translate_num.c). */
bool xl_numeric_exact(const node_t *n);
/* n is a coalesce() or CASE of one column (or an aggregate of it) and numeric constants, or a
 * CASE of numeric constants only (*numeric: then its type is numeric), whose constants keep
 * their own scale (pg_numeric_lit) when n is a result column (translate_num.c). */
bool xl_keeps_constant_scale(const struct tr *t, const node_t *n, bool *numeric);
/* A value of such a coalesce() or CASE: a numeric constant through pg_numeric_lit. */
bool xl_scaled_value(struct tr *t, const node_t *n);
/* e is numeric / numeric (an integer operand is cast): pg_numeric_div (translate_num.c). */
bool xl_numeric_div(const PgQuery__AExpr *e);
/* fn([op, ]l, r, exact [, column]) for the numeric operator n (translate_num.c). */
bool xl_num_call(struct tr *t, const node_t *n, const char *fn, const char *op, const node_t *l,
                 const node_t *r);
/* n as a parameter operand: $n itself or $n::numeric gives the ParamRef, else NULL
 * (translate_infer.c). */
const node_t *xl_param_operand(const node_t *n);
/* n is col op $n, col * integer or col op col2 (+ - *) of table columns of types known at
 * run time only; o: the columns (side 0 left, 1 right; NULL for the parameter or constant).
 * Emitted as xl_column_numeric_begin, the plain operator, xl_column_numeric_end: numeric in
 * exact decimal with PostgreSQL's result scale where a column is numeric (translate_num.c). */
struct xl_colop {
    const char *rel[2], *col[2];
    bool literal;   /* the other operand is a numeric literal */
    bool nested[2]; /* the side is itself such an operation on its column */
};
bool xl_column_numeric(const struct tr *t, const node_t *n, struct xl_colop *o);
bool xl_column_numeric_begin(struct tr *t, const struct xl_colop *o);
bool xl_column_numeric_end(struct tr *t, const node_t *n, const struct xl_colop *o);
/* n is sum(col) of a table column of a type known at run time only; emitted by
 * xl_numeric_sum_call with plain for the other types: exact on a plain numeric column
 * (translate_num.c). */
bool xl_numeric_sum(const struct tr *t, const node_t *n);
/* " OVER (...)" of a window function call (translate_expr.c). */
bool xl_over(struct tr *t, const PgQuery__WindowDef *w);
bool xl_numeric_sum_call(struct tr *t, const node_t *n,
                         bool (*plain)(struct tr *, const PgQuery__FuncCall *));
/* An operand of arithmetic: an untyped literal takes the other operand's number type
 * (translate_expr.c). */
bool xl_arith_operand(struct tr *t, const node_t *n, const node_t *other);
/* A numeric literal's scale as a typmod, -1 when n is none (translate_infer.c). */
int32_t xl_literal_typmod(const node_t *n);
/* The literal operand's of col op 1.25 or 1.25 op col (translate_infer.c). */
int32_t xl_operand_literal_typmod(const PgQuery__AExpr *e);
/* The table column an expression's type follows, and how (translate_infer.c). */
enum sql_derive xl_expr_origin(const struct tr *t, const node_t *n, const char **rel,
                               const char **col);

/* Generic walks over the tree (translate_tree.c). fn says whether to walk into n's children. */
typedef bool (*xl_tree_fn)(const node_t *n, void *arg);
void xl_tree_walk(const node_t *n, xl_tree_fn fn, void *arg);
/* a and b are the same tree, locations aside. */
bool xl_tree_equal(const node_t *a, const node_t *b);
/* The leftmost location (byte offset) in n, -1 when none. */
int xl_tree_location(const node_t *n);
/* A byte offset in text as an ErrorResponse position: 1-based characters, 0 when none. */
int xl_char_position(const char *text, int byte_offset);

/* The GROUP BY check of every SELECT in stmt, for the backend (translate_group.c). */
bool xl_group_checks(struct tr *t, const node_t *stmt, struct sql_stmt *st);
void xl_group_check_free(struct sql_group_check *g); /* its contents; g itself is not freed */

/* Statements (translate.c). */
bool xl_select(struct tr *t, const PgQuery__SelectStmt *s, bool alias_targets);
bool xl_range_var(struct tr *t, const PgQuery__RangeVar *rv);
bool xl_with(struct tr *t, const PgQuery__WithClause *w);
bool xl_sort_list(struct tr *t, node_t *const *v, size_t n);

bool xl_select_columns(struct tr *t, struct sql_stmt *st, const PgQuery__SelectStmt *s);
/* translate_columns.c: the result columns of target list v (st->columns). */
bool xl_fill_columns(struct tr *t, struct sql_stmt *st, node_t *const *v, size_t n);
bool xl_target_is_star(const node_t *val);

/* Utility statements (translate_utility.c). */
bool xl_transaction(struct tr *t, struct sql_stmt *st, const PgQuery__TransactionStmt *s);
bool xl_set(struct tr *t, struct sql_stmt *st, const PgQuery__VariableSetStmt *s);
bool xl_show(struct tr *t, struct sql_stmt *st, const PgQuery__VariableShowStmt *s);
bool xl_copy(struct tr *t, struct sql_stmt *st, const PgQuery__CopyStmt *s);
char *xl_lower_dup(const char *s);

/* The catalog emulation (translate_catalog.c); *handled false: not a catalog form. */
bool xl_catalog_text(const char *text, size_t len);
bool xl_catalog_range_var(struct tr *t, const PgQuery__RangeVar *rv, bool *handled);
bool xl_catalog_needs_alias(const PgQuery__RangeVar *rv);
const char *xl_reg_type(const PgQuery__TypeName *tn);
bool xl_catalog_reg_name(struct tr *t, const node_t *n, bool *handled);
bool xl_catalog_cast(struct tr *t, const PgQuery__TypeCast *tc, bool *handled);
bool xl_catalog_array_sublink(struct tr *t, const PgQuery__SubLink *sl, bool *handled);
bool xl_catalog_array_expr(struct tr *t, const PgQuery__AArrayExpr *a, bool *handled);
bool xl_catalog_any(struct tr *t, const PgQuery__AExpr *e, bool any, const char *op, bool *handled);
bool xl_catalog_indirection(struct tr *t, const PgQuery__AIndirection *ai, bool *handled);
const char *xl_catalog_function(const struct tr *t, const char *name);
bool xl_catalog_range_function(struct tr *t, const PgQuery__RangeFunction *rf, bool *handled);
/* Set-returning functions over one catalog array in a SELECT's targets: begin rewrites the
 * targets and sets t->srf_array, xl_catalog_srf_from adds the join to FROM, end restores. */
struct xl_srf {
    const node_t *saved_array;
    const void *saved_select;
    size_t n;
    struct {
        PgQuery__ResTarget *rt;
        node_t *val;
        char *name;
    } v[8];
    void *nodes; /* the "__srf" column references the targets read instead */
};
bool xl_catalog_srf_begin(struct tr *t, PgQuery__SelectStmt *s, struct xl_srf *u);
bool xl_catalog_srf_from(struct tr *t, const PgQuery__SelectStmt *s);
void xl_catalog_srf_end(struct tr *t, struct xl_srf *u);

/* DDL (translate_ddl.c): fills st (tag, kind) and emits into t. */
bool xl_ddl(struct tr *t, const node_t *n, struct sql_stmt *st, bool *handled);
bool xl_vacuum(struct tr *t, struct sql_stmt *st, const PgQuery__VacuumStmt *v);

/* Sequences, TRUNCATE, VACUUM and the ALTER TABLE forms done by a table rebuild
 * (translate_alter.c). */
struct sql_ddl *xl_ddl_of(struct tr *t, struct sql_stmt *st);
bool xl_add_name(struct tr *t, char ***names, int *n, const char *name);
bool xl_sequence_stmt(struct tr *t, struct sql_stmt *st, const node_t *n);
bool xl_seq_options(struct tr *t, struct sql_seq *q, node_t *const *opts, size_t n);
bool xl_alter_rebuild(struct tr *t, struct sql_stmt *st, const PgQuery__AlterTableStmt *as);
bool xl_truncate(struct tr *t, struct sql_stmt *st, const PgQuery__TruncateStmt *ts);
/* The column's declared type (translate_ddl.c), with its length CHECK for varchar(n)/char(n)
 * into check (a separate buffer; may be NULL). */
bool xl_decltype(struct tr *t, const PgQuery__TypeName *tn);
bool xl_table_constraint(struct tr *t, const PgQuery__Constraint *c);
bool xl_column_def(struct tr *t, const PgQuery__ColumnDef *cd, bool sole_pk, const char *table,
                   struct sql_stmt *st);
char *xl_take(struct tr *t); /* the output so far, detached (caller frees); NULL on failure */

#endif
