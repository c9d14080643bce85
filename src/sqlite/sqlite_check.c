/*
 * The parts of PostgreSQL's parse analysis that need the schema, which the translator does not
 * have: the target columns of an INSERT without a column list (sql_insert_fill) and the check
 * that a grouped query uses no ungrouped column (sql_group_check). Both run in sq_prepare on
 * the session's handle; neither changes the database.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite/session.h"
#include "util/util.h"

/* ---- INSERT without a column list ---- */

int sq_insert_fill(struct sq_session *s, const struct sql_stmt *stmt, char **text)
{
    const struct sql_insert_fill *f = stmt->insert_fill;
    sqlite3_stmt *q = NULL;
    int n = 0;
    bool generated = false;

    *text = NULL;
    /* Generated columns count in PostgreSQL's column order (hidden 2 and 3 here). */
    if (sqlite3_prepare_v2(s->db,
                           "SELECT name, hidden FROM pragma_table_xinfo(?1) WHERE hidden <> 1 "
                           "ORDER BY cid",
                           -1, &q, NULL) != SQLITE_OK)
        return 0;
    sqlite3_str *cols = sqlite3_str_new(s->db);
    sqlite3_bind_text(q, 1, f->table, -1, SQLITE_STATIC);
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (n < f->n_values) {
            sqlite3_str_appendf(cols, "%s\"%w\"", n ? ", " : "",
                                (const char *)sqlite3_column_text(q, 0));
            generated = generated || sqlite3_column_int(q, 1) != 0;
        }
        n++;
    }
    sqlite3_finalize(q);
    char *list = sqlite3_str_finish(cols);
    int rc = 0;
    if (n > 0 && n < f->n_values) {
        sq_error(s, "42601", f->positions[n], "INSERT has more expressions than target columns");
        rc = -1;
    } else if (n > f->n_values && list && !generated) {
        /* The first n_values columns, as PostgreSQL takes them. When one of them is generated,
         * SQLite's error stands: PostgreSQL refuses a value for it too. */
        *text =
            sqlite3_mprintf("%.*s (%s)%s", (int)f->at, stmt->sqlite, list, stmt->sqlite + f->at);
        rc = *text ? 1 : 0;
    }
    sqlite3_free(list);
    return rc;
}

/* ---- columns outside GROUP BY ---- */

/* The table or view has the column (sqlite3_table_column_metadata knows no views). */
static bool has_column(struct sq_session *s, const char *table, const char *col)
{
    sqlite3_stmt *q = NULL;
    bool has = false;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &q,
                           NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, col, -1, SQLITE_STATIC);
    has = sqlite3_step(q) == SQLITE_ROW;
    sqlite3_finalize(q);
    return has;
}

static bool item_has(struct sq_session *s, const struct sql_group_item *it, const char *col)
{
    if (it->table)
        return has_column(s, it->table, col);
    for (int i = 0; i < it->n_columns; i++)
        if (!strcmp(it->columns[i], col))
            return true;
    return false;
}

/* The FROM item a reference names, -1 when that cannot be told (an unqualified name where a
 * function might have it, or that several items have; an outer query's column). */
static int resolve(struct sq_session *s, const struct sql_group_check *g,
                   const struct sql_colref *c)
{
    if (c->qual) {
        for (int i = 0; i < g->n_items; i++)
            if (!strcmp(g->items[i].alias, c->qual))
                return item_has(s, &g->items[i], c->column) ? i : -1;
        return -1;
    }
    if (g->opaque)
        return -1;
    int found = -1;
    for (int i = 0; i < g->n_items; i++) {
        if (!item_has(s, &g->items[i], c->column))
            continue;
        if (found >= 0)
            return -1;
        found = i;
    }
    return found;
}

/* Column col of item is grouped, or might be (a GROUP BY column of that name whose item
 * cannot be told). */
static bool grouped(struct sq_session *s, const struct sql_group_check *g, int item,
                    const char *col)
{
    for (int i = 0; i < g->n_grouped; i++) {
        if (sqlite3_stricmp(g->grouped[i].column, col) != 0)
            continue;
        int r = resolve(s, g, &g->grouped[i]);
        if (r < 0 || r == item)
            return true;
    }
    return false;
}

/* GROUP BY covers the primary key of item's table: its other columns are allowed. */
static bool key_grouped(struct sq_session *s, const struct sql_group_check *g, int item)
{
    sqlite3_stmt *q = NULL;
    int keys = 0;
    bool all = true;
    if (!g->items[item].table)
        return false; /* a subquery or WITH query has no key */
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM pragma_table_info(?1) WHERE pk > 0", -1, &q,
                           NULL) != SQLITE_OK)
        return true; /* cannot tell: let it through */
    sqlite3_bind_text(q, 1, g->items[item].table, -1, SQLITE_STATIC);
    while (all && sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0);
        keys++;
        all = name && grouped(s, g, item, name);
    }
    sqlite3_finalize(q);
    return keys > 0 && all;
}

bool sq_check_grouping(struct sq_session *s, const struct sql_stmt *stmt)
{
    for (int k = 0; k < stmt->n_group_checks; k++) {
        const struct sql_group_check *g = &stmt->group_checks[k];
        bool is_grouped = g->is_grouped;
        for (int i = 0; !is_grouped && i < g->n_agg_refs; i++)
            is_grouped = resolve(s, g, &g->agg_refs[i]) >= 0;
        for (int i = 0; is_grouped && i < g->n_refs; i++) {
            const struct sql_colref *c = &g->refs[i];
            int item = resolve(s, g, c);
            if (item < 0 || grouped(s, g, item, c->column) || key_grouped(s, g, item))
                continue;
            sq_error(s, "42803", g->positions[i],
                     "column \"%s.%s\" must appear in the GROUP BY clause or be used in an "
                     "aggregate function",
                     g->items[item].alias, c->column);
            return false;
        }
    }
    return true;
}
