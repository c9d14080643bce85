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
    /* (column).x: the element a SELECT expanding _pg_expandarray stored in that column. */
    const char *field =
        t->catalog_mode && ai->n_indirection == 1 ? xl_str(ai->indirection[0]) : NULL;
    if (field && !strcmp(field, "x") && ai->arg->node_case == PG_QUERY__NODE__NODE_COLUMN_REF) {
        *handled = true;
        return xl_expr(t, ai->arg);
    }
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

/*
 * Set-returning functions in the targets of a catalog SELECT, over one array column:
 * unnest(X), generate_subscripts(X, 1) and information_schema._pg_expandarray(X) (whose fields
 * are x, the element, and n, its subscript). PostgreSQL runs them in lockstep, one row per
 * element; here the SELECT joins json_each(pg_array_json(X)) AS "__srf" and the calls read its
 * value and key + 1. SQLAlchemy's primary key reflection and pgjdbc's getPrimaryKeys use them
 * over pg_index.indkey; pgjdbc then reads the element back as (KEYS).x, which
 * xl_catalog_indirection turns into the column itself.
 */
struct srf_nodes {
    PgQuery__String s[5]; /* "__srf", "value", "key", "+", spare */
    PgQuery__Node ns[5];
    PgQuery__Node *value_fields[2], *key_fields[2], *op[1];
    PgQuery__ColumnRef value_cr, key_cr;
    PgQuery__Node value, key;
    PgQuery__Integer one_i;
    PgQuery__AConst one_c;
    PgQuery__Node one;
    PgQuery__AExpr plus;
    PgQuery__Node ord;
};

enum srf_kind { SRF_NONE, SRF_VALUE, SRF_ORD };

static bool colref_eq(const node_t *a, const node_t *b)
{
    if (!a || !b || a->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
        b->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
        a->column_ref->n_fields != b->column_ref->n_fields)
        return false;
    for (size_t i = 0; i < a->column_ref->n_fields; i++) {
        const char *x = xl_str(a->column_ref->fields[i]), *y = xl_str(b->column_ref->fields[i]);
        if (!x || !y || strcmp(x, y) != 0)
            return false;
    }
    return true;
}

/* A column reference to one of the catalog's array or vector columns. */
static bool catalog_array_column(const node_t *n)
{
    static const char *const cols[] = {
        "indkey",      "indclass",    "indcollation", "indoption", "conkey",      "confkey",
        "conpfeqop",   "conppeqop",   "conffeqop",    "conexclop", "proargtypes", "proallargtypes",
        "proargmodes", "proargnames", "stxkeys",      "stxkind",   "reloptions",  "attoptions",
        "relacl",      "attacl",      "nspacl",       "datacl",    "proacl",      "setconfig"};
    if (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF || !n->column_ref->n_fields)
        return false;
    const char *name = xl_str(n->column_ref->fields[n->column_ref->n_fields - 1]);
    return name && in_list(name, cols, sizeof cols / sizeof cols[0]);
}

/* What target expression n is (SRF_NONE: not one of the forms) and the array it expands. */
static enum srf_kind srf_target(const node_t *n, const node_t **array, const char **name)
{
    const char *field = NULL;
    if (n->node_case == PG_QUERY__NODE__NODE_A_INDIRECTION) {
        const PgQuery__AIndirection *ai = n->a_indirection;
        if (ai->n_indirection != 1 || !(field = xl_str(ai->indirection[0])))
            return SRF_NONE;
        n = ai->arg;
    }
    if (n->node_case != PG_QUERY__NODE__NODE_FUNC_CALL)
        return SRF_NONE;
    const PgQuery__FuncCall *fc = n->func_call;
    const char *fn = xl_func_name(fc);
    const char *schema = fc->n_funcname == 2 ? xl_str(fc->funcname[0]) : NULL;
    if (!fn || fc->n_funcname > 2 || fc->n_args < 1 || !catalog_array_column(fc->args[0]))
        return SRF_NONE;
    *array = fc->args[0];
    *name = fn;
    if (!strcmp(fn, "_pg_expandarray") && schema && !strcmp(schema, "information_schema") &&
        fc->n_args == 1)
        return !field || !strcmp(field, "x") ? SRF_VALUE : !strcmp(field, "n") ? SRF_ORD : SRF_NONE;
    if (field || (schema && strcmp(schema, "pg_catalog") != 0))
        return SRF_NONE;
    if (!strcmp(fn, "unnest") && fc->n_args == 1)
        return SRF_VALUE;
    if (!strcmp(fn, "generate_subscripts") && fc->n_args == 2 &&
        fc->args[1]->node_case == PG_QUERY__NODE__NODE_A_CONST &&
        fc->args[1]->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL &&
        fc->args[1]->a_const->ival->ival == 1)
        return SRF_ORD;
    return SRF_NONE;
}

static void srf_nodes_init(struct srf_nodes *k)
{
    static const char *const names[] = {"__srf", "value", "key", "+", ""};
    for (int i = 0; i < 5; i++) {
        pg_query__string__init(&k->s[i]);
        k->s[i].sval = (char *)names[i];
        pg_query__node__init(&k->ns[i]);
        k->ns[i].node_case = PG_QUERY__NODE__NODE_STRING;
        k->ns[i].string = &k->s[i];
    }
    k->value_fields[0] = k->key_fields[0] = &k->ns[0];
    k->value_fields[1] = &k->ns[1];
    k->key_fields[1] = &k->ns[2];
    k->op[0] = &k->ns[3];
    pg_query__column_ref__init(&k->value_cr);
    k->value_cr.n_fields = 2;
    k->value_cr.fields = k->value_fields;
    pg_query__column_ref__init(&k->key_cr);
    k->key_cr.n_fields = 2;
    k->key_cr.fields = k->key_fields;
    pg_query__node__init(&k->value);
    k->value.node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
    k->value.column_ref = &k->value_cr;
    pg_query__node__init(&k->key);
    k->key.node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
    k->key.column_ref = &k->key_cr;
    pg_query__integer__init(&k->one_i);
    k->one_i.ival = 1;
    pg_query__a__const__init(&k->one_c);
    k->one_c.val_case = PG_QUERY__A__CONST__VAL_IVAL;
    k->one_c.ival = &k->one_i;
    pg_query__node__init(&k->one);
    k->one.node_case = PG_QUERY__NODE__NODE_A_CONST;
    k->one.a_const = &k->one_c;
    pg_query__a__expr__init(&k->plus);
    k->plus.kind = PG_QUERY__A__EXPR__KIND__AEXPR_OP;
    k->plus.n_name = 1;
    k->plus.name = k->op;
    k->plus.lexpr = &k->key;
    k->plus.rexpr = &k->one;
    pg_query__node__init(&k->ord);
    k->ord.node_case = PG_QUERY__NODE__NODE_A_EXPR;
    k->ord.a_expr = &k->plus;
}

bool xl_catalog_srf_begin(struct tr *t, PgQuery__SelectStmt *s, struct xl_srf *u)
{
    memset(u, 0, sizeof *u);
    u->saved_array = t->srf_array;
    u->saved_select = t->srf_select;
    t->srf_array = NULL;
    t->srf_select = NULL;
    if (!t->catalog_mode || !s->n_from_clause)
        return true;
    const node_t *array = NULL;
    size_t found = 0;
    for (size_t i = 0; i < s->n_target_list; i++) {
        const PgQuery__ResTarget *rt = s->target_list[i]->res_target;
        const node_t *a = NULL;
        const char *name = NULL;
        if (!rt->val || srf_target(rt->val, &a, &name) == SRF_NONE)
            continue;
        if (array && !colref_eq(array, a))
            return xl_refuse(t, "set-returning functions over different arrays in one SELECT "
                                "are not supported on the SQLite backend");
        array = a;
        if (++found > sizeof u->v / sizeof u->v[0])
            return xl_refuse(t, "too many set-returning functions in one SELECT for the SQLite "
                                "backend");
    }
    if (!array)
        return true;
    struct srf_nodes *k = calloc(1, sizeof *k);
    if (!k)
        return xl_fail(t, "53200", "out of memory");
    srf_nodes_init(k);
    u->nodes = k;
    for (size_t i = 0; i < s->n_target_list; i++) {
        PgQuery__ResTarget *rt = s->target_list[i]->res_target;
        const node_t *a = NULL;
        const char *name = NULL;
        enum srf_kind kind = rt->val ? srf_target(rt->val, &a, &name) : SRF_NONE;
        if (kind == SRF_NONE)
            continue;
        u->v[u->n].rt = rt;
        u->v[u->n].val = rt->val;
        u->v[u->n].name = rt->name;
        u->n++;
        rt->val = kind == SRF_VALUE ? &k->value : &k->ord;
        if (!rt->name || !*rt->name)
            rt->name = (char *)name;
    }
    t->srf_array = array;
    t->srf_select = s;
    return true;
}

bool xl_catalog_srf_from(struct tr *t, const PgQuery__SelectStmt *s)
{
    if (!t->srf_array || t->srf_select != s)
        return true;
    xl_put(t, ", json_each(pg_array_json(");
    if (!xl_expr(t, t->srf_array))
        return false;
    xl_put(t, ")) AS \"__srf\"");
    return !t->failed;
}

void xl_catalog_srf_end(struct tr *t, struct xl_srf *u)
{
    for (size_t i = 0; i < u->n; i++) {
        u->v[i].rt->val = u->v[i].val;
        u->v[i].rt->name = u->v[i].name;
    }
    free(u->nodes);
    u->nodes = NULL;
    u->n = 0;
    t->srf_array = u->saved_array;
    t->srf_select = u->saved_select;
}
