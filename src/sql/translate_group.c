/*
 * PostgreSQL's check that a grouped query (GROUP BY, HAVING or an aggregate) uses no column
 * outside an aggregate that it does not group by (42803, parse_agg.c check_ungrouped_columns),
 * which SQLite does not make: it picks a value from some row. The translator finds, for each
 * SELECT of a statement, the column references of its target list, ORDER BY and HAVING that
 * stand outside aggregate calls and subqueries and that no GROUP BY item names as written
 * (sql_group_check); the backend, which knows the tables, rules on them (sqlite_check.c).
 *
 * Only what PostgreSQL certainly rejects is rejected: a reference whose column a GROUP BY
 * expression mentions (GROUP BY lower(name) allows lower(name), and PostgreSQL compares
 * analysed expressions, which this does not see) and a * in the target list are let through.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "translate_int.h"

/* PostgreSQL's aggregate functions (pg_aggregate of a 15 cluster, by name). */
static const char *const aggregates[] = {
    "array_agg",
    "avg",
    "bit_and",
    "bit_or",
    "bit_xor",
    "bool_and",
    "bool_or",
    "corr",
    "count",
    "covar_pop",
    "covar_samp",
    "every",
    "json_agg",
    "json_object_agg",
    "jsonb_agg",
    "jsonb_object_agg",
    "max",
    "min",
    "mode",
    "percentile_cont",
    "percentile_disc",
    "range_agg",
    "range_intersect_agg",
    "regr_avgx",
    "regr_avgy",
    "regr_count",
    "regr_intercept",
    "regr_r2",
    "regr_slope",
    "regr_sxx",
    "regr_sxy",
    "regr_syy",
    "stddev",
    "stddev_pop",
    "stddev_samp",
    "string_agg",
    "sum",
    "var_pop",
    "var_samp",
    "variance",
    "xmlagg",
};

static bool is_aggregate(const PgQuery__FuncCall *fc)
{
    if (fc->over)
        return false;
    if (fc->agg_star || fc->agg_distinct || fc->agg_filter || fc->n_agg_order ||
        fc->agg_within_group)
        return true;
    const char *name = xl_func_name(fc);
    for (size_t i = 0; i < sizeof aggregates / sizeof aggregates[0]; i++)
        if (!strcmp(aggregates[i], name))
            return true;
    return false;
}

/* The check of one SELECT while it is built. */
struct level {
    struct tr *t;
    struct sql_group_check *g;
    const node_t *complex[64]; /* GROUP BY expressions that are no plain column reference */
    int n_complex;
    bool local_agg;          /* an aggregate call that certainly belongs to this SELECT */
    const char *aliases[64]; /* the names of all its FROM items */
    int n_aliases;
    bool unsure;      /* something this check cannot follow: no check for this SELECT */
    const char *name; /* complex_names: the column looked for, and whether it was seen */
    bool named;
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

/* c as a plain column reference: its qualifier (NULL) and column; false for *, a.b.c... */
static bool colref_names(const PgQuery__ColumnRef *c, const char **qual, const char **col)
{
    if (c->n_fields == 1 && xl_str(c->fields[0])) {
        *qual = NULL;
        *col = xl_str(c->fields[0]);
        return true;
    }
    if (c->n_fields == 2 && xl_str(c->fields[0]) && xl_str(c->fields[1])) {
        *qual = xl_str(c->fields[0]);
        *col = xl_str(c->fields[1]);
        return true;
    }
    return false;
}

static bool add_colref(struct tr *t, struct sql_colref **v, int *n, const char *qual,
                       const char *col)
{
    struct sql_colref *p = realloc(*v, (size_t)(*n + 1) * sizeof *p);
    if (!p)
        return xl_fail(t, "53200", "out of memory");
    *v = p;
    p[*n].qual = dup_or_null(qual);
    p[*n].column = strdup(col);
    (*n)++;
    if ((qual && !p[*n - 1].qual) || !p[*n - 1].column)
        return xl_fail(t, "53200", "out of memory");
    return true;
}

/* ---- which column names an expression mentions ---- */

static bool names_visit(const node_t *n, void *arg)
{
    struct level *l = arg;
    const char *qual, *col;
    if (n->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
        colref_names(n->column_ref, &qual, &col) && !strcmp(col, l->name))
        l->named = true;
    return !l->named;
}

/* A GROUP BY expression mentions column name: references to it are not judged. */
static bool complex_names(struct level *l, const char *name)
{
    for (int i = 0; i < l->n_complex; i++) {
        l->name = name;
        l->named = false;
        xl_tree_walk(l->complex[i], names_visit, l);
        if (l->named)
            return true;
    }
    return false;
}

/* ---- the walk over target list, ORDER BY and HAVING ---- */

static bool grouped_as_written(const struct sql_group_check *g, const char *qual, const char *col)
{
    for (int i = 0; i < g->n_grouped; i++) {
        const struct sql_colref *c = &g->grouped[i];
        if (!strcmp(c->column, col) && (!c->qual) == (!qual) && (!qual || !strcmp(c->qual, qual)))
            return true;
    }
    return false;
}

/* ---- which query an aggregate call belongs to ---- */

struct agg_scan {
    struct level *l;
    int n_refs;
    bool local, sublink;
};

static bool local_alias(const struct level *l, const char *q)
{
    for (int i = 0; i < l->n_aliases; i++)
        if (!strcmp(l->aliases[i], q))
            return true;
    return false;
}

static bool agg_visit(const node_t *n, void *arg)
{
    struct agg_scan *a = arg;
    const char *qual, *col;
    if (n->node_case == PG_QUERY__NODE__NODE_SUB_LINK) {
        a->sublink = true;
        return false;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF)
        return true;
    a->n_refs++;
    if (!colref_names(n->column_ref, &qual, &col))
        return false;
    if (qual && local_alias(a->l, qual))
        a->local = true;
    else if (!qual)
        add_colref(a->l->t, &a->l->g->agg_refs, &a->l->g->n_agg_refs, NULL, col);
    return false;
}

/* PostgreSQL gives an aggregate call to the innermost query whose columns its arguments use
 * (this one when they use none). */
static void agg_level(struct level *l, const node_t *n)
{
    struct agg_scan a = {.l = l};
    xl_tree_walk(n, agg_visit, &a);
    if (a.local || (!a.n_refs && !a.sublink))
        l->local_agg = true;
}

static bool expr_visit(const node_t *n, void *arg)
{
    struct level *l = arg;
    if (l->t->failed)
        return false;
    for (int i = 0; i < l->n_complex; i++)
        if (xl_tree_equal(n, l->complex[i]))
            return false;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_SUB_LINK:
        /* The subquery is a level of its own; only the left operand of IN / ANY is here. */
        xl_tree_walk(n->sub_link->testexpr, expr_visit, l);
        return false;
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        if (is_aggregate(n->func_call)) {
            agg_level(l, n);
            return false;
        }
        return true;
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        const char *qual, *col;
        if (!colref_names(n->column_ref, &qual, &col) || grouped_as_written(l->g, qual, col) ||
            complex_names(l, col))
            return false;
        struct sql_group_check *g = l->g;
        int *p = realloc(g->positions, (size_t)(g->n_refs + 1) * sizeof *p);
        if (!p) {
            xl_fail(l->t, "53200", "out of memory");
            return false;
        }
        g->positions = p;
        p[g->n_refs] = xl_char_position(l->t->text, n->column_ref->location);
        add_colref(l->t, &g->refs, &g->n_refs, qual, col);
        return false;
    }
    default:
        return true;
    }
}

/* ---- FROM items ---- */

struct cte_names {
    const PgQuery__CommonTableExpr *v[64];
    int n;
    bool overflow;
};

static bool cte_visit(const node_t *n, void *arg)
{
    struct cte_names *c = arg;
    if (n->node_case == PG_QUERY__NODE__NODE_COMMON_TABLE_EXPR) {
        if (c->n < (int)(sizeof c->v / sizeof c->v[0]))
            c->v[c->n++] = n->common_table_expr;
        else
            c->overflow = true;
    }
    return true;
}

static struct sql_group_item *new_item(struct level *l, const char *alias, const char *table)
{
    struct sql_group_check *g = l->g;
    struct sql_group_item *v = realloc(g->items, (size_t)(g->n_items + 1) * sizeof *v);
    if (!v) {
        xl_fail(l->t, "53200", "out of memory");
        return NULL;
    }
    g->items = v;
    struct sql_group_item *it = &v[g->n_items++];
    memset(it, 0, sizeof *it);
    it->alias = strdup(alias);
    it->table = dup_or_null(table);
    if (!it->alias || (table && !it->table)) {
        xl_fail(l->t, "53200", "out of memory");
        return NULL;
    }
    return it;
}

static const char *target_name(const PgQuery__ResTarget *rt);
static bool is_star(const node_t *v);

/* A subquery's, VALUES' or WITH query's output column names (the first ones renamed by
 * names), or false when a * leaves them unknown. */
static bool item_columns(struct level *l, struct sql_group_item *it, const PgQuery__SelectStmt *s,
                         node_t *const *names, size_t n_names)
{
    while (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        s = s->larg;
    size_t n = s->n_values_lists ? s->values_lists[0]->list->n_items : s->n_target_list;
    if (!n || n_names > n)
        return false;
    it->columns = calloc(n, sizeof *it->columns);
    if (!it->columns)
        return xl_fail(l->t, "53200", "out of memory");
    for (size_t i = 0; i < n; i++) {
        char buf[32];
        const char *name;
        if (i < n_names) {
            name = xl_str(names[i]);
        } else if (s->n_values_lists) {
            snprintf(buf, sizeof buf, "column%zu", i + 1);
            name = buf;
        } else if (is_star(s->target_list[i]->res_target->val)) {
            return false;
        } else {
            name = target_name(s->target_list[i]->res_target);
        }
        if (!name || !(it->columns[i] = strdup(name)))
            return name ? xl_fail(l->t, "53200", "out of memory") : false;
        it->n_columns = (int)i + 1;
    }
    return true;
}

/* Its columns could not be told: references to it resolve to nothing. */
static void item_unknown(struct level *l, struct sql_group_item *it)
{
    for (int i = 0; i < it->n_columns; i++)
        free(it->columns[i]);
    free(it->columns);
    it->columns = NULL;
    it->n_columns = 0;
    l->g->opaque = true;
}

static void add_alias(struct level *l, const char *name)
{
    if (name && *name && l->n_aliases < (int)(sizeof l->aliases / sizeof l->aliases[0]))
        l->aliases[l->n_aliases++] = name;
}

static bool add_item(struct level *l, const node_t *n, const struct cte_names *ctes)
{
    struct sql_group_check *g = l->g;
    const PgQuery__Alias *al = NULL;
    if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR)
        al = n->join_expr->alias;
    else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT)
        al = n->range_subselect->alias;
    else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_FUNCTION)
        al = n->range_function->alias;
    else if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR)
        al = n->range_var->alias;
    add_alias(l, al ? al->aliasname : NULL);
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_VAR && !al)
        add_alias(l, n->range_var->relname);
    if (n->node_case == PG_QUERY__NODE__NODE_JOIN_EXPR && !n->join_expr->alias)
        return add_item(l, n->join_expr->larg, ctes) && add_item(l, n->join_expr->rarg, ctes);
    if (n->node_case == PG_QUERY__NODE__NODE_RANGE_SUBSELECT && n->range_subselect->alias &&
        n->range_subselect->subquery &&
        n->range_subselect->subquery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        struct sql_group_item *it = new_item(l, al->aliasname, NULL);
        if (!it)
            return false;
        if (!item_columns(l, it, n->range_subselect->subquery->select_stmt, al->colnames,
                          al->n_colnames))
            item_unknown(l, it);
        return !l->t->failed;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_RANGE_VAR) {
        g->opaque = true;
        return true;
    }
    const PgQuery__RangeVar *rv = n->range_var;
    const char *alias = rv->alias && rv->alias->aliasname && *rv->alias->aliasname
                            ? rv->alias->aliasname
                            : rv->relname;
    bool plain = (!rv->schemaname || !*rv->schemaname) && (!rv->catalogname || !*rv->catalogname);
    const PgQuery__CommonTableExpr *cte = NULL;
    int same_name = 0;
    for (int i = 0; plain && i < ctes->n; i++)
        if (ctes->v[i]->ctename && !strcmp(ctes->v[i]->ctename, rv->relname)) {
            cte = ctes->v[i];
            same_name++;
        }
    if (same_name == 1 && !ctes->overflow &&
        cte->ctequery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        /* The statement's one WITH query of that name. */
        struct sql_group_item *it = new_item(l, alias, NULL);
        if (!it)
            return false;
        if (!item_columns(l, it, cte->ctequery->select_stmt, cte->aliascolnames,
                          cte->n_aliascolnames))
            item_unknown(l, it);
        return !l->t->failed;
    }
    bool table = (plain || !strcmp(rv->schemaname, "public")) && rv->inh && rv->relname &&
                 strncmp(rv->relname, "pg_", 3) != 0 && !same_name && !ctes->overflow;
    if (!table) {
        g->opaque = true;
        return true;
    }
    return new_item(l, alias, rv->relname) != NULL;
}

/* ---- one SELECT ---- */

static const char *target_name(const PgQuery__ResTarget *rt)
{
    return rt->name && *rt->name ? rt->name : xl_expr_name(rt->val);
}

static bool is_star(const node_t *v)
{
    return v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
           v->column_ref->fields[v->column_ref->n_fields - 1]->node_case ==
               PG_QUERY__NODE__NODE_A_STAR;
}

/* GROUP BY expression e (or the target it names): a grouped column or a complex one. */
static bool add_group_expr(struct level *l, const node_t *e)
{
    const char *qual, *col;
    if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
        if (!colref_names(e->column_ref, &qual, &col)) {
            l->unsure = true;
            return true;
        }
        return add_colref(l->t, &l->g->grouped, &l->g->n_grouped, qual, col);
    }
    if (l->n_complex == (int)(sizeof l->complex / sizeof l->complex[0])) {
        l->unsure = true;
        return true;
    }
    l->complex[l->n_complex++] = e;
    return true;
}

static bool group_item(struct level *l, const PgQuery__SelectStmt *s, const node_t *e)
{
    if (e->node_case == PG_QUERY__NODE__NODE_GROUPING_SET) {
        l->unsure = true;
        return true;
    }
    if (e->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        e->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
        /* GROUP BY 2: the second target. */
        int k = e->a_const->ival->ival;
        if (k < 1 || (size_t)k > s->n_target_list ||
            is_star(s->target_list[k - 1]->res_target->val)) {
            l->unsure = true;
            return true;
        }
        return add_group_expr(l, s->target_list[k - 1]->res_target->val);
    }
    if (!add_group_expr(l, e))
        return false;
    if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_REF && e->column_ref->n_fields == 1 &&
        xl_str(e->column_ref->fields[0])) {
        /* An output column's name (when no input column has it): that target too. */
        const char *name = xl_str(e->column_ref->fields[0]);
        for (size_t i = 0; i < s->n_target_list; i++) {
            const PgQuery__ResTarget *rt = s->target_list[i]->res_target;
            if (!is_star(rt->val) && !strcmp(target_name(rt), name) && !add_group_expr(l, rt->val))
                return false;
        }
    }
    return true;
}

/* An ORDER BY item that names a target (by position or output name): checked there. */
static bool sort_names_target(const PgQuery__SelectStmt *s, const node_t *e)
{
    if (e->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        e->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL)
        return true;
    if (e->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || e->column_ref->n_fields != 1 ||
        !xl_str(e->column_ref->fields[0]))
        return false;
    for (size_t i = 0; i < s->n_target_list; i++) {
        const PgQuery__ResTarget *rt = s->target_list[i]->res_target;
        if (!is_star(rt->val) && !strcmp(target_name(rt), xl_str(e->column_ref->fields[0])))
            return true;
    }
    return false;
}

static void colrefs_free(struct sql_colref *v, int n)
{
    for (int i = 0; i < n; i++) {
        free(v[i].qual);
        free(v[i].column);
    }
    free(v);
}

void xl_group_check_free(struct sql_group_check *g)
{
    for (int i = 0; i < g->n_items; i++) {
        free(g->items[i].alias);
        free(g->items[i].table);
        for (int k = 0; k < g->items[i].n_columns; k++)
            free(g->items[i].columns[k]);
        free(g->items[i].columns);
    }
    free(g->items);
    colrefs_free(g->grouped, g->n_grouped);
    colrefs_free(g->refs, g->n_refs);
    colrefs_free(g->agg_refs, g->n_agg_refs);
    free(g->positions);
    memset(g, 0, sizeof *g);
}

static bool check_select(struct tr *t, struct sql_stmt *st, const PgQuery__SelectStmt *s,
                         const struct cte_names *ctes)
{
    struct sql_group_check g = {0};
    struct level l = {.t = t, .g = &g};
    bool ok = true;
    for (size_t i = 0; ok && i < s->n_from_clause; i++)
        ok = add_item(&l, s->from_clause[i], ctes);
    for (size_t i = 0; ok && i < s->n_group_clause; i++)
        ok = group_item(&l, s, s->group_clause[i]);
    /* PostgreSQL's order: the target list (ORDER BY items join it at its end), then HAVING. */
    for (size_t i = 0; ok && !l.unsure && i < s->n_target_list; i++) {
        const node_t *v = s->target_list[i]->res_target->val;
        if (!is_star(v))
            xl_tree_walk(v, expr_visit, &l);
    }
    for (size_t i = 0; ok && !l.unsure && i < s->n_sort_clause; i++) {
        const node_t *e = s->sort_clause[i]->sort_by->node;
        if (!sort_names_target(s, e))
            xl_tree_walk(e, expr_visit, &l);
    }
    if (ok && !l.unsure && s->having_clause)
        xl_tree_walk(s->having_clause, expr_visit, &l);
    ok = ok && !t->failed;
    g.is_grouped = s->n_group_clause || s->having_clause || l.local_agg;
    if (!ok || l.unsure || (!g.is_grouped && !g.n_agg_refs) || !g.n_refs) {
        xl_group_check_free(&g);
        return ok;
    }
    struct sql_group_check *v =
        realloc(st->group_checks, (size_t)(st->n_group_checks + 1) * sizeof *v);
    if (!v) {
        xl_group_check_free(&g);
        return xl_fail(t, "53200", "out of memory");
    }
    st->group_checks = v;
    v[st->n_group_checks++] = g;
    return true;
}

struct walk {
    struct tr *t;
    struct sql_stmt *st;
    const struct cte_names *ctes;
    bool ok;
};

static bool select_visit(const node_t *n, void *arg)
{
    struct walk *w = arg;
    if (!w->ok)
        return false;
    if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT) {
        const PgQuery__SelectStmt *s = n->select_stmt;
        if (s->op == PG_QUERY__SET_OPERATION__SETOP_NONE && !s->n_values_lists)
            w->ok = check_select(w->t, w->st, s, w->ctes);
    }
    return w->ok;
}

bool xl_group_checks(struct tr *t, const node_t *stmt, struct sql_stmt *st)
{
    struct cte_names ctes = {.n = 0};
    xl_tree_walk(stmt, cte_visit, &ctes);
    struct walk w = {.t = t, .st = st, .ctes = &ctes, .ok = true};
    xl_tree_walk(stmt, select_visit, &w);
    return w.ok && !t->failed;
}
