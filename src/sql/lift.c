/*
 * The integer literals of a query text, found as PostgreSQL 15's lexer finds them, and the
 * text's shape with each replaced by a marker (include/sql/lift.h).
 *
 * Only a plain run of digits is a candidate: one next to an identifier character, a '$', a '.'
 * or an exponent is part of something else (an identifier, a parameter, a numeric literal) and
 * stays in the shape as text, and so does a run too large for an int4 (PostgreSQL types it
 * int8 or numeric). Strings (with '' and, after E, backslash escapes), quoted identifiers,
 * dollar quotes and comments (block comments nest) are copied as they are. A text that ends inside
 * one of them, or holds the marker byte itself, is not scanned: the caller translates it as
 * written.
 */
#include "sql/lift.h"

#include <stdlib.h>
#include <string.h>

static bool ident_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$' || c >= 0x80;
}

static bool ident_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c >= 0x80;
}

/* Past a quoted string or identifier that starts at p (the quote); NULL when unterminated. */
static const char *skip_quoted(const char *p, char q, bool backslash)
{
    for (p++; *p; p++) {
        if (backslash && *p == '\\' && p[1]) {
            p++;
        } else if (*p == q) {
            if (p[1] != q)
                return p + 1;
            p++;
        }
    }
    return NULL;
}

/* Past a dollar-quoted string starting at p ('$'); p itself when p starts none. */
static const char *skip_dollar(const char *p, bool *bad)
{
    const char *tag_end = p + 1;
    if (*tag_end != '$') {
        if (!ident_start((unsigned char)*tag_end))
            return p;
        while (ident_char((unsigned char)*tag_end) && *tag_end != '$')
            tag_end++;
        if (*tag_end != '$')
            return p;
    }
    size_t tag_len = (size_t)(tag_end - p) + 1;
    for (const char *q = tag_end + 1; *q; q++)
        if (*q == '$' && strncmp(q, p, tag_len) == 0)
            return q + tag_len;
    *bad = true;
    return p;
}

/* Past a comment starting at p (a line or a block comment); NULL when unterminated. */
static const char *skip_comment(const char *p)
{
    if (p[0] == '-') {
        while (*p && *p != '\n' && *p != '\r')
            p++;
        return p;
    }
    int depth = 0;
    while (*p) {
        if (p[0] == '/' && p[1] == '*') {
            depth++;
            p += 2;
        } else if (p[0] == '*' && p[1] == '/') {
            p += 2;
            if (--depth == 0)
                return p;
        } else {
            p++;
        }
    }
    return NULL;
}

bool sql_lift_scan(const char *text, struct sql_lift *out)
{
    size_t len = strlen(text);
    const char *p = text;
    char *shape;
    size_t n = 0;
    uint64_t h = 1469598103934665603ULL;

    out->n = 0;
    out->shape = NULL;
    out->hash = 0;
    if (len > (1u << 20) || memchr(text, SQL_LIFT_MARKER, len))
        return false;
    shape = malloc(len + 1);
    if (!shape)
        return false;
    while (*p) {
        const char *start = p, *end = NULL;
        unsigned char c = (unsigned char)*p;
        bool bad = false;

        if (c == '\'') {
            /* E'...' takes backslash escapes; a letter before the quote is its own token. */
            bool e = p > text && (p[-1] == 'e' || p[-1] == 'E') &&
                     (p - 1 == text || !ident_char((unsigned char)p[-2]));
            end = skip_quoted(p, '\'', e);
        } else if (c == '"') {
            end = skip_quoted(p, '"', false);
        } else if ((c == '-' && p[1] == '-') || (c == '/' && p[1] == '*')) {
            end = skip_comment(p);
        } else if (c == '$' && (p == text || !ident_char((unsigned char)p[-1]))) {
            end = skip_dollar(p, &bad);
            if (end == p)
                end = p + 1;
        } else if ((c >= '0' && c <= '9' && (p == text || !ident_char((unsigned char)p[-1]))) ||
                   (c == '.' && p[1] >= '0' && p[1] <= '9')) {
            /* (digits after '$' are a parameter number: identifier characters, below) */
            /* A number token: digits [. digits] [e [+-] digits], as PostgreSQL's lexer. */
            const char *q = p;
            int64_t v = 0;
            while (*q >= '0' && *q <= '9') {
                if (v <= INT32_MAX)
                    v = v * 10 + (*q - '0');
                q++;
            }
            bool integer = q > p;
            if (*q == '.' && q[1] != '.') {
                integer = false;
                for (q++; *q >= '0' && *q <= '9'; q++)
                    ;
            }
            if ((*q == 'e' || *q == 'E') &&
                ((q[1] >= '0' && q[1] <= '9') ||
                 ((q[1] == '+' || q[1] == '-') && q[2] >= '0' && q[2] <= '9'))) {
                integer = false;
                for (q += 2; *q >= '0' && *q <= '9'; q++)
                    ;
            }
            end = q;
            if (integer && !ident_char((unsigned char)*q) && v <= INT32_MAX &&
                out->n < SQL_LIFT_MAX) {
                struct sql_lift_token *t = &out->tok[out->n++];
                t->offset = (int)(p - text);
                t->len = (int)(q - p);
                t->value = (int32_t)v;
                shape[n++] = SQL_LIFT_MARKER;
                h = (h ^ (unsigned char)SQL_LIFT_MARKER) * 1099511628211ULL;
                p = q;
                continue;
            }
        } else if (ident_char(c)) {
            end = p;
            while (ident_char((unsigned char)*end))
                end++;
        } else {
            end = p + 1;
        }
        if (!end || bad) {
            free(shape);
            out->n = 0;
            return false;
        }
        for (; start < end; start++) {
            shape[n++] = *start;
            h = (h ^ (unsigned char)*start) * 1099511628211ULL;
        }
        p = end;
    }
    shape[n] = '\0';
    if (out->n == 0) {
        free(shape);
        return false;
    }
    out->shape = shape;
    out->hash = h;
    return true;
}

void sql_lift_free(struct sql_lift *l)
{
    free(l->shape);
    l->shape = NULL;
    l->n = 0;
}

int sql_lift_find(const struct sql_lift *l, int offset)
{
    int lo = 0, hi = l->n - 1;
    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (l->tok[mid].offset == offset)
            return mid;
        if (l->tok[mid].offset < offset)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}
