/*
 * Tracked session parameters. Reported parameters (ParameterStatus) are learnt from the
 * server; search_path and extra_float_digits are not reported by PostgreSQL 15, so a client's
 * session-level SET/RESET of them is recognised in its simple queries.
 */
#include "pool/params.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"

static const struct {
    const char *name;
    bool reported;
} params_table[PARAM_COUNT] = {
    [PARAM_CLIENT_ENCODING] = {"client_encoding", true},
    [PARAM_DATESTYLE] = {"DateStyle", true},
    [PARAM_TIMEZONE] = {"TimeZone", true},
    [PARAM_STANDARD_CONFORMING_STRINGS] = {"standard_conforming_strings", true},
    [PARAM_APPLICATION_NAME] = {"application_name", true},
    [PARAM_INTERVALSTYLE] = {"IntervalStyle", true},
    [PARAM_SEARCH_PATH] = {"search_path", false},
    [PARAM_EXTRA_FLOAT_DIGITS] = {"extra_float_digits", false},
};

int params_lookup(const char *name)
{
    for (int i = 0; i < PARAM_COUNT; i++)
        if (strcasecmp(params_table[i].name, name) == 0)
            return i;
    return -1;
}

const char *params_name(int id)
{
    return params_table[id].name;
}

bool params_reported(int id)
{
    return params_table[id].reported;
}

void params_set(struct params *p, int id, const char *value)
{
    str_replace(&p->v[id], value);
}

void params_copy(struct params *dst, const struct params *src)
{
    for (int i = 0; i < PARAM_COUNT; i++)
        params_set(dst, i, src->v[i]);
}

void params_clear(struct params *p)
{
    for (int i = 0; i < PARAM_COUNT; i++) {
        free(p->v[i]);
        p->v[i] = NULL;
    }
}

bool params_equal(const char *a, const char *b)
{
    if (a == b)
        return true;
    if (!a || !b)
        return false;
    return strcmp(a, b) == 0;
}

/* Append s as a quoted SQL literal. */
static size_t params_quote(char *dst, size_t cap, const char *s)
{
    size_t n = 0;
    if (cap < 3)
        return 0;
    dst[n++] = '\'';
    for (; *s && n + 3 < cap; s++) {
        if (*s == '\'')
            dst[n++] = '\'';
        dst[n++] = *s;
    }
    dst[n++] = '\'';
    dst[n] = '\0';
    return n;
}

int params_sync_sql(const struct params *want, struct params *srv, char *sql, size_t cap)
{
    size_t len = strlen(sql);
    int n = 0;

    for (int i = 0; i < PARAM_COUNT; i++) {
        const char *w = want->v[i];
        char lit[1024];
        int k;

        if (params_equal(w, srv->v[i]) || (!w && params_reported(i)))
            continue;
        if (w && i == PARAM_SEARCH_PATH) {
            /* search_path is kept as the client wrote it: a list of identifiers. */
            k = snprintf(sql + len, cap - len, "SET search_path TO %s;", w);
        } else if (w) {
            params_quote(lit, sizeof(lit), w);
            k = snprintf(sql + len, cap - len, "SET %s TO %s;", params_table[i].name, lit);
        } else {
            k = snprintf(sql + len, cap - len, "RESET %s;", params_table[i].name);
        }
        if (k < 0 || (size_t)k >= cap - len) {
            sql[len] = '\0';
            break;
        }
        len += (size_t)k;
        n++;
        if (!params_reported(i))
            params_set(srv, i, w);
    }
    return n;
}

/* Skip whitespace and SQL comments. */
static const char *params_skip(const char *p, const char *end)
{
    while (p < end) {
        if (isspace((unsigned char)*p)) {
            p++;
        } else if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
            while (p < end && *p != '\n')
                p++;
        } else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
            const char *q = p + 2;
            while (q + 1 < end && !(q[0] == '*' && q[1] == '/'))
                q++;
            p = q + 1 < end ? q + 2 : end;
        } else {
            break;
        }
    }
    return p;
}

/* Read one keyword or identifier into buf (lowercased); returns the position after it. */
static const char *params_word(const char *p, const char *end, char *buf, size_t cap)
{
    size_t n = 0;
    p = params_skip(p, end);
    while (p < end && (isalnum((unsigned char)*p) || *p == '_' || *p == '.')) {
        if (n + 1 < cap)
            buf[n++] = (char)tolower((unsigned char)*p);
        p++;
    }
    buf[n] = '\0';
    return p;
}

bool params_parse_set(const char *sql, size_t len, int *id, char *value, size_t cap)
{
    const char *end = sql + len, *p;
    char w[64];
    size_t n;

    /* Only a single statement: a trailing ';' and whitespace are allowed. */
    while (end > sql && (isspace((unsigned char)end[-1]) || end[-1] == '\0'))
        end--;
    if (end > sql && end[-1] == ';')
        end--;
    for (p = sql; p < end; p++)
        if (*p == ';')
            return false;

    p = params_word(sql, end, w, sizeof(w));
    if (strcmp(w, "discard") == 0 || strcmp(w, "reset") == 0) {
        bool discard = w[0] == 'd';
        p = params_word(p, end, w, sizeof(w));
        if (params_skip(p, end) != end)
            return false;
        if (strcmp(w, "all") == 0) {
            *id = -1;
        } else if (!discard && (*id = params_lookup(w)) >= 0 && !params_reported(*id)) {
            /* a reset of one unreported parameter */
        } else {
            return false;
        }
        value[0] = '\0';
        return true;
    }
    if (strcmp(w, "set") != 0)
        return false;
    p = params_word(p, end, w, sizeof(w));
    if (strcmp(w, "session") == 0)
        p = params_word(p, end, w, sizeof(w));
    if (strcmp(w, "local") == 0)
        return false;
    *id = params_lookup(w);
    if (*id < 0 || params_reported(*id))
        return false;
    p = params_skip(p, end);
    if (p < end && *p == '=') {
        p++;
    } else {
        const char *q = params_word(p, end, w, sizeof(w));
        if (strcmp(w, "to") != 0)
            return false;
        p = q;
    }
    p = params_skip(p, end);
    n = (size_t)(end - p);
    if (n == 0 || n + 1 > cap)
        return false;
    memcpy(value, p, n);
    value[n] = '\0';
    if (strcasecmp(value, "default") == 0)
        value[0] = '\0';
    return true;
}

static bool params_contains(const char *s, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (strncasecmp(s + i, needle, n) == 0)
            return true;
    return false;
}

static bool params_ident_char(char ch)
{
    return isalnum((unsigned char)ch) || ch == '_' || ch == '$';
}

static bool params_word_is(const char *w, size_t n, const char *word)
{
    return strlen(word) == n && strncasecmp(w, word, n) == 0;
}

/* The next word of [p, end) after blanks and comments: *w and *n, or *n = 0. */
static const char *params_next_word(const char *p, const char *end, const char **w, size_t *n)
{
    p = params_skip(p, end);
    *w = p;
    while (p < end && params_ident_char(*p))
        p++;
    *n = (size_t)(p - *w);
    return p;
}

/* The end of the statement starting at p: its ';' outside quotes, or end. */
static const char *params_statement_end(const char *p, const char *end)
{
    char quote = 0;
    for (; p < end; p++) {
        if (quote) {
            if (*p == quote)
                quote = 0;
        } else if (*p == '\'' || *p == '"') {
            quote = *p;
        } else if (*p == ';') {
            return p;
        }
    }
    return end;
}

/* Whether one statement [p, end) may change an unreported tracked parameter for the session. */
static bool params_statement_may_set(const char *p, const char *end)
{
    const char *w;
    size_t n;
    char name[64];

    p = params_next_word(p, end, &w, &n);
    if (params_word_is(w, n, "set")) {
        p = params_next_word(p, end, &w, &n);
        if (params_word_is(w, n, "local"))
            return false; /* ends with the transaction */
        if (params_word_is(w, n, "session"))
            p = params_next_word(p, end, &w, &n);
        if (n == 0 || n >= sizeof(name))
            return true;
        memcpy(name, w, n);
        name[n] = '\0';
        int id = params_lookup(name);
        /* Reported parameters come back as ParameterStatus; a quoted name is not followed. */
        return id < 0 ? (w < end && *w == '"') : !params_reported(id);
    }
    if (params_word_is(w, n, "reset")) {
        params_next_word(p, end, &w, &n);
        if (params_word_is(w, n, "all"))
            return true;
        if (n == 0 || n >= sizeof(name))
            return true;
        memcpy(name, w, n);
        name[n] = '\0';
        int id = params_lookup(name);
        return id >= 0 && !params_reported(id);
    }
    if (params_word_is(w, n, "discard")) {
        params_next_word(p, end, &w, &n);
        return params_word_is(w, n, "all");
    }
    /* set_config() anywhere, naming its parameter in a literal. */
    for (const char *q = w; q < end; q++) {
        if (!params_ident_char(*q))
            continue;
        const char *start = q;
        while (q < end && params_ident_char(*q))
            q++;
        if (params_word_is(start, (size_t)(q - start), "set_config"))
            return params_contains(w, (size_t)(end - w), "search_path") ||
                   params_contains(w, (size_t)(end - w), "extra_float_digits");
    }
    return false;
}

bool params_may_set_unreported(const char *sql, size_t len)
{
    const char *p = sql, *end = sql + len;

    while (p < end) {
        const char *stmt_end = params_statement_end(p, end);
        if (params_statement_may_set(p, stmt_end))
            return true;
        p = stmt_end + 1;
    }
    return false;
}

enum params_tx_end params_tx_end(const char *sql, size_t len)
{
    const char *end = sql + len, *p, *w;
    size_t n;

    while (end > sql && (isspace((unsigned char)end[-1]) || end[-1] == '\0'))
        end--;
    if (end > sql && end[-1] == ';')
        end--;
    if (params_statement_end(sql, end) != end)
        return PARAMS_TX_OTHER;
    p = params_next_word(sql, end, &w, &n);
    if (params_word_is(w, n, "commit") || params_word_is(w, n, "end")) {
        params_next_word(p, end, &w, &n);
        /* COMMIT PREPARED ends another transaction; COMMIT AND CHAIN keeps this one open. */
        return n == 0 || params_word_is(w, n, "work") || params_word_is(w, n, "transaction")
                   ? PARAMS_TX_COMMIT
                   : PARAMS_TX_OTHER;
    }
    if (params_word_is(w, n, "rollback") || params_word_is(w, n, "abort")) {
        p = params_next_word(p, end, &w, &n);
        if (params_word_is(w, n, "work") || params_word_is(w, n, "transaction"))
            p = params_next_word(p, end, &w, &n);
        if (n == 0)
            return PARAMS_TX_ROLLBACK;
        /* ROLLBACK AND CHAIN and ROLLBACK PREPARED are not followed. */
        return params_word_is(w, n, "to") ? PARAMS_TX_SAVEPOINT : PARAMS_TX_OTHER;
    }
    return PARAMS_TX_OTHER;
}
