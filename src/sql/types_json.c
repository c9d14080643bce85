/*
 * json and jsonb text: a validating recursive-descent parser that, for jsonb, also prints the
 * value the way PostgreSQL prints jsonb (object keys sorted by length then bytes, the last of
 * duplicate keys kept, numbers as numeric, strings re-escaped, ", " and ": " separators).
 */
#include "sql/types.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#define JSON_MAX_DEPTH 1000

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* ---- json ---- */

struct json_ctx {
    const char *p, *end;
    bool jsonb; /* normalise into out (and refuse \u0000) */
    struct evbuffer *out;
    int depth;
    const char *why; /* SQLSTATE-prefixed message when not a syntax error */
};

static void json_ws(struct json_ctx *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
        c->p++;
}

static void utf8_put(struct evbuffer *out, uint32_t cp)
{
    uint8_t b[4];
    size_t n;
    if (cp < 0x80) {
        b[0] = (uint8_t)cp;
        n = 1;
    } else if (cp < 0x800) {
        b[0] = (uint8_t)(0xC0 | cp >> 6);
        b[1] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        b[0] = (uint8_t)(0xE0 | cp >> 12);
        b[1] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        b[0] = (uint8_t)(0xF0 | cp >> 18);
        b[1] = (uint8_t)(0x80 | (cp >> 12 & 0x3F));
        b[2] = (uint8_t)(0x80 | (cp >> 6 & 0x3F));
        b[3] = (uint8_t)(0x80 | (cp & 0x3F));
        n = 4;
    }
    evbuffer_add(out, b, n);
}

static bool json_hex4(struct json_ctx *c, uint32_t *v)
{
    if (c->end - c->p < 4)
        return false;
    *v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval((unsigned char)c->p[k]);
        if (h < 0)
            return false;
        *v = *v << 4 | (uint32_t)h;
    }
    c->p += 4;
    return true;
}

/* A string; when dec is set, its decoded bytes are appended there. */
static bool json_string(struct json_ctx *c, struct evbuffer *dec)
{
    if (c->p >= c->end || *c->p != '"')
        return false;
    c->p++;
    while (c->p < c->end && *c->p != '"') {
        unsigned char ch = (unsigned char)*c->p;
        if (ch < 0x20)
            return false;
        if (ch != '\\') {
            const char *run = c->p;
            while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (unsigned char)*c->p >= 0x20)
                c->p++;
            if (dec)
                evbuffer_add(dec, run, (size_t)(c->p - run));
            continue;
        }
        if (++c->p >= c->end)
            return false;
        char e = *c->p++;
        const char *simple = strchr("\"\\/bfnrt", e);
        if (simple && e) {
            static const char map[] = "\"\\/\b\f\n\r\t";
            if (dec)
                evbuffer_add(dec, &map[simple - "\"\\/bfnrt"], 1);
            continue;
        }
        if (e != 'u')
            return false;
        uint32_t cp;
        if (!json_hex4(c, &cp))
            return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t lo;
            if (c->end - c->p < 6 || c->p[0] != '\\' || c->p[1] != 'u')
                goto bad_unicode;
            c->p += 2;
            if (!json_hex4(c, &lo))
                return false;
            if (lo < 0xDC00 || lo > 0xDFFF)
                goto bad_unicode;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            goto bad_unicode;
        }
        if (cp == 0 && c->jsonb) {
            c->why = "[22P05] unsupported Unicode escape sequence";
            return false;
        }
        if (dec)
            utf8_put(dec, cp);
    }
    if (c->p >= c->end)
        return false;
    c->p++;
    return true;
bad_unicode:
    c->why = "[22P02] invalid input syntax for type json";
    return false;
}

/* Prints decoded string bytes as PostgreSQL's escape_json does. */
static void json_put_string(struct evbuffer *out, const unsigned char *s, size_t n)
{
    evbuffer_add(out, "\"", 1);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *esc = NULL;
        char tmp[8];
        switch (s[i]) {
        case '"':
            esc = "\\\"";
            break;
        case '\\':
            esc = "\\\\";
            break;
        case '\b':
            esc = "\\b";
            break;
        case '\f':
            esc = "\\f";
            break;
        case '\n':
            esc = "\\n";
            break;
        case '\r':
            esc = "\\r";
            break;
        case '\t':
            esc = "\\t";
            break;
        default:
            if (s[i] < 0x20) {
                snprintf(tmp, sizeof tmp, "\\u%04x", s[i]);
                esc = tmp;
            }
        }
        if (esc) {
            evbuffer_add(out, s + run, i - run);
            evbuffer_add(out, esc, strlen(esc));
            run = i + 1;
        }
    }
    evbuffer_add(out, s + run, n - run);
    evbuffer_add(out, "\"", 1);
}

static bool json_value(struct json_ctx *c, struct evbuffer *out);

struct json_member {
    struct evbuffer *key, *val;
    size_t order;
};

static int json_member_cmp(const void *a, const void *b)
{
    const struct json_member *x = a, *y = b;
    size_t xl = evbuffer_get_length(x->key), yl = evbuffer_get_length(y->key);
    if (xl != yl)
        return xl < yl ? -1 : 1;
    int r = memcmp(evbuffer_pullup(x->key, -1), evbuffer_pullup(y->key, -1), xl);
    if (r)
        return r;
    /* Equal keys: the later one first, so keeping the first of a run keeps the last given. */
    return x->order > y->order ? -1 : 1;
}

static bool json_object(struct json_ctx *c, struct evbuffer *out)
{
    struct json_member *m = NULL;
    size_t n = 0, cap = 0;
    bool ok = false;
    c->p++;
    json_ws(c);
    if (c->p < c->end && *c->p == '}') {
        c->p++;
        if (out)
            evbuffer_add(out, "{}", 2);
        return true;
    }
    for (;;) {
        json_ws(c);
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            struct json_member *nm = realloc(m, cap * sizeof *m);
            if (!nm)
                goto done;
            m = nm;
        }
        m[n].key = out ? evbuffer_new() : NULL;
        m[n].val = out ? evbuffer_new() : NULL;
        m[n].order = n;
        n++;
        if (out && (!m[n - 1].key || !m[n - 1].val))
            goto done;
        if (!json_string(c, m[n - 1].key))
            goto done;
        json_ws(c);
        if (c->p >= c->end || *c->p != ':')
            goto done;
        c->p++;
        if (!json_value(c, m[n - 1].val))
            goto done;
        json_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == '}') {
            c->p++;
            break;
        }
        goto done;
    }
    ok = true;
    if (out) {
        qsort(m, n, sizeof *m, json_member_cmp);
        evbuffer_add(out, "{", 1);
        bool first = true;
        for (size_t i = 0; i < n; i++) {
            /* A key equal to the one before is an earlier duplicate: the last given wins. */
            if (i > 0 && evbuffer_get_length(m[i - 1].key) == evbuffer_get_length(m[i].key) &&
                memcmp(evbuffer_pullup(m[i - 1].key, -1), evbuffer_pullup(m[i].key, -1),
                       evbuffer_get_length(m[i].key)) == 0)
                continue;
            if (!first)
                evbuffer_add(out, ", ", 2);
            first = false;
            size_t kl = evbuffer_get_length(m[i].key);
            json_put_string(out, evbuffer_pullup(m[i].key, -1), kl);
            evbuffer_add(out, ": ", 2);
            evbuffer_add_buffer(out, m[i].val);
        }
        evbuffer_add(out, "}", 1);
    }
done:
    for (size_t i = 0; i < n; i++) {
        if (m[i].key)
            evbuffer_free(m[i].key);
        if (m[i].val)
            evbuffer_free(m[i].val);
    }
    free(m);
    return ok;
}

static bool json_array(struct json_ctx *c, struct evbuffer *out)
{
    c->p++;
    json_ws(c);
    if (out)
        evbuffer_add(out, "[", 1);
    if (c->p < c->end && *c->p == ']') {
        c->p++;
        if (out)
            evbuffer_add(out, "]", 1);
        return true;
    }
    for (bool first = true;; first = false) {
        if (out && !first)
            evbuffer_add(out, ", ", 2);
        if (!json_value(c, out))
            return false;
        json_ws(c);
        if (c->p < c->end && *c->p == ',') {
            c->p++;
            continue;
        }
        if (c->p < c->end && *c->p == ']') {
            c->p++;
            break;
        }
        return false;
    }
    if (out)
        evbuffer_add(out, "]", 1);
    return true;
}

static bool json_number(struct json_ctx *c, struct evbuffer *out)
{
    const char *s = c->p;
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p >= c->end || !isdigit((unsigned char)*c->p))
        return false;
    if (*c->p == '0')
        c->p++;
    else
        while (c->p < c->end && isdigit((unsigned char)*c->p))
            c->p++;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (c->p >= c->end || !isdigit((unsigned char)*c->p))
            return false;
        while (c->p < c->end && isdigit((unsigned char)*c->p))
            c->p++;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (c->p >= c->end || !isdigit((unsigned char)*c->p))
            return false;
        while (c->p < c->end && isdigit((unsigned char)*c->p))
            c->p++;
    }
    if (c->p < c->end && (isalnum((unsigned char)*c->p) || *c->p == '.'))
        return false;
    if (out) {
        /* jsonb keeps numbers as numeric: 1e2 prints 100, 1.50 stays 1.50. */
        if (!pgnumeric_format(s, (size_t)(c->p - s), -1, 0, out))
            evbuffer_add(out, s, (size_t)(c->p - s));
    }
    return true;
}

static bool json_value(struct json_ctx *c, struct evbuffer *out)
{
    json_ws(c);
    if (c->p >= c->end)
        return false;
    if (++c->depth > JSON_MAX_DEPTH) {
        c->why = "[54001] stack depth limit exceeded";
        return false;
    }
    bool ok;
    char ch = *c->p;
    if (ch == '{') {
        ok = json_object(c, out);
    } else if (ch == '[') {
        ok = json_array(c, out);
    } else if (ch == '"') {
        struct evbuffer *dec = out ? evbuffer_new() : NULL;
        ok = json_string(c, dec);
        if (ok && out)
            json_put_string(out, evbuffer_pullup(dec, -1), evbuffer_get_length(dec));
        if (dec)
            evbuffer_free(dec);
    } else if (ch == '-' || isdigit((unsigned char)ch)) {
        ok = json_number(c, out);
    } else {
        static const char *const lits[] = {"true", "false", "null"};
        ok = false;
        for (int i = 0; i < 3; i++) {
            size_t l = strlen(lits[i]);
            if ((size_t)(c->end - c->p) >= l && memcmp(c->p, lits[i], l) == 0 &&
                ((size_t)(c->end - c->p) == l || !isalnum((unsigned char)c->p[l]))) {
                c->p += l;
                if (out)
                    evbuffer_add(out, lits[i], l);
                ok = true;
                break;
            }
        }
    }
    c->depth--;
    return ok;
}

bool pgjson_parse(const char *s, size_t len, bool jsonb, struct evbuffer *out, const char **err)
{
    struct json_ctx c = {.p = s, .end = s + len, .jsonb = jsonb, .out = out};
    bool ok = json_value(&c, out);
    json_ws(&c);
    if (ok && c.p == c.end)
        return true;
    *err = c.why ? c.why : "[22P02] invalid input syntax for type json";
    return false;
}
