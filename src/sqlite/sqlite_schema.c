/*
 * The CREATE TABLE splitter (include/sqlite/schema.h). SQLite keeps each table's definition as
 * the text of its CREATE TABLE; for a rebuild we need it as items. A small tokenizer (words,
 * quoted identifiers, strings, numbers, punctuation; comments skipped) finds the top-level
 * commas of the column list, then each column's type and constraint clauses. Clause texts are
 * slices of the original, so expressions and quoting survive a round trip unchanged.
 */
#include "sqlite/schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

static char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

enum tok_type { TK_WORD, TK_IDENT, TK_STRING, TK_NUMBER, TK_PUNCT };

struct tok {
    enum tok_type type;
    size_t start, end; /* [start, end) in the text */
};

struct toks {
    struct tok *v;
    int n, cap;
    const char *sql;
};

static void toks_push(struct toks *t, enum tok_type type, size_t start, size_t end)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 64;
        t->v = xrealloc(t->v, (size_t)t->cap * sizeof(*t->v));
    }
    t->v[t->n].type = type;
    t->v[t->n].start = start;
    t->v[t->n].end = end;
    t->n++;
}

static bool tokenize(const char *s, struct toks *t)
{
    size_t i = 0, n = strlen(s);
    t->sql = s;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        size_t start = i;
        if (isspace(c)) {
            i++;
        } else if (c == '-' && s[i + 1] == '-') {
            while (i < n && s[i] != '\n')
                i++;
        } else if (c == '/' && s[i + 1] == '*') {
            const char *e = strstr(s + i + 2, "*/");
            i = e ? (size_t)(e - s) + 2 : n;
        } else if (c == '"' || c == '`' || c == '\'' || c == '[') {
            char close = c == '[' ? ']' : (char)c;
            i++;
            for (;;) {
                if (i >= n)
                    return false;
                if (s[i] == close) {
                    if (close != ']' && s[i + 1] == close) {
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                i++;
            }
            toks_push(t, c == '\'' ? TK_STRING : TK_IDENT, start, i);
        } else if (isalpha(c) || c == '_' || c >= 0x80) {
            while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$' ||
                             (unsigned char)s[i] >= 0x80))
                i++;
            toks_push(t, TK_WORD, start, i);
        } else if (isdigit(c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
            while (i < n &&
                   (isalnum((unsigned char)s[i]) || s[i] == '.' ||
                    ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E'))))
                i++;
            toks_push(t, TK_NUMBER, start, i);
        } else {
            i++;
            toks_push(t, TK_PUNCT, start, i);
        }
    }
    return true;
}

static bool is_word(const struct toks *t, int i, const char *w)
{
    size_t len;
    if (i < 0 || i >= t->n || t->v[i].type != TK_WORD)
        return false;
    len = t->v[i].end - t->v[i].start;
    return len == strlen(w) && strncasecmp(t->sql + t->v[i].start, w, len) == 0;
}

static bool is_punct(const struct toks *t, int i, char c)
{
    return i >= 0 && i < t->n && t->v[i].type == TK_PUNCT && t->sql[t->v[i].start] == c;
}

/* An identifier token's name: quotes removed, doubled quotes undone. */
static char *tok_name(const struct toks *t, int i)
{
    const char *p = t->sql + t->v[i].start;
    size_t len = t->v[i].end - t->v[i].start;
    char *out, *o;
    if (t->v[i].type != TK_IDENT && t->v[i].type != TK_STRING)
        return xstrndup(p, len);
    out = o = xmalloc(len + 1);
    char close = p[0] == '[' ? ']' : p[0];
    for (size_t k = 1; k + 1 < len; k++) {
        *o++ = p[k];
        if (p[k] == close && close != ']' && k + 2 < len && p[k + 1] == close)
            k++;
    }
    *o = '\0';
    return out;
}

/* Source text of tokens [a, b] (inclusive). */
static char *tok_text(const struct toks *t, int a, int b)
{
    if (b < a)
        return xstrdup("");
    return xstrndup(t->sql + t->v[a].start, t->v[b].end - t->v[a].start);
}

char *schema_quote(const char *name)
{
    size_t n = strlen(name);
    char *q = xmalloc(2 * n + 3), *p = q;
    *p++ = '"';
    for (; *name; name++) {
        if (*name == '"')
            *p++ = '"';
        *p++ = *name;
    }
    *p++ = '"';
    *p = '\0';
    return q;
}

static enum schema_cons_kind cons_kind(const struct toks *t, int i)
{
    if (is_word(t, i, "PRIMARY"))
        return SCHEMA_CONS_PRIMARY;
    if (is_word(t, i, "UNIQUE"))
        return SCHEMA_CONS_UNIQUE;
    if (is_word(t, i, "CHECK"))
        return SCHEMA_CONS_CHECK;
    if (is_word(t, i, "REFERENCES") || is_word(t, i, "FOREIGN"))
        return SCHEMA_CONS_FOREIGN;
    if (is_word(t, i, "NOT"))
        return SCHEMA_CONS_NOT_NULL;
    if (is_word(t, i, "NULL"))
        return SCHEMA_CONS_NULL;
    if (is_word(t, i, "DEFAULT"))
        return SCHEMA_CONS_DEFAULT;
    if (is_word(t, i, "COLLATE"))
        return SCHEMA_CONS_COLLATE;
    if (is_word(t, i, "GENERATED") || is_word(t, i, "AS"))
        return SCHEMA_CONS_GENERATED;
    return SCHEMA_CONS_OTHER;
}

/* Does token i (at depth 0 of a column definition) begin a new column constraint? */
static bool cons_start(const struct toks *t, int i, int first)
{
    if (i > first && (is_word(t, i - 1, "CONSTRAINT") || is_word(t, i - 1, "COLLATE") ||
                      is_word(t, i - 1, "DEFAULT") || is_word(t, i - 1, "SET")))
        return false; /* a name, or a DEFAULT value, or ON DELETE SET NULL/DEFAULT */
    if (is_word(t, i, "CONSTRAINT"))
        return true;
    if (is_word(t, i, "NOT"))
        return !is_word(t, i + 1, "DEFERRABLE");
    if (is_word(t, i, "NULL"))
        return !(i > first && is_word(t, i - 1, "NOT"));
    if (is_word(t, i, "AS"))
        return !(i > first && is_word(t, i - 1, "ALWAYS"));
    return cons_kind(t, i) != SCHEMA_CONS_OTHER;
}

static void add_cons(struct schema_cons **v, int *n, enum schema_cons_kind kind, char *name,
                     char *text)
{
    *v = xrealloc(*v, (size_t)(*n + 1) * sizeof(**v));
    (*v)[*n].kind = kind;
    (*v)[*n].name = name;
    (*v)[*n].text = text;
    (*n)++;
}

/* The column names in the first parenthesised list at or after token i, up to end. */
static void parse_keys(const struct toks *t, int i, int end, struct schema_item *it)
{
    int depth = 0;
    bool want = true;
    for (; i <= end && !is_punct(t, i, '('); i++)
        ;
    for (; i <= end; i++) {
        if (is_punct(t, i, '(')) {
            depth++;
            continue;
        }
        if (is_punct(t, i, ')')) {
            if (--depth == 0)
                return;
            continue;
        }
        if (depth == 1 && is_punct(t, i, ',')) {
            want = true;
            continue;
        }
        if (depth == 1 && want &&
            (t->v[i].type == TK_WORD || t->v[i].type == TK_IDENT || t->v[i].type == TK_STRING)) {
            it->keys = xrealloc(it->keys, (size_t)(it->n_keys + 1) * sizeof(*it->keys));
            it->keys[it->n_keys++] = tok_name(t, i);
            want = false;
        }
    }
}

static void parse_item(const struct toks *t, int a, int b, struct schema_item *it)
{
    memset(it, 0, sizeof(*it));
    if (is_word(t, a, "CONSTRAINT") || is_word(t, a, "PRIMARY") || is_word(t, a, "UNIQUE") ||
        is_word(t, a, "CHECK") || is_word(t, a, "FOREIGN")) {
        int k = a;
        if (is_word(t, a, "CONSTRAINT") && a + 1 <= b) {
            it->cons.name = tok_name(t, a + 1);
            k = a + 2;
        }
        it->cons.kind = cons_kind(t, k);
        it->cons.text = tok_text(t, k, b);
        if (it->cons.kind == SCHEMA_CONS_PRIMARY || it->cons.kind == SCHEMA_CONS_UNIQUE ||
            it->cons.kind == SCHEMA_CONS_FOREIGN)
            parse_keys(t, k, b, it);
        return;
    }
    it->is_column = true;
    it->col.name = tok_name(t, a);
    int depth = 0, i = a + 1, type_end = b;
    for (int k = a + 1; k <= b; k++) {
        if (is_punct(t, k, '('))
            depth++;
        else if (is_punct(t, k, ')'))
            depth--;
        else if (depth == 0 && cons_start(t, k, a + 1)) {
            type_end = k - 1;
            break;
        }
    }
    it->col.type = tok_text(t, a + 1, type_end);
    i = type_end + 1;
    while (i <= b) {
        char *name = NULL;
        int start = i, k;
        if (is_word(t, i, "CONSTRAINT") && i + 1 <= b) {
            name = tok_name(t, i + 1);
            start = i + 2;
        }
        depth = 0;
        for (k = start + 1; k <= b; k++) {
            if (is_punct(t, k, '('))
                depth++;
            else if (is_punct(t, k, ')'))
                depth--;
            else if (depth == 0 && cons_start(t, k, a + 1))
                break;
        }
        add_cons(&it->col.cons, &it->col.n_cons, cons_kind(t, start), name,
                 tok_text(t, start, k - 1));
        i = k;
    }
}

bool schema_parse(const char *sql, struct schema_table *out, char *err, size_t errlen)
{
    struct toks t = {0};
    int i = 0, depth, item_start;

    memset(out, 0, sizeof(*out));
    if (!tokenize(sql, &t)) {
        snprintf(err, errlen, "unterminated quoted text in the table definition");
        goto fail;
    }
    if (!is_word(&t, i++, "CREATE"))
        goto not_table;
    if (is_word(&t, i, "TEMP") || is_word(&t, i, "TEMPORARY"))
        i++;
    if (!is_word(&t, i++, "TABLE"))
        goto not_table;
    if (is_word(&t, i, "IF") && is_word(&t, i + 1, "NOT") && is_word(&t, i + 2, "EXISTS"))
        i += 3;
    if (i >= t.n)
        goto not_table;
    if (is_punct(&t, i + 1, '.'))
        i += 2;
    if (i >= t.n || t.v[i].type == TK_PUNCT)
        goto not_table;
    out->name = tok_name(&t, i++);
    if (!is_punct(&t, i, '(')) {
        snprintf(err, errlen, "table \"%s\" is not defined by a column list", out->name);
        goto fail;
    }
    depth = 1;
    item_start = ++i;
    for (; i < t.n; i++) {
        if (is_punct(&t, i, '(')) {
            depth++;
        } else if (is_punct(&t, i, ')') || (depth == 1 && is_punct(&t, i, ','))) {
            if (is_punct(&t, i, ')') && --depth > 0)
                continue;
            if (i > item_start) {
                out->items = xrealloc(out->items, (size_t)(out->n_items + 1) * sizeof(*out->items));
                parse_item(&t, item_start, i - 1, &out->items[out->n_items++]);
            }
            item_start = i + 1;
            if (depth == 0)
                break;
        }
    }
    if (depth != 0) {
        snprintf(err, errlen, "unbalanced parentheses in the definition of table \"%s\"",
                 out->name);
        goto fail;
    }
    out->options = xstrdup(sql + t.v[i].end);
    free(t.v);
    return true;
not_table:
    snprintf(err, errlen, "not a CREATE TABLE statement");
fail:
    free(t.v);
    schema_table_fini(out);
    return false;
}

static void cons_fini(struct schema_cons *c)
{
    free(c->name);
    free(c->text);
}

void schema_table_fini(struct schema_table *t)
{
    for (int i = 0; i < t->n_items; i++) {
        struct schema_item *it = &t->items[i];
        free(it->col.name);
        free(it->col.type);
        for (int k = 0; k < it->col.n_cons; k++)
            cons_fini(&it->col.cons[k]);
        free(it->col.cons);
        cons_fini(&it->cons);
        for (int k = 0; k < it->n_keys; k++)
            free(it->keys[k]);
        free(it->keys);
    }
    free(t->items);
    free(t->name);
    free(t->options);
    memset(t, 0, sizeof(*t));
}

struct sbuf {
    char *p;
    size_t len, cap;
};

static void sb_put(struct sbuf *b, const char *s)
{
    size_t n = strlen(s);
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, s, n + 1);
    b->len += n;
}

static void sb_put_cons(struct sbuf *b, const struct schema_cons *c)
{
    if (c->name) {
        char *q = schema_quote(c->name);
        sb_put(b, "CONSTRAINT ");
        sb_put(b, q);
        sb_put(b, " ");
        free(q);
    }
    sb_put(b, c->text);
}

char *schema_render(const struct schema_table *t, const char *name)
{
    struct sbuf b = {0};
    char *q = schema_quote(name);
    sb_put(&b, "CREATE TABLE ");
    sb_put(&b, q);
    free(q);
    sb_put(&b, " (");
    for (int i = 0; i < t->n_items; i++) {
        const struct schema_item *it = &t->items[i];
        if (i)
            sb_put(&b, ", ");
        if (!it->is_column) {
            sb_put_cons(&b, &it->cons);
            continue;
        }
        q = schema_quote(it->col.name);
        sb_put(&b, q);
        free(q);
        if (it->col.type[0]) {
            sb_put(&b, " ");
            sb_put(&b, it->col.type);
        }
        for (int k = 0; k < it->col.n_cons; k++) {
            sb_put(&b, " ");
            sb_put_cons(&b, &it->col.cons[k]);
        }
    }
    sb_put(&b, ")");
    sb_put(&b, t->options ? t->options : "");
    return b.p;
}

int schema_find_column(const struct schema_table *t, const char *name)
{
    for (int i = 0; i < t->n_items; i++)
        if (t->items[i].is_column && strcmp(t->items[i].col.name, name) == 0)
            return i;
    return -1;
}

/* The first identifier of a CHECK expression: the column PostgreSQL names the check after. */
static char *first_column(const char *text)
{
    struct toks t = {0};
    char *name = NULL;
    if (tokenize(text, &t))
        for (int i = 0; i < t.n && !name; i++)
            if (t.v[i].type == TK_IDENT)
                name = tok_name(&t, i);
    free(t.v);
    return name;
}

char *schema_constraint_name(const char *table, const struct schema_item *item,
                             const struct schema_column *col, const struct schema_cons *c)
{
    char buf[512];
    int n;
    if (c->name)
        return xstrdup(c->name);
    n = snprintf(buf, sizeof(buf), "%s", table);
    switch (c->kind) {
    case SCHEMA_CONS_PRIMARY:
        snprintf(buf + n, sizeof(buf) - (size_t)n, "_pkey");
        return xstrdup(buf);
    case SCHEMA_CONS_UNIQUE:
    case SCHEMA_CONS_FOREIGN:
        if (col) {
            n += snprintf(buf + n, sizeof(buf) - (size_t)n, "_%s", col->name);
        } else {
            for (int i = 0; i < item->n_keys && n > 0 && (size_t)n < sizeof(buf); i++)
                n += snprintf(buf + n, sizeof(buf) - (size_t)n, "_%s", item->keys[i]);
        }
        if (n > 0 && (size_t)n < sizeof(buf))
            snprintf(buf + n, sizeof(buf) - (size_t)n, "%s",
                     c->kind == SCHEMA_CONS_UNIQUE ? "_key" : "_fkey");
        return xstrdup(buf);
    case SCHEMA_CONS_CHECK: {
        char *first = col ? xstrdup(col->name) : first_column(c->text);
        if (first)
            snprintf(buf + n, sizeof(buf) - (size_t)n, "_%s_check", first);
        else
            snprintf(buf + n, sizeof(buf) - (size_t)n, "_check");
        free(first);
        return xstrdup(buf);
    }
    default:
        return NULL;
    }
}

void schema_column_add(struct schema_column *col, enum schema_cons_kind kind, const char *name,
                       const char *text)
{
    add_cons(&col->cons, &col->n_cons, kind, name ? xstrdup(name) : NULL, xstrdup(text));
}

int schema_column_drop(struct schema_column *col, enum schema_cons_kind kind)
{
    int dropped = 0, k = 0;
    for (int i = 0; i < col->n_cons; i++) {
        if (col->cons[i].kind == kind) {
            cons_fini(&col->cons[i]);
            dropped++;
        } else {
            col->cons[k++] = col->cons[i];
        }
    }
    col->n_cons = k;
    return dropped;
}
