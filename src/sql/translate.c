/*
 * PostgreSQL SQL to SQLite SQL: the statement level. Parses with libpg_query (protobuf tree),
 * classifies each RawStmt into an enum sql_kind, and emits SELECT / INSERT / UPDATE / DELETE
 * and the utility statements; expressions live in translate_expr.c and DDL in translate_ddl.c.
 *
 * Design: every emitter appends to one growing buffer per statement and returns false once an
 * error is recorded (sticky), so a refusal deep inside an expression unwinds with its message
 * intact. Identifiers are always double-quoted, which keeps PostgreSQL's case folding (already
 * applied by the parser) and protects keywords. ORDER BY always states NULLS FIRST/LAST because
 * the defaults differ: PostgreSQL sorts NULL as the largest value, SQLite as the smallest.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/translate.h"
#include "sql/types.h"
#include "translate_int.h"

/* ---- output buffer and errors ---- */

void xl_putn(struct tr *t, const char *s, size_t n)
{
    if (t->failed)
        return;
    if (t->len + n + 1 > t->cap) {
        size_t cap = t->cap ? t->cap : 256;
        while (cap < t->len + n + 1)
            cap *= 2;
        char *p = realloc(t->buf, cap);
        if (!p) {
            xl_fail(t, "53200", "out of memory");
            return;
        }
        t->buf = p;
        t->cap = cap;
    }
    memcpy(t->buf + t->len, s, n);
    t->len += n;
    t->buf[t->len] = '\0';
}

void xl_put(struct tr *t, const char *s)
{
    xl_putn(t, s, strlen(s));
}

void xl_printf(struct tr *t, const char *fmt, ...)
{
    char tmp[512];
    va_list ap;

    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof tmp)
        n = sizeof tmp - 1;
    xl_putn(t, tmp, (size_t)n);
}

void xl_ident(struct tr *t, const char *name)
{
    xl_put(t, "\"");
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            xl_put(t, "\"\"");
        else
            xl_putn(t, p, 1);
    }
    xl_put(t, "\"");
}

void xl_string_lit(struct tr *t, const char *s)
{
    xl_put(t, "'");
    for (const char *p = s; *p; p++) {
        if (*p == '\'')
            xl_put(t, "''");
        else
            xl_putn(t, p, 1);
    }
    xl_put(t, "'");
}

static bool xl_vfail(struct tr *t, const char *sqlstate, const char *fmt, va_list ap)
{
    if (t->failed)
        return false;
    t->failed = true;
    snprintf(t->err->sqlstate, sizeof t->err->sqlstate, "%s", sqlstate);
    vsnprintf(t->err->message, sizeof t->err->message, fmt, ap);
    return false;
}

bool xl_fail(struct tr *t, const char *sqlstate, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xl_vfail(t, sqlstate, fmt, ap);
    va_end(ap);
    return false;
}

/* 0A000 with a message naming the construct; callers phrase it as "X is not supported". */
bool xl_refuse(struct tr *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    xl_vfail(t, "0A000", fmt, ap);
    va_end(ap);
    return false;
}

/* ---- FROM clause ---- */

static bool xl_from_item(struct tr *t, const node_t *n);

/* Column aliases "AS x(a, b)" have no SQLite syntax: a CTE with a column list renames. */
static bool xl_aliased_source(struct tr *t, const PgQuery__Alias *al, const node_t *inner_select,
                              const PgQuery__RangeVar *inner_rel)
{
    xl_put(t, "(WITH ");
    xl_ident(t, al->aliasname);
    xl_put(t, "(");
    for (size_t i = 0; i < al->n_colnames; i++) {
        if (i)
            xl_put(t, ", ");
        xl_ident(t, xl_str(al->colnames[i]));
    }
    xl_put(t, ") AS (");
    if (inner_select) {
        if (!xl_select(t, inner_select->select_stmt, false))
            return false;
    } else {
        xl_put(t, "SELECT * FROM ");
        if (!xl_range_var(t, inner_rel))
            return false;
    }
    xl_put(t, ") SELECT * FROM ");
    xl_ident(t, al->aliasname);
    xl_put(t, ") AS ");
    xl_ident(t, al->aliasname);
    return !t->failed;
}

bool xl_range_var(struct tr *t, const PgQuery__RangeVar *rv)
{
    bool handled;
    if (!xl_catalog_range_var(t, rv, &handled) || handled)
        return !t->failed;
    if (rv->catalogname && *rv->catalogname)
        return xl_refuse(t, "cross-database reference \"%s.%s.%s\" is not supported",
                         rv->catalogname, rv->schemaname, rv->relname);
    if (rv->schemaname && *rv->schemaname) {
        if (!strcmp(rv->schemaname, "pg_catalog") ||
            !strcmp(rv->schemaname, "information_schema")) {
            xl_ident(t, rv->schemaname);
            xl_put(t, ".");
        } else if (strcmp(rv->schemaname, "public") != 0) {
            return xl_refuse(t, "schema \"%s\" is not supported on the SQLite backend",
                             rv->schemaname);
        }
    }
    xl_ident(t, rv->relname);
    return !t->failed;
}

static bool xl_table_ref(struct tr *t, const PgQuery__RangeVar *rv)
{
    if (rv->alias && rv->alias->n_colnames)
        return xl_aliased_source(t, rv->alias, NULL, rv);
    if (!xl_range_var(t, rv))
        return false;
    if (rv->alias) {
        xl_put(t, " AS ");
        xl_ident(t, rv->alias->aliasname);
    } else if (xl_catalog_needs_alias(rv)) {
        xl_put(t, " AS ");
        xl_ident(t, rv->relname);
    }
    return !t->failed;
}

static bool xl_func_int_arg(const node_t *n)
{
    return n && n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
           n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL;
}

/* generate_series(a, b [, step]) in FROM as a recursive CTE producing one column. */
static bool xl_generate_series(struct tr *t, const PgQuery__RangeFunction *rf,
                               const PgQuery__FuncCall *fc)
{
    const char *col = "generate_series";
    const char *alias = "generate_series";

    if (fc->n_args < 2 || fc->n_args > 3)
        return xl_refuse(t, "generate_series with %zu arguments is not supported", fc->n_args);
    if (fc->n_args == 3 && !xl_func_int_arg(fc->args[2]))
        return xl_refuse(t, "generate_series with a non-constant step is not supported");
    long step = fc->n_args == 3 ? fc->args[2]->a_const->ival->ival : 1;
    if (step == 0)
        return xl_fail(t, "22023", "step size cannot equal zero");
    if (rf->alias) {
        alias = rf->alias->aliasname;
        col = rf->alias->n_colnames ? xl_str(rf->alias->colnames[0]) : alias;
    }
    xl_put(t, "(WITH RECURSIVE \"__gs\"(v) AS (SELECT ");
    if (!xl_expr(t, fc->args[0]))
        return false;
    xl_printf(t, " UNION ALL SELECT v + %ld FROM \"__gs\" WHERE v + %ld %s ", step, step,
              step > 0 ? "<=" : ">=");
    if (!xl_expr(t, fc->args[1]))
        return false;
    xl_put(t, ") SELECT v AS ");
    xl_ident(t, col);
    xl_put(t, " FROM \"__gs\") AS ");
    xl_ident(t, alias);
    return !t->failed;
}

static bool xl_range_function(struct tr *t, const PgQuery__RangeFunction *rf)
{
    bool handled;
    if (!xl_catalog_range_function(t, rf, &handled) || handled)
        return !t->failed;
    if (rf->lateral)
        return xl_refuse(t, "LATERAL is not supported on the SQLite backend");
    if (rf->ordinality)
        return xl_refuse(t, "WITH ORDINALITY is not supported on the SQLite backend");
    if (rf->is_rowsfrom || rf->n_functions != 1)
        return xl_refuse(t, "ROWS FROM is not supported on the SQLite backend");
    const node_t *item = rf->functions[0];
    const node_t *fn = item->node_case == PG_QUERY__NODE__NODE_LIST && item->list->n_items
                           ? item->list->items[0]
                           : item;
    if (fn->node_case == PG_QUERY__NODE__NODE_FUNC_CALL) {
        const PgQuery__FuncCall *fc = fn->func_call;
        const char *name = xl_str(fc->funcname[fc->n_funcname - 1]);
        if (name && !strcmp(name, "generate_series"))
            return xl_generate_series(t, rf, fc);
        return xl_refuse(t,
                         "set-returning function %s in FROM is not supported on the SQLite "
                         "backend",
                         name ? name : "?");
    }
    return xl_refuse(t, "this function in FROM is not supported on the SQLite backend");
}

static bool xl_join(struct tr *t, const PgQuery__JoinExpr *j)
{
    if (j->alias)
        return xl_refuse(t, "an alias on a JOIN is not supported on the SQLite backend");
    if (!xl_from_item(t, j->larg))
        return false;
    if (j->is_natural)
        xl_put(t, " NATURAL");
    switch (j->jointype) {
    case PG_QUERY__JOIN_TYPE__JOIN_INNER:
        xl_put(t, (j->quals || j->n_using_clause || j->is_natural) ? " JOIN " : " CROSS JOIN ");
        break;
    case PG_QUERY__JOIN_TYPE__JOIN_LEFT:
        xl_put(t, " LEFT JOIN ");
        break;
    case PG_QUERY__JOIN_TYPE__JOIN_RIGHT:
        xl_put(t, " RIGHT JOIN ");
        break;
    case PG_QUERY__JOIN_TYPE__JOIN_FULL:
        xl_put(t, " FULL JOIN ");
        break;
    default:
        return xl_refuse(t, "this join type is not supported on the SQLite backend");
    }
    if (j->rarg->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR) {
        xl_put(t, "(");
        if (!xl_from_item(t, j->rarg))
            return false;
        xl_put(t, ")");
    } else if (!xl_from_item(t, j->rarg)) {
        return false;
    }
    if (j->join_using_alias)
        return xl_refuse(t, "JOIN USING ... AS alias is not supported on the SQLite backend");
    if (j->n_using_clause) {
        xl_put(t, " USING (");
        for (size_t i = 0; i < j->n_using_clause; i++) {
            if (i)
                xl_put(t, ", ");
            xl_ident(t, xl_str(j->using_clause[i]));
        }
        xl_put(t, ")");
    } else if (j->quals) {
        xl_put(t, " ON ");
        if (!xl_expr(t, j->quals))
            return false;
    }
    return !t->failed;
}

static bool xl_from_item(struct tr *t, const node_t *n)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_RANGE_VAR:
        return xl_table_ref(t, n->range_var);
    case PG_QUERY__NODE__NODE_JOIN_EXPR:
        return xl_join(t, n->join_expr);
    case PG_QUERY__NODE__NODE_RANGE_SUBSELECT: {
        const PgQuery__RangeSubselect *rs = n->range_subselect;
        if (rs->lateral)
            return xl_refuse(t, "LATERAL is not supported on the SQLite backend");
        if (rs->alias && rs->alias->n_colnames)
            return xl_aliased_source(t, rs->alias, rs->subquery, NULL);
        xl_put(t, "(");
        if (!xl_select(t, rs->subquery->select_stmt, true))
            return false;
        xl_put(t, ")");
        if (rs->alias) {
            xl_put(t, " AS ");
            xl_ident(t, rs->alias->aliasname);
        }
        return !t->failed;
    }
    case PG_QUERY__NODE__NODE_RANGE_FUNCTION:
        return xl_range_function(t, n->range_function);
    case PG_QUERY__NODE__NODE_RANGE_TABLE_SAMPLE:
        return xl_refuse(t, "TABLESAMPLE is not supported on the SQLite backend");
    default:
        return xl_refuse(t, "this FROM item is not supported on the SQLite backend");
    }
}

static bool xl_from_list(struct tr *t, node_t *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            xl_put(t, ", ");
        if (!xl_from_item(t, v[i]))
            return false;
    }
    return !t->failed;
}

/* ---- SELECT ---- */

/* A target list; alias_targets names every column as PostgreSQL would. */
static bool xl_targets(struct tr *t, node_t *const *v, size_t n, bool alias_targets)
{
    for (size_t i = 0; i < n; i++) {
        const PgQuery__ResTarget *rt = v[i]->res_target;
        if (i)
            xl_put(t, ", ");
        bool reg;
        if (!xl_catalog_reg_name(t, rt->val, &reg))
            return false;
        t->result_target = t->result_select && v == t->result_select->target_list ? rt->val : NULL;
        t->result_column = (int)i;
        bool ok = reg || xl_expr(t, rt->val);
        t->result_target = NULL;
        if (!ok)
            return false;
        bool star = rt->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
                    rt->val->column_ref->fields[rt->val->column_ref->n_fields - 1]->node_case ==
                        PG_QUERY__NODE__NODE_A_STAR;
        if (star)
            continue;
        if (rt->name && *rt->name) {
            xl_put(t, " AS ");
            xl_ident(t, rt->name);
        } else if (alias_targets) {
            xl_put(t, " AS ");
            xl_ident(t, xl_expr_name(rt->val));
        }
    }
    return !t->failed;
}

/* " DESC NULLS FIRST" etc.: NULLS is always explicit because the defaults differ. */
static const char *sort_suffix(const PgQuery__SortBy *sb)
{
    bool desc = sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_DESC;
    bool nulls_first = desc;
    if (sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_FIRST)
        nulls_first = true;
    else if (sb->sortby_nulls == PG_QUERY__SORT_BY_NULLS__SORTBY_NULLS_LAST)
        nulls_first = false;
    if (desc)
        return nulls_first ? " DESC NULLS FIRST" : " DESC NULLS LAST";
    return nulls_first ? " NULLS FIRST" : " NULLS LAST";
}

bool xl_sort_list(struct tr *t, node_t *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const PgQuery__SortBy *sb = v[i]->sort_by;
        if (i)
            xl_put(t, ", ");
        if (sb->sortby_dir == PG_QUERY__SORT_BY_DIR__SORTBY_USING)
            return xl_refuse(t, "ORDER BY ... USING is not supported on the SQLite backend");
        if (!xl_expr(t, sb->node))
            return false;
        xl_put(t, sort_suffix(sb));
    }
    return !t->failed;
}

bool xl_with(struct tr *t, const PgQuery__WithClause *w)
{
    xl_put(t, w->recursive ? "WITH RECURSIVE " : "WITH ");
    for (size_t i = 0; i < w->n_ctes; i++) {
        const PgQuery__CommonTableExpr *c = w->ctes[i]->common_table_expr;
        if (i)
            xl_put(t, ", ");
        if (c->search_clause || c->cycle_clause)
            return xl_refuse(t, "SEARCH/CYCLE in WITH is not supported on the SQLite backend");
        if (c->ctequery->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return xl_refuse(t, "data-modifying statements in WITH are not supported on the "
                                "SQLite backend");
        if (t->n_ctes < (int)(sizeof t->ctes / sizeof t->ctes[0]))
            t->ctes[t->n_ctes++] = c;
        xl_ident(t, c->ctename);
        if (c->n_aliascolnames) {
            xl_put(t, "(");
            for (size_t k = 0; k < c->n_aliascolnames; k++) {
                if (k)
                    xl_put(t, ", ");
                xl_ident(t, xl_str(c->aliascolnames[k]));
            }
            xl_put(t, ")");
        }
        xl_put(t, " AS ");
        if (c->ctematerialized == PG_QUERY__CTEMATERIALIZE__CTEMaterializeAlways)
            xl_put(t, "MATERIALIZED ");
        else if (c->ctematerialized == PG_QUERY__CTEMATERIALIZE__CTEMaterializeNever)
            xl_put(t, "NOT MATERIALIZED ");
        xl_put(t, "(");
        if (!xl_select(t, c->ctequery->select_stmt, true))
            return false;
        xl_put(t, ")");
    }
    xl_put(t, " ");
    return !t->failed;
}

static bool xl_limit(struct tr *t, const PgQuery__SelectStmt *s)
{
    bool has_count =
        s->limit_count && !(s->limit_count->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                            s->limit_count->a_const->isnull);
    if (s->limit_option == PG_QUERY__LIMIT_OPTION__LIMIT_OPTION_WITH_TIES)
        return xl_refuse(t, "FETCH ... WITH TIES is not supported on the SQLite backend");
    if (has_count) {
        xl_put(t, " LIMIT ");
        if (!xl_expr(t, s->limit_count))
            return false;
        if (s->limit_count->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
            xl_note_param(t, s->limit_count->param_ref->number, 20);
    } else if (s->limit_offset) {
        xl_put(t, " LIMIT -1");
    }
    if (s->limit_offset) {
        xl_put(t, " OFFSET ");
        if (!xl_expr(t, s->limit_offset))
            return false;
        if (s->limit_offset->node_case == PG_QUERY__NODE__NODE_PARAM_REF)
            xl_note_param(t, s->limit_offset->param_ref->number, 20);
    }
    return !t->failed;
}

static bool xl_select_body(struct tr *t, const PgQuery__SelectStmt *s);

static bool has_distinct_on(const PgQuery__SelectStmt *s)
{
    return s->n_distinct_clause &&
           s->distinct_clause[0]->node_case != PG_QUERY__NODE__NODE__NOT_SET;
}

static bool xl_simple_select_scoped(struct tr *t, const PgQuery__SelectStmt *s, bool alias_targets);

static bool xl_simple_select(struct tr *t, const PgQuery__SelectStmt *s, bool alias_targets)
{
    int saved = xl_scope_push(t, s->from_clause, s->n_from_clause, NULL);
    bool ok = xl_simple_select_scoped(t, s, alias_targets);
    xl_scope_pop(t, saved);
    return ok;
}

static bool xl_simple_select_scoped(struct tr *t, const PgQuery__SelectStmt *s, bool alias_targets)
{
    if (s->n_values_lists) {
        xl_put(t, "VALUES ");
        for (size_t i = 0; i < s->n_values_lists; i++) {
            const PgQuery__List *row = s->values_lists[i]->list;
            xl_put(t, i ? ", (" : "(");
            if (!xl_expr_list(t, row->items, row->n_items))
                return false;
            xl_put(t, ")");
        }
        return !t->failed;
    }
    xl_put(t, s->n_distinct_clause ? "SELECT DISTINCT " : "SELECT ");
    if (!s->n_target_list && !s->n_from_clause)
        return xl_refuse(t, "SELECT with no columns is not supported on the SQLite backend");
    struct xl_srf srf;
    bool ok = xl_catalog_srf_begin(t, (PgQuery__SelectStmt *)s, &srf) &&
              xl_targets(t, s->target_list, s->n_target_list, alias_targets) &&
              xl_select_body(t, s);
    xl_catalog_srf_end(t, &srf);
    return ok;
}

/* FROM, WHERE, GROUP BY, HAVING of a simple SELECT. */
static bool xl_select_body(struct tr *t, const PgQuery__SelectStmt *s)
{
    if (s->n_from_clause) {
        xl_put(t, " FROM ");
        if (!xl_from_list(t, s->from_clause, s->n_from_clause) || !xl_catalog_srf_from(t, s))
            return false;
    }
    if (s->where_clause) {
        xl_put(t, " WHERE ");
        if (!xl_expr(t, s->where_clause))
            return false;
    }
    if (s->n_group_clause) {
        if (s->group_distinct)
            return xl_refuse(t, "GROUP BY DISTINCT is not supported on the SQLite backend");
        xl_put(t, " GROUP BY ");
        for (size_t i = 0; i < s->n_group_clause; i++) {
            if (s->group_clause[i]->node_case == PG_QUERY__NODE__NODE_GROUPING_SET)
                return xl_refuse(t, "GROUPING SETS, ROLLUP and CUBE are not supported on the "
                                    "SQLite backend");
        }
        if (!xl_expr_list(t, s->group_clause, s->n_group_clause))
            return false;
    }
    if (s->having_clause) {
        xl_put(t, " HAVING ");
        if (!xl_expr(t, s->having_clause))
            return false;
    }
    if (s->n_window_clause)
        return xl_refuse(t, "a WINDOW clause is not supported on the SQLite backend");
    return !t->failed;
}

/* The target a DISTINCT ON / ORDER BY item names: an ordinal or an output alias; -1: none. */
static int target_index(const PgQuery__SelectStmt *s, const node_t *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        int k = n->a_const->ival->ival;
        return k >= 1 && (size_t)k <= s->n_target_list ? k - 1 : -2;
    }
    if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && n->column_ref->n_fields == 1) {
        const char *name = xl_str(n->column_ref->fields[0]);
        for (size_t i = 0; name && i < s->n_target_list; i++) {
            const PgQuery__ResTarget *rt = s->target_list[i]->res_target;
            if (rt->name && !strcmp(rt->name, name))
                return (int)i;
        }
    }
    return -1;
}

static bool xl_item(struct tr *t, const PgQuery__SelectStmt *s, const node_t *n)
{
    int k = target_index(s, n);
    if (k == -2)
        return xl_fail(t, "42P10", "position in ORDER BY / DISTINCT ON is not in select list");
    return xl_expr(t, k >= 0 ? s->target_list[k]->res_target->val : n);
}

/*
 * SELECT DISTINCT ON (k) ... ORDER BY k, x keeps the first row of each k in that order:
 * row_number() over (PARTITION BY k ORDER BY k, x) = 1 in a subquery whose sort keys are
 * carried out as hidden columns for the outer ORDER BY.
 */
static bool xl_distinct_on(struct tr *t, const PgQuery__SelectStmt *s)
{
    for (size_t i = 0; i < s->n_target_list; i++) {
        const node_t *v = s->target_list[i]->res_target->val;
        if (v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
            v->column_ref->fields[v->column_ref->n_fields - 1]->node_case ==
                PG_QUERY__NODE__NODE_A_STAR)
            return xl_refuse(t, "SELECT DISTINCT ON with * is not supported on the SQLite "
                                "backend; list the columns");
    }
    xl_put(t, "SELECT ");
    for (size_t i = 0; i < s->n_target_list; i++) {
        const PgQuery__ResTarget *rt = s->target_list[i]->res_target;
        xl_printf(t, "%s\"__c%zu\" AS ", i ? ", " : "", i + 1);
        xl_ident(t, rt->name && *rt->name ? rt->name : xl_expr_name(rt->val));
    }
    xl_put(t, " FROM (SELECT ");
    for (size_t i = 0; i < s->n_target_list; i++) {
        if (i)
            xl_put(t, ", ");
        if (!xl_expr(t, s->target_list[i]->res_target->val))
            return false;
        xl_printf(t, " AS \"__c%zu\"", i + 1);
    }
    for (size_t i = 0; i < s->n_sort_clause; i++) {
        xl_put(t, ", ");
        if (!xl_item(t, s, s->sort_clause[i]->sort_by->node))
            return false;
        xl_printf(t, " AS \"__s%zu\"", i + 1);
    }
    xl_put(t, ", row_number() OVER (PARTITION BY ");
    for (size_t i = 0; i < s->n_distinct_clause; i++) {
        if (i)
            xl_put(t, ", ");
        if (!xl_item(t, s, s->distinct_clause[i]))
            return false;
    }
    if (s->n_sort_clause) {
        xl_put(t, " ORDER BY ");
        for (size_t i = 0; i < s->n_sort_clause; i++) {
            if (i)
                xl_put(t, ", ");
            if (!xl_item(t, s, s->sort_clause[i]->sort_by->node))
                return false;
            xl_put(t, sort_suffix(s->sort_clause[i]->sort_by));
        }
    }
    xl_put(t, ") AS \"__rn\"");
    if (!xl_select_body(t, s))
        return false;
    xl_put(t, ") WHERE \"__rn\" = 1");
    if (s->n_sort_clause) {
        xl_put(t, " ORDER BY ");
        for (size_t i = 0; i < s->n_sort_clause; i++)
            xl_printf(t, "%s\"__s%zu\"%s", i ? ", " : "", i + 1,
                      sort_suffix(s->sort_clause[i]->sort_by));
    }
    return xl_limit(t, s);
}

static bool xl_setop_branch(struct tr *t, const PgQuery__SelectStmt *s, bool alias_targets)
{
    /* SQLite compounds take no parentheses and no per-branch ORDER BY / LIMIT / WITH, and
     * evaluate left to right: a nested right-hand compound (INTERSECT binds tighter in
     * PostgreSQL) or such a branch becomes a subquery. */
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE || s->n_sort_clause || s->limit_count ||
        s->limit_offset || s->with_clause || has_distinct_on(s)) {
        if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE && !s->n_sort_clause && !s->limit_count &&
            !s->limit_offset && !s->with_clause && alias_targets)
            return xl_select(t, s, alias_targets);
        xl_put(t, "SELECT * FROM (");
        if (!xl_select(t, s, true))
            return false;
        xl_put(t, ")");
        return !t->failed;
    }
    return xl_simple_select(t, s, alias_targets);
}

bool xl_select(struct tr *t, const PgQuery__SelectStmt *s, bool alias_targets)
{
    if (s->into_clause)
        return xl_refuse(t, "SELECT INTO is not supported on the SQLite backend");
    /* Row locks (FOR UPDATE / SHARE): SQLite's write transaction locks the whole database. */
    if (s->n_locking_clause)
        t->writes = true;
    if (s->with_clause && !xl_with(t, s->with_clause))
        return false;
    if (s->op == PG_QUERY__SET_OPERATION__SETOP_NONE && has_distinct_on(s)) {
        int saved = xl_scope_push(t, s->from_clause, s->n_from_clause, NULL);
        bool ok = xl_distinct_on(t, s);
        xl_scope_pop(t, saved);
        return ok;
    }
    if (s->op == PG_QUERY__SET_OPERATION__SETOP_NONE) {
        if (!xl_simple_select(t, s, alias_targets))
            return false;
    } else {
        if (!xl_setop_branch(t, s->larg, alias_targets))
            return false;
        switch (s->op) {
        case PG_QUERY__SET_OPERATION__SETOP_UNION:
            xl_put(t, s->all ? " UNION ALL " : " UNION ");
            break;
        case PG_QUERY__SET_OPERATION__SETOP_INTERSECT:
            if (s->all)
                return xl_refuse(t, "INTERSECT ALL is not supported on the SQLite backend");
            xl_put(t, " INTERSECT ");
            break;
        default:
            if (s->all)
                return xl_refuse(t, "EXCEPT ALL is not supported on the SQLite backend");
            xl_put(t, " EXCEPT ");
            break;
        }
        const PgQuery__SelectStmt *r = s->rarg;
        if (r->op != PG_QUERY__SET_OPERATION__SETOP_NONE || r->n_sort_clause || r->limit_count ||
            r->limit_offset || r->with_clause || has_distinct_on(r)) {
            xl_put(t, "SELECT * FROM (");
            if (!xl_select(t, r, true))
                return false;
            xl_put(t, ")");
        } else if (!xl_simple_select(t, r, false)) {
            return false;
        }
    }
    if (s->n_sort_clause) {
        xl_put(t, " ORDER BY ");
        if (!xl_sort_list(t, s->sort_clause, s->n_sort_clause))
            return false;
    }
    return xl_limit(t, s);
}

/* ---- INSERT / UPDATE / DELETE ---- */

static bool xl_returning(struct tr *t, struct sql_stmt *st, node_t *const *v, size_t n,
                         const PgQuery__RangeVar *rel)
{
    if (!n)
        return true;
    xl_put(t, " RETURNING ");
    if (!xl_targets(t, v, n, true))
        return false;
    st->returns_rows = true;
    int saved = xl_scope_push(t, NULL, 0, rel);
    bool ok = xl_fill_columns(t, st, v, n);
    xl_scope_pop(t, saved);
    return ok;
}

static bool xl_set_list(struct tr *t, node_t *const *v, size_t n, const char *rel)
{
    for (size_t i = 0; i < n; i++) {
        const PgQuery__ResTarget *rt = v[i]->res_target;
        if (rt->n_indirection)
            return xl_refuse(t, "assignment to a subfield or array element is not supported on "
                                "the SQLite backend");
        if (rt->val->node_case == PG_QUERY__NODE__NODE_MULTI_ASSIGN_REF) {
            const PgQuery__MultiAssignRef *m = rt->val->multi_assign_ref;
            if (m->colno != 1)
                continue;
            if (i)
                xl_put(t, ", ");
            xl_put(t, "(");
            for (int k = 0; k < m->ncolumns && i + (size_t)k < n; k++) {
                if (k)
                    xl_put(t, ", ");
                xl_ident(t, v[i + (size_t)k]->res_target->name);
            }
            xl_put(t, ") = ");
            if (!xl_expr(t, m->source))
                return false;
            continue;
        }
        if (i)
            xl_put(t, ", ");
        xl_ident(t, rt->name);
        xl_put(t, " = ");
        if (rt->val->node_case == PG_QUERY__NODE__NODE_SET_TO_DEFAULT)
            return xl_refuse(t, "SET column = DEFAULT is not supported on the SQLite backend");
        if (!xl_assigned(t, rt->val, rel, rt->name))
            return false;
    }
    return !t->failed;
}

/* INSERT without a column list: how many values a row has, for the backend to name the
 * table's first columns (sql_insert_fill); nothing when a * leaves that unknown. */
static bool insert_fill(struct tr *t, struct sql_stmt *st, const PgQuery__InsertStmt *s,
                        const PgQuery__SelectStmt *sel)
{
    while (sel->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        sel = sel->larg;
    size_t n = sel->n_values_lists ? sel->values_lists[0]->list->n_items : sel->n_target_list;
    for (size_t i = 0; !sel->n_values_lists && i < n; i++)
        if (xl_target_is_star(sel->target_list[i]->res_target->val))
            return true;
    if (!n)
        return true;
    struct sql_insert_fill *f = calloc(1, sizeof *f);
    if (!f || !(f->positions = calloc(n, sizeof *f->positions)) ||
        !(f->table = strdup(s->relation->relname))) {
        if (f)
            free(f->positions);
        free(f);
        return xl_fail(t, "53200", "out of memory");
    }
    f->at = t->len;
    f->n_values = (int)n;
    for (size_t i = 0; i < n; i++) {
        const node_t *v = sel->n_values_lists ? sel->values_lists[0]->list->items[i]
                                              : sel->target_list[i]->res_target->val;
        f->positions[i] = xl_char_position(t->text, xl_tree_location(v));
    }
    st->insert_fill = f;
    return true;
}

static bool fail_at(struct tr *t, const node_t *n, const char *message)
{
    xl_fail(t, "42601", "%s", message);
    t->err->position = xl_char_position(t->text, xl_tree_location(n));
    return false;
}

/* PostgreSQL's checks of the row shapes of an INSERT: rows of one length, and with a column
 * list as many values as columns (without one, the backend compares with the table). */
static bool insert_shape(struct tr *t, const PgQuery__InsertStmt *s, const PgQuery__SelectStmt *sel)
{
    while (sel->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        sel = sel->larg;
    size_t n = sel->n_values_lists ? sel->values_lists[0]->list->n_items : sel->n_target_list;
    for (size_t i = 1; i < sel->n_values_lists; i++) {
        const PgQuery__List *row = sel->values_lists[i]->list;
        if (row->n_items != n)
            return fail_at(t, row->n_items ? row->items[0] : NULL,
                           "VALUES lists must all be the same length");
    }
    for (size_t i = 0; !sel->n_values_lists && i < n; i++)
        if (xl_target_is_star(sel->target_list[i]->res_target->val))
            return true;
    if (!s->n_cols || n == s->n_cols)
        return true;
    if (n > s->n_cols)
        return fail_at(t,
                       sel->n_values_lists ? sel->values_lists[0]->list->items[s->n_cols]
                                           : sel->target_list[s->n_cols]->res_target->val,
                       "INSERT has more expressions than target columns");
    return fail_at(t, s->cols[n], "INSERT has more target columns than expressions");
}

static bool xl_insert(struct tr *t, struct sql_stmt *st, const PgQuery__InsertStmt *s)
{
    snprintf(st->tag, sizeof st->tag, "INSERT");
    t->writes = true;
    if (s->with_clause && !xl_with(t, s->with_clause))
        return false;
    if (s->override != PG_QUERY__OVERRIDING_KIND__OVERRIDING_NOT_SET)
        return xl_refuse(t, "OVERRIDING ... VALUE is not supported on the SQLite backend");
    xl_put(t, "INSERT INTO ");
    if (!xl_range_var(t, s->relation))
        return false;
    if (s->relation->alias) {
        xl_put(t, " AS ");
        xl_ident(t, s->relation->alias->aliasname);
    }
    /* A single VALUES row may say DEFAULT: such a column is left out of the list. */
    const PgQuery__SelectStmt *sel = s->select_stmt ? s->select_stmt->select_stmt : NULL;
    if (sel && !insert_shape(t, s, sel))
        return false;
    if (!s->n_cols && sel && !insert_fill(t, st, s, sel))
        return false;
    bool plain_values = sel && sel->n_values_lists &&
                        sel->op == PG_QUERY__SET_OPERATION__SETOP_NONE && !sel->with_clause;
    const PgQuery__List *row0 = plain_values ? sel->values_lists[0]->list : NULL;
    bool any_default = false;
    for (size_t i = 0; plain_values && i < sel->n_values_lists; i++) {
        const PgQuery__List *row = sel->values_lists[i]->list;
        for (size_t k = 0; k < row->n_items; k++) {
            if (row->items[k]->node_case != PG_QUERY__NODE__NODE_SET_TO_DEFAULT)
                continue;
            if (sel->n_values_lists > 1 || !s->n_cols)
                return xl_refuse(t, "DEFAULT in VALUES is not supported on the SQLite backend "
                                    "except in a single row with a column list");
            any_default = true;
        }
    }
    if (any_default && row0->n_items != s->n_cols)
        return xl_fail(t, "42601", "INSERT has more target columns than expressions");
    if (s->n_cols) {
        bool first = true;
        xl_put(t, " (");
        for (size_t i = 0; i < s->n_cols; i++) {
            const PgQuery__ResTarget *rt = s->cols[i]->res_target;
            if (rt->n_indirection)
                return xl_refuse(t, "INSERT into a subfield or array element is not supported "
                                    "on the SQLite backend");
            if (any_default && row0->items[i]->node_case == PG_QUERY__NODE__NODE_SET_TO_DEFAULT)
                continue;
            if (!first)
                xl_put(t, ", ");
            first = false;
            xl_ident(t, rt->name);
        }
        xl_put(t, ")");
        if (first) {
            /* Every column DEFAULT: the same as DEFAULT VALUES. */
            t->len -= 3;
            t->buf[t->len] = '\0';
            sel = NULL;
        }
    }
    const PgQuery__OnConflictClause *oc = s->on_conflict_clause;
    if (!sel) {
        xl_put(t, " DEFAULT VALUES");
        if (oc)
            return xl_refuse(t, "DEFAULT VALUES with ON CONFLICT is not supported on the SQLite "
                                "backend");
    } else {
        if (!plain_values && sel->op == PG_QUERY__SET_OPERATION__SETOP_NONE &&
            !sel->n_values_lists) {
            /* INSERT ... SELECT $1, ...: a parameter that is a target takes its column's type. */
            for (size_t k = 0; k < sel->n_target_list; k++) {
                char pos[32];
                snprintf(pos, sizeof pos, "#%zu", k);
                xl_note_param_column(t, sel->target_list[k]->res_target->val, s->relation->relname,
                                     k < s->n_cols ? s->cols[k]->res_target->name : pos, false);
            }
        }
        if (plain_values) {
            xl_put(t, " VALUES ");
            for (size_t i = 0; i < sel->n_values_lists; i++) {
                const PgQuery__List *row = sel->values_lists[i]->list;
                bool first = true;
                xl_put(t, i ? ", (" : "(");
                for (size_t k = 0; k < row->n_items; k++) {
                    const node_t *v = row->items[k];
                    if (v->node_case == PG_QUERY__NODE__NODE_SET_TO_DEFAULT)
                        continue;
                    if (!first)
                        xl_put(t, ", ");
                    first = false;
                    bool ok;
                    if (k < s->n_cols) {
                        ok = xl_assigned(t, v, s->relation->relname, s->cols[k]->res_target->name);
                    } else {
                        char pos[32];
                        snprintf(pos, sizeof pos, "#%zu", k);
                        ok = xl_assigned(t, v, s->relation->relname, pos);
                    }
                    if (!ok)
                        return false;
                }
                xl_put(t, ")");
            }
        } else if (oc) {
            /* "INSERT ... SELECT ... ON CONFLICT" is ambiguous in SQLite without a WHERE. */
            xl_put(t, " SELECT * FROM (");
            if (!xl_select(t, sel, true))
                return false;
            xl_put(t, ") WHERE true");
        } else {
            xl_put(t, " ");
            if (!xl_select(t, sel, true))
                return false;
        }
    }
    if (oc) {
        xl_put(t, " ON CONFLICT");
        if (oc->infer) {
            if (oc->infer->conname && *oc->infer->conname)
                return xl_refuse(t, "ON CONFLICT ON CONSTRAINT is not supported on the SQLite "
                                    "backend");
            xl_put(t, " (");
            for (size_t i = 0; i < oc->infer->n_index_elems; i++) {
                const PgQuery__IndexElem *ie = oc->infer->index_elems[i]->index_elem;
                if (i)
                    xl_put(t, ", ");
                if (ie->name && *ie->name)
                    xl_ident(t, ie->name);
                else if (!xl_expr(t, ie->expr))
                    return false;
            }
            xl_put(t, ")");
            if (oc->infer->where_clause) {
                xl_put(t, " WHERE ");
                if (!xl_expr(t, oc->infer->where_clause))
                    return false;
            }
        }
        if (oc->action == PG_QUERY__ON_CONFLICT_ACTION__ONCONFLICT_NOTHING) {
            xl_put(t, " DO NOTHING");
        } else {
            if (!oc->infer)
                return xl_fail(t, "42601",
                               "ON CONFLICT DO UPDATE requires inference "
                               "specification or constraint name");
            xl_put(t, " DO UPDATE SET ");
            if (!xl_set_list(t, oc->target_list, oc->n_target_list, s->relation->relname))
                return false;
            if (oc->where_clause) {
                xl_put(t, " WHERE ");
                if (!xl_expr(t, oc->where_clause))
                    return false;
            }
        }
    }
    return xl_returning(t, st, s->returning_list, s->n_returning_list, s->relation);
}

static bool xl_update(struct tr *t, struct sql_stmt *st, const PgQuery__UpdateStmt *s)
{
    snprintf(st->tag, sizeof st->tag, "UPDATE");
    t->writes = true;
    if (s->with_clause && !xl_with(t, s->with_clause))
        return false;
    xl_scope_push(t, s->from_clause, s->n_from_clause, s->relation);
    xl_put(t, "UPDATE ");
    if (!s->relation->inh)
        return xl_refuse(t, "UPDATE ONLY is not supported on the SQLite backend");
    if (!xl_range_var(t, s->relation))
        return false;
    if (s->relation->alias) {
        xl_put(t, " AS ");
        xl_ident(t, s->relation->alias->aliasname);
    }
    xl_put(t, " SET ");
    if (!xl_set_list(t, s->target_list, s->n_target_list, s->relation->relname))
        return false;
    if (s->n_from_clause) {
        xl_put(t, " FROM ");
        if (!xl_from_list(t, s->from_clause, s->n_from_clause))
            return false;
    }
    if (s->where_clause) {
        if (s->where_clause->node_case == PG_QUERY__NODE__NODE_CURRENT_OF_EXPR)
            return xl_refuse(t, "WHERE CURRENT OF is not supported on the SQLite backend");
        xl_put(t, " WHERE ");
        if (!xl_expr(t, s->where_clause))
            return false;
    }
    return xl_returning(t, st, s->returning_list, s->n_returning_list, s->relation);
}

static bool xl_delete(struct tr *t, struct sql_stmt *st, const PgQuery__DeleteStmt *s)
{
    snprintf(st->tag, sizeof st->tag, "DELETE");
    t->writes = true;
    if (s->with_clause && !xl_with(t, s->with_clause))
        return false;
    xl_scope_push(t, s->using_clause, s->n_using_clause, s->relation);
    xl_put(t, "DELETE FROM ");
    if (!s->relation->inh)
        return xl_refuse(t, "DELETE FROM ONLY is not supported on the SQLite backend");
    if (!xl_range_var(t, s->relation))
        return false;
    if (s->relation->alias) {
        xl_put(t, " AS ");
        xl_ident(t, s->relation->alias->aliasname);
    }
    if (s->where_clause && s->where_clause->node_case == PG_QUERY__NODE__NODE_CURRENT_OF_EXPR)
        return xl_refuse(t, "WHERE CURRENT OF is not supported on the SQLite backend");
    if (s->n_using_clause) {
        /* DELETE ... USING deletes the rows that join to at least one row: an EXISTS. */
        xl_put(t, " WHERE EXISTS (SELECT 1 FROM ");
        if (!xl_from_list(t, s->using_clause, s->n_using_clause))
            return false;
        if (s->where_clause) {
            xl_put(t, " WHERE ");
            if (!xl_expr(t, s->where_clause))
                return false;
        }
        xl_put(t, ")");
    } else if (s->where_clause) {
        xl_put(t, " WHERE ");
        if (!xl_expr(t, s->where_clause))
            return false;
    }
    return xl_returning(t, st, s->returning_list, s->n_returning_list, s->relation);
}

/* Translate one parsed statement into st; sqlite text is taken from t. */
static bool xl_stmt(struct tr *t, const node_t *n, struct sql_stmt *st)
{
    st->kind = SQL_EXEC;
    t->result_select = NULL;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_SELECT_STMT: {
        const PgQuery__SelectStmt *s = n->select_stmt;
        snprintf(st->tag, sizeof st->tag, "SELECT");
        st->returns_rows = true;
        t->result_select = s;
        if (!xl_select(t, s, true))
            return false;
        return xl_select_columns(t, st, s);
    }
    case PG_QUERY__NODE__NODE_INSERT_STMT:
        return xl_insert(t, st, n->insert_stmt);
    case PG_QUERY__NODE__NODE_UPDATE_STMT:
        return xl_update(t, st, n->update_stmt);
    case PG_QUERY__NODE__NODE_DELETE_STMT:
        return xl_delete(t, st, n->delete_stmt);
    case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
        return xl_transaction(t, st, n->transaction_stmt);
    case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
        return xl_set(t, st, n->variable_set_stmt);
    case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
        return xl_show(t, st, n->variable_show_stmt);
    case PG_QUERY__NODE__NODE_DISCARD_STMT:
        if (n->discard_stmt->target != PG_QUERY__DISCARD_MODE__DISCARD_ALL)
            return xl_refuse(t, "DISCARD other than ALL is not supported on the SQLite backend");
        st->kind = SQL_DISCARD_ALL;
        snprintf(st->tag, sizeof st->tag, "DISCARD ALL");
        return true;
    case PG_QUERY__NODE__NODE_DEALLOCATE_STMT:
        /* name NULL: DEALLOCATE ALL */
        st->kind = SQL_DEALLOCATE;
        if (n->deallocate_stmt->name && n->deallocate_stmt->name[0]) {
            st->name = strdup(n->deallocate_stmt->name);
            snprintf(st->tag, sizeof st->tag, "DEALLOCATE");
        } else {
            snprintf(st->tag, sizeof st->tag, "DEALLOCATE ALL");
        }
        return true;
    case PG_QUERY__NODE__NODE_COPY_STMT:
        return xl_copy(t, st, n->copy_stmt);
    case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
        return xl_refuse(t, "EXPLAIN is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_LISTEN_STMT:
        return xl_refuse(t, "LISTEN is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_UNLISTEN_STMT:
        return xl_refuse(t, "UNLISTEN is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_NOTIFY_STMT:
        return xl_refuse(t, "NOTIFY is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_VACUUM_STMT:
        return xl_vacuum(t, st, n->vacuum_stmt);
    default: {
        bool handled = false;
        if (!xl_ddl(t, n, st, &handled))
            return false;
        if (handled)
            return true;
        return xl_refuse(t, "this statement is not supported on the SQLite backend");
    }
    }
}

static void stmt_free(struct sql_stmt *st)
{
    free(st->lift_ids);
    free(st->sqlite);
    free(st->param_types);
    for (int i = 0; st->param_origins && i < st->n_params; i++) {
        free(st->param_origins[i].rel);
        free(st->param_origins[i].col);
    }
    free(st->param_origins);
    for (int i = 0; i < st->n_columns; i++) {
        free(st->columns[i].name);
        free(st->columns[i].origin_rel);
        free(st->columns[i].origin_col);
        free(st->columns[i].origin2_rel);
        free(st->columns[i].origin2_col);
    }
    free(st->columns);
    free(st->name);
    free(st->value);
    free(st->notice);
    free(st->copy.table);
    for (int i = 0; i < st->copy.n_columns; i++)
        free(st->copy.columns[i]);
    free(st->copy.columns);
    free(st->copy.null_string);
    free(st->missing_from);
    sql_ddl_free(st->ddl);
    if (st->insert_fill) {
        free(st->insert_fill->table);
        free(st->insert_fill->positions);
        free(st->insert_fill);
    }
    for (int i = 0; i < st->n_group_checks; i++)
        xl_group_check_free(&st->group_checks[i]);
    free(st->group_checks);
}

void sql_stmt_list_free(struct sql_stmt_list *list)
{
    for (int i = 0; i < list->n; i++)
        stmt_free(&list->v[i]);
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

void xl_note_param(struct tr *t, int number, uint32_t oid)
{
    if (number < 1 || number > (int)(sizeof t->param_types / sizeof t->param_types[0])) {
        xl_fail(t, "54000", "parameter $%d is out of range (at most 256)", number);
        return;
    }
    if (number > t->n_params)
        t->n_params = number;
    if (oid && !t->param_types[number - 1] && !t->param_origin[number - 1].rel)
        t->param_types[number - 1] = oid;
}

void xl_note_param_column(struct tr *t, const node_t *n, const char *rel, const char *col,
                          bool arith)
{
    if (n->node_case != PG_QUERY__NODE__NODE_PARAM_REF || !rel || !col)
        return;
    int number = n->param_ref->number;
    xl_note_param(t, number, 0);
    if (t->failed || t->param_types[number - 1] || t->param_origin[number - 1].rel)
        return;
    t->param_origin[number - 1].rel = rel;
    t->param_origin[number - 1].col = col[0] == '#' ? NULL : col;
    t->param_origin[number - 1].position = col[0] == '#' ? atoi(col + 1) : -1;
    t->param_origin[number - 1].arith = arith;
}

/* The parameters typed by a table column into st (false: out of memory). */
static bool param_origins(const struct tr *t, struct sql_stmt *st)
{
    bool any = false;
    for (int i = 0; i < t->n_params; i++)
        any = any || t->param_origin[i].rel;
    if (!any)
        return true;
    st->param_origins = calloc((size_t)t->n_params, sizeof *st->param_origins);
    if (!st->param_origins)
        return false;
    for (int i = 0; i < t->n_params; i++) {
        struct sql_param_origin *o = &st->param_origins[i];
        o->position = -1;
        if (!t->param_origin[i].rel)
            continue;
        o->rel = strdup(t->param_origin[i].rel);
        o->col = t->param_origin[i].col ? strdup(t->param_origin[i].col) : NULL;
        o->position = t->param_origin[i].position;
        o->arith = t->param_origin[i].arith;
        if (!o->rel || (t->param_origin[i].col && !o->col))
            return false;
    }
    return true;
}

/* Translate text; with lift, its integer literals may become parameters (sql/lift.h). */
static bool translate_text(const char *text, const struct sql_lift *lift, struct sql_stmt_list *out,
                           struct sql_error *err)
{
    memset(out, 0, sizeof *out);
    memset(err, 0, sizeof *err);
    PgQueryProtobufParseResult pr = pg_query_parse_protobuf(text);
    if (pr.error) {
        snprintf(err->sqlstate, sizeof err->sqlstate, "42601");
        snprintf(err->message, sizeof err->message, "%s", pr.error->message);
        err->position = pr.error->cursorpos > 0 ? pr.error->cursorpos : 0;
        pg_query_free_protobuf_parse_result(pr);
        return false;
    }
    PgQuery__ParseResult *res = pg_query__parse_result__unpack(NULL, pr.parse_tree.len,
                                                               (const uint8_t *)pr.parse_tree.data);
    pg_query_free_protobuf_parse_result(pr);
    if (!res) {
        snprintf(err->sqlstate, sizeof err->sqlstate, "XX000");
        snprintf(err->message, sizeof err->message, "could not decode the parse tree");
        return false;
    }
    bool ok = true;
    size_t n = res->n_stmts;
    out->v = calloc(n ? n : 1, sizeof *out->v);
    if (!out->v) {
        pg_query__parse_result__free_unpacked(res, NULL);
        snprintf(err->sqlstate, sizeof err->sqlstate, "53200");
        snprintf(err->message, sizeof err->message, "out of memory");
        return false;
    }
    if (n == 0) {
        out->v[0].kind = SQL_EMPTY;
        out->n = 1;
    }
    for (size_t i = 0; ok && i < n; i++) {
        const PgQuery__RawStmt *raw = res->stmts[i];
        struct sql_stmt *st = &out->v[out->n++];
        struct tr t = {0};
        t.err = err;
        t.text = text;
        t.lift = lift;
        st->location = raw->stmt_location;
        if (!raw->stmt) {
            st->kind = SQL_EMPTY;
            continue;
        }
        size_t stmt_len = raw->stmt_len ? (size_t)raw->stmt_len : strlen(text + raw->stmt_location);
        t.catalog_mode = xl_catalog_text(text + raw->stmt_location, stmt_len);
        ok = xl_stmt(&t, raw->stmt, st);
        if (ok && !t.failed && !t.catalog && (st->kind == SQL_EXEC || st->kind == SQL_DDL))
            ok = xl_group_checks(&t, raw->stmt, st);
        if (ok && !t.failed && t.catalog && (t.writes || st->writes))
            ok = xl_refuse(&t, "a statement that writes and uses pg_catalog or "
                               "information_schema is not supported on the SQLite backend");
        if (ok && t.failed)
            ok = false;
        if (ok && st->kind == SQL_EXEC && !t.buf)
            ok = xl_fail(&t, "XX000", "internal error: empty translation");
        if (!ok) {
            free(t.buf);
            break;
        }
        if (st->kind == SQL_EXEC || st->kind == SQL_COPY_TO || st->kind == SQL_DDL) {
            st->sqlite = t.buf;
            t.buf = NULL;
        } else {
            free(t.buf);
        }
        st->writes = st->writes || t.writes;
        st->catalog = t.catalog;
        if (t.missing_from)
            st->missing_from = strdup(t.missing_from);
        st->n_params = t.n_params;
        if (t.n_lifted) {
            st->lift_ids = malloc((size_t)t.n_lifted * sizeof *st->lift_ids);
            if (!st->lift_ids) {
                snprintf(err->sqlstate, sizeof err->sqlstate, "53200");
                snprintf(err->message, sizeof err->message, "out of memory");
                ok = false;
                break;
            }
            memcpy(st->lift_ids, t.lifted, (size_t)t.n_lifted * sizeof *st->lift_ids);
            st->n_lift = t.n_lifted;
        }
        if (t.n_params) {
            st->param_types = calloc((size_t)t.n_params, sizeof *st->param_types);
            if (st->param_types)
                memcpy(st->param_types, t.param_types,
                       (size_t)t.n_params * sizeof *st->param_types);
            if (!st->param_types || !param_origins(&t, st)) {
                snprintf(err->sqlstate, sizeof err->sqlstate, "53200");
                snprintf(err->message, sizeof err->message, "out of memory");
                ok = false;
            }
        }
    }
    pg_query__parse_result__free_unpacked(res, NULL);
    if (!ok)
        sql_stmt_list_free(out);
    return ok;
}

bool sql_translate(const char *text, struct sql_stmt_list *out, struct sql_error *err)
{
    return translate_text(text, NULL, out, err);
}

/* Lifted literals only where a plain DML statement runs them as parameters of one SQLite
 * statement (not DDL, catalog queries, COPY or utility statements, nor $n parameters). */
static bool lift_allowed(const struct sql_stmt *st)
{
    return st->kind == SQL_EXEC && !st->catalog && st->n_params == 0 && st->sqlite &&
           (!strcmp(st->tag, "SELECT") || !strcmp(st->tag, "INSERT") ||
            !strcmp(st->tag, "UPDATE") || !strcmp(st->tag, "DELETE"));
}

bool sql_translate_lifted(const char *text, const struct sql_lift *lift, struct sql_stmt_list *out,
                          struct sql_error *err)
{
    if (!translate_text(text, lift, out, err))
        return false;
    for (int i = 0; i < out->n; i++)
        if (out->v[i].n_lift && !lift_allowed(&out->v[i])) {
            sql_stmt_list_free(out);
            return translate_text(text, NULL, out, err);
        }
    return true;
}
