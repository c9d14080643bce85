/*
 * DDL the SQLite backend carries out itself rather than as one SQLite statement: sequences
 * (CREATE / ALTER / DROP SEQUENCE), TRUNCATE of several tables, VACUUM / ANALYZE, and the
 * ALTER TABLE forms SQLite cannot do in place (constraints, column type, NOT NULL, DEFAULT),
 * which become a description of the change (struct sql_alter) for the backend's table rebuild
 * (src/sqlite/sqlite_ddl.c). Nothing here reads the database: names of constraints are
 * PostgreSQL's defaults, checked against the table by the backend.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/types.h"
#include "translate_int.h"

struct sql_ddl *xl_ddl_of(struct tr *t, struct sql_stmt *st)
{
    if (!st->ddl)
        st->ddl = calloc(1, sizeof *st->ddl);
    if (!st->ddl)
        xl_fail(t, "53200", "out of memory");
    return st->ddl;
}

bool xl_add_name(struct tr *t, char ***names, int *n, const char *name)
{
    char **v = realloc(*names, (size_t)(*n + 1) * sizeof *v);
    if (!v)
        return xl_fail(t, "53200", "out of memory");
    *names = v;
    v[*n] = strdup(name ? name : "");
    if (!v[*n])
        return xl_fail(t, "53200", "out of memory");
    (*n)++;
    return true;
}

char *xl_take(struct tr *t)
{
    char *s = t->buf;
    if (t->failed) {
        free(s);
        s = NULL;
    } else if (!s) {
        s = strdup("");
    }
    t->buf = NULL;
    t->len = t->cap = 0;
    return s;
}

void sql_ddl_free(struct sql_ddl *d)
{
    if (!d)
        return;
    for (int i = 0; i < d->n_names; i++)
        free(d->names[i]);
    free(d->names);
    free(d->table);
    free(d->new_name);
    free(d->column);
    for (int i = 0; i < d->n_alters; i++) {
        struct sql_alter *a = &d->alters[i];
        free(a->column);
        free(a->name);
        free(a->text);
        free(a->using_expr);
        free(a->check);
        for (int k = 0; k < a->n_keys; k++)
            free(a->keys[k]);
        free(a->keys);
    }
    free(d->alters);
    for (int i = 0; i < d->n_seqs; i++) {
        free(d->seqs[i].name);
        free(d->seqs[i].data_type);
        free(d->seqs[i].owner_table);
        free(d->seqs[i].owner_column);
    }
    free(d->seqs);
    free(d);
}

/* A table name for DDL: public or unqualified, not temporary. NULL after an error. */
static const char *xl_table_name(struct tr *t, const PgQuery__RangeVar *rv)
{
    if (rv->catalogname && *rv->catalogname) {
        xl_refuse(t, "cross-database references are not supported");
        return NULL;
    }
    if (rv->schemaname && *rv->schemaname && strcmp(rv->schemaname, "public") != 0) {
        xl_refuse(t, "schema \"%s\" is not supported on the SQLite backend", rv->schemaname);
        return NULL;
    }
    return rv->relname;
}

/* ---- sequences ---- */

static bool seq_int(struct tr *t, const PgQuery__DefElem *d, int64_t *out)
{
    const node_t *a = d->arg;
    if (a && a->node_case == PG_QUERY__NODE__NODE_INTEGER) {
        *out = a->integer->ival;
        return true;
    }
    if (a && a->node_case == PG_QUERY__NODE__NODE_FLOAT) {
        char *end;
        errno = 0;
        long long v = strtoll(a->float_->fval, &end, 10);
        if (errno == 0 && *end == '\0') {
            *out = v;
            return true;
        }
        return xl_fail(t, "22003", "value \"%s\" is out of range for type bigint", a->float_->fval);
    }
    return xl_fail(t, "42601", "%s requires a numeric value", d->defname);
}

bool xl_seq_options(struct tr *t, struct sql_seq *q, node_t *const *opts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const PgQuery__DefElem *d = opts[i]->def_elem;
        const char *nm = d->defname;
        if (!strcmp(nm, "as")) {
            uint32_t oid = 0;
            const char *canon = d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_TYPE_NAME
                                    ? xl_type_name(d->arg->type_name, &oid)
                                    : NULL;
            const char *dt = !canon                   ? NULL
                             : !strcmp(canon, "int2") ? "smallint"
                             : !strcmp(canon, "int4") ? "integer"
                             : !strcmp(canon, "int8") ? "bigint"
                                                      : NULL;
            if (!dt)
                return xl_fail(t, "22023", "sequence type must be smallint, integer, or bigint");
            free(q->data_type);
            q->data_type = strdup(dt);
        } else if (!strcmp(nm, "increment")) {
            q->has_increment = true;
            if (!seq_int(t, d, &q->increment))
                return false;
        } else if (!strcmp(nm, "minvalue")) {
            q->has_min = true;
            q->no_min = !d->arg;
            if (d->arg && !seq_int(t, d, &q->min_value))
                return false;
        } else if (!strcmp(nm, "maxvalue")) {
            q->has_max = true;
            q->no_max = !d->arg;
            if (d->arg && !seq_int(t, d, &q->max_value))
                return false;
        } else if (!strcmp(nm, "start")) {
            q->has_start = true;
            if (!seq_int(t, d, &q->start))
                return false;
        } else if (!strcmp(nm, "restart")) {
            q->has_restart = true;
            q->restart_default = !d->arg;
            if (d->arg && !seq_int(t, d, &q->restart))
                return false;
        } else if (!strcmp(nm, "cache")) {
            q->has_cache = true;
            if (!seq_int(t, d, &q->cache))
                return false;
            if (q->cache < 1)
                return xl_fail(t, "22023", "CACHE (%lld) must be greater than zero",
                               (long long)q->cache);
        } else if (!strcmp(nm, "cycle")) {
            q->has_cycle = true;
            q->cycle = d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN
                           ? d->arg->boolean->boolval
                       : d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER
                           ? d->arg->integer->ival != 0
                           : true;
        } else if (!strcmp(nm, "owned_by")) {
            const PgQuery__List *l =
                d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_LIST ? d->arg->list : NULL;
            q->has_owner = true;
            if (l && l->n_items == 1 && xl_str(l->items[0]) && !strcmp(xl_str(l->items[0]), "none"))
                continue;
            if (!l || l->n_items < 2 || l->n_items > 3)
                return xl_fail(t, "42601", "invalid OWNED BY option");
            if (l->n_items == 3 && strcmp(xl_str(l->items[0]), "public") != 0)
                return xl_refuse(t, "schema \"%s\" is not supported on the SQLite backend",
                                 xl_str(l->items[0]));
            q->owner_table = strdup(xl_str(l->items[l->n_items - 2]));
            q->owner_column = strdup(xl_str(l->items[l->n_items - 1]));
        } else if (!strcmp(nm, "sequence_name")) {
            const PgQuery__List *l =
                d->arg && d->arg->node_case == PG_QUERY__NODE__NODE_LIST ? d->arg->list : NULL;
            if (!l || l->n_items < 1)
                return xl_fail(t, "42601", "invalid SEQUENCE NAME option");
            free(q->name);
            q->name = strdup(xl_str(l->items[l->n_items - 1]));
        } else {
            return xl_refuse(t, "sequence option %s is not supported on the SQLite backend", nm);
        }
    }
    return !t->failed;
}

bool xl_sequence_stmt(struct tr *t, struct sql_stmt *st, const node_t *n)
{
    struct sql_ddl *d = xl_ddl_of(t, st);
    if (!d)
        return false;
    st->kind = SQL_SEQUENCE;
    d->seqs = calloc(1, sizeof *d->seqs);
    if (!d->seqs)
        return xl_fail(t, "53200", "out of memory");
    d->n_seqs = 1;
    struct sql_seq *q = &d->seqs[0];
    const PgQuery__RangeVar *rv;
    node_t *const *opts;
    size_t n_opts;
    if (n->node_case == PG_QUERY__NODE__NODE_CREATE_SEQ_STMT) {
        const PgQuery__CreateSeqStmt *cs = n->create_seq_stmt;
        snprintf(st->tag, sizeof st->tag, "CREATE SEQUENCE");
        d->seq_op = SQL_SEQ_CREATE;
        d->if_not_exists = cs->if_not_exists;
        rv = cs->sequence;
        opts = cs->options;
        n_opts = cs->n_options;
        if (rv->relpersistence && rv->relpersistence[0] == 't')
            return xl_refuse(t, "temporary sequences are not supported on the SQLite backend");
        for (size_t i = 0; i < n_opts; i++)
            if (!strcmp(opts[i]->def_elem->defname, "restart"))
                return xl_fail(t, "42601", "RESTART is not allowed in CREATE SEQUENCE");
    } else {
        const PgQuery__AlterSeqStmt *as = n->alter_seq_stmt;
        snprintf(st->tag, sizeof st->tag, "ALTER SEQUENCE");
        d->seq_op = SQL_SEQ_ALTER;
        d->missing_ok = as->missing_ok;
        rv = as->sequence;
        opts = as->options;
        n_opts = as->n_options;
    }
    const char *name = xl_table_name(t, rv);
    if (!name)
        return false;
    if (!xl_seq_options(t, q, opts, n_opts))
        return false;
    free(q->name);
    q->name = strdup(name);
    if (!q->name)
        return xl_fail(t, "53200", "out of memory");
    return true;
}

/* ---- TRUNCATE, VACUUM ---- */

bool xl_truncate(struct tr *t, struct sql_stmt *st, const PgQuery__TruncateStmt *ts)
{
    snprintf(st->tag, sizeof st->tag, "TRUNCATE TABLE");
    struct sql_ddl *d = xl_ddl_of(t, st);
    if (!d)
        return false;
    st->kind = SQL_TRUNCATE;
    d->cascade = ts->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE;
    d->restart_identity = ts->restart_seqs;
    for (size_t i = 0; i < ts->n_relations; i++) {
        const char *name = xl_table_name(t, ts->relations[i]->range_var);
        if (!name || !xl_add_name(t, &d->names, &d->n_names, name))
            return false;
    }
    return true;
}

bool xl_vacuum(struct tr *t, struct sql_stmt *st, const PgQuery__VacuumStmt *v)
{
    struct sql_ddl *d = xl_ddl_of(t, st);
    if (!d)
        return false;
    st->kind = SQL_VACUUM;
    d->vacuum = v->is_vacuumcmd;
    d->analyze = !v->is_vacuumcmd;
    for (size_t i = 0; i < v->n_options; i++) {
        const PgQuery__DefElem *o = v->options[i]->def_elem;
        if (!strcmp(o->defname, "analyze"))
            d->analyze = true;
    }
    snprintf(st->tag, sizeof st->tag, "%s", v->is_vacuumcmd ? "VACUUM" : "ANALYZE");
    for (size_t i = 0; i < v->n_rels; i++) {
        const PgQuery__VacuumRelation *r = v->rels[i]->vacuum_relation;
        const char *name = xl_table_name(t, r->relation);
        if (!name || !xl_add_name(t, &d->names, &d->n_names, name))
            return false;
    }
    st->writes = d->analyze;
    return true;
}

/* ---- ALTER TABLE by rebuild ---- */

static struct sql_alter *alter_add(struct tr *t, struct sql_ddl *d, enum sql_alter_op op,
                                   const char *column)
{
    struct sql_alter *v = realloc(d->alters, (size_t)(d->n_alters + 1) * sizeof *v);
    if (!v) {
        xl_fail(t, "53200", "out of memory");
        return NULL;
    }
    d->alters = v;
    struct sql_alter *a = &v[d->n_alters++];
    memset(a, 0, sizeof *a);
    a->op = op;
    if (column && !(a->column = strdup(column))) {
        xl_fail(t, "53200", "out of memory");
        return NULL;
    }
    return a;
}

/* PostgreSQL's name for an unnamed constraint: <table>_<columns>_<suffix>. */
static char *default_conname(const char *table, node_t *const *keys, size_t n, const char *col,
                             const char *suffix)
{
    char name[256];
    int len = snprintf(name, sizeof name, "%s", table);
    for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof name; i++)
        len += snprintf(name + len, sizeof name - (size_t)len, "_%s", xl_str(keys[i]));
    if (col && len > 0 && (size_t)len < sizeof name)
        len += snprintf(name + len, sizeof name - (size_t)len, "_%s", col);
    if (len > 0 && (size_t)len < sizeof name)
        snprintf(name + len, sizeof name - (size_t)len, "_%s", suffix);
    return strdup(name);
}

/* The first double-quoted identifier of translated text: the column a CHECK names first. */
static char *first_ident(const char *s)
{
    const char *p = strchr(s, '"');
    if (!p)
        return NULL;
    char *out = malloc(strlen(p) + 1), *o = out;
    if (!out)
        return NULL;
    for (p++; *p; p++) {
        if (*p == '"' && p[1] == '"') {
            *o++ = '"';
            p++;
        } else if (*p == '"') {
            break;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    return out;
}

static bool alter_add_constraint(struct tr *t, struct sql_ddl *d, const char *table,
                                 const PgQuery__Constraint *c)
{
    char contype;
    node_t *const *keys = NULL;
    size_t n_keys = 0;
    switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        contype = 'p';
        keys = c->keys;
        n_keys = c->n_keys;
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        contype = 'u';
        keys = c->keys;
        n_keys = c->n_keys;
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
        contype = 'c';
        break;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        contype = 'f';
        keys = c->fk_attrs;
        n_keys = c->n_fk_attrs;
        break;
    default:
        return xl_refuse(t, "this kind of constraint is not supported by ALTER TABLE on the "
                            "SQLite backend");
    }
    if (c->skip_validation)
        return xl_refuse(t, "NOT VALID constraints are not supported on the SQLite backend");
    if (c->indexname && *c->indexname)
        return xl_refuse(t, "ADD CONSTRAINT ... USING INDEX is not supported on the SQLite "
                            "backend");
    if (c->n_including)
        return xl_refuse(t, "INCLUDE in a constraint is not supported on the SQLite backend");
    if (c->deferrable && contype != 'f')
        return xl_refuse(t, "DEFERRABLE PRIMARY KEY / UNIQUE constraints are not supported on the "
                            "SQLite backend");
    if (c->n_options)
        return xl_refuse(t, "storage parameters of a constraint's index are not supported on "
                            "the SQLite backend");
    struct sql_alter *a = alter_add(t, d, SQL_ALTER_ADD_CONSTRAINT, NULL);
    if (!a)
        return false;
    a->contype = contype;
    /* The body without its name: the backend writes CONSTRAINT "name" itself. */
    PgQuery__Constraint body = *c;
    body.conname = NULL;
    struct tr q = {0};
    q.err = t->err;
    if (!xl_table_constraint(&q, &body)) {
        free(q.buf);
        t->failed = true;
        return false;
    }
    a->text = xl_take(&q);
    if (c->conname && *c->conname) {
        a->name = strdup(c->conname);
    } else if (contype == 'p') {
        a->name = default_conname(table, NULL, 0, NULL, "pkey");
    } else if (contype == 'u') {
        a->name = default_conname(table, keys, n_keys, NULL, "key");
    } else if (contype == 'f') {
        a->name = default_conname(table, keys, n_keys, NULL, "fkey");
    } else {
        char *col = a->text ? first_ident(a->text) : NULL;
        a->name = default_conname(table, NULL, 0, col, "check");
        free(col);
    }
    if (!a->text || !a->name)
        return xl_fail(t, "53200", "out of memory");
    for (size_t i = 0; i < n_keys; i++)
        if (!xl_add_name(t, &a->keys, &a->n_keys, xl_str(keys[i])))
            return false;
    return true;
}

/* ALTER COLUMN ... TYPE: the declared type, its length CHECK, and the new value's expression. */
static bool alter_type(struct tr *t, struct sql_ddl *d, const PgQuery__AlterTableCmd *c)
{
    const PgQuery__ColumnDef *cd = c->def->column_def;
    if (cd->coll_clause)
        return xl_refuse(t, "COLLATE on a column is not supported on the SQLite backend");
    struct sql_alter *a = alter_add(t, d, SQL_ALTER_TYPE, c->name);
    if (!a)
        return false;
    struct tr q = {0};
    q.err = t->err;
    if (!xl_decltype(&q, cd->type_name)) {
        free(q.buf);
        t->failed = true;
        return false;
    }
    a->text = xl_take(&q);
    uint32_t oid = 0;
    xl_type_name(cd->type_name, &oid);
    if ((oid == PGOID_VARCHAR || oid == PGOID_BPCHAR) && cd->type_name->n_typmods == 1) {
        int n = cd->type_name->typmods[0]->a_const->ival->ival;
        xl_printf(&q, "CONSTRAINT \"%s_length_%d\" CHECK (length(",
                  oid == PGOID_VARCHAR ? "varchar" : "char", n);
        xl_ident(&q, c->name);
        xl_printf(&q, ") <= %d)", n);
        a->check = xl_take(&q);
    }
    a->using_given = cd->raw_default != NULL;
    if (cd->raw_default) {
        if (!xl_expr(&q, cd->raw_default)) {
            free(q.buf);
            t->failed = true;
            return false;
        }
    } else {
        /* No USING: the old value cast to the new type. */
        PgQuery__String str = PG_QUERY__STRING__INIT;
        str.sval = c->name;
        PgQuery__Node strn = PG_QUERY__NODE__INIT;
        strn.node_case = PG_QUERY__NODE__NODE_STRING;
        strn.string = &str;
        PgQuery__Node *fields[1] = {&strn};
        PgQuery__ColumnRef cr = PG_QUERY__COLUMN_REF__INIT;
        cr.n_fields = 1;
        cr.fields = fields;
        cr.location = -1;
        PgQuery__Node crn = PG_QUERY__NODE__INIT;
        crn.node_case = PG_QUERY__NODE__NODE_COLUMN_REF;
        crn.column_ref = &cr;
        PgQuery__TypeCast tc = PG_QUERY__TYPE_CAST__INIT;
        tc.arg = &crn;
        tc.type_name = cd->type_name;
        tc.location = -1;
        PgQuery__Node tcn = PG_QUERY__NODE__INIT;
        tcn.node_case = PG_QUERY__NODE__NODE_TYPE_CAST;
        tcn.type_cast = &tc;
        if (!xl_expr(&q, &tcn)) {
            free(q.buf);
            t->failed = true;
            return false;
        }
    }
    a->using_expr = xl_take(&q);
    if (!a->text || !a->using_expr)
        return xl_fail(t, "53200", "out of memory");
    return true;
}

bool xl_alter_rebuild(struct tr *t, struct sql_stmt *st, const PgQuery__AlterTableStmt *as)
{
    const char *table = xl_table_name(t, as->relation);
    if (!table)
        return false;
    struct sql_ddl *d = xl_ddl_of(t, st);
    if (!d)
        return false;
    st->kind = SQL_REBUILD;
    d->missing_ok = as->missing_ok;
    if (!(d->table = strdup(table)))
        return xl_fail(t, "53200", "out of memory");
    for (size_t i = 0; i < as->n_cmds; i++) {
        const PgQuery__AlterTableCmd *c = as->cmds[i]->alter_table_cmd;
        struct sql_alter *a;
        switch (c->subtype) {
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AddConstraint:
            if (!c->def || c->def->node_case != PG_QUERY__NODE__NODE_CONSTRAINT)
                return xl_refuse(t, "this ADD CONSTRAINT is not supported");
            if (!alter_add_constraint(t, d, table, c->def->constraint))
                return false;
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DropConstraint:
            if (c->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
                return xl_refuse(t, "DROP CONSTRAINT ... CASCADE is not supported on the SQLite "
                                    "backend");
            if (!(a = alter_add(t, d, SQL_ALTER_DROP_CONSTRAINT, NULL)))
                return false;
            a->missing_ok = c->missing_ok;
            if (!(a->name = strdup(c->name)))
                return xl_fail(t, "53200", "out of memory");
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AlterColumnType:
            if (!alter_type(t, d, c))
                return false;
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_SetNotNull:
            if (!alter_add(t, d, SQL_ALTER_SET_NOT_NULL, c->name))
                return false;
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DropNotNull:
            if (!alter_add(t, d, SQL_ALTER_DROP_NOT_NULL, c->name))
                return false;
            break;
        case PG_QUERY__ALTER_TABLE_TYPE__AT_ColumnDefault: {
            if (!c->def) {
                if (!alter_add(t, d, SQL_ALTER_DROP_DEFAULT, c->name))
                    return false;
                break;
            }
            struct tr q = {0};
            q.err = t->err;
            if (!xl_expr(&q, c->def)) {
                free(q.buf);
                t->failed = true;
                return false;
            }
            if (!(a = alter_add(t, d, SQL_ALTER_SET_DEFAULT, c->name))) {
                free(q.buf);
                return false;
            }
            if (!(a->text = xl_take(&q)))
                return xl_fail(t, "53200", "out of memory");
            break;
        }
        case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
            const PgQuery__ColumnDef *cd = c->def->column_def;
            if (c->missing_ok)
                return xl_refuse(t, "ADD COLUMN IF NOT EXISTS is not supported on the SQLite "
                                    "backend");
            struct tr q = {0};
            q.err = t->err;
            if (!xl_column_def(&q, cd, false, NULL, NULL)) {
                free(q.buf);
                t->failed = true;
                return false;
            }
            if (!(a = alter_add(t, d, SQL_ALTER_ADD_COLUMN, cd->colname))) {
                free(q.buf);
                return false;
            }
            if (!(a->text = xl_take(&q)))
                return xl_fail(t, "53200", "out of memory");
            break;
        }
        case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
            return xl_refuse(t, "DROP COLUMN together with other ALTER TABLE actions is not "
                                "supported on the SQLite backend");
        default:
            return xl_refuse(t, "this ALTER TABLE action is not supported on the SQLite backend");
        }
    }
    return !t->failed;
}
