/*
 * What the translator can tell about an expression without a catalog: the result column name
 * PostgreSQL would report (FigureColname) and the type OID when a cast, literal, operator,
 * aggregate or function fixes it; 0 leaves the type to the backend (declared type or value).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/types.h"
#include "translate_int.h"

/* ---- types ---- */

/*
 * While the target list of a WITH query or a subquery in FROM is typed, the translator whose
 * scopes hold that query's own FROM items: xl_expr_type then resolves the column references
 * in it (to a column of an earlier WITH query, of a derived table...), as PostgreSQL types
 * each query level before the one that reads it. Per thread: sessions translate in parallel.
 */
static _Thread_local struct tr *infer_tr;
static _Thread_local int infer_nesting;
static _Thread_local int infer_budget; /* query levels still to enter from the outermost */

static const struct {
    const char *name;  /* as the parser gives it (last component) */
    const char *canon; /* pg_type.typname */
    uint32_t oid;
} type_map[] = {
    {"bool", "bool", PGOID_BOOL},
    {"boolean", "bool", PGOID_BOOL},
    {"int2", "int2", PGOID_INT2},
    {"smallint", "int2", PGOID_INT2},
    {"int4", "int4", PGOID_INT4},
    {"int", "int4", PGOID_INT4},
    {"integer", "int4", PGOID_INT4},
    {"int8", "int8", PGOID_INT8},
    {"bigint", "int8", PGOID_INT8},
    {"float4", "float4", PGOID_FLOAT4},
    {"real", "float4", PGOID_FLOAT4},
    {"float8", "float8", PGOID_FLOAT8},
    {"float", "float8", PGOID_FLOAT8},
    {"numeric", "numeric", PGOID_NUMERIC},
    {"decimal", "numeric", PGOID_NUMERIC},
    {"text", "text", PGOID_TEXT},
    {"varchar", "varchar", PGOID_VARCHAR},
    {"bpchar", "bpchar", PGOID_BPCHAR},
    {"char", "bpchar", PGOID_BPCHAR},
    {"name", "name", PGOID_NAME},
    {"bytea", "bytea", PGOID_BYTEA},
    {"date", "date", PGOID_DATE},
    {"time", "time", PGOID_TIME},
    {"timestamp", "timestamp", PGOID_TIMESTAMP},
    {"timestamptz", "timestamptz", PGOID_TIMESTAMPTZ},
    {"interval", "interval", PGOID_INTERVAL},
    {"uuid", "uuid", PGOID_UUID},
    {"json", "json", PGOID_JSON},
    {"jsonb", "jsonb", PGOID_JSONB},
    {"oid", "oid", PGOID_OID},
};

const char *xl_type_name(const PgQuery__TypeName *tn, uint32_t *oid)
{
    *oid = 0;
    if (!tn || !tn->n_names || tn->n_array_bounds || tn->setof || tn->pct_type)
        return NULL;
    if (tn->n_names == 2) {
        const char *schema = xl_str(tn->names[0]);
        if (!schema || strcmp(schema, "pg_catalog") != 0)
            return NULL;
    } else if (tn->n_names > 2) {
        return NULL;
    }
    const char *name = xl_str(tn->names[tn->n_names - 1]);
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof type_map / sizeof type_map[0]; i++) {
        if (!strcmp(type_map[i].name, name)) {
            *oid = type_map[i].oid;
            return type_map[i].canon;
        }
    }
    return NULL;
}

/* ---- names and types of expressions ---- */

const char *xl_func_name(const PgQuery__FuncCall *fc)
{
    const char *name = xl_str(fc->funcname[fc->n_funcname - 1]);
    return name ? name : "?column?";
}

/* PostgreSQL's FigureColname: the name a result column gets without an alias. */
static const char *expr_name_strength(const node_t *n, int *strength)
{
    *strength = 2;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF: {
        const PgQuery__ColumnRef *c = n->column_ref;
        const char *s = xl_str(c->fields[c->n_fields - 1]);
        if (s)
            return s;
        break;
    }
    case PG_QUERY__NODE__NODE_A_INDIRECTION: {
        const PgQuery__AIndirection *ai = n->a_indirection;
        for (size_t i = ai->n_indirection; i > 0; i--) {
            const char *s = xl_str(ai->indirection[i - 1]);
            if (s)
                return s;
        }
        return expr_name_strength(ai->arg, strength);
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        return xl_func_name(n->func_call);
    case PG_QUERY__NODE__NODE_A_EXPR:
        if (n->a_expr->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF)
            return "nullif";
        break;
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        int s2;
        const char *inner = expr_name_strength(n->type_cast->arg, &s2);
        if (s2 > 1)
            return inner;
        const PgQuery__TypeName *tn = n->type_cast->type_name;
        *strength = 1;
        uint32_t oid;
        const char *canon = xl_type_name(tn, &oid);
        if (canon)
            return canon;
        return xl_str(tn->names[tn->n_names - 1]);
    }
    case PG_QUERY__NODE__NODE_COLLATE_CLAUSE:
        return expr_name_strength(n->collate_clause->arg, strength);
    case PG_QUERY__NODE__NODE_CASE_EXPR:
        *strength = 1;
        return "case";
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        return "coalesce";
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
        return n->min_max_expr->op == PG_QUERY__MIN_MAX_OP__IS_GREATEST ? "greatest" : "least";
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        switch (n->sqlvalue_function->op) {
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE:
            return "current_date";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIME_N:
            return "current_time";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
            return "current_timestamp";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N:
            return "localtime";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N:
            return "localtimestamp";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_ROLE:
            return "current_role";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_USER:
            return "current_user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_USER:
            return "user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_SESSION_USER:
            return "session_user";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_CATALOG:
            return "current_catalog";
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_SCHEMA:
            return "current_schema";
        default:
            break;
        }
        break;
    case PG_QUERY__NODE__NODE_SUB_LINK: {
        const PgQuery__SubLink *sl = n->sub_link;
        if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXISTS_SUBLINK)
            return "exists";
        if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK)
            return "array";
        if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK) {
            const PgQuery__SelectStmt *s = sl->subselect->select_stmt;
            while (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
                s = s->larg;
            if (s->n_target_list) {
                const PgQuery__ResTarget *rt = s->target_list[0]->res_target;
                if (rt->name && *rt->name)
                    return rt->name;
                return expr_name_strength(rt->val, strength);
            }
        }
        break;
    }
    case PG_QUERY__NODE__NODE_ROW_EXPR:
        return "row";
    case PG_QUERY__NODE__NODE_A_ARRAY_EXPR:
        return "array";
    default:
        break;
    }
    *strength = 0;
    return "?column?";
}

const char *xl_expr_name(const node_t *n)
{
    int strength;
    return expr_name_strength(n, &strength);
}

static uint32_t const_type(const PgQuery__AConst *c)
{
    if (c->isnull)
        return PGOID_TEXT;
    switch (c->val_case) {
    case PG_QUERY__A__CONST__VAL_IVAL:
        return PGOID_INT4;
    case PG_QUERY__A__CONST__VAL_FVAL: {
        /* An integer too large for int4 arrives as a Float node. */
        const char *s = c->fval->fval;
        bool integral = !strpbrk(s, ".eE");
        if (integral) {
            size_t digits = strlen(s) - (s[0] == '-' ? 1 : 0);
            if (digits < 19 ||
                (digits == 19 && strcmp(s + (s[0] == '-'), "9223372036854775807") <= 0))
                return PGOID_INT8;
        }
        return PGOID_NUMERIC;
    }
    case PG_QUERY__A__CONST__VAL_BOOLVAL:
        return PGOID_BOOL;
    case PG_QUERY__A__CONST__VAL_SVAL:
        return PGOID_TEXT;
    default:
        return 0;
    }
}

static bool is_numeric_oid(uint32_t o)
{
    return o == PGOID_INT2 || o == PGOID_INT4 || o == PGOID_INT8 || o == PGOID_NUMERIC ||
           o == PGOID_FLOAT4 || o == PGOID_FLOAT8;
}

static uint32_t arith_type(uint32_t a, uint32_t b)
{
    if (!is_numeric_oid(a) || !is_numeric_oid(b))
        return 0;
    if (a == PGOID_FLOAT8 || b == PGOID_FLOAT8 || a == PGOID_FLOAT4 || b == PGOID_FLOAT4)
        return PGOID_FLOAT8;
    if (a == PGOID_NUMERIC || b == PGOID_NUMERIC)
        return PGOID_NUMERIC;
    if (a == PGOID_INT8 || b == PGOID_INT8)
        return PGOID_INT8;
    if (a == PGOID_INT4 || b == PGOID_INT4)
        return PGOID_INT4;
    return PGOID_INT2;
}

const char *xl_op_name(const PgQuery__AExpr *e)
{
    return e->n_name ? xl_str(e->name[e->n_name - 1]) : NULL;
}

static uint32_t func_type(const PgQuery__FuncCall *fc)
{
    const char *f = xl_func_name(fc);
    uint32_t a0 = fc->n_args ? xl_expr_type(fc->args[0]) : 0;
    static const char *const text_fns[] = {
        "lower",      "upper",   "substr",     "substring",       "replace",    "trim",  "btrim",
        "ltrim",      "rtrim",   "concat",     "concat_ws",       "left",       "right", "repeat",
        "split_part", "md5",     "string_agg", "current_setting", "initcap",    "lpad",  "rpad",
        "reverse",    "to_char", "chr",        "version",         "set_config",
    };
    for (size_t i = 0; i < sizeof text_fns / sizeof text_fns[0]; i++)
        if (!strcmp(f, text_fns[i]))
            return PGOID_TEXT;
    if (!strcmp(f, "count"))
        return PGOID_INT8;
    if (!strcmp(f, "length") || !strcmp(f, "char_length") || !strcmp(f, "position") ||
        !strcmp(f, "strpos") || !strcmp(f, "octet_length") || !strcmp(f, "ascii") ||
        !strcmp(f, "character_length"))
        return PGOID_INT4;
    if (!strcmp(f, "row_number") || !strcmp(f, "rank") || !strcmp(f, "dense_rank"))
        return PGOID_INT8;
    if (!strcmp(f, "ntile"))
        return PGOID_INT4;
    if (!strcmp(f, "percent_rank") || !strcmp(f, "cume_dist"))
        return PGOID_FLOAT8;
    if (!strcmp(f, "sum")) {
        if (a0 == PGOID_INT2 || a0 == PGOID_INT4)
            return PGOID_INT8;
        if (a0 == PGOID_INT8 || a0 == PGOID_NUMERIC)
            return PGOID_NUMERIC;
        return a0 == PGOID_FLOAT4 || a0 == PGOID_FLOAT8 ? a0 : 0;
    }
    if (!strcmp(f, "avg"))
        return a0 == PGOID_FLOAT4 || a0 == PGOID_FLOAT8 ? PGOID_FLOAT8 : PGOID_NUMERIC;
    if (!strcmp(f, "min") || !strcmp(f, "max") || !strcmp(f, "abs"))
        return a0;
    if (!strcmp(f, "power") || !strcmp(f, "pow") || !strcmp(f, "sqrt") || !strcmp(f, "exp") ||
        !strcmp(f, "ln") || !strcmp(f, "pi") || !strcmp(f, "cbrt"))
        return a0 == PGOID_NUMERIC ? PGOID_NUMERIC : PGOID_FLOAT8;
    if (!strcmp(f, "current_schema") || !strcmp(f, "current_database"))
        return PGOID_NAME;
    if (!strcmp(f, "mod") && fc->n_args == 2)
        return arith_type(a0, xl_expr_type(fc->args[1]));
    if (!strcmp(f, "bool_and") || !strcmp(f, "bool_or") || !strcmp(f, "every") ||
        !strcmp(f, "starts_with"))
        return PGOID_BOOL;
    if (!strcmp(f, "now") || !strcmp(f, "transaction_timestamp") ||
        !strcmp(f, "statement_timestamp") || !strcmp(f, "clock_timestamp"))
        return PGOID_TIMESTAMPTZ;
    if (!strcmp(f, "date_trunc")) {
        /* A date goes in as timestamptz (local midnight), as PostgreSQL's implicit cast does. */
        uint32_t in = fc->n_args == 2 ? xl_expr_type(fc->args[1]) : 0;
        return in == PGOID_DATE ? PGOID_TIMESTAMPTZ : in;
    }
    if (!strcmp(f, "extract"))
        return PGOID_NUMERIC;
    if (!strcmp(f, "date_part") || !strcmp(f, "random"))
        return PGOID_FLOAT8;
    if (!strcmp(f, "gen_random_uuid"))
        return PGOID_UUID;
    if (!strcmp(f, "round") || !strcmp(f, "ceil") || !strcmp(f, "ceiling") || !strcmp(f, "floor") ||
        !strcmp(f, "trunc"))
        return a0 == PGOID_FLOAT8 || a0 == PGOID_FLOAT4 ? PGOID_FLOAT8 : PGOID_NUMERIC;
    return 0;
}

/*
 * The result type of an expression whose branches have types a (so far) and b: known only when
 * every branch is known and all agree. A column's type is unknown here (no catalog), and
 * guessing from a literal branch would print a numeric column as an integer.
 */
static uint32_t common_type(uint32_t a, uint32_t b, bool first)
{
    if (first)
        return b;
    return a && a == b ? a : 0;
}

/* The common type of args, NULL constants aside (they take the others' type). */
static uint32_t common_type_of(node_t *const *args, size_t n)
{
    uint32_t t = 0;
    bool first = true;
    for (size_t i = 0; i < n; i++) {
        if (args[i]->node_case == PG_QUERY__NODE__NODE_A_CONST && args[i]->a_const->isnull)
            continue;
        t = common_type(t, xl_expr_type(args[i]), first);
        first = false;
    }
    return t;
}

const node_t *xl_param_operand(const node_t *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST && n->type_cast->arg &&
        n->type_cast->arg->node_case == PG_QUERY__NODE__NODE_PARAM_REF &&
        !n->type_cast->type_name->n_typmods) {
        uint32_t oid;
        xl_type_name(n->type_cast->type_name, &oid);
        if (oid == PGOID_NUMERIC)
            n = n->type_cast->arg;
    }
    return n->node_case == PG_QUERY__NODE__NODE_PARAM_REF ? n : NULL;
}

uint32_t xl_expr_type(const node_t *n)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_A_CONST:
        return const_type(n->a_const);
    case PG_QUERY__NODE__NODE_TYPE_CAST: {
        uint32_t oid;
        xl_type_name(n->type_cast->type_name, &oid);
        return oid;
    }
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        /* A column of a WITH query or subquery while its reader is typed (infer_tr). */
        return infer_tr ? xl_scope_column_type(infer_tr, n->column_ref) : 0;
    case PG_QUERY__NODE__NODE_BOOL_EXPR:
    case PG_QUERY__NODE__NODE_NULL_TEST:
    case PG_QUERY__NODE__NODE_BOOLEAN_TEST:
        return PGOID_BOOL;
    case PG_QUERY__NODE__NODE_SUB_LINK: {
        const PgQuery__SubLink *sl = n->sub_link;
        if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__EXPR_SUBLINK) {
            const PgQuery__SelectStmt *s = sl->subselect->select_stmt;
            while (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
                s = s->larg;
            if (s->n_target_list)
                return xl_expr_type(s->target_list[0]->res_target->val);
            return 0;
        }
        if (sl->sub_link_type == PG_QUERY__SUB_LINK_TYPE__ARRAY_SUBLINK)
            return 0; /* an array (catalog statements): its text form */
        return PGOID_BOOL;
    }
    case PG_QUERY__NODE__NODE_A_EXPR: {
        const PgQuery__AExpr *e = n->a_expr;
        const char *op = xl_op_name(e);
        if (e->kind == PG_QUERY__A__EXPR__KIND__AEXPR_NULLIF)
            return xl_expr_type(e->lexpr);
        if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP)
            return PGOID_BOOL;
        if (!op)
            return 0;
        if (!strcmp(op, "||") || !strcmp(op, "->>"))
            return PGOID_TEXT;
        if (!strcmp(op, "->")) {
            uint32_t l = xl_expr_type(e->lexpr);
            return l == PGOID_JSON || l == PGOID_JSONB ? l : 0;
        }
        if (!e->lexpr)
            return xl_expr_type(e->rexpr); /* -x, +x, ~x (bitwise not) */
        if (!strcmp(op, "<<") || !strcmp(op, ">>"))
            return xl_expr_type(e->lexpr); /* bit shifts */
        if (strchr("=<>!~", op[0]))
            return PGOID_BOOL;
        uint32_t l = xl_expr_type(e->lexpr), r = xl_expr_type(e->rexpr);
        /* A parameter takes the other operand's type ($1 + 1 is int4 + int4). */
        if (e->lexpr->node_case == PG_QUERY__NODE__NODE_PARAM_REF && is_numeric_oid(r))
            l = r;
        if (e->rexpr->node_case == PG_QUERY__NODE__NODE_PARAM_REF && is_numeric_oid(l))
            r = l;
        if (!strcmp(op, "^")) {
            /* float8 ^ float8, unless a numeric operand picks numeric ^ numeric. */
            if (!is_numeric_oid(l) || !is_numeric_oid(r))
                return l == PGOID_NUMERIC || r == PGOID_NUMERIC ? PGOID_NUMERIC : 0;
            return arith_type(l, r) == PGOID_NUMERIC ? PGOID_NUMERIC : PGOID_FLOAT8;
        }
        if (!strcmp(op, "-") && r == PGOID_DATE && (l == 0 || l == PGOID_DATE))
            return PGOID_INT4; /* date - date: days */
        if (r == PGOID_INTERVAL || l == PGOID_INTERVAL) {
            uint32_t ts = r == PGOID_INTERVAL ? l : r;
            return ts == PGOID_DATE ? PGOID_TIMESTAMP : ts;
        }
        return arith_type(l, r);
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL:
        return func_type(n->func_call);
    case PG_QUERY__NODE__NODE_COALESCE_EXPR:
        return common_type_of(n->coalesce_expr->args, n->coalesce_expr->n_args);
    case PG_QUERY__NODE__NODE_MIN_MAX_EXPR:
        return common_type_of(n->min_max_expr->args, n->min_max_expr->n_args);
    case PG_QUERY__NODE__NODE_CASE_EXPR: {
        const PgQuery__CaseExpr *c = n->case_expr;
        uint32_t t = 0;
        for (size_t i = 0; i < c->n_args; i++)
            t = common_type(t, xl_expr_type(c->args[i]->case_when->result), i == 0);
        /* No ELSE is an ELSE NULL, which takes any type. */
        return c->defresult ? common_type(t, xl_expr_type(c->defresult), c->n_args == 0) : t;
    }
    case PG_QUERY__NODE__NODE_SQLVALUE_FUNCTION:
        switch (n->sqlvalue_function->op) {
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_DATE:
            return PGOID_DATE;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_CURRENT_TIMESTAMP_N:
            return PGOID_TIMESTAMPTZ;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIMESTAMP_N:
            return PGOID_TIMESTAMP;
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME:
        case PG_QUERY__SQLVALUE_FUNCTION_OP__SVFOP_LOCALTIME_N:
            return PGOID_TIME;
        default:
            return PGOID_NAME;
        }
    default:
        return 0;
    }
}

/* ---- types that follow a table column ---- */

static bool is_int_const(const node_t *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR && !n->a_expr->lexpr && xl_op_name(n->a_expr) &&
        !strcmp(xl_op_name(n->a_expr), "-"))
        n = n->a_expr->rexpr;
    return n->node_case == PG_QUERY__NODE__NODE_A_CONST && !n->a_const->isnull &&
           n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL;
}

/* An integer constant or another int4 operand (a cast, length()): col op it is WIDEN. */
static bool is_int4(const node_t *n)
{
    return is_int_const(n) ||
           (n->node_case != PG_QUERY__NODE__NODE_COLUMN_REF &&
            n->node_case != PG_QUERY__NODE__NODE_PARAM_REF && xl_expr_type(n) == PGOID_INT4);
}

/* 1.5, -2.25: a numeric constant (pg_numeric_lit keeps its scale in coalesce). */
static bool is_numeric_const(const node_t *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR && !n->a_expr->lexpr && xl_op_name(n->a_expr) &&
        !strcmp(xl_op_name(n->a_expr), "-"))
        n = n->a_expr->rexpr;
    return n->node_case == PG_QUERY__NODE__NODE_A_CONST && !n->a_const->isnull &&
           n->a_const->val_case == PG_QUERY__A__CONST__VAL_FVAL;
}

static bool is_interval(const node_t *n)
{
    return xl_expr_type(n) == PGOID_INTERVAL;
}

static bool is_null_const(const node_t *n)
{
    return n->node_case == PG_QUERY__NODE__NODE_A_CONST && n->a_const->isnull;
}

static const struct xl_rel *scope_column_item(const struct tr *t, const PgQuery__ColumnRef *c,
                                              const char **colp);
static enum sql_derive sub_column_origin(const struct tr *t, const PgQuery__ColumnRef *c,
                                         const char **rel, const char **col);

/*
 * The table column whose declared type decides n's type, for the forms where PostgreSQL's
 * result type is a function of that column's type alone: the column, min/max/abs/coalesce of
 * it (with NULLs or more columns that must share its type), +, -, * with an integer constant,
 * sum and avg. The backend resolves the column's declared type (sql_column.derive).
 */
enum sql_derive xl_expr_origin(const struct tr *t, const node_t *n, const char **rel,
                               const char **col)
{
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_COLUMN_REF:
        /* A column of a WITH query or subquery follows its defining expression, if anything. */
        if (scope_column_item(t, n->column_ref, rel))
            return sub_column_origin(t, n->column_ref, rel, col);
        return xl_column_table(t, n->column_ref, rel, col) ? SQL_DERIVE_SAME : SQL_DERIVE_NONE;
    case PG_QUERY__NODE__NODE_A_EXPR: {
        const PgQuery__AExpr *e = n->a_expr;
        const char *op = xl_op_name(e);
        if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !op || e->n_name != 1)
            return SQL_DERIVE_NONE;
        if (!e->lexpr && !strcmp(op, "-"))
            return xl_expr_origin(t, e->rexpr, rel, col) ? SQL_DERIVE_VALUE : SQL_DERIVE_NONE;
        if (e->lexpr && !strcmp(op, "->"))
            /* json -> key is json, jsonb -> key jsonb: the column's type. */
            return xl_expr_origin(t, e->lexpr, rel, col) ? SQL_DERIVE_VALUE : SQL_DERIVE_NONE;
        if (e->lexpr && (!strcmp(op, "+") || !strcmp(op, "-")) && is_interval(e->rexpr))
            return xl_expr_origin(t, e->lexpr, rel, col) ? SQL_DERIVE_TIMESTAMP : SQL_DERIVE_NONE;
        if (e->lexpr && op[0] && strchr("+-*/%", op[0]) && !op[1] &&
            !xl_param_operand(e->lexpr) != !xl_param_operand(e->rexpr)) {
            /* col op $n: the parameter has the column's type (note_arith_params), or the
             * numeric its cast gives it. */
            const node_t *c = xl_param_operand(e->lexpr) ? e->rexpr : e->lexpr;
            enum sql_derive d = xl_expr_origin(t, c, rel, col);
            /* (col op $1) op $2: both parameters have the column's type. */
            return d == SQL_DERIVE_SAME || (d == SQL_DERIVE_PARAM && strchr("+-*", op[0]))
                       ? SQL_DERIVE_PARAM
                       : SQL_DERIVE_NONE;
        }
        if (e->lexpr && (!strcmp(op, "/") || !strcmp(op, "%")) && is_int_const(e->rexpr))
            return xl_expr_origin(t, e->lexpr, rel, col) ? SQL_DERIVE_DIVIDE : SQL_DERIVE_NONE;
        if (!e->lexpr || (strcmp(op, "+") != 0 && strcmp(op, "-") != 0 && strcmp(op, "*") != 0))
            return SQL_DERIVE_NONE;
        const node_t *c = is_int4(e->rexpr) ? e->lexpr : e->rexpr;
        const node_t *k = c == e->lexpr ? e->rexpr : e->lexpr;
        if ((xl_literal_typmod(e->rexpr) != -1) != (xl_literal_typmod(e->lexpr) != -1)) {
            /* col op 1.25, 1.25 op col: numeric with a scale from both. */
            enum sql_derive d = xl_expr_origin(
                t, xl_literal_typmod(e->rexpr) != -1 ? e->lexpr : e->rexpr, rel, col);
            if (d != SQL_DERIVE_SAME && d != SQL_DERIVE_VALUE)
                return SQL_DERIVE_NONE;
            return op[0] == '*' ? SQL_DERIVE_MULNUM : SQL_DERIVE_ADDNUM;
        }
        if (!is_int4(k))
            return SQL_DERIVE_NONE;
        enum sql_derive d = xl_expr_origin(t, c, rel, col);
        return d == SQL_DERIVE_SAME || d == SQL_DERIVE_VALUE || d == SQL_DERIVE_WIDEN
                   ? SQL_DERIVE_WIDEN
                   : SQL_DERIVE_NONE;
    }
    case PG_QUERY__NODE__NODE_FUNC_CALL: {
        const PgQuery__FuncCall *fc = n->func_call;
        if (!fc->n_args || fc->agg_star || fc->n_funcname != 1)
            return SQL_DERIVE_NONE;
        const char *f = xl_func_name(fc);
        if (!strcmp(f, "date_trunc") && fc->n_args == 2)
            return xl_expr_origin(t, fc->args[1], rel, col) ? SQL_DERIVE_TRUNC : SQL_DERIVE_NONE;
        enum sql_derive d = xl_expr_origin(t, fc->args[0], rel, col);
        if (d == SQL_DERIVE_NONE)
            return d;
        /* Window functions that return their argument's value. */
        if (fc->over && (!strcmp(f, "lag") || !strcmp(f, "lead") || !strcmp(f, "first_value") ||
                         !strcmp(f, "last_value") || !strcmp(f, "nth_value")))
            return d == SQL_DERIVE_WIDEN ? d : SQL_DERIVE_VALUE;
        if (fc->n_args != 1)
            return SQL_DERIVE_NONE;
        if (!strcmp(f, "min") || !strcmp(f, "max") || !strcmp(f, "abs"))
            return d == SQL_DERIVE_WIDEN ? d : SQL_DERIVE_VALUE;
        if (!strcmp(f, "sum") && d != SQL_DERIVE_WIDEN)
            return SQL_DERIVE_SUM;
        if (!strcmp(f, "avg") && d != SQL_DERIVE_WIDEN)
            return SQL_DERIVE_AVG;
        return SQL_DERIVE_NONE;
    }
    case PG_QUERY__NODE__NODE_COALESCE_EXPR: {
        /* coalesce(col, constants...): PostgreSQL resolves the constants to the column's
         * type (a numeric fallback then prints with the column's scale here). */
        const PgQuery__CoalesceExpr *c = n->coalesce_expr;
        enum sql_derive d = SQL_DERIVE_NONE;
        for (size_t i = 0; i < c->n_args; i++) {
            if (i && (is_null_const(c->args[i]) || is_int_const(c->args[i]) ||
                      is_numeric_const(c->args[i]) ||
                      (c->args[i]->node_case == PG_QUERY__NODE__NODE_A_CONST &&
                       c->args[i]->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)))
                continue;
            const char *r2, *c2;
            enum sql_derive d2 = xl_expr_origin(t, c->args[i], i ? &r2 : rel, i ? &c2 : col);
            if (i == 0 && d2 > SQL_DERIVE_VALUE) {
                d = d2; /* coalesce(sum(x), 0): the aggregate's type */
                continue;
            }
            if (d2 != SQL_DERIVE_SAME && d2 != SQL_DERIVE_VALUE)
                return SQL_DERIVE_NONE;
            if (i && (d != SQL_DERIVE_VALUE || strcmp(r2, *rel) != 0 || strcmp(c2, *col) != 0))
                return SQL_DERIVE_NONE; /* another column: its type may differ */
            d = SQL_DERIVE_VALUE;
        }
        return d;
    }
    case PG_QUERY__NODE__NODE_CASE_EXPR: {
        /* CASE ... THEN col ... ELSE constant: as coalesce(col, constants). */
        const PgQuery__CaseExpr *c = n->case_expr;
        bool found = false;
        for (size_t i = 0; i <= c->n_args; i++) {
            const node_t *r = i < c->n_args ? c->args[i]->case_when->result : c->defresult;
            if (!r || is_null_const(r) || is_int_const(r) || is_numeric_const(r))
                continue;
            const char *r2, *c2;
            enum sql_derive d2 = xl_expr_origin(t, r, found ? &r2 : rel, found ? &c2 : col);
            if (d2 != SQL_DERIVE_SAME && d2 != SQL_DERIVE_VALUE)
                return SQL_DERIVE_NONE;
            if (found && (strcmp(r2, *rel) != 0 || strcmp(c2, *col) != 0))
                return SQL_DERIVE_NONE; /* another column: its type may differ */
            found = true;
        }
        return found ? SQL_DERIVE_VALUE : SQL_DERIVE_NONE;
    }
    default:
        return SQL_DERIVE_NONE;
    }
}

/* The scale of col op 1.25 or 1.25 op col: its literal's (xl_literal_typmod). */
int32_t xl_operand_literal_typmod(const PgQuery__AExpr *e)
{
    int32_t m = xl_literal_typmod(e->rexpr);
    return m != -1 ? m : xl_literal_typmod(e->lexpr);
}

/*
 * The display scale of a numeric literal (1.50 has 2) as a typmod, for a result column that is
 * such a literal or a cast of one to plain numeric: SQLite keeps the number, not its scale.
 * -1 when n is no such literal.
 */
int32_t xl_literal_typmod(const node_t *n)
{
    if (n->node_case == PG_QUERY__NODE__NODE_TYPE_CAST) {
        uint32_t oid;
        const PgQuery__TypeName *tn = n->type_cast->type_name;
        if (!xl_type_name(tn, &oid) || oid != PGOID_NUMERIC || tn->n_typmods)
            return -1;
        n = n->type_cast->arg;
        if (n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
            n->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL) {
            /* '1.50'::numeric: numeric_in's display scale. */
            int scale = pgnumeric_text_scale(n->a_const->sval->sval);
            return scale >= 0 ? (int32_t)(((1000 << 16) | scale) + 4) : -1;
        }
    }
    if (n->node_case == PG_QUERY__NODE__NODE_A_EXPR && !n->a_expr->lexpr && xl_op_name(n->a_expr) &&
        !strcmp(xl_op_name(n->a_expr), "-"))
        n = n->a_expr->rexpr;
    if (n->node_case != PG_QUERY__NODE__NODE_A_CONST ||
        n->a_const->val_case != PG_QUERY__A__CONST__VAL_FVAL)
        return -1;
    const char *v = n->a_const->fval->fval, *dot = strchr(v, '.');
    if (!dot || strpbrk(v, "eE"))
        return -1;
    int scale = (int)strlen(dot + 1);
    return scale > 0 && scale <= 1000 ? (int32_t)(((1000 << 16) | scale) + 4) : -1;
}

/* The expression of the output column named col (or at position pos when >= 0) of select s
 * (its first arm), NULL when unknown; *has: s has such a column (a * may hold it). */
static const node_t *select_column_expr(const PgQuery__SelectStmt *s, const char *col, int pos,
                                        bool *has)
{
    *has = false;
    while (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        s = s->larg;
    if (s->n_values_lists) {
        const PgQuery__List *row = s->values_lists[0]->list;
        if (pos < 0 && col && !strncmp(col, "column", 6))
            pos = atoi(col + 6) - 1;
        *has = pos >= 0 && (size_t)pos < row->n_items;
        return *has ? row->items[pos] : NULL;
    }
    for (size_t i = 0; i < s->n_target_list; i++) {
        const PgQuery__ResTarget *rt = s->target_list[i]->res_target;
        if (rt->val->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
            rt->val->column_ref->fields[rt->val->column_ref->n_fields - 1]->node_case ==
                PG_QUERY__NODE__NODE_A_STAR) {
            *has = pos < 0; /* a * may hold it: unknown */
            return NULL;
        }
        if (pos >= 0 ? (size_t)pos == i
                     : !strcmp(rt->name && *rt->name ? rt->name : xl_expr_name(rt->val), col)) {
            *has = true;
            return rt->val;
        }
    }
    return NULL;
}

/* Run while the FROM items of select s are in scope (pushed on t and popped again, so t is
 * unchanged on return); false when queries nest too deep to follow. */
static bool infer_enter(const struct tr *t, const PgQuery__SelectStmt *s, struct tr **saved_tr,
                        int *saved_scope)
{
    if (infer_nesting == 0)
        infer_budget = 4096; /* names that refer to themselves must not cost exponential time */
    if (infer_nesting >= 16 || infer_budget <= 0)
        return false;
    infer_budget--;
    while (s->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        s = s->larg;
    struct tr *w = (struct tr *)t;
    *saved_tr = infer_tr;
    *saved_scope = xl_scope_push(w, s->from_clause, s->n_from_clause, NULL);
    infer_tr = w;
    infer_nesting++;
    return true;
}

static void infer_leave(struct tr *saved_tr, int saved_scope)
{
    infer_nesting--;
    xl_scope_pop(infer_tr, saved_scope);
    infer_tr = saved_tr;
}

/* The type of the output column named col (or at position pos when >= 0) of select s, its
 * column references resolved in s's own FROM items; *has: s has such a column. */
static uint32_t select_column_type(const struct tr *t, const PgQuery__SelectStmt *s,
                                   const char *col, int pos, bool *has)
{
    const node_t *v = select_column_expr(s, col, pos, has);
    if (!v)
        return 0;
    struct tr *saved_tr;
    int saved_scope;
    if (!infer_enter(t, s, &saved_tr, &saved_scope))
        return 0;
    uint32_t type = xl_expr_type(v);
    infer_leave(saved_tr, saved_scope);
    return type;
}

uint32_t xl_select_expr_type(struct tr *t, const node_t *n)
{
    struct tr *saved = infer_tr;
    infer_tr = t;
    uint32_t type = xl_expr_type(n);
    infer_tr = saved;
    return type;
}

static int name_position(node_t *const *names, size_t n, const char *col)
{
    for (size_t i = 0; i < n; i++)
        if (xl_str(names[i]) && !strcmp(xl_str(names[i]), col))
            return (int)i;
    return -1;
}

static const PgQuery__CommonTableExpr *find_cte(const struct tr *t, const char *name)
{
    for (int i = t->n_ctes - 1; i >= 0; i--)
        if (!strcmp(t->ctes[i]->ctename, name) &&
            t->ctes[i]->ctequery->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
            return t->ctes[i];
    return NULL;
}

/* The SELECT behind FROM item r (a subquery or a WITH query) and its column aliases. */
static const PgQuery__SelectStmt *rel_select(const struct tr *t, const struct xl_rel *r,
                                             node_t *const **names, size_t *n_names)
{
    const PgQuery__CommonTableExpr *cte = r->rel ? find_cte(t, r->rel) : NULL;
    if (cte) {
        *names = cte->aliascolnames;
        *n_names = cte->n_aliascolnames;
        return cte->ctequery->select_stmt;
    }
    *names = r->colnames;
    *n_names = r->n_colnames;
    return r->sub;
}

static uint32_t rel_column_type(const struct tr *t, const struct xl_rel *r, const char *col,
                                bool *has);

/* The FROM item, no table, that column reference c names in the current scopes, NULL when
 * it names a table or cannot be told; *colp: the column's name. */
static const struct xl_rel *scope_column_item(const struct tr *t, const PgQuery__ColumnRef *c,
                                              const char **colp)
{
    const struct xl_rel *r = NULL;
    const char *col;
    bool has;
    if (c->n_fields == 1) {
        /* The one FROM item of this level that has the column; a table might too. */
        const struct xl_rel *found = NULL;
        col = xl_str(c->fields[0]);
        for (int i = t->n_scope - 1; col && i >= 0 && t->scope[i].depth == t->depth; i--) {
            r = &t->scope[i];
            if (r->rel && !find_cte(t, r->rel))
                return NULL;
            rel_column_type(t, r, col, &has);
            if (has && found)
                return NULL;
            if (has)
                found = r;
        }
        r = found;
    } else if (c->n_fields == 2) {
        const char *q = xl_str(c->fields[0]);
        for (int i = t->n_scope - 1; i >= 0 && q; i--)
            if (t->scope[i].alias && !strcmp(t->scope[i].alias, q)) {
                r = &t->scope[i];
                break;
            }
        col = xl_str(c->fields[1]);
    } else {
        return NULL;
    }
    if (!r || !col || (r->rel && !find_cte(t, r->rel)))
        return NULL;
    *colp = col;
    return r;
}

uint32_t xl_scope_column_type(const struct tr *t, const PgQuery__ColumnRef *c)
{
    const char *col;
    bool has;
    const struct xl_rel *r = scope_column_item(t, c, &col);
    return r ? rel_column_type(t, r, col, &has) : 0;
}

/*
 * A column of a WITH query or subquery in FROM whose defining expression follows a table
 * column (x.total of (SELECT sum(salary) AS total FROM emp) x): that table column and how, so
 * that the backend reports the type before any row exists. Not for set operations, whose
 * column types come from every arm.
 */
static enum sql_derive sub_column_origin(const struct tr *t, const PgQuery__ColumnRef *c,
                                         const char **rel, const char **col)
{
    const char *name;
    const struct xl_rel *r = scope_column_item(t, c, &name);
    if (!r || r->series_type || r->series_col)
        return SQL_DERIVE_NONE;
    node_t *const *names;
    size_t n_names;
    const PgQuery__SelectStmt *sel = rel_select(t, r, &names, &n_names);
    if (!sel || sel->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        return SQL_DERIVE_NONE;
    int pos = n_names ? name_position(names, n_names, name) : -1;
    if (n_names && pos < 0)
        return SQL_DERIVE_NONE;
    bool has;
    const node_t *v = select_column_expr(sel, name, pos, &has);
    struct tr *saved_tr;
    int saved_scope;
    if (!v || !infer_enter(t, sel, &saved_tr, &saved_scope))
        return SQL_DERIVE_NONE;
    enum sql_derive d = xl_expr_origin(infer_tr, v, rel, col);
    infer_leave(saved_tr, saved_scope);
    return d;
}

/* The type of column col of FROM item r when it is no table; *has: r has such a column. */
static uint32_t rel_column_type(const struct tr *t, const struct xl_rel *r, const char *col,
                                bool *has)
{
    *has = false;
    if (r->series_type || r->series_col) {
        *has = r->series_col && !strcmp(r->series_col, col);
        return *has ? r->series_type : 0;
    }
    node_t *const *names;
    size_t n_names;
    const PgQuery__SelectStmt *sel = rel_select(t, r, &names, &n_names);
    if (!sel)
        return 0;
    int pos = n_names ? name_position(names, n_names, col) : -1;
    if (n_names && pos < 0)
        return 0;
    return select_column_type(t, sel, col, pos, has);
}

/* The types of every column of FROM item r when it is no table (VALUES, a subquery without *,
 * generate_series, a WITH query) into types[cap]: how many, or -1 when that is not known. */
int xl_rel_column_types(const struct tr *t, const struct xl_rel *r, uint32_t *types, int cap)
{
    if (r->series_type || r->series_col) {
        if (cap < 1)
            return -1;
        types[0] = r->series_type;
        return 1;
    }
    const PgQuery__SelectStmt *sel = r->sub;
    if (r->rel) {
        const PgQuery__CommonTableExpr *cte = find_cte(t, r->rel);
        if (!cte)
            return -1; /* a table */
        sel = cte->ctequery->select_stmt;
    }
    if (!sel)
        return -1;
    while (sel->op != PG_QUERY__SET_OPERATION__SETOP_NONE)
        sel = sel->larg;
    int n;
    if (sel->n_values_lists)
        n = (int)sel->values_lists[0]->list->n_items;
    else
        n = (int)sel->n_target_list;
    if (n > cap)
        return -1;
    for (int i = 0; i < n; i++) {
        if (!sel->n_values_lists) {
            const node_t *v = sel->target_list[i]->res_target->val;
            if (v->node_case == PG_QUERY__NODE__NODE_COLUMN_REF &&
                v->column_ref->fields[v->column_ref->n_fields - 1]->node_case ==
                    PG_QUERY__NODE__NODE_A_STAR)
                return -1;
        }
        bool has;
        types[i] = select_column_type(t, sel, "", i, &has);
    }
    return n;
}

enum sql_derive xl_expr_origin2(const struct tr *t, const node_t *n, const char **rel,
                                const char **col, const char **rel2, const char **col2)
{
    if (n->node_case != PG_QUERY__NODE__NODE_A_EXPR)
        return SQL_DERIVE_NONE;
    const PgQuery__AExpr *e = n->a_expr;
    const char *op = xl_op_name(e);
    if (e->kind != PG_QUERY__A__EXPR__KIND__AEXPR_OP || !op || e->n_name != 1 || !e->lexpr ||
        (strcmp(op, "+") != 0 && strcmp(op, "-") != 0 && strcmp(op, "*") != 0))
        return SQL_DERIVE_NONE;
    if (e->lexpr->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
        e->rexpr->node_case != PG_QUERY__NODE__NODE_COLUMN_REF ||
        !xl_column_table(t, e->lexpr->column_ref, rel, col) ||
        !xl_column_table(t, e->rexpr->column_ref, rel2, col2))
        return SQL_DERIVE_NONE;
    return op[0] == '*' ? SQL_DERIVE_MUL2 : SQL_DERIVE_ADD2;
}
