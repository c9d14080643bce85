/*
 * The result columns of a translated statement (struct sql_column): their names as PostgreSQL
 * names them, and what their type is derived from (a table column, an aggregate of one, a
 * cast, a constant, a parameter), decided by the backend once it knows the tables.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/translate.h"
#include "sql/types.h"
#include "translate_int.h"

bool xl_target_is_star(const node_t *val)
{
    return val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
           val->column_ref->fields[val->column_ref->n_fields - 1]->node_case ==
               PG_QUERY__NODE__NODE_A_STAR;
}

/* The typmod of a cast to char(n), varchar(n) (n + 4) or numeric(p,s), or -1: char(n) prints
 * padded, numeric(p,s) with its scale. */
static int32_t cast_typmod(const node_t *v)
{
    if (v->node_case != PG_QUERY__NODE__NODE_TYPE_CAST)
        return -1;
    const PgQuery__TypeName *tn = v->type_cast->type_name;
    uint32_t oid = 0;
    int m[2] = {0, 0};
    if (!xl_type_name(tn, &oid) || !tn->n_typmods || tn->n_typmods > 2)
        return -1;
    for (size_t k = 0; k < tn->n_typmods; k++) {
        if (tn->typmods[k]->node_case != PG_QUERY__NODE__NODE_A_CONST ||
            tn->typmods[k]->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL)
            return -1;
        m[k] = tn->typmods[k]->a_const->ival->ival;
    }
    if ((oid == PGOID_BPCHAR || oid == PGOID_VARCHAR) && tn->n_typmods == 1)
        return m[0] + 4;
    /* x::numeric(p,s) prints with scale s, whatever the scale of x. */
    if (oid == PGOID_NUMERIC && m[0] >= 1 && m[0] <= 1000 && m[1] >= 0 && m[1] <= m[0])
        return (int32_t)(((m[0] << 16) | m[1]) + 4);
    return -1;
}

/* SELECT * over FROM items that are no tables (VALUES, subqueries, generate_series, WITH
 * queries): the types of their columns, in order; nothing when one of them is a table. */
static bool star_columns(struct tr *t, struct sql_stmt *st)
{
    uint32_t types[256];
    int n = 0;
    for (int i = 0; i < t->n_scope; i++) {
        if (t->scope[i].depth != t->depth)
            continue;
        int k = xl_rel_column_types(t, &t->scope[i], types + n,
                                    (int)(sizeof types / sizeof types[0]) - n);
        if (k < 0)
            return true;
        n += k;
    }
    if (!n)
        return true;
    st->columns = calloc((size_t)n, sizeof *st->columns);
    if (!st->columns)
        return xl_fail(t, "53200", "out of memory");
    for (int i = 0; i < n; i++) {
        st->columns[i].type = types[i]; /* names: SQLite's, which are these columns' own */
        st->columns[i].typmod = -1;
    }
    st->n_columns = n;
    return true;
}

/* The parameter a result column is ($n), or is computed with (col op $n, the other operand no
 * parameter), 0 when none (sql_column.param). */
static int result_param(const node_t *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
        return n->param_ref->number;
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR || !n->a_expr->lexpr || !n->a_expr->rexpr)
        return 0;
    const node_t *l = xl_param_operand(n->a_expr->lexpr), *r = xl_param_operand(n->a_expr->rexpr);
    if (!l == !r)
        return 0;
    return l ? l->param_ref->number : r->param_ref->number;
}

/* Fill st->columns from a target list; none when a * makes the list unknowable here. */
bool xl_fill_columns(struct tr *t, struct sql_stmt *st, node_t *const *v, size_t n)
{
    if (n == 1 && xl_target_is_star(v[0]->res_target->val) &&
        v[0]->res_target->val->column_ref->n_fields == 1)
        return star_columns(t, st);
    for (size_t i = 0; i < n; i++)
        if (xl_target_is_star(v[i]->res_target->val))
            return true;
    st->columns = calloc(n ? n : 1, sizeof *st->columns);
    if (!st->columns)
        return xl_fail(t, "53200", "out of memory");
    for (size_t i = 0; i < n; i++) {
        const PgQuery__ResTarget *rt = v[i]->res_target;
        const char *name = rt->name && *rt->name ? rt->name : xl_expr_name(rt->val);
        st->columns[i].name = strdup(name);
        st->columns[i].type = xl_select_expr_type(t, rt->val);
        if (!st->columns[i].type && rt->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF)
            st->columns[i].type = xl_scope_column_type(t, rt->val->column_ref);
        if (!st->columns[i].type && rt->val->node_case == PG_QUERY__NODE__NODE_A_EXPR &&
            rt->val->a_expr->lexpr &&
            rt->val->a_expr->lexpr->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
            xl_expr_type(rt->val->a_expr->rexpr) == PGOID_INTERVAL) {
            /* subquery_column +/- interval: a timestamp stays one, a date becomes one. */
            uint32_t ts = xl_scope_column_type(t, rt->val->a_expr->lexpr->column_ref);
            st->columns[i].type = ts == PGOID_DATE ? PGOID_TIMESTAMP
                                  : ts == PGOID_TIMESTAMP || ts == PGOID_TIMESTAMPTZ ? ts
                                                                                     : 0;
        }
        st->columns[i].typmod = -1;
        if (!st->columns[i].name)
            return xl_fail(t, "53200", "out of memory");
        st->n_columns = (int)i + 1;
        if ((st->columns[i].typmod = cast_typmod(rt->val)) != -1)
            continue;
        bool numeric;
        if (st->columns[i].type == PGOID_NUMERIC && xl_numeric_exact(rt->val)) {
            /* pg_avg, pg_numeric_div/op/pow: the value's own digits. Only avg() follows its
             * column (a float column's avg is float8); the rest is numeric whatever the
             * columns they read. */
            st->columns[i].typmod = PGTYPMOD_NUMERIC_EXACT;
            if (rt->val->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
                continue;
        } else if (t->result_select && v == t->result_select->target_list &&
                   xl_keeps_constant_scale(t, rt->val, &numeric)) {
            st->columns[i].typmod = PGTYPMOD_NUMERIC_EXACT; /* its constants: pg_numeric_lit */
            if (numeric)
                st->columns[i].type = PGOID_NUMERIC;
        } else if ((st->columns[i].typmod = xl_literal_typmod(rt->val)) != -1) {
            /* Printed with the literal's scale, reported without a typmod (no origin). */
            st->columns[i].derive = SQL_DERIVE_VALUE;
            continue;
        }
        const char *rel, *col, *rel2, *col2;
        enum sql_derive d = xl_expr_origin(t, rt->val, &rel, &col);
        if (d == SQL_DERIVE_PARAM || rt->val->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
            st->columns[i].param = result_param(rt->val);
        if (d == SQL_DERIVE_NONE &&
            (d = xl_expr_origin2(t, rt->val, &rel, &col, &rel2, &col2)) != SQL_DERIVE_NONE) {
            st->columns[i].origin2_rel = strdup(rel2);
            st->columns[i].origin2_col = strdup(col2);
            if (!st->columns[i].origin2_rel || !st->columns[i].origin2_col)
                return xl_fail(t, "53200", "out of memory");
        }
        struct xl_colop colop;
        if (xl_column_numeric(t, rt->val, &colop) || xl_numeric_sum(t, rt->val))
            st->columns[i].typmod = PGTYPMOD_NUMERIC_EXACT; /* on a numeric column */
        if (d != SQL_DERIVE_NONE) {
            /* The origin column decides when the backend finds it; type is the fallback. */
            st->columns[i].derive = d;
            if (d == SQL_DERIVE_ADDNUM || d == SQL_DERIVE_MULNUM)
                st->columns[i].typmod = xl_operand_literal_typmod(rt->val->a_expr);
            st->columns[i].origin_rel = strdup(rel);
            st->columns[i].origin_col = strdup(col);
            if (!st->columns[i].origin_rel || !st->columns[i].origin_col)
                return xl_fail(t, "53200", "out of memory");
        }
    }
    return true;
}

bool xl_select_columns(struct tr *t, struct sql_stmt *st, const PgQuery__SelectStmt *s)
{
    while (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        s = s->larg;
    if (s->n_values_lists) {
        size_t n = s->values_lists[0]->list->n_items;
        st->columns = calloc(n ? n : 1, sizeof *st->columns);
        if (!st->columns)
            return xl_fail(t, "53200", "out of memory");
        for (size_t i = 0; i < n; i++) {
            char name[32];
            snprintf(name, sizeof name, "column%zu", i + 1);
            st->columns[i].name = strdup(name);
            st->columns[i].type = xl_expr_type(s->values_lists[0]->list->items[i]);
            st->columns[i].typmod = -1;
            st->n_columns = (int)i + 1;
        }
        return true;
    }
    /* The FROM items again, for result columns typed by the table column they come from. */
    int saved = xl_scope_push(t, s->from_clause, s->n_from_clause, NULL);
    bool ok = xl_fill_columns(t, st, s->target_list, s->n_target_list);
    xl_scope_pop(t, saved);
    return ok;
}
