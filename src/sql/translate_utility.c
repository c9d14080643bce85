/*
 * Utility statements for the SQLite backend: transactions and savepoints, SET / RESET / SHOW,
 * and COPY. Most become a statement kind the backend carries out itself (include/sql/translate.h);
 * COPY TO also gets the SELECT that produces its rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "translate_int.h"

/* ---- utility statements ---- */

char *xl_lower_dup(const char *s)
{
    char *r = strdup(s);
    for (char *p = r; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return r;
}

bool xl_transaction(struct tr *t, struct sql_stmt *st, const PgQuery__TransactionStmt *s)
{
    const char *tag = NULL;
    switch (s->kind) {
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN:
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_START:
        st->kind = SQL_BEGIN;
        tag = s->kind == PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_BEGIN ? "BEGIN"
                                                                           : "START TRANSACTION";
        for (size_t i = 0; i < s->n_options; i++) {
            const PgQuery__DefElem *d = s->options[i]->def_elem;
            if (!strcmp(d->defname, "transaction_deferrable"))
                continue;
            if (!strcmp(d->defname, "transaction_read_only"))
                continue;
            if (!strcmp(d->defname, "transaction_isolation"))
                continue; /* every level is served as SERIALIZABLE, which is allowed */
            return xl_refuse(t, "transaction option %s is not supported", d->defname);
        }
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_COMMIT:
        st->kind = SQL_COMMIT;
        tag = "COMMIT";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK:
        st->kind = SQL_ROLLBACK;
        tag = "ROLLBACK";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_SAVEPOINT:
        st->kind = SQL_SAVEPOINT;
        tag = "SAVEPOINT";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_RELEASE:
        st->kind = SQL_RELEASE;
        tag = "RELEASE";
        break;
    case PG_QUERY__TRANSACTION_STMT_KIND__TRANS_STMT_ROLLBACK_TO:
        st->kind = SQL_ROLLBACK_TO;
        tag = "ROLLBACK";
        break;
    default:
        return xl_refuse(t, "two-phase commit is not supported on the SQLite backend");
    }
    if (s->chain)
        return xl_refuse(t, "AND CHAIN is not supported on the SQLite backend");
    snprintf(st->tag, sizeof st->tag, "%s", tag);
    if (s->savepoint_name && *s->savepoint_name)
        st->name = strdup(s->savepoint_name);
    return true;
}

/* The value of SET as text: strings unquoted, numbers as written, lists joined by ", ". */
static bool set_value_text(struct tr *t, node_t *const *args, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const node_t *a = args[i];
        if (i)
            xl_put(t, ", ");
        if (a->node_case == PG_QUERY__NODE__NODE_TYPE_CAST)
            a = a->type_cast->arg; /* SET TIME ZONE INTERVAL '...' */
        if (a->node_case != PG_QUERY__NODE__NODE_A_CONST)
            return xl_refuse(t, "this SET value is not supported");
        const PgQuery__AConst *c = a->a_const;
        switch (c->val_case) {
        case PG_QUERY__A__CONST__VAL_IVAL:
            xl_printf(t, "%d", c->ival->ival);
            break;
        case PG_QUERY__A__CONST__VAL_FVAL:
            xl_put(t, c->fval->fval);
            break;
        case PG_QUERY__A__CONST__VAL_SVAL:
            xl_put(t, c->sval->sval);
            break;
        case PG_QUERY__A__CONST__VAL_BOOLVAL:
            xl_put(t, c->boolval->boolval ? "on" : "off");
            break;
        default:
            return xl_refuse(t, "this SET value is not supported");
        }
    }
    return !t->failed;
}

bool xl_set(struct tr *t, struct sql_stmt *st, const PgQuery__VariableSetStmt *s)
{
    st->is_local = s->is_local;
    switch (s->kind) {
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_VALUE:
        st->kind = SQL_SET;
        snprintf(st->tag, sizeof st->tag, "SET");
        st->name = xl_lower_dup(s->name);
        if (!set_value_text(t, s->args, s->n_args))
            return false;
        st->value = strdup(t->buf ? t->buf : "");
        t->len = 0;
        return true;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_DEFAULT:
        st->kind = SQL_SET;
        snprintf(st->tag, sizeof st->tag, "SET");
        st->name = xl_lower_dup(s->name);
        return true;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET:
        st->kind = SQL_RESET;
        snprintf(st->tag, sizeof st->tag, "RESET");
        st->name = xl_lower_dup(s->name);
        return true;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_RESET_ALL:
        st->kind = SQL_RESET;
        snprintf(st->tag, sizeof st->tag, "RESET");
        return true;
    case PG_QUERY__VARIABLE_SET_KIND__VAR_SET_MULTI:
        /* SET TRANSACTION / SESSION CHARACTERISTICS: SQLite is always serializable. */
        st->kind = SQL_NOTICE_NOOP;
        snprintf(st->tag, sizeof st->tag, "SET");
        st->notice = strdup("transaction characteristics have no effect on the SQLite backend: "
                            "every transaction is serializable");
        return true;
    default:
        return xl_refuse(t, "SET ... FROM CURRENT is not supported on the SQLite backend");
    }
}

static char copy_opt_char(struct tr *t, const PgQuery__DefElem *d)
{
    const char *v = d->arg ? xl_str(d->arg) : NULL;
    if (!v || strlen(v) != 1) {
        xl_fail(t, "0A000", "COPY %s must be a single one-byte character", d->defname);
        return 0;
    }
    return v[0];
}

static bool copy_opt_bool(const PgQuery__DefElem *d)
{
    if (!d->arg)
        return true;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
        return d->arg->boolean->boolval;
    if (d->arg->node_case == PG_QUERY__NODE__NODE_INTEGER)
        return d->arg->integer->ival != 0;
    const char *v = xl_str(d->arg);
    return v && (!strcmp(v, "true") || !strcmp(v, "on") || !strcmp(v, "1"));
}

static char *quoted_dup(const char *name)
{
    struct tr q = {0};
    struct sql_error e;
    q.err = &e;
    xl_ident(&q, name);
    return q.buf;
}

bool xl_copy(struct tr *t, struct sql_stmt *st, const PgQuery__CopyStmt *s)
{
    struct sql_copy *c = &st->copy;
    if ((s->filename && *s->filename) || s->is_program)
        return xl_refuse(t, "COPY to or from a file or program is not supported on the SQLite "
                            "backend; use STDIN/STDOUT");
    if (s->where_clause)
        return xl_refuse(t, "COPY FROM ... WHERE is not supported on the SQLite backend");
    snprintf(st->tag, sizeof st->tag, "COPY");
    c->delimiter = '\t';
    c->quote = '"';
    c->escape = 0;
    const char *null_string = NULL;
    for (size_t i = 0; i < s->n_options; i++) {
        const PgQuery__DefElem *d = s->options[i]->def_elem;
        if (!strcmp(d->defname, "format")) {
            const char *v = xl_str(d->arg);
            if (v && !strcmp(v, "csv"))
                c->csv = true;
            else if (!v || strcmp(v, "text") != 0)
                return xl_refuse(t, "COPY format \"%s\" is not supported on the SQLite backend",
                                 v ? v : "?");
        } else if (!strcmp(d->defname, "header")) {
            c->header = copy_opt_bool(d);
        } else if (!strcmp(d->defname, "delimiter")) {
            c->delimiter = copy_opt_char(t, d);
        } else if (!strcmp(d->defname, "quote")) {
            c->quote = copy_opt_char(t, d);
        } else if (!strcmp(d->defname, "escape")) {
            c->escape = copy_opt_char(t, d);
        } else if (!strcmp(d->defname, "null")) {
            null_string = xl_str(d->arg);
        } else if (!strcmp(d->defname, "encoding")) {
            const char *v = xl_str(d->arg);
            if (!v || (strcasecmp(v, "utf8") != 0 && strcasecmp(v, "utf-8") != 0))
                return xl_refuse(t, "COPY encoding other than UTF8 is not supported");
        } else if (!strcmp(d->defname, "freeze")) {
            if (copy_opt_bool(d) && !st->notice)
                st->notice = strdup("COPY FREEZE has no effect on the SQLite backend");
            continue;
        } else {
            return xl_refuse(t, "COPY option %s is not supported on the SQLite backend",
                             d->defname);
        }
        if (t->failed)
            return false;
    }
    bool delim_given = false;
    for (size_t i = 0; i < s->n_options; i++)
        if (!strcmp(s->options[i]->def_elem->defname, "delimiter"))
            delim_given = true;
    if (c->csv && !delim_given)
        c->delimiter = ',';
    if (!c->escape)
        c->escape = c->csv ? c->quote : '\\';
    c->null_string = strdup(null_string ? null_string : (c->csv ? "" : "\\N"));
    if (s->relation) {
        struct tr q = {0};
        q.err = t->err;
        if (!xl_range_var(&q, s->relation)) {
            free(q.buf);
            t->failed = true;
            return false;
        }
        c->table = q.buf;
        if (s->n_attlist) {
            c->columns = calloc(s->n_attlist, sizeof *c->columns);
            for (size_t i = 0; c->columns && i < s->n_attlist; i++)
                c->columns[i] = quoted_dup(xl_str(s->attlist[i]));
            c->n_columns = (int)s->n_attlist;
        }
    }
    if (s->is_from) {
        st->kind = SQL_COPY_FROM;
        st->writes = true;
        if (!s->relation)
            return xl_fail(t, "42601", "COPY FROM needs a table");
        return true;
    }
    st->kind = SQL_COPY_TO;
    if (s->query) {
        const node_t *q = s->query;
        if (q->node_case != PG_QUERY__NODE__NODE_SELECT_STMT)
            return xl_refuse(t, "COPY (INSERT/UPDATE/DELETE ... RETURNING) TO is not supported "
                                "on the SQLite backend");
        if (!xl_select(t, q->select_stmt, true))
            return false;
        return xl_select_columns(t, st, q->select_stmt);
    }
    xl_put(t, "SELECT ");
    if (c->n_columns) {
        for (int i = 0; i < c->n_columns; i++) {
            if (i)
                xl_put(t, ", ");
            xl_put(t, c->columns[i]);
        }
    } else {
        xl_put(t, "*");
    }
    xl_put(t, " FROM ");
    xl_put(t, c->table);
    return !t->failed;
}

bool xl_show(struct tr *t, struct sql_stmt *st, const PgQuery__VariableShowStmt *s)
{
    /* PostgreSQL lists its ~350 settings; the backend keeps a few: not the same answer. */
    if (strcasecmp(s->name, "all") == 0)
        return xl_refuse(t, "SHOW ALL is not supported on the SQLite backend, which keeps only "
                            "some settings: SHOW name, or SELECT name, setting FROM pg_settings");
    st->kind = SQL_SHOW;
    snprintf(st->tag, sizeof st->tag, "SHOW");
    st->returns_rows = true;
    st->name = xl_lower_dup(s->name);
    return true;
}
