/*
 * Numeric operators for the SQLite backend: which + - * / ^ PostgreSQL computes in numeric with
 * its own result scale (literals keep their scale, avg() and division results their digits), and
 * their emission as pg_numeric_op / pg_numeric_div / pg_numeric_pow / pg_numeric_lit calls, which
 * src/sql/functions_num.c computes exactly in decimal. The rest of expression translation is
 * translate_expr.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/types.h"
#include "translate_int.h"

/* An integer or numeric constant, possibly negated: the constant, and *neg for the minus. */
static const PgQuery__AConst *number_constant(const node_t *n, bool *neg)
{
    *neg = false;
    if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR && !n->a_expr->lexpr &&
        n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP && xl_op_name(n->a_expr) &&
        !strcmp(xl_op_name(n->a_expr), "-")) {
        *neg = true;
        n = n->a_expr->rexpr;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_A_CONST || n->a_const->isnull ||
        (n->a_const->val_case != PG_QUERY__A__CONST__VAL_FVAL &&
         n->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL))
        return NULL;
    return n->a_const;
}

/* A numeric (Float node) constant, possibly negated: its text without the sign. */
static const char *numeric_literal(const node_t *n, bool *neg)
{
    const PgQuery__AConst *c = number_constant(n, neg);
    return c && c->val_case == PG_QUERY__A__CONST__VAL_FVAL ? c->fval->fval : NULL;
}

static bool is_int_or_numeric(uint32_t oid)
{
    return oid == PGOID_INT2 || oid == PGOID_INT4 || oid == PGOID_INT8 || oid == PGOID_NUMERIC;
}

/* numeric / numeric (an integer operand is cast): pg_numeric_div. */
bool xl_numeric_div(const PgQuery__AExpr *e)
{
    uint32_t lt = xl_expr_type(e->lexpr), rt = xl_expr_type(e->rexpr);
    return is_int_or_numeric(lt) && is_int_or_numeric(rt) &&
           (lt == PGOID_NUMERIC || rt == PGOID_NUMERIC);
}

/* xl_numeric_exact, at most 32 operators deep (deeper operands count as inexact: a long chain
 * of + must not cost more than linear time per level). + - * are exact on an exact operand or
 * a numeric literal, when PostgreSQL's result is numeric. */
static bool numeric_exact(const node_t *n, int depth)
{
    if (n->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
        const PgQuery__FuncCall *fc = n->func_call;
        return fc->n_args == 1 && !fc->agg_star && !strcmp(xl_func_name(fc), "avg") &&
               xl_expr_type(n) == PGOID_NUMERIC;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR || depth > 32)
        return false;
    const PgQuery__AExpr *e = n->a_expr;
    const char *op = xl_op_name(e);
    if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !op || e->n_name != 1 || !e->rexpr)
        return false;
    if (!e->lexpr)
        return !strcmp(op, "-") && numeric_exact(e->rexpr, depth + 1);
    if (!strcmp(op, "/"))
        return xl_numeric_div(e);
    if (!strcmp(op, "^"))
        return xl_expr_type(n) == PGOID_NUMERIC;
    if (strcmp(op, "+") != 0 && strcmp(op, "-") != 0 && strcmp(op, "*") != 0)
        return false;
    /* A numeric literal operand is exact too (0.1 + 0.2 is 0.3, 1.5 * 2 is 3.0). */
    bool neg;
    return (numeric_literal(e->lexpr, &neg) || numeric_literal(e->rexpr, &neg) ||
            numeric_exact(e->lexpr, depth + 1) || numeric_exact(e->rexpr, depth + 1)) &&
           xl_expr_type(n) == PGOID_NUMERIC;
}

bool xl_numeric_exact(const node_t *n)
{
    return numeric_exact(n, 0);
}

/* The values a coalesce() or CASE may give (its arguments, its THEN and ELSE results) into
 * out[cap]: how many, 0 when n is neither or has more. */
static size_t value_branches(const node_t *n, const node_t **out, size_t cap)
{
    size_t k = 0;
    if (n->node_case == PG_QUERY__NODE__NODE_COALESCE_EXPR) {
        for (size_t i = 0; i < n->coalesce_expr->n_args; i++)
            if (k < cap)
                out[k++] = n->coalesce_expr->args[i];
        return n->coalesce_expr->n_args <= cap ? k : 0;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_CASE_EXPR)
        return 0;
    const PgQuery__CaseExpr *c = n->case_expr;
    for (size_t i = 0; i < c->n_args && k < cap; i++)
        out[k++] = c->args[i]->case_when->result;
    if (c->defresult && k < cap)
        out[k++] = c->defresult;
    return c->n_args + (c->defresult ? 1 : 0) <= cap ? k : 0;
}

bool xl_keeps_constant_scale(const struct tr *t, const node_t *n, bool *numeric)
{
    const node_t *v[64];
    size_t k = value_branches(n, v, 64);
    bool constant = false, other = false, neg;
    *numeric = false;
    for (size_t i = 0; i < k; i++) {
        const PgQuery__AConst *c = number_constant(v[i], &neg);
        if (c) {
            constant = true;
            *numeric = *numeric || c->val_case == PG_QUERY__A__CONST__VAL_FVAL;
        } else if (v[i]->node_case != PG_QUERY__NODE__NODE_A_CONST) {
            other = true;
        } else if (!v[i]->a_const->isnull) {
            return false; /* a string: not numeric here */
        }
    }
    if (!constant)
        return false;
    const char *rel, *col;
    if (!other) /* CASE ... THEN 1.50 ELSE 2 END: numeric when a constant is */
        return *numeric && n->node_case == PG_QUERY__NODE__NODE_CASE_EXPR;
    *numeric = false; /* the column's type decides */
    return xl_expr_origin(t, n, &rel, &col) != SQL_DERIVE_NONE;
}

/* A value of coalesce() or CASE under xl_keeps_constant_scale: a numeric constant goes through
 * pg_numeric_lit, which keeps its digits (0, not the column's 0.00). */
bool xl_scaled_value(struct tr *t, const node_t *n)
{
    bool neg;
    const PgQuery__AConst *c = number_constant(n, &neg);
    if (c && c->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        xl_printf(t, "pg_numeric_lit(%s%d, %d)", neg ? "-" : "", c->ival->ival, t->result_column);
        return !t->failed;
    }
    if (!c || !pgnumeric_exact(c->fval->fval, strlen(c->fval->fval)))
        return xl_expr(t, n); /* too many digits: refused there */
    xl_printf(t, "pg_numeric_lit('%s%s', %d)", neg ? "-" : "", c->fval->fval, t->result_column);
    return !t->failed;
}

/* An operand of pg_numeric_div/op/pow: a numeric literal goes as text, so that its scale
 * survives (1.50 has 2, the double 1.5 has 1). */
static bool xl_num_operand(struct tr *t, const node_t *n, const node_t *other)
{
    bool neg;
    const char *s = numeric_literal(n, &neg);
    if (!s || !pgnumeric_exact(s, strlen(s)))
        return xl_arith_operand(t, n, other);
    xl_printf(t, "'%s%s'", neg ? "-" : "", s);
    return !t->failed;
}

/* fn(l, r, exact [, column]) for the numeric operator n, exact telling which operands are
 * exact results, column the result column n is (its digits are preferred there). */
bool xl_num_call(struct tr *t, const node_t *n, const char *fn, const char *op, const node_t *l,
                 const node_t *r)
{
    xl_printf(t, "%s(", fn);
    if (op)
        xl_printf(t, "'%s', ", op);
    if (!xl_num_operand(t, l, r))
        return false;
    xl_put(t, ", ");
    if (!xl_num_operand(t, r, l))
        return false;
    xl_printf(t, ", %d", (xl_numeric_exact(l) ? 1 : 0) | (xl_numeric_exact(r) ? 2 : 0));
    if (n == t->result_target)
        xl_printf(t, ", %d", t->result_column);
    xl_put(t, ")");
    return !t->failed;
}

/* v is a column of a table, of a type only the backend knows: *rel, *col. */
static bool table_column(const struct tr *t, const node_t *v, const char **rel, const char **col)
{
    return v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && !xl_expr_type(v) &&
           xl_expr_origin(t, v, rel, col) == SQL_DERIVE_SAME;
}

/*
 * col op $n, col * integer constant, col op col2 (op + - *) of table columns whose type only the
 * backend knows. On a numeric column PostgreSQL's result is numeric with the larger operand
 * scale (the sum for *): 2.5 + 0.5 is 3.0, 2.5 * 2 is 5.0 (a parameter takes the column's
 * type); with a numeric literal (col + 0.50) an integer column's result is numeric too. An
 * integer added keeps the scale SQLite's double shows, so col + 1 stays as it is.
 */
static bool column_numeric(const struct tr *t, const node_t *n, struct xl_colop *o, int depth)
{
    memset(o, 0, sizeof *o);
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR)
        return false;
    const PgQuery__AExpr *e = n->a_expr;
    const char *op = xl_op_name(e);
    if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !op || e->n_name != 1 || !e->lexpr ||
        !e->rexpr || (strcmp(op, "+") != 0 && strcmp(op, "-") != 0 && strcmp(op, "*") != 0))
        return false;
    int columns = 0;
    bool neg;
    for (int side = 0; side < 2; side++) {
        const node_t *v = side ? e->rexpr : e->lexpr;
        const char *lit = numeric_literal(v, &neg);
        struct xl_colop inner;
        if (table_column(t, v, &o->rel[side], &o->col[side])) {
            columns++;
        } else if (depth < 3 && column_numeric(t, v, &inner, depth + 1) && !inner.literal &&
                   !!inner.col[0] + !!inner.col[1] == 1) {
            /* (col * $1) - $2: the inner result, computed the same way for the same column.
             * Each level writes its operand twice (both branches): a few levels only. */
            int k = inner.col[0] ? 0 : 1;
            o->rel[side] = inner.rel[k];
            o->col[side] = inner.col[k];
            o->nested[side] = true;
            columns++;
        } else if (lit && pgnumeric_exact(lit, strlen(lit))) {
            o->literal = true;
        } else if (!xl_param_operand(v) &&
                   !(op[0] == '*' && v->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                     v->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL)) {
            return false;
        }
    }
    /* A nested operand goes with a parameter or an integer only (its column's type is the
     * result's). */
    if ((o->nested[0] || o->nested[1]) && (columns > 1 || o->literal))
        return false;
    return columns > 0;
}

bool xl_column_numeric(const struct tr *t, const node_t *n, struct xl_colop *o)
{
    return column_numeric(t, n, o, 0);
}

static void colnumeric_call(struct tr *t, const struct xl_colop *o, int side)
{
    xl_put(t, "pg_colnumeric(");
    xl_string_lit(t, o->rel[side]);
    xl_put(t, ", ");
    xl_string_lit(t, o->col[side]);
    xl_put(t, ")");
}

/* "CASE WHEN no numeric is computed THEN " before the plain operator (xl_column_numeric): a
 * column of another type than numeric or an integer type, or no numeric column at all
 * (pg_colnumeric), keeps SQLite's arithmetic. */
bool xl_column_numeric_begin(struct tr *t, const struct xl_colop *o)
{
    xl_put(t, "CASE WHEN ");
    if (!o->col[0] || !o->col[1]) {
        /* A numeric literal makes an integer column's result numeric too (2 * 1.50 is 3.00). */
        colnumeric_call(t, o, o->col[0] ? 0 : 1);
        xl_put(t, o->literal ? " < -2 THEN " : " < -1 THEN ");
        return !t->failed;
    }
    xl_put(t, "max(");
    colnumeric_call(t, o, 0);
    xl_put(t, ", ");
    colnumeric_call(t, o, 1);
    xl_put(t, ") < -1 OR min(");
    colnumeric_call(t, o, 0);
    xl_put(t, ", ");
    colnumeric_call(t, o, 1);
    xl_put(t, ") < -2 THEN ");
    return !t->failed;
}

/* " ELSE pg_numeric_op(...) END" after it: a column's value with its column's scale
 * (pg_numeric_pad: 3.30 of a numeric(10,2) column, stored as 3.3, has 2). */
bool xl_column_numeric_end(struct tr *t, const node_t *n, const struct xl_colop *o)
{
    const PgQuery__AExpr *e = n->a_expr;
    xl_printf(t, " ELSE pg_numeric_op('%s', ", xl_op_name(e));
    for (int side = 0; side < 2; side++) {
        const node_t *v = side ? e->rexpr : e->lexpr;
        if (side)
            xl_put(t, ", ");
        if (!o->col[side]) {
            if (!xl_num_operand(t, v, NULL)) /* a numeric literal as text: its scale */
                return false;
            continue;
        }
        if (o->nested[side]) {
            if (!xl_expr(t, v)) /* its digits are remembered: read as exact */
                return false;
            continue;
        }
        xl_put(t, "pg_numeric_pad(");
        if (!xl_expr(t, v))
            return false;
        xl_put(t, ", ");
        colnumeric_call(t, o, side);
        xl_put(t, ")");
    }
    /* Which operands are exact results, and which are parameters (their bound digits). */
    long long flags = (o->nested[0] ? 1 : 0) | (o->nested[1] ? 2 : 0);
    for (int side = 0; side < 2; side++) {
        const node_t *p = xl_param_operand(side ? e->rexpr : e->lexpr);
        if (p && p->param_ref->number > 0 && p->param_ref->number <= 0xffff)
            flags |= (long long)p->param_ref->number << (4 + 16 * side);
    }
    xl_printf(t, ", %lld", flags);
    if (n == t->result_target)
        xl_printf(t, ", %d", t->result_column);
    xl_put(t, ") END");
    return !t->failed;
}

/*
 * sum(col) of a table column of a type only the backend knows: on a numeric column without a
 * modifier PostgreSQL's sum is exact with the largest scale of its values (2.5 + 2.5 is 5.0),
 * pg_numeric_sum; a numeric(p,s) column's sum prints with its scale anyway.
 */
bool xl_numeric_sum(const struct tr *t, const node_t *n)
{
    if (n->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
        return false;
    const PgQuery__FuncCall *fc = n->func_call;
    const char *rel, *col;
    return fc->n_args == 1 && !fc->agg_star && !fc->agg_distinct && !fc->agg_filter &&
           !fc->n_agg_order && !strcmp(xl_func_name(fc), "sum") &&
           table_column(t, fc->args[0], &rel, &col);
}

/* "CASE WHEN pg_colnumeric(...) = -1 THEN pg_numeric_sum(col, pg_colnumeric(...)[, column])
 * ELSE sum(col) END". */
bool xl_numeric_sum_call(struct tr *t, const node_t *n,
                         bool (*plain)(struct tr *, const PgQuery__FuncCall *))
{
    const char *rel, *col;
    table_column(t, n->func_call->args[0], &rel, &col);
    struct xl_colop o = {.rel = {rel, NULL}, .col = {col, NULL}};
    xl_put(t, "CASE WHEN ");
    colnumeric_call(t, &o, 0);
    xl_put(t, " = -1 THEN pg_numeric_sum(");
    if (!xl_expr(t, n->func_call->args[0]))
        return false;
    xl_put(t, ", ");
    colnumeric_call(t, &o, 0);
    if (n == t->result_target)
        xl_printf(t, ", %d", t->result_column);
    xl_put(t, ")");
    if (n->func_call->over && !xl_over(t, n->func_call->over))
        return false;
    xl_put(t, " ELSE ");
    if (!plain(t, n->func_call))
        return false;
    xl_put(t, " END");
    return !t->failed;
}
