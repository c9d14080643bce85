/*
 * PostgreSQL expressions to SQLite expressions. Where SQLite's operator or function means
 * something else (LIKE's case folding, max() with NULL, lenient CAST, x/0 giving NULL), the
 * emitted SQL calls a pg_* function that src/sql/functions.c registers on every handle. An
 * untyped literal or parameter stored into or compared with a column goes through
 * pg_assign(value, table, column), which converts it to the column's declared type at run time
 * (PostgreSQL types it by the column at parse time; the translator has no catalog). Such a
 * parameter, and one computed with a column, is noted with that column (sql_param_origin) for
 * the backend's ParameterDescription. A column's value turned into text (||, concat, ::text)
 * goes through pg_coltext(value, table, column), which prints it as its declared type does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/functions.h"
#include "sql/types.h"
#include "translate_int.h"

const char *xl_str(const node_t *n)
{
    if (!n)
        return NULL;
    if (n->node_case == PG_QUERY__NODE__NODE_STRING)
        return n->string->sval;
    if (n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)
        return n->a_const->sval->sval;
    return NULL;
}

/* ---- emitting ---- */

static int typmod_int(const node_t *n)
{
    if (n && n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL)
        return n->a_const->ival->ival;
    return -1;
}

/* ", m1[, m2]" of a cast's type modifiers (at most two); *n: how many. */
static bool xl_cast_typmods(struct tr *t, const PgQuery__TypeCast *tc, size_t *n)
{
    *n = tc->type_name->n_typmods < 2 ? tc->type_name->n_typmods : 2;
    for (size_t i = 0; i < *n; i++) {
        int m = typmod_int(tc->type_name->typmods[i]);
        if (m < 0)
            return xl_refuse(t, "this type modifier is not supported");
        xl_printf(t, ", %d", m);
    }
    return true;
}

/*
 * A value stored into rel.col. PostgreSQL types an untyped literal or parameter by the target
 * column ('t' into a bool column is true); pg_assign() does that conversion with the column's
 * declared type, which it looks up on the handle.
 */
/*
 * An integer constant whose value matters only as a value (an operand of a comparison, a
 * value assigned to a column), emitted as the SQLite parameter of its literal when the text is
 * translated for the lifting cache (sql/lift.h). false: not lifted, nothing emitted.
 */
bool xl_lift_const(struct tr *t, const node_t *n)
{
    if (!t->lift || n->node_case != PG_QUERY__NODE__NODE_A_CONST || n->a_const->isnull ||
        n->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL)
        return false;
    int k = sql_lift_find(t->lift, n->a_const->location);
    if (k < 0 || t->lift->tok[k].value != n->a_const->ival->ival)
        return false;
    xl_printf(t, "?%d", k + 1);
    bool seen = false;
    for (int i = 0; i < t->n_lifted && !seen; i++)
        seen = t->lifted[i] == k;
    if (!seen && t->n_lifted < SQL_LIFT_MAX)
        t->lifted[t->n_lifted++] = k;
    return true;
}

bool xl_assigned(struct tr *t, const node_t *v, const char *rel, const char *col)
{
    bool untyped = (v->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                    v->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL) ||
                   v->node_case == PG_QUERY__NODE__NODE_PARAM_REF;
    /* Numbers and arithmetic get PostgreSQL's assignment cast too: 3000000000 into an int4
     * column is 22003, 3.333 into numeric(10,2) is stored as 3.33. */
    bool number = (v->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                   (v->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL ||
                    v->a_const->val_case == PG_QUERY__A__CONST__VAL_FVAL)) ||
                  (v->node_case == PG_QUERY__NODE__NODE_A_EXPR &&
                   v->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP && xl_op_name(v->a_expr) &&
                   strchr("+-*/", xl_op_name(v->a_expr)[0]) && !xl_op_name(v->a_expr)[1]);
    if (!untyped && !number)
        return xl_expr(t, v);
    xl_note_param_column(t, v, rel, col, false);
    xl_put(t, "pg_assign(");
    if (!xl_lift_const(t, v) && !xl_expr(t, v))
        return false;
    xl_put(t, ", ");
    xl_string_lit(t, rel);
    xl_put(t, ", ");
    if (col[0] == '#')
        xl_put(t, col + 1); /* a position: INSERT without a column list */
    else
        xl_string_lit(t, col);
    xl_put(t, ")");
    return !t->failed;
}

/* ---- scopes: which table a column reference names ---- */

static void scope_add(struct tr *t, const PgQuery__RangeVar *rv)
{
    if (t->n_scope >= (int)(sizeof t->scope / sizeof t->scope[0]))
        return;
    struct xl_rel *r = &t->scope[t->n_scope++];
    memset(r, 0, sizeof *r);
    r->rel = rv->relname;
    r->alias = rv->alias && rv->alias->aliasname && *rv->alias->aliasname ? rv->alias->aliasname
                                                                          : rv->relname;
    r->depth = t->depth;
}

static void scope_add_item(struct tr *t, const node_t *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR) {
        scope_add(t, n->range_var);
    } else if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
        scope_add_item(t, n->join_expr->larg);
        scope_add_item(t, n->join_expr->rarg);
    } else if (t->n_scope < (int)(sizeof t->scope / sizeof t->scope[0])) {
        /* A subquery or function: no table, so nothing unqualified resolves to a table;
         * its columns' types are looked up by xl_scope_column_type. */
        struct xl_rel *r = &t->scope[t->n_scope++];
        memset(r, 0, sizeof *r);
        r->depth = t->depth;
        const PgQuery__Alias *al = NULL;
        if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT &&
            n->range_subselect->subquery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
            r->sub = n->range_subselect->subquery->select_stmt;
            al = n->range_subselect->alias;
        } else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_FUNCTION &&
                   n->range_function->n_functions == 1) {
            const node_t *fl = n->range_function->functions[0];
            const node_t *f = fl->node_case == PG_QUERY__NODE__NODE_LIST && fl->list->n_items
                                  ? fl->list->items[0]
                                  : NULL;
            al = n->range_function->alias;
            if (f && f->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
                !strcmp(xl_func_name(f->func_call), "generate_series") &&
                f->func_call->n_args >= 2) {
                uint32_t a = xl_expr_type(f->func_call->args[0]);
                uint32_t b = xl_expr_type(f->func_call->args[1]);
                r->series_type = a == PGOID_INT8 || b == PGOID_INT8   ? PGOID_INT8
                                 : a == PGOID_INT4 && b == PGOID_INT4 ? PGOID_INT4
                                                                      : 0;
                r->series_col = al && al->n_colnames ? xl_str(al->colnames[0])
                                : al                 ? al->aliasname
                                                     : "generate_series";
            }
        }
        if (al) {
            r->alias = al->aliasname;
            r->colnames = al->colnames;
            r->n_colnames = al->n_colnames;
        }
    }
}

int xl_scope_push(struct tr *t, node_t *const *from, size_t n, const PgQuery__RangeVar *target)
{
    int saved = t->n_scope;
    t->depth++;
    if (target)
        scope_add(t, target);
    for (size_t i = 0; i < n; i++)
        scope_add_item(t, from[i]);
    return saved;
}

void xl_scope_pop(struct tr *t, int saved)
{
    t->n_scope = saved;
    t->depth--;
}

/* The table of a column reference: qualified by alias, or the only table of its level. */
bool xl_column_table(const struct tr *t, const PgQuery__ColumnRef *c, const char **rel,
                     const char **col)
{
    *rel = NULL;
    if (c->n_fields == 1) {
        *col = xl_str(c->fields[0]);
        int n = 0;
        for (int i = t->n_scope - 1; i >= 0 && t->scope[i].depth == t->depth; i--) {
            *rel = t->scope[i].rel;
            n++;
        }
        return *col && n == 1 && *rel;
    }
    if (c->n_fields != 2)
        return false;
    const char *q = xl_str(c->fields[0]);
    *col = xl_str(c->fields[1]);
    if (!q || !*col)
        return false;
    for (int i = t->n_scope - 1; i >= 0; i--) {
        if (t->scope[i].alias && !strcmp(t->scope[i].alias, q)) {
            *rel = t->scope[i].rel;
            return *rel != NULL; /* a subquery's alias names no table */
        }
    }
    return false;
}

static bool is_untyped(const node_t *v)
{
    return (v->node_case == PG_QUERY__NODE__NODE_A_CONST &&
            v->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL) ||
           v->node_case == PG_QUERY__NODE__NODE_PARAM_REF;
}

/* n compared with other: an untyped literal or parameter takes other's column type, a
 * parameter other's type when that is known. */
static bool xl_operand(struct tr *t, const node_t *n, const node_t *other)
{
    const char *rel, *col;
    if (other && n->node_case == PG_QUERY__NODE__NODE_PARAM_REF &&
        other->node_case != PG_QUERY__NODE__NODE_PARAM_REF) {
        /* A column of a subquery or WITH query has its defining expression's type, or that of
         * the table column it copies. */
        uint32_t oid = xl_select_expr_type(t, other);
        if (oid)
            xl_note_param(t, n->param_ref->number, oid);
        else if (other->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
                 xl_expr_origin(t, other, &rel, &col) == SQL_DERIVE_SAME)
            xl_note_param_column(t, n, rel, col, false);
    }
    if (other && is_untyped(n) && other->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        xl_column_table(t, other->column_ref, &rel, &col))
        return xl_assigned(t, n, rel, col);
    if (other && xl_lift_const(t, n))
        return !t->failed; /* compared with other */
    return xl_expr(t, n);
}

/* A parameter operand of arithmetic takes the other operand's type: a table column's, which
 * the backend looks up, or a number type the translator knows ($1 + 1 is int4). */
static void note_arith_params(struct tr *t, const node_t *l, const node_t *r)
{
    for (int side = 0; side < 2; side++) {
        const node_t *p = side ? r : l, *other = side ? l : r;
        if (!p || !other || p->node_case != PG_QUERY__NODE__NODE_PARAM_REF ||
            other->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
            continue;
        const char *rel, *col;
        uint32_t oid = xl_select_expr_type(t, other);
        if (oid == PGOID_INT2 || oid == PGOID_INT4 || oid == PGOID_INT8 || oid == PGOID_NUMERIC ||
            oid == PGOID_FLOAT4 || oid == PGOID_FLOAT8)
            xl_note_param(t, p->param_ref->number, oid);
        else if (!oid && (xl_expr_origin(t, other, &rel, &col) == SQL_DERIVE_SAME ||
                          xl_expr_origin(t, other, &rel, &col) == SQL_DERIVE_PARAM))
            xl_note_param_column(t, p, rel, col, true); /* (col op $1) op $2 too */
    }
}

/*
 * The text of a concatenation operand, as PostgreSQL's cast to text gives it: a boolean is
 * stored as 1/0 and its text is 'true'/'false' (boolout's 't'/'f' with out_form, as concat()
 * prints it); a table column's value is printed by its declared type (pg_coltext: a boolean,
 * numeric(p,s) with its scale, a float as float8out does).
 */
static bool xl_text_operand(struct tr *t, const node_t *n, bool out_form)
{
    const char *rel, *col;
    if (xl_select_expr_type(t, n) == PGOID_BOOL) {
        xl_put(t, "(CASE ");
        if (!xl_expr(t, n))
            return false;
        xl_put(t, out_form ? " WHEN 1 THEN 't' WHEN 0 THEN 'f' END)"
                           : " WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)");
        return !t->failed;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        xl_expr_origin(t, n, &rel, &col) == SQL_DERIVE_SAME) {
        xl_put(t, "pg_coltext(");
        if (!xl_expr(t, n))
            return false;
        xl_put(t, ", ");
        xl_string_lit(t, rel);
        xl_put(t, ", ");
        xl_string_lit(t, col);
        xl_put(t, out_form ? ", 1)" : ", 0)");
        return !t->failed;
    }
    return xl_expr(t, n);
}

bool xl_expr_list(struct tr *t, node_t *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            xl_put(t, ", ");
        if (!xl_expr(t, v[i]))
            return false;
    }
    return !t->failed;
}

static bool xl_const(struct tr *t, const PgQuery__AConst *c)
{
    if (c->isnull) {
        xl_put(t, "NULL");
        return !t->failed;
    }
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
        xl_printf(t, "%d", c->ival->ival);
        break;
    case PG_QUERY__A__CONST__VAL_FVAL: {
        const char *s = c->fval->fval;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X' || s[1] == 'o' || s[1] == 'O' ||
                            s[1] == 'b' || s[1] == 'B'))
            return xl_refuse(t, "non-decimal integer literal %s is not supported", s);
        /* An integer literal beyond int64 stays a number: its assignment to an integer
         * column must fail with 22003 as in PostgreSQL, not with 0A000. */
        if (strpbrk(s, ".eE") && !t->float_literal && !pgnumeric_exact(s, strlen(s)))
            return xl_refuse(t,
                             "numeric literal %.40s has more than 15 significant digits, more "
                             "than the SQLite backend stores exactly",
                             s);
        xl_put(t, s);
        break;
    }
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        xl_put(t, c->boolval->boolval ? "1" : "0");
        break;
    case PG_QUERY__A__CONST__VAL_SVAL:
        xl_string_lit(t, c->sval->sval);
        break;
    default:
        return xl_refuse(t, "bit string literals are not supported on the SQLite backend");
    }
    return !t->failed;
}

/* Does q name a FROM item (alias or table) at any level in scope, or a WITH query? */
static bool scope_names(const struct tr *t, const char *q)
{
    for (int i = 0; i < t->n_scope; i++)
        if ((t->scope[i].alias && !strcmp(t->scope[i].alias, q)) ||
            (t->scope[i].rel && !strcmp(t->scope[i].rel, q)))
            return true;
    for (int i = 0; i < t->n_ctes; i++)
        if (t->ctes[i]->ctename && !strcmp(t->ctes[i]->ctename, q))
            return true;
    return false;
}

static bool xl_column_ref(struct tr *t, const PgQuery__ColumnRef *c)
{
    size_t first = 0;
    if (c->n_fields == 3 && xl_str(c->fields[0]) && !strcmp(xl_str(c->fields[0]), "public"))
        first = 1; /* public.t.col: the only schema is implicit */
    if (c->n_fields - first == 2 && xl_str(c->fields[first]) && !t->missing_from &&
        strcmp(xl_str(c->fields[first]), "excluded") != 0 &&
        !scope_names(t, xl_str(c->fields[first])))
        t->missing_from = xl_str(c->fields[first]);
    for (size_t i = first; i < c->n_fields; i++) {
        if (i > first)
            xl_put(t, ".");
        const node_t *f = c->fields[i];
        if (f->node_case == PG_QUERY__NODE__NODE_A_STAR) {
            xl_put(t, "*");
            continue;
        }
        const char *s = xl_str(f);
        if (!s)
            return xl_refuse(t, "this column reference is not supported");
        if (i == 0 && c->n_fields == 2 && !strcmp(s, "excluded"))
            xl_put(t, "excluded");
        else
            xl_ident(t, s);
    }
    if (c->n_fields > 3)
        return xl_refuse(t, "cross-database column references are not supported");
    return !t->failed;
}

static bool xl_cast(struct tr *t, const PgQuery__TypeCast *tc)
{
    bool handled;
    if (!xl_catalog_cast(t, tc, &handled) || handled)
        return !t->failed;
    uint32_t oid;
    const char *canon = xl_type_name(tc->type_name, &oid);
    if (!canon) {
        const PgQuery__TypeName *tn = tc->type_name;
        const char *nm = tn->n_names ? xl_str(tn->names[tn->n_names - 1]) : "?";
        if (tn->n_array_bounds)
            return xl_refuse(t, "type %s[] (arrays) is not supported on the SQLite backend", nm);
        return xl_refuse(t, "type %s is not supported on the SQLite backend", nm);
    }
    if (oid == PGOID_INTERVAL)
        return xl_refuse(t, "type interval is not supported on the SQLite backend except in "
                            "timestamp +/- interval");
    const node_t *arg = tc->arg;
    if (arg->node_case == PG_QUERY__NODE__NODE_A_CONST && arg->a_const->isnull) {
        xl_put(t, "NULL");
        return !t->failed;
    }
    if (arg->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
        xl_note_param(t, arg->param_ref->number, oid);
    uint32_t from = xl_expr_type(arg);
    if ((from == PGOID_FLOAT8 || from == PGOID_FLOAT4) &&
        (oid == PGOID_INT2 || oid == PGOID_INT4 || oid == PGOID_INT8)) {
        /* float to integer rounds halves to even (rint), numeric to integer away from 0. */
        xl_printf(t, "pg_cast(pg_rint(");
        if (!xl_expr(t, arg))
            return false;
        xl_printf(t, "), '%s')", canon);
        return !t->failed;
    }
    bool to_text = oid == PGOID_TEXT || oid == PGOID_VARCHAR || oid == PGOID_BPCHAR;
    const char *rel, *col;
    if (!from && to_text && arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        xl_expr_origin(t, arg, &rel, &col) == SQL_DERIVE_SAME) {
        /* A table column prints as its declared type does (a boolean as true/false). */
        xl_put(t, "pg_cast(");
        if (!xl_text_operand(t, arg, false))
            return false;
        xl_printf(t, ", '%s'", canon);
        size_t n_mods;
        if (!xl_cast_typmods(t, tc, &n_mods))
            return false;
        xl_put(t, ")");
        return !t->failed;
    }
    if (from == PGOID_BOOL && to_text && !tc->type_name->n_typmods) {
        /* A boolean is stored as 0/1; its text is PostgreSQL's boolout. */
        xl_put(t, "(CASE ");
        if (!xl_expr(t, arg))
            return false;
        xl_put(t, " WHEN 1 THEN 'true' WHEN 0 THEN 'false' END)");
        return !t->failed;
    }
    /* To a string type, a value stored as a number prints as its own type does (true, 1.5e-10
     * for a real): the source type travels as a fifth argument. */
    uint32_t src = 0;
    if (oid == PGOID_TEXT || oid == PGOID_VARCHAR || oid == PGOID_BPCHAR || oid == PGOID_NAME) {
        src = from;
        if (src != PGOID_BOOL && src != PGOID_FLOAT4 && src != PGOID_FLOAT8 && src != PGOID_NUMERIC)
            src = 0;
    }
    xl_put(t, "pg_cast(");
    /* 1.2345678901234568e17::float8 is a double, whatever its digits. */
    t->float_literal = (oid == PGOID_FLOAT4 || oid == PGOID_FLOAT8) &&
                       arg->node_case == PG_QUERY__NODE__NODE_A_CONST;
    bool ok = xl_expr(t, arg);
    t->float_literal = false;
    if (!ok)
        return false;
    xl_printf(t, ", '%s'", canon);
    size_t n_mods;
    if (!xl_cast_typmods(t, tc, &n_mods))
        return false;
    if (src) {
        for (size_t i = n_mods; i < 2; i++)
            xl_put(t, ", -1");
        xl_printf(t, ", '%s'", pgtype_name(src));
    }
    xl_put(t, ")");
    return !t->failed;
}

static bool is_nonzero_const(const node_t *n)
{
    if (n->node_case != PG_QUERY__NODE__NODE_A_CONST || n->a_const->isnull)
        return false;
    if (n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL)
        return n->a_const->ival->ival != 0;
    if (n->a_const->val_case == PG_QUERY__A__CONST__VAL_FVAL)
        return strtod(n->a_const->fval->fval, NULL) != 0;
    return false;
}

/* An untyped literal in arithmetic with an operand of known numeric type takes that type
 * ('a' + 1 is 22P02 in PostgreSQL, 1 in SQLite). */
bool xl_arith_operand(struct tr *t, const node_t *n, const node_t *other)
{
    uint32_t oid = other ? xl_expr_type(other) : 0;
    if (n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL &&
        (oid == PGOID_INT2 || oid == PGOID_INT4 || oid == PGOID_INT8 || oid == PGOID_NUMERIC ||
         oid == PGOID_FLOAT4 || oid == PGOID_FLOAT8)) {
        xl_put(t, "pg_cast(");
        if (!xl_expr(t, n))
            return false;
        xl_printf(t, ", '%s')", pgtype_name(oid));
        return !t->failed;
    }
    return xl_expr(t, n);
}

static bool xl_binary(struct tr *t, const node_t *l, const char *op, const node_t *r)
{
    if (!strcmp(op, "||")) {
        xl_put(t, "(");
        if (!xl_text_operand(t, l, false))
            return false;
        xl_put(t, " || ");
        if (!xl_text_operand(t, r, false))
            return false;
        xl_put(t, ")");
        return !t->failed;
    }
    bool cmp = !strcmp(op, "=") || !strcmp(op, "<>") || !strcmp(op, "<") || !strcmp(op, ">") ||
               !strcmp(op, "<=") || !strcmp(op, ">=") || !strcmp(op, "IS") || !strcmp(op, "IS NOT");
    bool arith = !strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "*");
    xl_put(t, "(");
    if (arith ? !xl_arith_operand(t, l, r) : !xl_operand(t, l, cmp ? r : NULL))
        return false;
    xl_printf(t, " %s ", op);
    if (arith ? !xl_arith_operand(t, r, l) : !xl_operand(t, r, cmp ? l : NULL))
        return false;
    xl_put(t, ")");
    return !t->failed;
}

static bool xl_call2(struct tr *t, const char *fn, const node_t *a, const node_t *b,
                     const char *extra)
{
    xl_printf(t, "%s(", fn);
    if (!xl_expr(t, a))
        return false;
    xl_put(t, ", ");
    if (!xl_expr(t, b))
        return false;
    if (extra)
        xl_put(t, extra);
    xl_put(t, ")");
    return !t->failed;
}

/* x op ANY/ALL (...) for a subquery (SubLink) or an ARRAY[...] list. */
static bool xl_in_list(struct tr *t, const node_t *l, bool negate, node_t *const *items, size_t n)
{
    xl_put(t, "(");
    if (!xl_expr(t, l))
        return false;
    xl_put(t, negate ? " NOT IN (" : " IN (");
    for (size_t i = 0; i < n; i++) {
        if (i)
            xl_put(t, ", ");
        if (!xl_operand(t, items[i], l))
            return false;
    }
    xl_put(t, "))");
    return !t->failed;
}

static bool xl_like(struct tr *t, const PgQuery__AExpr *e, bool ilike)
{
    const char *op = xl_op_name(e);
    bool negate = op && op[0] == '!';
    const node_t *pat = e->rexpr;
    const node_t *esc = NULL;
    if (pat->node_case == PG_QUERY__NODE__NODE_FUNC_CALL &&
        !strcmp(xl_func_name(pat->func_call), "like_escape") && pat->func_call->n_args == 2) {
        esc = pat->func_call->args[1];
        pat = pat->func_call->args[0];
    }
    xl_put(t, negate ? "(NOT pg_" : "pg_");
    xl_put(t, ilike ? "ilike(" : "like(");
    if (!xl_expr(t, e->lexpr))
        return false;
    xl_put(t, ", ");
    if (!xl_expr(t, pat))
        return false;
    if (esc) {
        xl_put(t, ", ");
        if (!xl_expr(t, esc))
            return false;
    }
    xl_put(t, negate ? "))" : ")");
    return !t->failed;
}

/* The text operand of "x::interval" / "interval 'x'", NULL when n is no interval cast. */
static const node_t *interval_arg(const node_t *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_TYPE_CAST)
        return NULL;
    uint32_t oid;
    if (!xl_type_name(n->type_cast->type_name, &oid) || oid != PGOID_INTERVAL ||
        n->type_cast->type_name->n_typmods)
        return NULL;
    return n->type_cast->arg;
}

static bool xl_aexpr(struct tr *t, const node_t *n)
{
    const PgQuery__AExpr *e = n->a_expr;
    const char *op = xl_op_name(e);
    switch (e->kind) {
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP:
        break;
    case PG_QUERY__A__EXPR__KIND__AEXPR_DISTINCT:
        return xl_binary(t, e->lexpr, "IS NOT", e->rexpr);
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_DISTINCT:
        return xl_binary(t, e->lexpr, "IS", e->rexpr);
    case PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF:
        return xl_call2(t, "nullif", e->lexpr, e->rexpr, NULL);
    case PG_QUERY__A__EXPR__KIND__AEXPR_IN: {
        const PgQuery__List *l = e->rexpr->list;
        return xl_in_list(t, e->lexpr, op && !strcmp(op, "<>"), l->items, l->n_items);
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_LIKE:
        return xl_like(t, e, false);
    case PG_QUERY__A__EXPR__KIND__AEXPR_ILIKE:
        return xl_like(t, e, true);
    case PG_QUERY__A__EXPR__KIND__AEXPR_SIMILAR:
        return xl_refuse(t, "SIMILAR TO is not supported on the SQLite backend");
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN: {
        const PgQuery__List *l = e->rexpr->list;
        xl_put(t, "(");
        if (!xl_expr(t, e->lexpr))
            return false;
        xl_put(t,
               e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN ? " BETWEEN " : " NOT BETWEEN ");
        if (!xl_operand(t, l->items[0], e->lexpr))
            return false;
        xl_put(t, " AND ");
        if (!xl_operand(t, l->items[1], e->lexpr))
            return false;
        xl_put(t, ")");
        return !t->failed;
    }
    case PG_QUERY__A__EXPR__KIND__AEXPR_BETWEEN_SYM:
    case PG_QUERY__A__EXPR__KIND__AEXPR_NOT_BETWEEN_SYM:
        return xl_refuse(t, "BETWEEN SYMMETRIC is not supported on the SQLite backend");
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY:
    case PG_QUERY__A__EXPR__KIND__AEXPR_OP_ALL: {
        bool any = e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_OP_ANY;
        bool handled;
        if (!xl_catalog_any(t, e, any, op, &handled) || handled)
            return !t->failed;
        if (e->rexpr->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR && op &&
            ((any && !strcmp(op, "=")) || (!any && !strcmp(op, "<>")))) {
            const PgQuery__AArrayExpr *a = e->rexpr->a_array_expr;
            if (!a->n_elements)
                return xl_refuse(t, "an empty ARRAY[] is not supported on the SQLite backend");
            return xl_in_list(t, e->lexpr, !any, a->elements, a->n_elements);
        }
        return xl_refuse(t, "%s %s (array) is not supported on the SQLite backend", op ? op : "?",
                         any ? "ANY" : "ALL");
    }
    default:
        return xl_refuse(t, "this operator is not supported on the SQLite backend");
    }
    if (!op || e->n_name > 1) {
        if (e->n_name == 2 && xl_str(e->name[0]) && !strcmp(xl_str(e->name[0]), "pg_catalog"))
            ; /* OPERATOR(pg_catalog.op) is the plain operator */
        else
            return xl_refuse(t, "schema-qualified operators are not supported");
    }
    if (!e->lexpr) {
        if (!strcmp(op, "-") && xl_numeric_exact(e->rexpr)) {
            /* 0 - x keeps x's exact digits and scale. */
            xl_put(t, "pg_numeric_op('-', 0, ");
            if (!xl_expr(t, e->rexpr))
                return false;
            xl_put(t, ", 2");
            if (n == t->result_target)
                xl_printf(t, ", %d", t->result_column);
            xl_put(t, ")");
            return !t->failed;
        }
        if (!strcmp(op, "-") || !strcmp(op, "+") || !strcmp(op, "~")) {
            xl_printf(t, "(%s", op);
            if (!xl_expr(t, e->rexpr))
                return false;
            xl_put(t, ")");
            return !t->failed;
        }
        return xl_refuse(t, "prefix operator %s is not supported on the SQLite backend", op);
    }
    if (op[0] && strchr("+-*/%", op[0]) && !op[1])
        note_arith_params(t, e->lexpr, e->rexpr);
    const node_t *iv_l = interval_arg(e->lexpr), *iv_r = interval_arg(e->rexpr);
    if ((iv_l || iv_r) && (!strcmp(op, "+") || !strcmp(op, "-"))) {
        if (iv_l && (iv_r || op[0] == '-'))
            return xl_refuse(t, "interval arithmetic other than timestamp +/- interval is not "
                                "supported on the SQLite backend");
        const node_t *iv = iv_r ? iv_r : iv_l;
        if (iv->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
            xl_note_param(t, iv->param_ref->number, PGOID_INTERVAL);
        xl_put(t, "pg_ts_add(");
        if (!xl_expr(t, iv_r ? e->lexpr : e->rexpr))
            return false;
        xl_put(t, ", ");
        if (!xl_expr(t, iv))
            return false;
        xl_put(t, op[0] == '-' ? ", -1)" : ", 1)");
        return !t->failed;
    }
    if ((!strcmp(op, "+") || !strcmp(op, "-")) &&
        e->lexpr->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        e->rexpr->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        e->rexpr->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        /* column +/- integer: the column may be a date (days) or a bigint (overflow). */
        xl_put(t, "pg_addint(");
        if (!xl_expr(t, e->lexpr))
            return false;
        int64_t k = e->rexpr->a_const->ival->ival;
        xl_printf(t, ", %lld)", (long long)(op[0] == '-' ? -k : k));
        return !t->failed;
    }
    if (!strcmp(op, "-") &&
        (xl_expr_type(e->lexpr) == PGOID_DATE || xl_expr_type(e->rexpr) == PGOID_DATE))
        return xl_call2(t, "pg_datesub", e->lexpr, e->rexpr, NULL);
    if ((!strcmp(op, "+") || !strcmp(op, "-") || !strcmp(op, "*")) && xl_numeric_exact(n))
        return xl_num_call(t, n, "pg_numeric_op", op, e->lexpr, e->rexpr);
    struct xl_colop colop;
    if (xl_column_numeric(t, n, &colop))
        return xl_column_numeric_begin(t, &colop) && xl_binary(t, e->lexpr, op, e->rexpr) &&
               xl_column_numeric_end(t, n, &colop);
    static const char *const plain[] = {"+",  "-",  "*",  "=", "<>", "<",  ">",
                                        "<=", ">=", "||", "&", "|",  "<<", ">>"};
    for (size_t i = 0; i < sizeof plain / sizeof plain[0]; i++)
        if (!strcmp(op, plain[i]))
            return xl_binary(t, e->lexpr, op, e->rexpr);
    if (!strcmp(op, "->") || !strcmp(op, "->>")) {
        /* Not SQLite's operators: they re-serialise the value (PostgreSQL keeps the json's
         * own text) and read a negative index differently. */
        return xl_call2(t, "pg_json_get", e->lexpr, e->rexpr, op[2] ? ", 1" : ", 0");
    }
    if (!strcmp(op, "!="))
        return xl_binary(t, e->lexpr, "<>", e->rexpr);
    if (!strcmp(op, "/")) {
        /* numeric / numeric has the scale numeric_div picks (pg_numeric_div, exact). */
        if (xl_numeric_div(e))
            return xl_num_call(t, n, "pg_numeric_div", NULL, e->lexpr, e->rexpr);
    }
    if (!strcmp(op, "^")) {
        /* numeric ^ numeric (a numeric operand) has power_var's digits and scale. */
        if (xl_expr_type(n) == PGOID_NUMERIC)
            return xl_num_call(t, n, "pg_numeric_pow", NULL, e->lexpr, e->rexpr);
        return xl_call2(t, "pg_power", e->lexpr, e->rexpr, NULL);
    }
    if (!strcmp(op, "/") || !strcmp(op, "%")) {
        /* SQLite gives NULL for a zero divisor; PostgreSQL raises 22012. */
        if (is_nonzero_const(e->rexpr))
            return xl_binary(t, e->lexpr, op, e->rexpr);
        return xl_call2(t, op[0] == '/' ? "pg_div" : "pg_mod", e->lexpr, e->rexpr, NULL);
    }
    if (!strcmp(op, "~") || !strcmp(op, "~*") || !strcmp(op, "!~") || !strcmp(op, "!~*")) {
        bool neg = op[0] == '!';
        bool icase = op[strlen(op) - 1] == '*';
        if (neg)
            xl_put(t, "(NOT ");
        if (!xl_call2(t, "pg_regex", e->lexpr, e->rexpr, icase ? ", 1" : ", 0"))
            return false;
        if (neg)
            xl_put(t, ")");
        return !t->failed;
    }
    if (!strcmp(op, "~~") || !strcmp(op, "!~~"))
        return xl_like(t, e, false);
    if (!strcmp(op, "~~*") || !strcmp(op, "!~~*"))
        return xl_like(t, e, true);
    return xl_refuse(t, "operator %s is not supported on the SQLite backend", op);
}

/* PostgreSQL functions with the SQLite spelling that has the same meaning. */
static const struct {
    const char *pg;
    const char *sqlite;
    int min_args, max_args;
} func_map[] = {
    {"lower", "pg_lower", 1, 1},
    {"upper", "pg_upper", 1, 1},
    {"length", "length", 1, 1},
    {"char_length", "length", 1, 1},
    {"character_length", "length", 1, 1},
    {"replace", "replace", 3, 3},
    {"btrim", "trim", 1, 2},
    {"ltrim", "ltrim", 1, 2},
    {"rtrim", "rtrim", 1, 2},
    {"abs", "abs", 1, 1},
    {"round", "pg_round", 1, 2},
    {"ceil", "ceil", 1, 1},
    {"ceiling", "ceil", 1, 1},
    {"floor", "floor", 1, 1},
    {"trunc", "pg_trunc", 1, 2},
    {"sqrt", "sqrt", 1, 1},
    {"power", "power", 2, 2},
    {"pow", "power", 2, 2},
    {"exp", "exp", 1, 1},
    {"ln", "ln", 1, 1},
    {"mod", "pg_mod", 2, 2},
    {"pi", "pi", 0, 0},
    {"sign", "sign", 1, 1},
    {"substr", "pg_substr", 2, 3},
    {"substring", "pg_substr", 2, 3},
    {"concat", "pg_concat", 1, 100},
    {"concat_ws", "pg_concat_ws", 2, 100},
    {"left", "pg_left", 2, 2},
    {"right", "pg_right", 2, 2},
    {"repeat", "pg_repeat", 2, 2},
    {"split_part", "pg_split_part", 3, 3},
    {"md5", "pg_md5", 1, 1},
    {"strpos", "instr", 2, 2},
    {"starts_with", "pg_starts_with", 2, 2},
    {"lpad", "pg_lpad", 2, 3},
    {"rpad", "pg_rpad", 2, 3},
    {"reverse", "pg_reverse", 1, 1},
    {"initcap", "pg_initcap", 1, 1},
    {"chr", "pg_chr", 1, 1},
    {"ascii", "pg_ascii", 1, 1},
    {"gen_random_uuid", "pg_gen_random_uuid", 0, 0},
    {"random", "pg_random", 0, 0},
    {"now", "pg_now", 0, 0},
    {"transaction_timestamp", "pg_now", 0, 0},
    {"statement_timestamp", "pg_clock_timestamp", 0, 0},
    {"clock_timestamp", "pg_clock_timestamp", 0, 0},
    {"date_trunc", "pg_date_trunc", 2, 2},
    {"date_part", "pg_date_part", 2, 2},
    {"current_setting", "pg_current_setting", 1, 2},
    {"coalesce", "coalesce", 1, 100},
    {"nullif", "nullif", 2, 2},
    /* aggregates */
    {"count", "count", 0, 1},
    {"sum", "sum", 1, 1},
    {"avg", "pg_avg", 1, 1},
    {"min", "min", 1, 1},
    {"max", "max", 1, 1},
    {"string_agg", "group_concat", 2, 2},
    {"bool_and", "min", 1, 1},
    {"every", "min", 1, 1},
    {"bool_or", "max", 1, 1},
    /* window functions */
    {"row_number", "row_number", 0, 0},
    {"rank", "rank", 0, 0},
    {"dense_rank", "dense_rank", 0, 0},
    {"percent_rank", "percent_rank", 0, 0},
    {"cume_dist", "cume_dist", 0, 0},
    {"ntile", "ntile", 1, 1},
    {"lag", "lag", 1, 3},
    {"lead", "lead", 1, 3},
    {"first_value", "first_value", 1, 1},
    {"last_value", "last_value", 1, 1},
    {"nth_value", "nth_value", 2, 2},
};

/* SQLite built-ins whose PostgreSQL namesake is different or absent: never passed through. */
static const char *const sqlite_only[] = {
    "format",
    "printf",
    "hex",
    "quote",
    "char",
    "instr",
    "iif",
    "ifnull",
    "glob",
    "like",
    "typeof",
    "total",
    "unicode",
    "zeroblob",
    "changes",
    "last_insert_rowid",
    "total_changes",
    "likelihood",
    "likely",
    "unlikely",
    "randomblob",
    "soundex",
    "load_extension",
    "strftime",
    "julianday",
    "datetime",
    "time",
    "group_concat",
    "unhex",
    "octet_length",
    "min",
    "max",
    "json",
    "json_array",
    "json_object",
    "json_extract",
    "json_insert",
    "json_replace",
    "json_set",
    "json_remove",
    "json_patch",
    "json_valid",
    "json_quote",
    "json_group_array",
    "json_group_object",
    "json_each",
    "json_tree",
    "json_type",
    "log",
    "trunc",
    "substr",
    "round",
    "random",
    "sqlite_version",
    "sqlite_source_id",
    "sqlite_compileoption_used",
    "sqlite_compileoption_get",
    "sqlite_offset",
};

bool xl_over(struct tr *t, const PgQuery__WindowDef *w)
{
    if (w->name && *w->name)
        return xl_refuse(t, "a named window is not supported on the SQLite backend");
    if (w->refname && *w->refname)
        return xl_refuse(t, "a named window is not supported on the SQLite backend");
    /* FRAMEOPTION_NONDEFAULT (1): an explicit frame; the default is RANGE UNBOUNDED
     * PRECEDING .. CURRENT ROW in both systems. */
    if (w->frame_options & 1)
        return xl_refuse(t, "an explicit window frame is not supported on the SQLite backend");
    xl_put(t, " OVER (");
    if (w->n_partition_clause) {
        xl_put(t, "PARTITION BY ");
        if (!xl_expr_list(t, w->partition_clause, w->n_partition_clause))
            return false;
    }
    if (w->n_order_clause) {
        xl_put(t, w->n_partition_clause ? " ORDER BY " : "ORDER BY ");
        if (!xl_sort_list(t, w->order_clause, w->n_order_clause))
            return false;
    }
    xl_put(t, ")");
    return !t->failed;
}

static bool xl_extract(struct tr *t, const PgQuery__FuncCall *fc, const char *fn)
{
    if (fc->n_args != 2)
        return xl_refuse(t, "%s needs two arguments", fn);
    return xl_call2(t, fn, fc->args[0], fc->args[1], NULL);
}

/*
 * nextval / setval / currval: the sequence argument may be written 'name'::regclass, which is
 * its text here (src/sqlite/sqlite_seq.c reads it as PostgreSQL reads a regclass). nextval
 * and setval change the database: the statement needs the write lock.
 */
static bool xl_sequence_call(struct tr *t, const PgQuery__FuncCall *fc, const char *name)
{
    if (strcmp(name, "currval") != 0)
        t->writes = true;
    xl_put(t, name);
    xl_put(t, "(");
    for (size_t i = 0; i < fc->n_args; i++) {
        const node_t *a = fc->args[i];
        if (i)
            xl_put(t, ", ");
        if (i == 0 && a->node_case == PG_QUERY__NODE__NODE_TYPE_CAST &&
            a->type_cast->type_name->n_names &&
            !strcmp(xl_str(a->type_cast->type_name->names[a->type_cast->type_name->n_names - 1]),
                    "regclass"))
            a = a->type_cast->arg;
        if (!xl_expr(t, a))
            return false;
    }
    xl_put(t, ")");
    return !t->failed;
}

static bool xl_func(struct tr *t, const PgQuery__FuncCall *fc)
{
    const char *name = xl_func_name(fc);
    if (fc->n_funcname == 2) {
        const char *schema = xl_str(fc->funcname[0]);
        if (!schema || strcmp(schema, "pg_catalog") != 0)
            return xl_refuse(t, "function %s.%s is not supported on the SQLite backend",
                             schema ? schema : "?", name);
    } else if (fc->n_funcname > 2) {
        return xl_refuse(t, "cross-database function references are not supported");
    }
    if (fc->func_variadic)
        return xl_refuse(t, "VARIADIC arguments are not supported on the SQLite backend");
    if (fc->agg_within_group)
        return xl_refuse(t, "WITHIN GROUP is not supported on the SQLite backend");
    if (fc->n_agg_order)
        return xl_refuse(t,
                         "ORDER BY inside an aggregate call (%s) is not supported on the "
                         "SQLite backend",
                         name);
    for (size_t i = 0; i < fc->n_args; i++)
        if (fc->args[i]->node_case == PG_QUERY__NODE__NODE_NAMED_ARG_EXPR)
            return xl_refuse(t, "named function arguments are not supported on the SQLite "
                                "backend");
    const char *catalog_fn = xl_catalog_function(t, name);
    if (catalog_fn) {
        xl_put(t, catalog_fn);
        xl_put(t, "(");
        if (!xl_expr_list(t, fc->args, fc->n_args))
            return false;
        xl_put(t, ")");
        return !t->failed;
    }
    if (!strcmp(name, "nextval") || !strcmp(name, "setval") || !strcmp(name, "currval"))
        return xl_sequence_call(t, fc, name);
    if (!strcmp(name, "array_agg") || !strcmp(name, "unnest") || !strcmp(name, "array_length") ||
        !strcmp(name, "json_agg") || !strcmp(name, "jsonb_agg"))
        return xl_refuse(t, "%s (arrays) is not supported on the SQLite backend", name);
    if (!strcmp(name, "generate_series"))
        return xl_refuse(t, "generate_series outside FROM is not supported on the SQLite "
                            "backend");
    if (!strcmp(name, "extract"))
        return xl_extract(t, fc, "pg_extract");
    if (!strcmp(name, "date_part"))
        return xl_extract(t, fc, "pg_date_part");
    if (!strcmp(name, "position") && fc->n_args == 2)
        return xl_call2(t, "instr", fc->args[0], fc->args[1], NULL);
    if (!strcmp(name, "octet_length") && fc->n_args == 1) {
        xl_put(t, "length(CAST(");
        if (!xl_expr(t, fc->args[0]))
            return false;
        xl_put(t, " AS BLOB))");
        return !t->failed;
    }
    if (!strcmp(name, "overlay"))
        return xl_refuse(t, "overlay is not supported on the SQLite backend");
    /* PostgreSQL built-ins the backend does not provide: refused by name rather than
     * failing later as an undefined function (42883). */
    static const char *const missing[] = {
        "to_char",
        "to_date",
        "to_number",
        "to_timestamp",
        "age",
        "justify_days",
        "justify_hours",
        "justify_interval",
        "make_date",
        "make_time",
        "make_timestamp",
        "make_timestamptz",
        "make_interval",
        "date_bin",
        "regexp_replace",
        "regexp_match",
        "regexp_matches",
        "regexp_split_to_array",
        "regexp_split_to_table",
        "string_to_array",
        "translate",
        "encode",
        "decode",
        "quote_literal",
        "quote_nullable",
        "to_json",
        "to_jsonb",
        "row_to_json",
        "json_build_object",
        "jsonb_build_object",
        "json_build_array",
        "jsonb_build_array",
        "jsonb_set",
        "jsonb_each",
        "json_each",
        "jsonb_array_elements",
        "json_array_elements",
        "jsonb_object_keys",
        "jsonb_typeof",
        "json_typeof",
        "jsonb_pretty",
        "isfinite",
        "timezone",
        "statement_timestamp_tz",
    };
    for (size_t i = 0; i < sizeof missing / sizeof missing[0]; i++)
        if (!strcmp(name, missing[i]))
            return xl_refuse(t, "function %s is not supported on the SQLite backend", name);
    if (!strcmp(name, "current_schema") && fc->n_args == 0) {
        xl_put(t, "'public'");
        return !t->failed;
    }
    if (!strcmp(name, "current_database") && fc->n_args == 0) {
        xl_put(t, "pg_current_setting('myrmex.database')");
        return !t->failed;
    }
    if (!strcmp(name, "round") && fc->n_args == 1) {
        uint32_t a = xl_expr_type(fc->args[0]);
        if (a == PGOID_FLOAT8 || a == PGOID_FLOAT4) {
            /* float8 round() is rint(): halves to even, unlike numeric's. */
            xl_put(t, "pg_rint(");
            if (!xl_expr(t, fc->args[0]))
                return false;
            xl_put(t, ")");
            return !t->failed;
        }
    }
    if ((!strcmp(name, "concat") || !strcmp(name, "concat_ws")) && !fc->agg_star && !fc->over &&
        fc->n_args) {
        /* A boolean argument is text 't'/'f' (boolout), stored as 1/0. */
        xl_printf(t, "pg_%s(", name);
        for (size_t i = 0; i < fc->n_args; i++) {
            if (i)
                xl_put(t, ", ");
            if (!xl_text_operand(t, fc->args[i], true))
                return false;
        }
        xl_put(t, ")");
        return !t->failed;
    }
    if (!strcmp(name, "greatest") || !strcmp(name, "least"))
        return xl_refuse(t, "function %s is not supported", name);

    const char *sqlite = NULL;
    bool known = false;
    for (size_t i = 0; i < sizeof func_map / sizeof func_map[0]; i++) {
        if (strcmp(func_map[i].pg, name) != 0)
            continue;
        known = true;
        if ((int)fc->n_args < func_map[i].min_args || (int)fc->n_args > func_map[i].max_args)
            continue;
        sqlite = func_map[i].sqlite;
        break;
    }
    if (known && !sqlite)
        return xl_refuse(t,
                         "function %s with %zu arguments is not supported on the SQLite "
                         "backend",
                         name, fc->n_args);
    if (!sqlite) {
        for (size_t i = 0; i < sizeof sqlite_only / sizeof sqlite_only[0]; i++)
            if (!strcmp(sqlite_only[i], name))
                return xl_refuse(t, "function %s is not supported on the SQLite backend", name);
        /* Anything else keeps its name: the backend registers catalog and session
         * functions (version(), pg_catalog helpers); an unknown one fails at prepare. */
        sqlite = name;
    }
    if (!strcmp(name, "count") && !fc->agg_star && fc->n_args == 0)
        return xl_refuse(t, "count() needs an argument");
    xl_put(t, sqlite);
    xl_put(t, "(");
    if (fc->agg_distinct)
        xl_put(t, "DISTINCT ");
    if (fc->agg_star)
        xl_put(t, "*");
    else if (!xl_expr_list(t, fc->args, fc->n_args))
        return false;
    xl_put(t, ")");
    if (fc->agg_filter) {
        xl_put(t, " FILTER (WHERE ");
        if (!xl_expr(t, fc->agg_filter))
            return false;
        xl_put(t, ")");
    }
    if (fc->over && !xl_over(t, fc->over))
        return false;
    return !t->failed;
}

static bool xl_sublink(struct tr *t, const PgQuery__SubLink *sl)
{
    switch (sl->sub_link_type) {
    case PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK:
        xl_put(t, "EXISTS (");
        break;
    case PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK:
        xl_put(t, "(");
        break;
    case PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK:
    case PG_QUERY__SUB_LINK_TYPE__ALL_SUBLINK: {
        bool any = sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ANY_SUBLINK;
        const char *op = sl->n_oper_name ? xl_str(sl->oper_name[sl->n_oper_name - 1]) : "=";
        if (any && op && !strcmp(op, "="))
            ;
        else if (!any && op && !strcmp(op, "<>"))
            ;
        else
            return xl_refuse(t, "%s %s (subquery) is not supported on the SQLite backend",
                             op ? op : "?", any ? "ANY" : "ALL");
        xl_put(t, "(");
        if (!xl_expr(t, sl->testexpr))
            return false;
        xl_put(t, any ? " IN (" : " NOT IN (");
        if (!xl_select(t, sl->subselect->select_stmt, false))
            return false;
        xl_put(t, "))");
        return !t->failed;
    }
    case PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK: {
        bool handled;
        if (!xl_catalog_array_sublink(t, sl, &handled) || handled)
            return !t->failed;
        return xl_refuse(t, "ARRAY(subquery) is not supported on the SQLite backend");
    }
    default:
        return xl_refuse(t, "this kind of subquery is not supported on the SQLite backend");
    }
    if (!xl_select(t, sl->subselect->select_stmt, false))
        return false;
    xl_put(t, ")");
    return !t->failed;
}

static bool xl_sqlvalue(struct tr *t, const PgQuery__SQLValueFunction *f)
{
    switch (f->op) {
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE:
        xl_put(t, "pg_current_date()");
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
        xl_put(t, "pg_now()");
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N:
        xl_put(t, "pg_localtimestamp()");
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N:
        xl_put(t, "pg_localtime()");
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER:
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER:
        xl_put(t, "pg_current_setting('session_authorization')");
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG:
        xl_put(t, "pg_current_setting('myrmex.database')");
        break;
    case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA:
        xl_put(t, "'public'");
        break;
    default:
        return xl_refuse(t, "CURRENT_TIME (time with time zone) is not supported on the SQLite "
                            "backend");
    }
    return !t->failed;
}

bool xl_expr(struct tr *t, const node_t *n)
{
    if (t->failed)
        return false;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        return xl_const(t, n->a_const);
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        return xl_column_ref(t, n->column_ref);
    case PG_QUERY__NODE__NODE_PARAM_REF:
        xl_note_param(t, n->param_ref->number, 0);
        xl_printf(t, "?%d", n->param_ref->number);
        return !t->failed;
    case PG_QUERY__NODE__NODE_A_EXPR:
        return xl_aexpr(t, n);
    case PG_QUERY__NODE__NODE_BOOL_EXPR: {
        const PgQuery__BoolExpr *b = n->bool_expr;
        if (b->boolop == PG_QUERY__BOOL_EXPR_TYPE__NOT_EXPR) {
            xl_put(t, "(NOT ");
            if (!xl_expr(t, b->args[0]))
                return false;
            xl_put(t, ")");
            return !t->failed;
        }
        const char *op = b->boolop == PG_QUERY__BOOL_EXPR_TYPE__AND_EXPR ? " AND " : " OR ";
        xl_put(t, "(");
        for (size_t i = 0; i < b->n_args; i++) {
            if (i)
                xl_put(t, op);
            if (!xl_expr(t, b->args[i]))
                return false;
        }
        xl_put(t, ")");
        return !t->failed;
    }
    case PG_QUERY__NODE__NODE_NULL_TEST:
        xl_put(t, "(");
        if (n->null_test->argisrow)
            return xl_refuse(t, "IS NULL on a row is not supported");
        if (!xl_expr(t, n->null_test->arg))
            return false;
        xl_put(t, n->null_test->nulltesttype == PG_QUERY__NULL_TEST_TYPE__IS_NULL
                      ? " IS NULL)"
                      : " IS NOT NULL)");
        return !t->failed;
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST: {
        static const char *const tests[] = {
            "",         " IS TRUE",    " IS NOT TRUE", " IS FALSE", " IS NOT FALSE",
            " IS NULL", " IS NOT NULL"};
        int k = (int)n->boolean_test->booltesttype;
        if (k < 1 || k > 6)
            return xl_refuse(t, "this boolean test is not supported");
        xl_put(t, "(");
        if (!xl_expr(t, n->boolean_test->arg))
            return false;
        xl_put(t, tests[k]);
        xl_put(t, ")");
        return !t->failed;
    }
    case PG_QUERY__NODE__NODE_TYPE_CAST:
        return xl_cast(t, n->type_cast);
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        if (xl_numeric_sum(t, n))
            return xl_numeric_sum_call(t, n, xl_func);
        return xl_func(t, n->func_call);
    case PG_QUERY__NODE__NODE_SUB_LINK:
        return xl_sublink(t, n->sub_link);
    case PG_QUERY__NODE__NODE_CASE_EXPR: {
        const PgQuery__CaseExpr *c = n->case_expr;
        bool numeric;
        bool scaled = n == t->result_target && xl_keeps_constant_scale(t, n, &numeric);
        xl_put(t, "CASE");
        if (c->arg) {
            xl_put(t, " ");
            if (!xl_expr(t, c->arg))
                return false;
        }
        for (size_t i = 0; i < c->n_args; i++) {
            const PgQuery__CaseWhen *w = c->args[i]->case_when;
            xl_put(t, " WHEN ");
            if (!xl_expr(t, w->expr))
                return false;
            xl_put(t, " THEN ");
            if (!(scaled ? xl_scaled_value(t, w->result) : xl_expr(t, w->result)))
                return false;
        }
        if (c->defresult) {
            xl_put(t, " ELSE ");
            if (!(scaled ? xl_scaled_value(t, c->defresult) : xl_expr(t, c->defresult)))
                return false;
        }
        xl_put(t, " END");
        return !t->failed;
    }
    case PG_QUERY__NODE__NODE_COALESCE_EXPR: {
        const PgQuery__CoalesceExpr *c = n->coalesce_expr;
        /* SQLite's coalesce() wants two arguments at least. */
        if (c->n_args == 1)
            return xl_expr(t, c->args[0]);
        xl_put(t, "coalesce(");
        bool numeric;
        if (n == t->result_target && xl_keeps_constant_scale(t, n, &numeric)) {
            for (size_t i = 0; i < c->n_args; i++) {
                if (i)
                    xl_put(t, ", ");
                if (!xl_scaled_value(t, c->args[i]))
                    return false;
            }
        } else if (!xl_expr_list(t, c->args, c->n_args)) {
            return false;
        }
        xl_put(t, ")");
        return !t->failed;
    }
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR: {
        const PgQuery__MinMaxExpr *m = n->min_max_expr;
        xl_put(t, m->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "pg_greatest(" : "pg_least(");
        if (!xl_expr_list(t, m->args, m->n_args))
            return false;
        xl_put(t, ")");
        return !t->failed;
    }
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        return xl_sqlvalue(t, n->sqlvalue_function);
    case PG_QUERY__NODE__NODE_ROW_EXPR:
        xl_put(t, "(");
        if (!xl_expr_list(t, n->row_expr->args, n->row_expr->n_args))
            return false;
        xl_put(t, ")");
        return !t->failed;
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE: {
        const PgQuery__CollateClause *cc = n->collate_clause;
        const char *coll = cc->n_collname ? xl_str(cc->collname[cc->n_collname - 1]) : NULL;
        if (coll && (!strcmp(coll, "C") || !strcmp(coll, "POSIX") || !strcmp(coll, "default")))
            return xl_expr(t, cc->arg); /* SQLite's BINARY collation is C's byte order */
        return xl_refuse(t, "COLLATE \"%s\" is not supported on the SQLite backend",
                         coll ? coll : "?");
    }
    case PG_QUERY__NODE__NODE_SET_TO_DEFAULT:
        return xl_refuse(t, "DEFAULT in this position is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR: {
        bool handled;
        if (!xl_catalog_array_expr(t, n->a_array_expr, &handled) || handled)
            return !t->failed;
        return xl_refuse(t, "ARRAY[...] (arrays) is not supported on the SQLite backend");
    }
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
        bool handled;
        if (!xl_catalog_indirection(t, n->a_indirection, &handled) || handled)
            return !t->failed;
        return xl_refuse(t, "subscripts and field selection are not supported on the SQLite "
                            "backend");
    }
    case PG_QUERY__NODE__NODE_GROUPING_FUNC:
        return xl_refuse(t, "GROUPING() is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_XML_EXPR:
    case PG_QUERY__NODE__NODE_XML_SERIALIZE:
        return xl_refuse(t, "XML is not supported on the SQLite backend");
    default:
        return xl_refuse(t, "this expression is not supported on the SQLite backend");
    }
}
