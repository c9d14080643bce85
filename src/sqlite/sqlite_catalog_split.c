/*
 * Splits the CREATE TABLE text SQLite keeps in sqlite_schema into the constraints the catalog
 * shows (private to the catalog emulation): names given with CONSTRAINT, CHECK expressions,
 * and which columns a PRIMARY KEY / UNIQUE / FOREIGN KEY names. SQLite's pragmas give the
 * rest (columns, indexes, foreign key targets); they do not give names or CHECKs.
 */
#include "sqlite_catalog_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

struct tok {
    const char *p;
    size_t n;
    char kind; /* 'i' identifier (quoted or bare), 's' string, '(' ')' ',' or 'o' other */
};

/* The next token at *pos of sql; false at the end. */
static bool next_tok(const char *sql, size_t *pos, struct tok *t)
{
    size_t i = *pos;
    for (;;) {
        while (sql[i] && isspace((unsigned char)sql[i]))
            i++;
        if (sql[i] == '-' && sql[i + 1] == '-') {
            while (sql[i] && sql[i] != '\n')
                i++;
            continue;
        }
        if (sql[i] == '/' && sql[i + 1] == '*') {
            const char *e = strstr(sql + i + 2, "*/");
            i = e ? (size_t)(e - sql) + 2 : strlen(sql);
            continue;
        }
        break;
    }
    if (!sql[i])
        return false;
    t->p = sql + i;
    char c = sql[i];
    if (c == '"' || c == '`' || c == '\'' || c == '[') {
        char close = c == '[' ? ']' : c;
        i++;
        while (sql[i]) {
            if (sql[i] == close) {
                if (close != ']' && sql[i + 1] == close) {
                    i += 2;
                    continue;
                }
                i++;
                break;
            }
            i++;
        }
        t->kind = c == '\'' ? 's' : 'i';
    } else if (c == '(' || c == ')' || c == ',') {
        i++;
        t->kind = c;
    } else if (isalnum((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
        while (sql[i] && (isalnum((unsigned char)sql[i]) || sql[i] == '_' || sql[i] == '$' ||
                          (unsigned char)sql[i] >= 0x80))
            i++;
        t->kind = 'i';
    } else {
        i++;
        t->kind = 'o';
    }
    t->n = (size_t)(t->p - sql);
    t->n = i - t->n;
    *pos = i;
    return true;
}

static bool tok_is(const struct tok *t, const char *word)
{
    return t->kind == 'i' && strlen(word) == t->n && strncasecmp(t->p, word, t->n) == 0;
}

/* An identifier token's name, unquoted (malloc'd). */
static char *tok_name(const struct tok *t)
{
    char *out = xmalloc(t->n + 1);
    size_t n = 0;
    if (t->n >= 2 && (t->p[0] == '"' || t->p[0] == '`' || t->p[0] == '[')) {
        char close = t->p[0] == '[' ? ']' : t->p[0];
        for (size_t i = 1; i + 1 < t->n; i++) {
            out[n++] = t->p[i];
            if (t->p[i] == close && close != ']' && i + 2 < t->n && t->p[i + 1] == close)
                i++;
        }
    } else {
        memcpy(out, t->p, t->n);
        n = t->n;
    }
    out[n] = '\0';
    return out;
}

/* Skip a parenthesised group whose "(" is at *pos - 1 (already read); returns the inside. */
static bool skip_group(const char *sql, size_t *pos, const char **in, size_t *in_len)
{
    int depth = 1;
    size_t start = *pos;
    struct tok t;
    size_t before = *pos;
    while (next_tok(sql, pos, &t)) {
        if (t.kind == '(')
            depth++;
        else if (t.kind == ')' && --depth == 0) {
            *in = sql + start;
            *in_len = (size_t)(t.p - sql) - start;
            return true;
        }
        before = *pos;
    }
    (void)before;
    return false;
}

/* "(a, b)" after the current position: the names, comma-separated with no spaces. */
static char *name_list(const char *sql, size_t *pos)
{
    struct tok t;
    size_t save = *pos;
    if (!next_tok(sql, pos, &t) || t.kind != '(') {
        *pos = save;
        return NULL;
    }
    char *out = xstrdup("");
    while (next_tok(sql, pos, &t) && t.kind != ')') {
        if (t.kind == 'i') {
            char *nm = tok_name(&t);
            /* "col COLLATE x" / "col DESC": only the first word of an item is the column. */
            if (!tok_is(&t, "ASC") && !tok_is(&t, "DESC") && !tok_is(&t, "COLLATE")) {
                size_t ol = strlen(out);
                if (!ol || out[ol - 1] == ',') {
                    out = xrealloc(out, ol + strlen(nm) + 2);
                    strcpy(out + ol, nm);
                }
            }
            free(nm);
        } else if (t.kind == ',') {
            size_t ol = strlen(out);
            out = xrealloc(out, ol + 2);
            strcpy(out + ol, ",");
        } else if (t.kind == '(') {
            const char *in;
            size_t len;
            skip_group(sql, pos, &in, &len);
        }
    }
    return out;
}

static void add(struct cat_split *sp, char kind, char *name, char *cols, const char *expr,
                size_t expr_len, const char *fk, size_t fk_len)
{
    if (sp->n == sp->cap) {
        sp->cap = sp->cap ? sp->cap * 2 : 8;
        sp->v = xrealloc(sp->v, sp->cap * sizeof *sp->v);
    }
    struct cat_split_con *c = &sp->v[sp->n++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->name = name;
    c->cols = cols ? cols : xstrdup("");
    if (expr) {
        c->expr = xmalloc(expr_len + 1);
        memcpy(c->expr, expr, expr_len);
        c->expr[expr_len] = '\0';
    }
    if (fk) {
        c->fk = xmalloc(fk_len + 1);
        memcpy(c->fk, fk, fk_len);
        c->fk[fk_len] = '\0';
    }
}

/* The end of a REFERENCES clause: the next top-level ',' or ')' or a new constraint word. */
static size_t references_end(const char *sql, size_t pos)
{
    struct tok t;
    size_t end = pos, p = pos;
    while (next_tok(sql, &p, &t)) {
        if (t.kind == ',' || t.kind == ')' || tok_is(&t, "CONSTRAINT") || tok_is(&t, "CHECK") ||
            tok_is(&t, "UNIQUE") || tok_is(&t, "PRIMARY") || tok_is(&t, "NOT") ||
            tok_is(&t, "NULL") || tok_is(&t, "DEFAULT") || tok_is(&t, "GENERATED") ||
            tok_is(&t, "COLLATE") || tok_is(&t, "AS"))
            break;
        if (t.kind == '(') {
            const char *in;
            size_t len;
            skip_group(sql, &p, &in, &len);
        }
        end = p;
    }
    return end;
}

/* One item of the column list: a table constraint or a column definition. */
static void split_item(const char *sql, size_t pos, size_t end, struct cat_split *sp)
{
    struct tok t;
    char *pending = NULL;
    char *column = NULL;
    size_t p = pos;
    bool first = true;
    while (p < end && next_tok(sql, &p, &t) && (size_t)(t.p - sql) < end) {
        if (tok_is(&t, "CONSTRAINT")) {
            struct tok nm;
            if (next_tok(sql, &p, &nm)) {
                free(pending);
                pending = tok_name(&nm);
            }
        } else if (tok_is(&t, "CHECK")) {
            struct tok open;
            const char *in = NULL;
            size_t len = 0;
            if (next_tok(sql, &p, &open) && open.kind == '(' && skip_group(sql, &p, &in, &len))
                add(sp, 'c', pending, column ? xstrdup(column) : NULL, in, len, NULL, 0);
            else
                free(pending);
            pending = NULL;
        } else if (tok_is(&t, "PRIMARY") || tok_is(&t, "UNIQUE")) {
            char kind = tok_is(&t, "PRIMARY") ? 'p' : 'u';
            if (kind == 'p')
                next_tok(sql, &p, &t); /* KEY */
            char *cols = column ? xstrdup(column) : name_list(sql, &p);
            add(sp, kind, pending, cols, NULL, 0, NULL, 0);
            pending = NULL;
        } else if (tok_is(&t, "FOREIGN")) {
            next_tok(sql, &p, &t); /* KEY */
            char *cols = name_list(sql, &p);
            size_t save = p;
            struct tok r;
            if (next_tok(sql, &p, &r) && tok_is(&r, "REFERENCES")) {
                size_t e = references_end(sql, p);
                add(sp, 'f', pending, cols, NULL, 0, r.p, (size_t)(sql + e - r.p));
                p = e;
            } else {
                p = save;
                add(sp, 'f', pending, cols, NULL, 0, NULL, 0);
            }
            pending = NULL;
        } else if (tok_is(&t, "REFERENCES")) {
            size_t e = references_end(sql, p);
            add(sp, 'f', pending, column ? xstrdup(column) : NULL, NULL, 0, t.p,
                (size_t)(sql + e - t.p));
            pending = NULL;
            p = e;
        } else if (tok_is(&t, "NOT") || tok_is(&t, "DEFAULT") || tok_is(&t, "NULL") ||
                   tok_is(&t, "COLLATE") || tok_is(&t, "GENERATED")) {
            free(pending); /* a name on NOT NULL / DEFAULT is not a catalog constraint */
            pending = NULL;
        } else if (t.kind == '(') {
            const char *in;
            size_t len;
            skip_group(sql, &p, &in, &len);
        } else if (first && t.kind == 'i') {
            column = tok_name(&t);
        }
        first = false;
    }
    free(pending);
    free(column);
}

void cat_split_table(const char *sql, struct cat_split *sp)
{
    memset(sp, 0, sizeof *sp);
    if (!sql)
        return;
    size_t p = 0;
    struct tok t;
    while (next_tok(sql, &p, &t) && t.kind != '(')
        ;
    if (t.kind != '(')
        return;
    size_t item = p;
    int depth = 0;
    while (next_tok(sql, &p, &t)) {
        if (t.kind == '(') {
            depth++;
        } else if (t.kind == ')' && depth > 0) {
            depth--;
        } else if (depth == 0 && (t.kind == ',' || t.kind == ')')) {
            split_item(sql, item, (size_t)(t.p - sql), sp);
            item = p;
            if (t.kind == ')')
                break;
        }
    }
}

void cat_split_free(struct cat_split *sp)
{
    for (size_t i = 0; i < sp->n; i++) {
        free(sp->v[i].name);
        free(sp->v[i].cols);
        free(sp->v[i].expr);
        free(sp->v[i].fk);
    }
    free(sp->v);
    memset(sp, 0, sizeof *sp);
}
