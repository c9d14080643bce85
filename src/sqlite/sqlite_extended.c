/*
 * The extended query protocol of an SQLite session: Parse, Bind, Describe, Execute, Close and
 * Sync over named and unnamed statements and portals, with the implicit transaction that the
 * statements up to a Sync form. Statements run through the same paths as the simple protocol
 * (sqlite_exec.c).
 */
#include <event2/buffer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite/session.h"
#include "util/log.h"
#include "util/util.h"

/* ---------------------------------------------------------------------------------------- */
/* Extended protocol */

static struct sq_prepared *sq_find_prepared(struct sq_session *s, const char *name)
{
    struct list *pos;
    for (pos = s->prepared.next; pos != &s->prepared; pos = pos->next) {
        struct sq_prepared *p = list_entry(pos, struct sq_prepared, node);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static struct sq_portal *sq_find_portal(struct sq_session *s, const char *name)
{
    struct list *pos;
    for (pos = s->portals.next; pos != &s->portals; pos = pos->next) {
        struct sq_portal *p = list_entry(pos, struct sq_portal, node);
        if (strcmp(p->name, name) == 0)
            return p;
    }
    return NULL;
}

static void sq_prepared_free(struct sq_prepared *p)
{
    list_del(&p->node);
    sql_stmt_list_free(&p->list);
    free(p->param_types);
    free(p->name);
    free(p->text);
    free(p);
}

static void sq_portal_free(struct sq_portal *p)
{
    list_del(&p->node);
    if (p->st)
        sqlite3_finalize(p->st);
    if (p->ps && --p->ps->refs == 0 && p->ps->dropped)
        sq_prepared_free(p->ps);
    free(p->formats);
    free(p->col_types);
    free(p->col_mods);
    free(p->name);
    free(p);
}

/* Drop a statement; as in PostgreSQL, portals made from it live on (it goes with the last). */
static void sq_drop_prepared(struct sq_session *s, struct sq_prepared *p)
{
    (void)s;
    if (p->refs > 0) {
        list_del(&p->node);
        p->dropped = true;
        return;
    }
    sq_prepared_free(p);
}

void sq_free_statements(struct sq_session *s)
{
    struct list *node;
    while ((node = s->portals.next) != &s->portals)
        sq_portal_free(list_entry(node, struct sq_portal, node));
    while ((node = s->prepared.next) != &s->prepared)
        sq_prepared_free(list_entry(node, struct sq_prepared, node));
}

bool sq_deallocate(struct sq_session *s, const char *name)
{
    struct list *pos, *tmp;
    if (name) {
        struct sq_prepared *p = sq_find_prepared(s, name);
        if (!p || !name[0]) {
            sq_error(s, "26000", 0, "prepared statement \"%s\" does not exist", name);
            return false;
        }
        sq_drop_prepared(s, p);
        return true;
    }
    for (pos = s->prepared.next, tmp = pos->next; pos != &s->prepared; pos = tmp, tmp = pos->next) {
        struct sq_prepared *p = list_entry(pos, struct sq_prepared, node);
        if (p->name[0])
            sq_drop_prepared(s, p);
    }
    return true;
}

void sq_discard_all(struct sq_session *s)
{
    sq_free_statements(s);
    sq_reset(s, NULL);
}

static void sq_protocol_error(struct sq_session *s, const char *what)
{
    sq_error(s, "08P01", 0, "invalid %s message", what);
    s->skip_to_sync = true;
}

void sq_parse(struct sq_session *s, const uint8_t *body, size_t len)
{
    struct proto_reader r;
    const char *name, *query;
    uint16_t n;
    struct sq_prepared *p, *old;
    struct sql_error err;

    proto_reader_init(&r, body, len);
    name = proto_get_str(&r);
    query = proto_get_str(&r);
    n = proto_get_u16(&r);
    if (r.failed || proto_remaining(&r) < (size_t)n * 4) {
        sq_protocol_error(s, "Parse");
        return;
    }
    p = xcalloc(1, sizeof(*p));
    list_init(&p->node);
    memset(&err, 0, sizeof(err));
    if (!sql_translate(query, &p->list, &err)) {
        sq_report(s, "ERROR", err.sqlstate, err.position, err.hint[0] ? err.hint : NULL, "%s",
                  err.message);
        if (s->tx == 'T')
            s->tx = 'E';
        s->skip_to_sync = true;
        free(p);
        return;
    }
    if (p->list.n > 1) {
        sql_stmt_list_free(&p->list);
        free(p);
        sq_error(s, "42601", 0, "cannot insert multiple commands into a prepared statement");
        s->skip_to_sync = true;
        return;
    }
    /* As PostgreSQL: a failed transaction first (25P02), then a name already taken. */
    old = sq_find_prepared(s, name);
    bool failed = p->list.n == 1 && sq_tx_failed(s, &p->list.v[0]);
    if (failed || (old && name[0])) {
        if (!failed)
            sq_error(s, "42P05", 0, "prepared statement \"%s\" already exists", name);
        sql_stmt_list_free(&p->list);
        free(p);
        s->skip_to_sync = true;
        return;
    }
    if (old)
        sq_drop_prepared(s, old);
    p->name = xstrdup(name);
    p->text = xstrdup(query);
    {
        int want = p->list.n ? p->list.v[0].n_params : 0;
        int total = want > n ? want : n;
        p->n_param_types = total;
        p->param_types = xcalloc((size_t)total + 1, sizeof(*p->param_types));
        for (int i = 0; i < n; i++)
            p->param_types[i] = proto_get_u32(&r);
        for (int i = 0; i < total; i++) {
            const struct sql_stmt *st = p->list.n ? &p->list.v[0] : NULL;
            if (p->param_types[i] || !st || i >= st->n_params)
                continue;
            if (st->param_types)
                p->param_types[i] = st->param_types[i];
            /* Typed by a table column: its declared type, as PostgreSQL's parse analysis. */
            if (!p->param_types[i] && st->param_origins && st->param_origins[i].rel)
                p->param_types[i] = sq_param_type(s->db, &st->param_origins[i]);
        }
        /* Result columns that are a parameter or computed with one follow its type. */
        for (int i = 0; p->list.n && i < p->list.v[0].n_columns; i++) {
            struct sql_column *c = &p->list.v[0].columns[i];
            if (c->param > 0 && c->param <= total)
                c->param_type = p->param_types[c->param - 1];
        }
    }
    list_add_tail(&s->prepared, &p->node);
    proto_begin(&s->out, '1');
    proto_end(&s->out);
}

/* A hash of a prepared statement's result columns: count, names and declared types. */
static uint64_t sq_result_sig(sqlite3_stmt *st)
{
    uint64_t h = 1469598103934665603ULL;
    int n = sqlite3_column_count(st);
    for (int i = 0; i < n; i++) {
        const char *parts[2] = {sqlite3_column_name(st, i), sqlite3_column_decltype(st, i)};
        for (int k = 0; k < 2; k++) {
            for (const char *c = parts[k] ? parts[k] : ""; *c; c++)
                h = (h ^ (uint8_t)*c) * 1099511628211ULL;
            h = (h ^ 0xff) * 1099511628211ULL;
        }
    }
    return (h ^ (uint64_t)n) * 1099511628211ULL;
}

void sq_bind(struct sq_session *s, const uint8_t *body, size_t len)
{
    struct proto_reader r;
    const char *pname, *sname;
    uint16_t n_fmt, n_params, n_res;
    int16_t *pfmt = NULL;
    struct sq_prepared *ps;
    struct sq_portal *po;
    const struct sql_stmt *stmt;
    char errbuf[512];

    proto_reader_init(&r, body, len);
    pname = proto_get_str(&r);
    sname = proto_get_str(&r);
    n_fmt = proto_get_u16(&r);
    if (r.failed) {
        sq_protocol_error(s, "Bind");
        return;
    }
    ps = sq_find_prepared(s, sname);
    if (!ps) {
        sq_error(s, "26000", 0, "prepared statement \"%s\" does not exist", sname);
        s->skip_to_sync = true;
        return;
    }
    if (pname[0] && sq_find_portal(s, pname)) {
        sq_error(s, "42P03", 0, "cursor \"%s\" already exists", pname);
        s->skip_to_sync = true;
        return;
    }
    if ((po = sq_find_portal(s, pname)) != NULL)
        sq_portal_free(po);
    stmt = ps->list.n ? &ps->list.v[0] : NULL;
    if (stmt && sq_tx_failed(s, stmt)) {
        s->skip_to_sync = true;
        return;
    }
    pfmt = xcalloc((size_t)n_fmt + 1, sizeof(*pfmt));
    for (int i = 0; i < n_fmt; i++)
        pfmt[i] = (int16_t)proto_get_u16(&r);
    n_params = proto_get_u16(&r);
    if (r.failed || (n_fmt > 1 && n_fmt != n_params)) {
        free(pfmt);
        sq_protocol_error(s, "Bind");
        return;
    }
    if (stmt && n_params != stmt->n_params) {
        free(pfmt);
        sq_error(s, "08P01", 0,
                 "bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
                 n_params, sname, stmt->n_params);
        s->skip_to_sync = true;
        return;
    }
    po = xcalloc(1, sizeof(*po));
    list_init(&po->node);
    po->name = xstrdup(pname);
    po->ps = ps;
    ps->refs++;
    list_add_tail(&s->portals, &po->node);
    if (stmt && stmt->kind == SQL_EXEC) {
        if (!sq_ensure_begun(s, stmt->writes) || !sq_prepare(s, stmt, &po->st))
            goto fail;
        uint64_t sig = sq_result_sig(po->st);
        if (ps->has_result_sig && sig != ps->result_sig) {
            sq_error(s, "0A000", 0, "cached plan must not change result type");
            goto fail;
        }
        ps->result_sig = sig;
        ps->has_result_sig = true;
    }
    for (int i = 0; i < n_params; i++) {
        uint32_t plen = proto_get_u32(&r);
        int fmt = n_fmt == 0 ? 0 : n_fmt == 1 ? pfmt[0] : pfmt[i];
        const char *err = NULL;
        if (r.failed)
            goto bad;
        if (plen == 0xFFFFFFFFu) {
            if (po->st)
                sqlite3_bind_null(po->st, i + 1);
            continue;
        }
        const uint8_t *data = proto_get_bytes(&r, plen);
        if (r.failed)
            goto bad;
        if (po->st &&
            !pgtype_bind(po->st, i + 1, i < ps->n_param_types ? ps->param_types[i] : 0,
                         (const char *)data, plen, fmt, &s->fs, &err, errbuf, sizeof(errbuf))) {
            sq_error_text(s, err, "22P02");
            goto fail;
        }
    }
    n_res = proto_get_u16(&r);
    if (r.failed)
        goto bad;
    po->n_cols = po->st ? sqlite3_column_count(po->st) : 0;
    po->n_formats = po->n_cols;
    po->formats = xcalloc((size_t)po->n_cols + 1, sizeof(*po->formats));
    {
        int16_t f0 = 0;
        for (int i = 0; i < n_res; i++) {
            int16_t f = (int16_t)proto_get_u16(&r);
            if (i == 0)
                f0 = f;
            if (n_res > 1 && i < po->n_cols)
                po->formats[i] = f;
        }
        if (n_res == 1)
            for (int i = 0; i < po->n_cols; i++)
                po->formats[i] = f0;
    }
    if (r.failed)
        goto bad;
    po->col_types = xcalloc((size_t)po->n_cols + 1, sizeof(*po->col_types));
    po->col_mods = xcalloc((size_t)po->n_cols + 1, sizeof(*po->col_mods));
    free(pfmt);
    proto_begin(&s->out, '2');
    proto_end(&s->out);
    return;
bad:
    sq_protocol_error(s, "Bind");
fail:
    free(pfmt);
    sq_portal_free(po);
    s->skip_to_sync = true;
}

static void sq_param_description(struct sq_session *s, const struct sq_prepared *ps)
{
    int n = ps->list.n ? ps->list.v[0].n_params : 0;
    proto_begin(&s->out, 't');
    proto_put_u16(&s->out, (uint16_t)n);
    for (int i = 0; i < n; i++)
        proto_put_u32(&s->out, i < ps->n_param_types && ps->param_types[i] ? ps->param_types[i]
                                                                           : PGOID_TEXT);
    proto_end(&s->out);
}

/* RowDescription (or NoData) of a statement without running it. */
static void sq_describe_rows(struct sq_session *s, const struct sql_stmt *stmt, sqlite3_stmt *st,
                             uint32_t *types, int32_t *mods, const int16_t *formats)
{
    int n = st ? sqlite3_column_count(st) : 0;
    if (stmt && stmt->kind == SQL_SHOW) {
        proto_begin(&s->out, 'T');
        proto_put_u16(&s->out, 1);
        proto_put_str(&s->out,
                      sq_guc_reported(stmt->name) ? sq_guc_reported(stmt->name) : stmt->name);
        proto_put_u32(&s->out, 0);
        proto_put_u16(&s->out, 0);
        proto_put_u32(&s->out, PGOID_TEXT);
        proto_put_u16(&s->out, (uint16_t)-1);
        proto_put_u32(&s->out, (uint32_t)-1);
        proto_put_u16(&s->out, 0);
        proto_end(&s->out);
        return;
    }
    if (n == 0) {
        proto_begin(&s->out, 'n');
        proto_end(&s->out);
        return;
    }
    sq_column_types(stmt, st, false, types, mods, n);
    sq_row_description(s, stmt, st, types, mods, n, formats);
}

/* The body of Describe and Close: 'S' (statement) or 'P' (portal) and a name; false after a
 * protocol error was sent. */
static bool sq_read_target(struct sq_session *s, const uint8_t *body, size_t len,
                           const char *message, uint8_t *what, const char **name)
{
    struct proto_reader r;
    proto_reader_init(&r, body, len);
    *what = proto_get_u8(&r);
    *name = proto_get_str(&r);
    if (r.failed || (*what != 'S' && *what != 'P')) {
        sq_protocol_error(s, message);
        return false;
    }
    return true;
}

/*
 * Describe of a portal that the next message, already read, executes: its RowDescription goes
 * out with the Execute's first row, inside the statement's own read transaction (the catalog
 * lookups of the description would otherwise cost one more). Only for a read outside a
 * transaction block, whose Execute can fail only in the statement itself (sq_run then sends the
 * RowDescription before the error, in PostgreSQL's order).
 */
static bool sq_describe_with_execute(struct sq_session *s, const struct sq_portal *po,
                                     const char *name)
{
    const struct sql_stmt *stmt = po->ps->list.n ? &po->ps->list.v[0] : NULL;
    size_t avail = s->in_len - s->in_pos, n = strlen(name) + 1;
    const uint8_t *next = s->in + s->in_pos;
    if (!stmt || stmt->kind != SQL_EXEC || stmt->writes || stmt->notice || !po->st || po->done ||
        s->tx != 'I' || sqlite3_column_count(po->st) == 0)
        return false;
    /* 'E', length, portal name, row limit */
    return avail >= 5 + n + 4 && next[0] == 'E' && proto_read_u32(next + 1) == 4 + n + 4 &&
           memcmp(next + 5, name, n) == 0;
}

void sq_describe(struct sq_session *s, const uint8_t *body, size_t len)
{
    uint8_t what;
    const char *name;

    if (!sq_read_target(s, body, len, "Describe", &what, &name))
        return;
    if (what == 'S') {
        struct sq_prepared *ps = sq_find_prepared(s, name);
        const struct sql_stmt *stmt;
        sqlite3_stmt *st = NULL;
        if (!ps) {
            sq_error(s, "26000", 0, "prepared statement \"%s\" does not exist", name);
            s->skip_to_sync = true;
            return;
        }
        stmt = ps->list.n ? &ps->list.v[0] : NULL;
        sq_param_description(s, ps);
        if (stmt && stmt->kind == SQL_EXEC) {
            uint32_t *types;
            int32_t *mods;
            int n;
            if (!sq_prepare(s, stmt, &st)) {
                s->skip_to_sync = true;
                return;
            }
            n = sqlite3_column_count(st);
            types = xcalloc((size_t)n + 1, sizeof(*types));
            mods = xcalloc((size_t)n + 1, sizeof(*mods));
            sq_describe_rows(s, stmt, st, types, mods, NULL);
            free(types);
            free(mods);
            sqlite3_finalize(st);
        } else {
            sq_describe_rows(s, stmt, NULL, NULL, NULL, NULL);
        }
        return;
    }
    {
        struct sq_portal *po = sq_find_portal(s, name);
        if (!po) {
            sq_error(s, "34000", 0, "portal \"%s\" does not exist", name);
            s->skip_to_sync = true;
            return;
        }
        if (sq_describe_with_execute(s, po, name)) {
            po->describe_pending = true;
            return;
        }
        sq_describe_rows(s, po->ps->list.n ? &po->ps->list.v[0] : NULL, po->st, po->col_types,
                         po->col_mods, po->formats);
        po->described = po->st && sqlite3_column_count(po->st) > 0;
    }
}

/*
 * Outside a transaction block, the Executes up to a Sync form one implicit transaction, as in
 * PostgreSQL: a later failure undoes the earlier statements. When Sync is the very next message
 * (the usual Parse/Bind/Execute/Sync), SQLite's autocommit is that transaction already.
 */
static void sq_implicit_begin(struct sq_session *s, const struct sql_stmt *stmt)
{
    if (s->tx != 'I' || sq_is_tx_control(stmt->kind) || stmt->kind == SQL_DISCARD_ALL)
        return;
    if (s->in_pos < s->in_len && s->in[s->in_pos] == 'S')
        return;
    s->tx = 'T';
    s->implicit = true;
    s->fn.xact_start_us = sq_now_us();
}

void sq_execute(struct sq_session *s, const uint8_t *body, size_t len)
{
    struct proto_reader r;
    const char *name;
    uint32_t max_rows;
    struct sq_portal *po;
    const struct sql_stmt *stmt;
    int rc;

    proto_reader_init(&r, body, len);
    name = proto_get_str(&r);
    max_rows = proto_get_u32(&r);
    if (r.failed) {
        sq_protocol_error(s, "Execute");
        return;
    }
    po = sq_find_portal(s, name);
    if (!po) {
        sq_error(s, "34000", 0, "portal \"%s\" does not exist", name);
        s->skip_to_sync = true;
        return;
    }
    stmt = po->ps->list.n ? &po->ps->list.v[0] : NULL;
    bool describe = po->describe_pending;
    po->describe_pending = false;
    if (describe && (s->tx != 'I' || po->done || stmt->writes)) {
        /* (not what sq_describe_with_execute saw: answer the Describe first) */
        sq_describe_rows(s, stmt, po->st, po->col_types, po->col_mods, po->formats);
        po->described = true;
        describe = false;
    }
    if (!stmt) {
        proto_begin(&s->out, 'I');
        proto_end(&s->out);
        return;
    }
    if (sq_tx_failed(s, stmt)) {
        s->skip_to_sync = true;
        return;
    }
    if (po->done) {
        /* Executing a completed portal again returns nothing more. */
        sq_tag_with_count(s, stmt, 0);
        return;
    }
    sq_implicit_begin(s, stmt);
    if (stmt->kind != SQL_EXEC) {
        bool ok;
        po->done = true;
        s->in_execute = true;
        sq_timeout_arm(s);
        ok = sq_utility(s, stmt);
        sq_timeout_disarm(s);
        if (!ok)
            s->skip_to_sync = true;
        s->in_execute = false;
        return;
    }
    if (!sq_ensure_begun(s, stmt->writes)) {
        s->skip_to_sync = true;
        return;
    }
    if (stmt->notice)
        sq_report(s, "NOTICE", "00000", 0, NULL, "%s", stmt->notice);
    {
        bool own = false;
        if (max_rows == 0 && !sq_autocommit_write_begin(s, stmt, po->st, &own)) {
            s->skip_to_sync = true;
            return;
        }
        sq_timeout_arm(s);
        rc = sq_run(s, stmt, po->st, describe ? SQ_DESCRIBE_ALWAYS : 0, po->formats, po->col_types,
                    po->col_mods, &po->described, &po->rows, (int64_t)max_rows);
        sq_timeout_disarm(s);
        if (!sq_autocommit_write_end(s, own, rc == 1) && rc == 1)
            rc = -1;
    }
    if (rc != 0)
        po->done = true;
    if (rc < 0)
        s->skip_to_sync = true;
}

void sq_close(struct sq_session *s, const uint8_t *body, size_t len)
{
    uint8_t what;
    const char *name;

    if (!sq_read_target(s, body, len, "Close", &what, &name))
        return;
    if (what == 'S') {
        struct sq_prepared *ps = sq_find_prepared(s, name);
        if (ps)
            sq_drop_prepared(s, ps);
    } else {
        struct sq_portal *po = sq_find_portal(s, name);
        if (po)
            sq_portal_free(po);
    }
    proto_begin(&s->out, '3');
    proto_end(&s->out);
}

void sq_sync(struct sq_session *s)
{
    struct sq_portal *po;
    s->skip_to_sync = false;
    if (s->implicit) {
        s->implicit = false;
        sq_end_block(s, s->tx == 'T');
    }
    /* The unnamed portal does not outlive its Sync; outside a block nothing else does either. */
    if ((po = sq_find_portal(s, "")) != NULL)
        sq_portal_free(po);
    if (s->tx == 'I') {
        struct list *pos, *tmp;
        for (pos = s->portals.next, tmp = pos->next; pos != &s->portals; pos = tmp, tmp = pos->next)
            sq_portal_free(list_entry(pos, struct sq_portal, node));
    }
    sq_report_settings(s);
    proto_write_ready(&s->out, s->tx);
    sq_flush(s);
}
