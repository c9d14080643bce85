/*
 * DDL for the SQLite backend: CREATE TABLE / INDEX / VIEW, DROP, the ALTER TABLE forms SQLite
 * can do in place, renames, CREATE SCHEMA public, COMMENT. Column types keep their
 * PostgreSQL name as the SQLite declared type (include/sql/types.h). Serial and identity
 * columns take their values from a sequence (DEFAULT nextval(...)) that the backend creates
 * with the table; they are not SQLite rowid aliases, which would ignore that DEFAULT. TRUNCATE,
 * VACUUM, sequences and the ALTER TABLE forms done by a table rebuild are in translate_alter.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sql/types.h"
#include "translate_int.h"

static bool is_serial(const char *name, const char **base)
{
    if (!strcmp(name, "serial") || !strcmp(name, "serial4")) {
        *base = "int4";
        return true;
    }
    if (!strcmp(name, "bigserial") || !strcmp(name, "serial8")) {
        *base = "int8";
        return true;
    }
    if (!strcmp(name, "smallserial") || !strcmp(name, "serial2")) {
        *base = "int2";
        return true;
    }
    return false;
}

/* The declared type: canonical PostgreSQL name with its modifiers. */
bool xl_decltype(struct tr *t, const PgQuery__TypeName *tn)
{
    uint32_t oid;
    const char *canon = xl_type_name(tn, &oid);
    const char *nm = tn->n_names ? xl_str(tn->names[tn->n_names - 1]) : "?";
    if (!canon) {
        if (tn->n_array_bounds)
            return xl_refuse(t, "type %s[] (arrays) is not supported on the SQLite backend", nm);
        return xl_refuse(t, "type %s is not supported on the SQLite backend", nm);
    }
    xl_put(t, canon);
    if (tn->n_typmods) {
        if (oid != PGOID_NUMERIC && oid != PGOID_VARCHAR && oid != PGOID_BPCHAR)
            return xl_refuse(t, "a precision for type %s is not supported on the SQLite backend",
                             canon);
        xl_put(t, "(");
        for (size_t i = 0; i < tn->n_typmods; i++) {
            const node_t *m = tn->typmods[i];
            if (m->node_case != PG_QUERY__NODE__NODE_A_CONST ||
                m->a_const->val_case != PG_QUERY__A__CONST__VAL_IVAL)
                return xl_refuse(t, "this type modifier is not supported");
            xl_printf(t, i ? ",%d" : "%d", m->a_const->ival->ival);
        }
        xl_put(t, ")");
    } else if (oid == PGOID_BPCHAR && !strcmp(nm, "bpchar") && tn->n_names == 2) {
        xl_put(t, "(1)"); /* char without length is char(1) */
    }
    return !t->failed;
}

static bool xl_ref_action(struct tr *t, const char *what, const char *a)
{
    if (!a || !*a || a[0] == 'a')
        return true; /* NO ACTION is the default */
    xl_printf(t, " ON %s ", what);
    switch (a[0]) {
    case 'r':
        xl_put(t, "RESTRICT");
        break;
    case 'c':
        xl_put(t, "CASCADE");
        break;
    case 'n':
        xl_put(t, "SET NULL");
        break;
    case 'd':
        xl_put(t, "SET DEFAULT");
        break;
    default:
        return xl_refuse(t, "this referential action is not supported");
    }
    return !t->failed;
}

static bool xl_name_list(struct tr *t, node_t *const *v, size_t n)
{
    xl_put(t, "(");
    for (size_t i = 0; i < n; i++) {
        if (i)
            xl_put(t, ", ");
        xl_ident(t, xl_str(v[i]));
    }
    xl_put(t, ")");
    return !t->failed;
}

static bool xl_references(struct tr *t, const PgQuery__Constraint *c)
{
    xl_put(t, " REFERENCES ");
    if (!xl_range_var(t, c->pktable))
        return false;
    if (c->n_pk_attrs && !xl_name_list(t, c->pk_attrs, c->n_pk_attrs))
        return false;
    if (c->fk_matchtype && c->fk_matchtype[0] == 'f')
        return xl_refuse(t, "MATCH FULL is not supported on the SQLite backend");
    if (!xl_ref_action(t, "DELETE", c->fk_del_action) ||
        !xl_ref_action(t, "UPDATE", c->fk_upd_action))
        return false;
    if (c->deferrable)
        xl_put(t, c->initdeferred ? " DEFERRABLE INITIALLY DEFERRED"
                                  : " DEFERRABLE INITIALLY IMMEDIATE");
    return !t->failed;
}

static void xl_conname(struct tr *t, const PgQuery__Constraint *c)
{
    if (c->conname && *c->conname) {
        xl_put(t, " CONSTRAINT ");
        xl_ident(t, c->conname);
    }
}

/*
 * The sequence behind a serial or identity column: PostgreSQL's name <table>_<column>_seq
 * (or the identity's SEQUENCE NAME), owned by the column, added to st->ddl for the backend to
 * create with the table. Writes the column's DEFAULT (nextval('...')).
 */
static bool xl_column_sequence(struct tr *t, struct sql_stmt *st, const char *table,
                               const PgQuery__ColumnDef *cd, const char *data_type,
                               const PgQuery__Constraint *identity)
{
    struct sql_ddl *d = xl_ddl_of(t, st);
    if (!d)
        return false;
    struct sql_seq *v = realloc(d->seqs, (size_t)(d->n_seqs + 1) * sizeof *v);
    if (!v)
        return xl_fail(t, "53200", "out of memory");
    d->seqs = v;
    struct sql_seq *q = &v[d->n_seqs++];
    memset(q, 0, sizeof *q);
    q->data_type = strdup(data_type);
    q->has_owner = true;
    q->owner_table = strdup(table);
    q->owner_column = strdup(cd->colname);
    if (identity && !xl_seq_options(t, q, identity->options, identity->n_options))
        return false;
    if (!q->name) {
        char name[200];
        snprintf(name, sizeof name, "%s_%s_seq", table, cd->colname);
        q->name = strdup(name);
    }
    if (!q->data_type || !q->owner_table || !q->owner_column || !q->name)
        return xl_fail(t, "53200", "out of memory");
    /* nextval's argument as PostgreSQL prints a regclass: quoted unless plain lower case. */
    bool plain = !(q->name[0] >= '0' && q->name[0] <= '9');
    for (const char *p = q->name; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_'))
            plain = false;
    xl_put(t, " DEFAULT (nextval(");
    if (plain) {
        xl_string_lit(t, q->name);
    } else {
        struct tr qq = {0};
        struct sql_error e;
        qq.err = &e;
        xl_ident(&qq, q->name);
        xl_string_lit(t, qq.buf ? qq.buf : "");
        free(qq.buf);
    }
    xl_put(t, "))");
    return !t->failed;
}

/*
 * A column. sole_pk: this column is the table's only PRIMARY KEY column. A serial or identity
 * column gets a sequence (st->ddl->seqs) and DEFAULT nextval(). table/st are NULL where no
 * sequence may be made.
 */
bool xl_column_def(struct tr *t, const PgQuery__ColumnDef *cd, bool sole_pk, const char *table,
                   struct sql_stmt *st)
{
    const PgQuery__TypeName *tn = cd->type_name;
    const char *tname = tn && tn->n_names ? xl_str(tn->names[tn->n_names - 1]) : NULL;
    const char *serial_base = NULL;
    bool serial = tname && tn->n_names == 1 && is_serial(tname, &serial_base);
    const PgQuery__Constraint *identity = NULL;
    for (size_t i = 0; i < cd->n_constraints; i++)
        if (cd->constraints[i]->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY)
            identity = cd->constraints[i]->constraint;
    if (cd->coll_clause)
        return xl_refuse(t, "COLLATE on a column is not supported on the SQLite backend");
    if ((serial || identity) && (!table || !st))
        return xl_refuse(t,
                         "adding a %s column to an existing table is not supported on the "
                         "SQLite backend",
                         serial ? "serial" : "identity");
    const char *seq_type = NULL;
    if (serial) {
        seq_type = !strcmp(serial_base, "int2")   ? "smallint"
                   : !strcmp(serial_base, "int4") ? "integer"
                                                  : "bigint";
    } else if (identity) {
        uint32_t ioid = 0;
        const char *canon = tn ? xl_type_name(tn, &ioid) : NULL;
        if (!canon || (strcmp(canon, "int2") != 0 && strcmp(canon, "int4") != 0 &&
                       strcmp(canon, "int8") != 0))
            return xl_fail(t, "22023", "identity column type must be smallint, integer, or bigint");
        seq_type = !strcmp(canon, "int2")   ? "smallint"
                   : !strcmp(canon, "int4") ? "integer"
                                            : "bigint";
    }
    xl_ident(t, cd->colname);
    xl_put(t, " ");
    if (serial)
        xl_put(t, serial_base);
    else if (!xl_decltype(t, tn))
        return false;
    /* Not SQLite's rowid (INTEGER PRIMARY KEY): a rowid column ignores its DEFAULT. */
    if ((serial || identity) && sole_pk)
        xl_put(t, " PRIMARY KEY");
    if (serial || identity)
        xl_put(t, " NOT NULL");
    if ((serial || identity) && !xl_column_sequence(t, st, table, cd, seq_type, identity))
        return false;
    uint32_t oid = 0;
    if (!serial)
        xl_type_name(tn, &oid);
    for (size_t i = 0; i < cd->n_constraints; i++) {
        const PgQuery__Constraint *c = cd->constraints[i]->constraint;
        switch (c->contype) {
        case PG_QUERY__CONSTR_TYPE__CONSTR_NULL:
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_NOTNULL:
            xl_conname(t, c);
            xl_put(t, " NOT NULL");
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_DEFAULT:
            xl_conname(t, c);
            xl_put(t, " DEFAULT (");
            if (!xl_expr(t, c->raw_expr))
                return false;
            xl_put(t, ")");
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY:
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_GENERATED:
            xl_conname(t, c);
            xl_put(t, " GENERATED ALWAYS AS (");
            if (!xl_expr(t, c->raw_expr))
                return false;
            xl_put(t, ") STORED");
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
            xl_conname(t, c);
            xl_put(t, " CHECK (");
            if (!xl_expr(t, c->raw_expr))
                return false;
            xl_put(t, ")");
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
            if ((serial || identity) && sole_pk)
                break;
            xl_conname(t, c);
            /* SQLite lets a non-INTEGER primary key hold NULL; PostgreSQL does not. */
            xl_put(t, " PRIMARY KEY NOT NULL");
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
            if (c->nulls_not_distinct)
                return xl_refuse(t, "UNIQUE NULLS NOT DISTINCT is not supported on the SQLite "
                                    "backend");
            xl_conname(t, c);
            xl_put(t, " UNIQUE");
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
            xl_conname(t, c);
            if (!xl_references(t, c))
                return false;
            break;
        case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRABLE:
        case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_NOT_DEFERRABLE:
        case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_DEFERRED:
        case PG_QUERY__CONSTR_TYPE__CONSTR_ATTR_IMMEDIATE:
            break;
        default:
            return xl_refuse(t, "this column constraint is not supported on the SQLite backend");
        }
        if (t->failed)
            return false;
    }
    /* varchar(n)/char(n): PostgreSQL rejects longer values with 22001; a named CHECK lets the
     * backend map the failure back to that SQLSTATE. */
    if ((oid == PGOID_VARCHAR || oid == PGOID_BPCHAR) && tn->n_typmods == 1) {
        int n = tn->typmods[0]->a_const->ival->ival;
        xl_put(t, " CONSTRAINT ");
        xl_printf(t, "\"%s_length_%d\"", oid == PGOID_VARCHAR ? "varchar" : "char", n);
        xl_put(t, " CHECK (length(");
        xl_ident(t, cd->colname);
        xl_printf(t, ") <= %d)", n);
    }
    return !t->failed;
}

bool xl_table_constraint(struct tr *t, const PgQuery__Constraint *c)
{
    if (c->conname && *c->conname) {
        xl_put(t, "CONSTRAINT ");
        xl_ident(t, c->conname);
        xl_put(t, " ");
    }
    switch (c->contype) {
    case PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY:
        xl_put(t, "PRIMARY KEY ");
        return xl_name_list(t, c->keys, c->n_keys);
    case PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE:
        if (c->nulls_not_distinct)
            return xl_refuse(t, "UNIQUE NULLS NOT DISTINCT is not supported on the SQLite "
                                "backend");
        xl_put(t, "UNIQUE ");
        return xl_name_list(t, c->keys, c->n_keys);
    case PG_QUERY__CONSTR_TYPE__CONSTR_CHECK:
        xl_put(t, "CHECK (");
        if (!xl_expr(t, c->raw_expr))
            return false;
        xl_put(t, ")");
        return !t->failed;
    case PG_QUERY__CONSTR_TYPE__CONSTR_FOREIGN:
        xl_put(t, "FOREIGN KEY ");
        if (!xl_name_list(t, c->fk_attrs, c->n_fk_attrs))
            return false;
        return xl_references(t, c);
    case PG_QUERY__CONSTR_TYPE__CONSTR_EXCLUSION:
        return xl_refuse(t, "EXCLUDE constraints are not supported on the SQLite backend");
    default:
        return xl_refuse(t, "this table constraint is not supported on the SQLite backend");
    }
}

/*
 * WITH (storage parameters): PostgreSQL's table parameters only tune storage and vacuuming, so
 * they are accepted with a NOTICE (st->notice); an unknown one is 22023 as in PostgreSQL.
 */
static bool xl_storage_params(struct tr *t, struct sql_stmt *st, node_t *const *opts, size_t n)
{
    static const char *const known[] = {
        "fillfactor",
        "toast_tuple_target",
        "parallel_workers",
        "autovacuum_enabled",
        "vacuum_index_cleanup",
        "vacuum_truncate",
        "log_autovacuum_min_duration",
        "user_catalog_table",
        "autovacuum_vacuum_threshold",
        "autovacuum_vacuum_scale_factor",
        "autovacuum_analyze_threshold",
        "autovacuum_analyze_scale_factor",
        "autovacuum_vacuum_insert_threshold",
        "autovacuum_vacuum_insert_scale_factor",
        "autovacuum_vacuum_cost_delay",
        "autovacuum_vacuum_cost_limit",
        "autovacuum_freeze_min_age",
        "autovacuum_freeze_max_age",
        "autovacuum_freeze_table_age",
        "autovacuum_multixact_freeze_min_age",
        "autovacuum_multixact_freeze_max_age",
        "autovacuum_multixact_freeze_table_age",
    };
    char names[200] = "";
    for (size_t i = 0; i < n; i++) {
        const PgQuery__DefElem *d = opts[i]->def_elem;
        bool ok = d->defnamespace && !strcmp(d->defnamespace, "toast");
        for (size_t k = 0; !ok && k < sizeof known / sizeof known[0]; k++)
            ok = !strcmp(d->defname, known[k]);
        if (!ok)
            return xl_fail(t, "22023", "unrecognized parameter \"%s\"", d->defname);
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "", d->defname);
    }
    char msg[300];
    snprintf(msg, sizeof msg, "storage parameters (%s) have no effect on the SQLite backend",
             names);
    free(st->notice);
    st->notice = strdup(msg);
    return true;
}

static bool xl_create_table(struct tr *t, struct sql_stmt *st, const PgQuery__CreateStmt *cs)
{
    snprintf(st->tag, sizeof st->tag, "CREATE TABLE");
    if (cs->n_inh_relations)
        return xl_refuse(t, "INHERITS is not supported on the SQLite backend");
    if (cs->partspec || cs->partbound)
        return xl_refuse(t, "partitioned tables are not supported on the SQLite backend");
    if (cs->of_typename)
        return xl_refuse(t, "CREATE TABLE OF type is not supported on the SQLite backend");
    if (cs->n_options && !xl_storage_params(t, st, cs->options, cs->n_options))
        return false;
    bool temp = cs->relation->relpersistence && cs->relation->relpersistence[0] == 't';
    if (temp && cs->oncommit > PG_QUERY__ON_COMMIT_ACTION__ONCOMMIT_PRESERVE_ROWS)
        return xl_refuse(t, "ON COMMIT DELETE ROWS / DROP is not supported on the SQLite backend");
    if (temp && cs->relation->schemaname && *cs->relation->schemaname)
        return xl_refuse(t, "a schema-qualified temporary table is not supported");

    /* Which column is the only primary key column (column or table constraint)? */
    const char *pk_col = NULL;
    int pk_count = 0;
    for (size_t i = 0; i < cs->n_table_elts; i++) {
        const node_t *e = cs->table_elts[i];
        if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
            const PgQuery__ColumnDef *cd = e->column_def;
            for (size_t k = 0; k < cd->n_constraints; k++)
                if (cd->constraints[k]->constraint->contype ==
                    PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) {
                    pk_col = cd->colname;
                    pk_count++;
                }
        } else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT &&
                   e->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) {
            pk_count += (int)e->constraint->n_keys;
            if (e->constraint->n_keys == 1)
                pk_col = xl_str(e->constraint->keys[0]);
        }
    }
    xl_put(t, temp ? "CREATE TEMP TABLE " : "CREATE TABLE ");
    if (cs->if_not_exists)
        xl_put(t, "IF NOT EXISTS ");
    if (!xl_range_var(t, cs->relation))
        return false;
    xl_put(t, " (");
    bool first = true;
    for (size_t i = 0; i < cs->n_table_elts; i++) {
        const node_t *e = cs->table_elts[i];
        if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT && pk_count == 1 &&
            e->constraint->contype == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY) {
            /* A serial sole key becomes the rowid in its column definition. */
            bool serial_pk = false;
            for (size_t k = 0; k < cs->n_table_elts; k++) {
                const node_t *c = cs->table_elts[k];
                const char *base;
                if (c->node_case != PG_QUERY__NODE__NODE_COLUMN_DEF ||
                    strcmp(c->column_def->colname, pk_col) != 0)
                    continue;
                const PgQuery__TypeName *tn = c->column_def->type_name;
                const char *nm = tn->n_names ? xl_str(tn->names[tn->n_names - 1]) : "";
                if (tn->n_names == 1 && is_serial(nm, &base))
                    serial_pk = true;
                for (size_t m = 0; m < c->column_def->n_constraints; m++)
                    if (c->column_def->constraints[m]->constraint->contype ==
                        PG_QUERY__CONSTR_TYPE__CONSTR_IDENTITY)
                        serial_pk = true;
            }
            if (serial_pk)
                continue;
        }
        if (!first)
            xl_put(t, ", ");
        first = false;
        if (e->node_case == PG_QUERY__NODE__NODE_COLUMN_DEF) {
            const PgQuery__ColumnDef *cd = e->column_def;
            if (!xl_column_def(t, cd, pk_count == 1 && pk_col && !strcmp(pk_col, cd->colname),
                               cs->relation->relname, st))
                return false;
        } else if (e->node_case == PG_QUERY__NODE__NODE_CONSTRAINT) {
            if (!xl_table_constraint(t, e->constraint))
                return false;
        } else if (e->node_case == PG_QUERY__NODE__NODE_TABLE_LIKE_CLAUSE) {
            return xl_refuse(t, "CREATE TABLE ... LIKE is not supported on the SQLite backend");
        } else {
            return xl_refuse(t, "this table element is not supported on the SQLite backend");
        }
    }
    xl_put(t, ")");
    if (st->ddl && st->ddl->n_seqs) {
        if (temp)
            return xl_refuse(t, "serial or identity columns in a temporary table are not "
                                "supported on the SQLite backend");
        st->kind = SQL_DDL;
        st->ddl->if_not_exists = cs->if_not_exists;
        st->ddl->table = strdup(cs->relation->relname);
        if (!st->ddl->table)
            return xl_fail(t, "53200", "out of memory");
    }
    return !t->failed;
}

static bool xl_create_index(struct tr *t, struct sql_stmt *st, const PgQuery__IndexStmt *is)
{
    snprintf(st->tag, sizeof st->tag, "CREATE INDEX");
    if (is->access_method && *is->access_method && strcmp(is->access_method, "btree") != 0)
        return xl_refuse(t, "index method %s is not supported on the SQLite backend",
                         is->access_method);
    if (is->n_index_including_params)
        return xl_refuse(t, "INCLUDE in an index is not supported on the SQLite backend");
    if (is->n_options)
        return xl_refuse(t, "index storage parameters are not supported on the SQLite backend");
    if (is->nulls_not_distinct)
        return xl_refuse(t, "NULLS NOT DISTINCT is not supported on the SQLite backend");
    xl_put(t, is->unique ? "CREATE UNIQUE INDEX " : "CREATE INDEX ");
    if (is->if_not_exists)
        xl_put(t, "IF NOT EXISTS ");
    if (is->idxname && *is->idxname) {
        xl_ident(t, is->idxname);
    } else {
        /* PostgreSQL's choice: table_col1_col2_idx, "expr" for an expression. */
        char name[64];
        int n = snprintf(name, sizeof name, "%s", is->relation->relname);
        for (size_t i = 0; i < is->n_index_params && n > 0 && (size_t)n < sizeof name; i++) {
            const PgQuery__IndexElem *ie = is->index_params[i]->index_elem;
            n += snprintf(name + n, sizeof name - (size_t)n, "_%s",
                          ie->name && *ie->name ? ie->name : "expr");
        }
        if (n > 0 && (size_t)n > sizeof name - 5)
            n = (int)sizeof name - 5;
        snprintf(name + n, sizeof name - (size_t)n, "_idx");
        xl_ident(t, name);
    }
    xl_put(t, " ON ");
    if (!xl_range_var(t, is->relation))
        return false;
    xl_put(t, " (");
    for (size_t i = 0; i < is->n_index_params; i++) {
        const PgQuery__IndexElem *ie = is->index_params[i]->index_elem;
        if (i)
            xl_put(t, ", ");
        if (ie->n_opclass)
            return xl_refuse(t, "operator classes in an index are not supported on the SQLite "
                                "backend");
        if (ie->n_collation)
            return xl_refuse(t, "COLLATE in an index is not supported on the SQLite backend");
        if (ie->name && *ie->name) {
            xl_ident(t, ie->name);
        } else {
            xl_put(t, "(");
            if (!xl_expr(t, ie->expr))
                return false;
            xl_put(t, ")");
        }
        if (ie->ordering == PG_QUERY__SORT_BY_DIR__SORTBY_DESC)
            xl_put(t, " DESC");
        /* NULLS FIRST/LAST only changes the physical order in the index, not results. */
    }
    xl_put(t, ")");
    if (is->where_clause) {
        xl_put(t, " WHERE ");
        if (!xl_expr(t, is->where_clause))
            return false;
    }
    return !t->failed;
}

static bool xl_drop(struct tr *t, struct sql_stmt *st, const PgQuery__DropStmt *ds)
{
    const char *what;
    switch (ds->remove_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        what = "TABLE";
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_INDEX:
        what = "INDEX";
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_VIEW:
        what = "VIEW";
        break;
    case PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE:
        what = "SEQUENCE";
        break;
    default:
        return xl_refuse(t, "this DROP statement is not supported on the SQLite backend");
    }
    snprintf(st->tag, sizeof st->tag, "DROP %s", what);
    if (ds->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
        return xl_refuse(t, "DROP %s ... CASCADE is not supported on the SQLite backend", what);
    if (ds->concurrent)
        return xl_refuse(t, "DROP INDEX CONCURRENTLY is not supported on the SQLite backend");
    struct sql_ddl *d = xl_ddl_of(t, st);
    if (!d)
        return false;
    st->kind = ds->remove_type == PG_QUERY__OBJECT_TYPE__OBJECT_SEQUENCE ? SQL_SEQUENCE : SQL_DROP;
    d->seq_op = SQL_SEQ_DROP;
    d->missing_ok = ds->missing_ok;
    for (size_t i = 0; i < ds->n_objects; i++) {
        const node_t *o = ds->objects[i];
        if (o->node_case != PG_QUERY__NODE__NODE_LIST)
            return xl_refuse(t, "this DROP target is not supported");
        const PgQuery__List *l = o->list;
        if (l->n_items == 2) {
            const char *schema = xl_str(l->items[0]);
            if (!schema || strcmp(schema, "public") != 0)
                return xl_refuse(t, "schema \"%s\" is not supported on the SQLite backend",
                                 schema ? schema : "?");
        } else if (l->n_items != 1) {
            return xl_refuse(t, "cross-database references are not supported");
        }
        if (!xl_add_name(t, &d->names, &d->n_names, xl_str(l->items[l->n_items - 1])))
            return false;
    }
    return !t->failed;
}

static bool xl_create_view(struct tr *t, struct sql_stmt *st, const PgQuery__ViewStmt *vs)
{
    snprintf(st->tag, sizeof st->tag, "CREATE VIEW");
    if (vs->replace)
        return xl_refuse(t, "CREATE OR REPLACE VIEW is not supported on the SQLite backend");
    if (vs->n_options || vs->with_check_option != PG_QUERY__VIEW_CHECK_OPTION__NO_CHECK_OPTION)
        return xl_refuse(t, "view options are not supported on the SQLite backend");
    bool temp = vs->view->relpersistence && vs->view->relpersistence[0] == 't';
    xl_put(t, temp ? "CREATE TEMP VIEW " : "CREATE VIEW ");
    if (!xl_range_var(t, vs->view))
        return false;
    if (vs->n_aliases) {
        xl_put(t, " ");
        if (!xl_name_list(t, vs->aliases, vs->n_aliases))
            return false;
    }
    xl_put(t, " AS ");
    return xl_select(t, vs->query->select_stmt, true);
}

static bool xl_alter_table(struct tr *t, struct sql_stmt *st, const PgQuery__AlterTableStmt *as)
{
    if (as->objtype != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
        return xl_refuse(t, "this ALTER statement is not supported on the SQLite backend");
    snprintf(st->tag, sizeof st->tag, "ALTER TABLE");
    const PgQuery__AlterTableCmd *c = as->cmds[0]->alter_table_cmd;
    /* ADD COLUMN and DROP COLUMN alone are done by SQLite in place; the rest by a rebuild. */
    if (as->n_cmds != 1 || as->missing_ok ||
        (c->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn &&
         c->subtype != PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn))
        return xl_alter_rebuild(t, st, as);
    xl_put(t, "ALTER TABLE ");
    if (!xl_range_var(t, as->relation))
        return false;
    switch (c->subtype) {
    case PG_QUERY__ALTER_TABLE_TYPE__AT_AddColumn: {
        if (c->missing_ok)
            return xl_refuse(t, "ADD COLUMN IF NOT EXISTS is not supported on the SQLite "
                                "backend");
        const PgQuery__ColumnDef *cd = c->def->column_def;
        for (size_t i = 0; i < cd->n_constraints; i++) {
            int ct = cd->constraints[i]->constraint->contype;
            if (ct == PG_QUERY__CONSTR_TYPE__CONSTR_PRIMARY ||
                ct == PG_QUERY__CONSTR_TYPE__CONSTR_UNIQUE)
                return xl_refuse(t, "ADD COLUMN with PRIMARY KEY or UNIQUE is not supported on "
                                    "the SQLite backend");
        }
        xl_put(t, " ADD COLUMN ");
        return xl_column_def(t, cd, false, NULL, NULL);
    }
    case PG_QUERY__ALTER_TABLE_TYPE__AT_DropColumn:
        if (c->missing_ok)
            return xl_refuse(t, "DROP COLUMN IF EXISTS is not supported on the SQLite backend");
        if (c->behavior == PG_QUERY__DROP_BEHAVIOR__DROP_CASCADE)
            return xl_refuse(t, "DROP COLUMN ... CASCADE is not supported on the SQLite backend");
        xl_put(t, " DROP COLUMN ");
        xl_ident(t, c->name);
        return !t->failed;
    default:
        return xl_refuse(t, "this ALTER TABLE action is not supported on the SQLite backend yet");
    }
}

/* After a rename, the sequences the table or column owns follow it (SQL_DDL bookkeeping). */
static bool xl_rename_owner(struct tr *t, struct sql_stmt *st, const char *table,
                            const char *column, const char *new_name)
{
    struct sql_ddl *d = xl_ddl_of(t, st);
    if (!d)
        return false;
    st->kind = SQL_DDL;
    d->table = strdup(table);
    d->new_name = strdup(new_name);
    if (column)
        d->column = strdup(column);
    if (!d->table || !d->new_name || (column && !d->column))
        return xl_fail(t, "53200", "out of memory");
    return !t->failed;
}

static bool xl_rename(struct tr *t, struct sql_stmt *st, const PgQuery__RenameStmt *rs)
{
    if (rs->missing_ok)
        return xl_refuse(t, "ALTER ... IF EXISTS is not supported on the SQLite backend");
    switch (rs->rename_type) {
    case PG_QUERY__OBJECT_TYPE__OBJECT_TABLE:
        snprintf(st->tag, sizeof st->tag, "ALTER TABLE");
        xl_put(t, "ALTER TABLE ");
        if (!xl_range_var(t, rs->relation))
            return false;
        xl_put(t, " RENAME TO ");
        xl_ident(t, rs->newname);
        return xl_rename_owner(t, st, rs->relation->relname, NULL, rs->newname);
    case PG_QUERY__OBJECT_TYPE__OBJECT_COLUMN:
        if (rs->relation_type != PG_QUERY__OBJECT_TYPE__OBJECT_TABLE)
            break;
        snprintf(st->tag, sizeof st->tag, "ALTER TABLE");
        xl_put(t, "ALTER TABLE ");
        if (!xl_range_var(t, rs->relation))
            return false;
        xl_put(t, " RENAME COLUMN ");
        xl_ident(t, rs->subname);
        xl_put(t, " TO ");
        xl_ident(t, rs->newname);
        return xl_rename_owner(t, st, rs->relation->relname, rs->subname, rs->newname);
    default:
        break;
    }
    return xl_refuse(t, "this RENAME is not supported on the SQLite backend");
}

bool xl_ddl(struct tr *t, const node_t *n, struct sql_stmt *st, bool *handled)
{
    *handled = true;
    st->writes = true;
    switch (n->node_case) {
    case PG_QUERY__NODE__NODE_CREATE_STMT:
        return xl_create_table(t, st, n->create_stmt);
    case PG_QUERY__NODE__NODE_INDEX_STMT:
        return xl_create_index(t, st, n->index_stmt);
    case PG_QUERY__NODE__NODE_DROP_STMT:
        return xl_drop(t, st, n->drop_stmt);
    case PG_QUERY__NODE__NODE_VIEW_STMT:
        return xl_create_view(t, st, n->view_stmt);
    case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
        return xl_alter_table(t, st, n->alter_table_stmt);
    case PG_QUERY__NODE__NODE_RENAME_STMT:
        return xl_rename(t, st, n->rename_stmt);
    case PG_QUERY__NODE__NODE_TRUNCATE_STMT:
        return xl_truncate(t, st, n->truncate_stmt);
    case PG_QUERY__NODE__NODE_CREATE_SCHEMA_STMT: {
        const PgQuery__CreateSchemaStmt *cs = n->create_schema_stmt;
        snprintf(st->tag, sizeof st->tag, "CREATE SCHEMA");
        if (strcmp(cs->schemaname, "public") != 0 || cs->n_schema_elts)
            return xl_refuse(t,
                             "CREATE SCHEMA %s is not supported on the SQLite backend (only "
                             "public exists)",
                             cs->schemaname);
        if (!cs->if_not_exists)
            return xl_fail(t, "42P06", "schema \"public\" already exists");
        st->kind = SQL_NOTICE_NOOP;
        st->writes = false;
        st->notice = strdup("schema \"public\" already exists, skipping");
        return true;
    }
    case PG_QUERY__NODE__NODE_COMMENT_STMT:
        snprintf(st->tag, sizeof st->tag, "COMMENT");
        st->kind = SQL_NOTICE_NOOP;
        st->writes = false;
        st->notice = strdup("COMMENT is not stored on the SQLite backend");
        return true;
    case PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT:
        return xl_refuse(t, "CREATE TABLE AS is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_CREATE_SEQ_STMT:
    case PG_QUERY__NODE__NODE_ALTER_SEQ_STMT:
        return xl_sequence_stmt(t, st, n);
    case PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT:
        return xl_refuse(t, "CREATE FUNCTION is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_CREATE_TRIG_STMT:
        return xl_refuse(t, "CREATE TRIGGER is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_CREATE_EXTENSION_STMT:
        return xl_refuse(t, "CREATE EXTENSION is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_CREATE_ENUM_STMT:
    case PG_QUERY__NODE__NODE_CREATE_DOMAIN_STMT:
    case PG_QUERY__NODE__NODE_COMPOSITE_TYPE_STMT:
        return xl_refuse(t, "CREATE TYPE / DOMAIN is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_GRANT_STMT:
    case PG_QUERY__NODE__NODE_GRANT_ROLE_STMT:
        return xl_refuse(t, "GRANT / REVOKE is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_LOCK_STMT:
        return xl_refuse(t, "LOCK is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_PREPARE_STMT:
    case PG_QUERY__NODE__NODE_EXECUTE_STMT:
        return xl_refuse(t, "SQL-level PREPARE / EXECUTE is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_DECLARE_CURSOR_STMT:
    case PG_QUERY__NODE__NODE_FETCH_STMT:
    case PG_QUERY__NODE__NODE_CLOSE_PORTAL_STMT:
        return xl_refuse(t, "cursors (DECLARE / FETCH / CLOSE) are not supported on the SQLite "
                            "backend");
    case PG_QUERY__NODE__NODE_DO_STMT:
        return xl_refuse(t, "DO is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_MERGE_STMT:
        return xl_refuse(t, "MERGE is not supported on the SQLite backend");
    case PG_QUERY__NODE__NODE_CALL_STMT:
        return xl_refuse(t, "CALL is not supported on the SQLite backend");
    default:
        st->writes = false;
        *handled = false;
        return true;
    }
}
