/*
 * The translator's side of the pg_catalog / information_schema emulation: which relations
 * exist and where they live on SQLite (TEMP tables and views built by
 * src/sqlite/sqlite_catalog.c), reg* casts (regclass, regtype, ...) and, in statements that
 * read the catalog, the array forms catalog queries use (ARRAY(SELECT ...), ARRAY[...],
 * x = ANY(array column), subscripts, array_upper...). Catalog arrays are stored as
 * PostgreSQL's array text ('{a,b}', or '1 2' for int2vector), so these stay confined to
 * catalog statements; elsewhere arrays remain refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "translate_int.h"

static const char *const catalog_rels[] = {
    "pg_namespace",
    "pg_class",
    "pg_attribute",
    "pg_attrdef",
    "pg_index",
    "pg_constraint",
    "pg_type",
    "pg_am",
    "pg_database",
    "pg_authid",
    "pg_auth_members",
    "pg_roles",
    "pg_user",
    "pg_settings",
    "pg_proc",
    "pg_description",
    "pg_shdescription",
    "pg_collation",
    "pg_inherits",
    "pg_tablespace",
    "pg_extension",
    "pg_language",
    "pg_sequence",
    "pg_depend",
    "pg_policy",
    "pg_rewrite",
    "pg_trigger",
    "pg_publication",
    "pg_publication_rel",
    "pg_publication_namespace",
    "pg_statistic_ext",
    "pg_partitioned_table",
    "pg_foreign_table",
    "pg_enum",
    "pg_event_trigger",
    "pg_cast",
    "pg_operator",
    "pg_tables",
    "pg_views",
    "pg_indexes",
    "pg_matviews",
    "pg_sequences",
};

static const char *const information_rels[] = {
    "schemata",
    "tables",
    "views",
    "columns",
    "table_constraints",
    "key_column_usage",
    "constraint_column_usage",
    "referential_constraints",
    "check_constraints",
    "sequences",
};

static bool in_list(const char *name, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(v[i], name))
            return true;
    return false;
}

bool xl_catalog_text(const char *text, size_t len)
{
    static const char *const marks[] = {
        "pg_catalog", "information_schema", "pg_class", "pg_namespace", "pg_attribute", "pg_type",
        "pg_index",   "pg_constraint",      "pg_roles", "pg_database",  "pg_proc"};
    for (size_t m = 0; m < sizeof marks / sizeof marks[0]; m++) {
        size_t ml = strlen(marks[m]);
        for (size_t i = 0; i + ml <= len; i++)
            if (strncasecmp(text + i, marks[m], ml) == 0)
                return true;
    }
    return false;
}

bool xl_catalog_range_var(struct tr *t, const PgQuery__RangeVar *rv, bool *handled)
{
    const char *schema = rv->schemaname && *rv->schemaname ? rv->schemaname : NULL;
    *handled = false;
    if (rv->catalogname && *rv->catalogname)
        return true;
    if (schema && !strcmp(schema, "information_schema")) {
        if (!in_list(rv->relname, information_rels,
                     sizeof information_rels / sizeof information_rels[0]))
            return xl_refuse(t,
                             "relation information_schema.%s is not supported on the SQLite "
                             "backend",
                             rv->relname);
        char name[128];
        snprintf(name, sizeof name, "information_schema.%s", rv->relname);
        xl_put(t, "temp.");
        xl_ident(t, name);
        t->catalog = true;
        *handled = true;
        return !t->failed;
    }
    bool known = in_list(rv->relname, catalog_rels, sizeof catalog_rels / sizeof catalog_rels[0]);
    if (schema && !strcmp(schema, "pg_catalog")) {
        if (!known)
            return xl_refuse(t, "relation pg_catalog.%s is not supported on the SQLite backend",
                             rv->relname);
    } else if (schema || !known) {
        return true;
    }
    /* Unqualified: pg_catalog comes first in PostgreSQL's search path too. */
    xl_put(t, "temp.");
    xl_ident(t, rv->relname);
    t->catalog = true;
    *handled = true;
    return !t->failed;
}

bool xl_catalog_needs_alias(const PgQuery__RangeVar *rv)
{
    return rv->schemaname && !strcmp(rv->schemaname, "information_schema") && !rv->alias;
}

/* ---- reg* types ---- */

const char *xl_reg_type(const PgQuery__TypeName *tn)
{
    if (!tn || !tn->n_names || tn->n_array_bounds || tn->n_names > 2)
        return NULL;
    if (tn->n_names == 2) {
        const char *schema = xl_str(tn->names[0]);
        if (!schema || strcmp(schema, "pg_catalog") != 0)
            return NULL;
    }
    const char *name = xl_str(tn->names[tn->n_names - 1]);
    static const char *const regs[] = {"regclass",     "regtype", "regproc", "regprocedure",
                                       "regnamespace", "regrole", "regoper", "regoperator"};
    for (size_t i = 0; name && i < sizeof regs / sizeof regs[0]; i++)
        if (!strcmp(name, regs[i]))
            return !strcmp(name, "regprocedure")  ? "regproc"
                   : !strcmp(name, "regoperator") ? "regoper"
                                                  : regs[i];
    return NULL;
}

/* The reg* cast at n, or NULL. */
static const PgQuery__TypeCast *reg_cast(const node_t *n)
{
    if (!n || n->node_case != PG_QUERY__NODE__NODE_TYPE_CAST)
        return NULL;
    return xl_reg_type(n->type_cast->type_name) ? n->type_cast : NULL;
}

static bool emit_reg_oid(struct tr *t, const PgQuery__TypeCast *tc)
{
    xl_printf(t, "pg_regoid('%s', ", xl_reg_type(tc->type_name));
    if (!xl_expr(t, tc->arg))
        return false;
    xl_put(t, ")");
    t->catalog = true;
    return !t->failed;
}

bool xl_catalog_reg_name(struct tr *t, const node_t *n, bool *handled)
{
    const PgQuery__TypeCast *tc = reg_cast(n);
    *handled = tc != NULL;
    if (!tc)
        return true;
    xl_printf(t, "pg_regname('%s', ", xl_reg_type(tc->type_name));
    if (!emit_reg_oid(t, tc))
        return false;
    xl_put(t, ")");
    return !t->failed;
}

bool xl_catalog_cast(struct tr *t, const PgQuery__TypeCast *tc, bool *handled)
{
    const PgQuery__TypeName *tn = tc->type_name;
    *handled = false;
    if (xl_reg_type(tn)) {
        *handled = true;
        return emit_reg_oid(t, tc);
    }
    const char *name = tn && tn->n_names ? xl_str(tn->names[tn->n_names - 1]) : NULL;
    if (!name)
        return true;
    /* A reg* value cast to text is its name. */
    if ((!strcmp(name, "text") || !strcmp(name, "name") || !strcmp(name, "varchar")) &&
        reg_cast(tc->arg)) {
        *handled = true;
        return xl_catalog_reg_name(t, tc->arg, handled);
    }
    if (!t->catalog_mode)
        return true;
    /* Catalog arrays and vectors keep their stored text form. */
    if (tn->n_array_bounds || !strcmp(name, "int2vector") || !strcmp(name, "oidvector") ||
        !strcmp(name, "aclitem") || !strcmp(name, "xid") || !strcmp(name, "pg_node_tree")) {
        *handled = true;
        return xl_expr(t, tc->arg);
    }
    return true;
}

/* ---- arrays in catalog statements ---- */

bool xl_catalog_array_sublink(struct tr *t, const PgQuery__SubLink *sl, bool *handled)
{
    *handled = false;
    if (!t->catalog_mode || sl->sub_link_type != PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK)
        return true;
    PgQuery__SelectStmt *s = sl->subselect->select_stmt;
    *handled = true;
    if (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE || s->n_target_list != 1)
        return xl_refuse(t, "ARRAY(subquery) with a set operation or several columns is not "
                            "supported on the SQLite backend");
    PgQuery__ResTarget *rt = s->target_list[0]->res_target;
    char *saved = rt->name;
    rt->name = (char *)"__v";
    xl_put(t, "(SELECT pg_array_agg(\"__v\") FROM (");
    bool ok = xl_select(t, s, false);
    rt->name = saved;
    if (!ok)
        return false;
    xl_put(t, "))");
    return !t->failed;
}

bool xl_catalog_array_expr(struct tr *t, const PgQuery__AArrayExpr *a, bool *handled)
{
    *handled = false;
    if (!t->catalog_mode)
        return true;
    *handled = true;
    if (!a->n_elements) {
        xl_put(t, "'{}'");
        return !t->failed;
    }
    xl_put(t, "pg_array(");
    if (!xl_expr_list(t, a->elements, a->n_elements))
        return false;
    xl_put(t, ")");
    return !t->failed;
}

/* x = ANY (array value) / x <> ALL (array value). */
bool xl_catalog_any(struct tr *t, const PgQuery__AExpr *e, bool any, const char *op, bool *handled)
{
    *handled = false;
    if (!t->catalog_mode || !op || e->rexpr->node_case == PG_QUERY__NODE__NODE_A_ARRAY_EXPR)
        return true;
    if (!((any && !strcmp(op, "=")) || (!any && !strcmp(op, "<>"))))
        return true;
    *handled = true;
    xl_put(t, any ? "pg_array_any_eq(" : "(NOT pg_array_any_eq(");
    if (!xl_expr(t, e->rexpr))
        return false;
    xl_put(t, ", ");
    if (!xl_expr(t, e->lexpr))
        return false;
    xl_put(t, any ? ")" : "))");
    return !t->failed;
}

bool xl_catalog_indirection(struct tr *t, const PgQuery__AIndirection *ai, bool *handled)
{
    *handled = false;
    if (!t->catalog_mode || ai->n_indirection != 1 ||
        ai->indirection[0]->node_case != PG_QUERY__NODE__NODE_A_INDICES ||
        ai->indirection[0]->a_indices->is_slice || !ai->indirection[0]->a_indices->uidx)
        return true;
    *handled = true;
    xl_put(t, "pg_array_get(");
    if (!xl_expr(t, ai->arg))
        return false;
    xl_put(t, ", ");
    if (!xl_expr(t, ai->indirection[0]->a_indices->uidx))
        return false;
    xl_put(t, ")");
    return !t->failed;
}

/*
 * array_upper/array_lower/array_length in catalog statements, and json_build_object, which
 * SQLAlchemy's column reflection uses for the options of identity columns: SQLite's
 * json_object gives the same object for text and numeric values.
 */
const char *xl_catalog_function(const struct tr *t, const char *name)
{
    if (!t->catalog_mode)
        return NULL;
    if (!strcmp(name, "json_build_object"))
        return "json_object";
    if (!strcmp(name, "array_upper"))
        return "pg_array_upper";
    if (!strcmp(name, "array_lower"))
        return "pg_array_lower";
    if (!strcmp(name, "array_length"))
        return "pg_array_length";
    return NULL;
}

/*
 * Set-returning functions in FROM of catalog statements: unnest(array) (json_each over the
 * array text) and pg_partition_ancestors(rel) (the relation itself: SQLite has no partitions),
 * with WITH ORDINALITY and column aliases.
 */
bool xl_catalog_range_function(struct tr *t, const PgQuery__RangeFunction *rf, bool *handled)
{
    *handled = false;
    if (!t->catalog_mode || rf->lateral || rf->is_rowsfrom || rf->n_functions != 1)
        return true;
    const node_t *item = rf->functions[0];
    const node_t *fn = item->node_case == PG_QUERY__NODE__NODE_LIST && item->list->n_items
                           ? item->list->items[0]
                           : item;
    if (fn->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
        return true;
    const PgQuery__FuncCall *fc = fn->func_call;
    const char *name = xl_str(fc->funcname[fc->n_funcname - 1]);
    bool unnest = name && !strcmp(name, "unnest");
    if (!name || fc->n_args != 1 || (!unnest && strcmp(name, "pg_partition_ancestors") != 0))
        return true;
    *handled = true;
    const char *alias = rf->alias ? rf->alias->aliasname : name;
    const char *col = rf->alias && rf->alias->n_colnames ? xl_str(rf->alias->colnames[0]) : alias;
    const char *ord =
        rf->alias && rf->alias->n_colnames > 1 ? xl_str(rf->alias->colnames[1]) : "ordinality";
    if (unnest) {
        xl_put(t, "(SELECT \"value\" AS ");
        xl_ident(t, col);
        if (rf->ordinality) {
            xl_put(t, ", \"key\" + 1 AS ");
            xl_ident(t, ord);
        }
        xl_put(t, " FROM json_each(pg_array_json(");
        if (!xl_expr(t, fc->args[0]))
            return false;
        xl_put(t, "))) AS ");
    } else {
        xl_put(t, "(SELECT pg_partition_ancestors(");
        if (!xl_expr(t, fc->args[0]))
            return false;
        xl_put(t, ") AS ");
        xl_ident(t, col);
        if (rf->ordinality) {
            xl_put(t, ", 1 AS ");
            xl_ident(t, ord);
        }
        xl_put(t, ") AS ");
    }
    xl_ident(t, alias);
    return !t->failed;
}
