/*
 * Numbers on SQLite storage: float4/float8 input and PostgreSQL 12+ output (shortest round-trip
 * digits), and numeric, stored as INTEGER or REAL, printed in PostgreSQL's text form (scale from
 * the typmod) and its base-10000 binary form, and read back from both. Integer and boolean
 * types are in types.c.
 */
#include "sql/types.h"
#include "sql/decimal.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <sqlite3.h>

#define NUM_MAX_DIGITS 1100 /* decimal digits a numeric may print; more is refused */

static bool types_fail(const char **err, char *errbuf, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool types_fail(const char **err, char *errbuf, size_t errcap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errbuf && errcap > 0)
        vsnprintf(errbuf, errcap, fmt, ap);
    va_end(ap);
    *err = errbuf;
    return false;
}

static void trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s))
        (*s)++, (*len)--;
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* Decimal digits only, for the integer part of numeric input. */
static bool all_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return len > 0;
}

/* PostgreSQL float input: strtod plus NaN/Infinity spellings; 0 ok, 1 syntax, 2 range. */
int pgfloat_parse(const char *s, size_t len, bool single, double *out)
{
    char buf[512];
    trim(&s, &len);
    if (len == 0 || len >= sizeof buf)
        return 1;
    memcpy(buf, s, len);
    buf[len] = '\0';
    const char *b = buf;
    bool neg = false;
    if (*b == '+' || *b == '-')
        neg = *b++ == '-';
    if (strcasecmp(b, "nan") == 0 && b == buf) {
        *out = NAN;
        return 0;
    }
    if (strcasecmp(b, "infinity") == 0 || strcasecmp(b, "inf") == 0) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    /* No hex floats, no nan(...) forms: only decimal input. */
    for (const char *c = b; *c; c++)
        if (!isdigit((unsigned char)*c) && !strchr(".eE+-", *c))
            return 1;
    char *end;
    errno = 0;
    double d = strtod(buf, &end);
    if (end == buf || *end)
        return 1;
    if (errno == ERANGE && (isinf(d) || d == 0))
        return 2;
    if (single) {
        float f = (float)d;
        if (isinf(f) || (f == 0 && d != 0))
            return 2;
        d = f;
    }
    *out = d;
    return 0;
}

/* Shortest digits that round-trip: "d.ddd" mantissa digits (no point) and decimal exponent. */
static int shortest_digits(double d, bool single, char *digits, int *exp10)
{
    char buf[40];
    int maxp = single ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, d);
        bool ok = single ? strtof(buf, NULL) == (float)d : strtod(buf, NULL) == d;
        if (ok || p == maxp)
            break;
    }
    /* buf is [-]d[.ddd]e[+-]xx */
    const char *c = buf;
    if (*c == '-')
        c++;
    int n = 0;
    for (; *c && *c != 'e'; c++)
        if (isdigit((unsigned char)*c))
            digits[n++] = *c;
    while (n > 1 && digits[n - 1] == '0')
        n--;
    digits[n] = '\0';
    *exp10 = atoi(c + 1);
    return n;
}

/* Fixed-point text of digits (d.ddd x 10^exp10), as numeric and the fixed float form print. */
static void put_fixed(char *out, size_t cap, bool neg, const char *digits, int nd, int exp10)
{
    size_t o = 0;
    if (neg && o + 1 < cap)
        out[o++] = '-';
    if (exp10 < 0) {
        for (int i = 0; i < 2 && o + 1 < cap; i++)
            out[o++] = "0."[i];
        for (int i = 0; i < -exp10 - 1 && o + 1 < cap; i++)
            out[o++] = '0';
        for (int i = 0; i < nd && o + 1 < cap; i++)
            out[o++] = digits[i];
    } else {
        for (int i = 0; i <= exp10 || i < nd; i++) {
            if (i == exp10 + 1 && o + 1 < cap)
                out[o++] = '.';
            if (o + 1 < cap)
                out[o++] = i < nd ? digits[i] : '0';
        }
    }
    out[o] = '\0';
}

static bool float_special(double d, char *out, size_t cap)
{
    if (isnan(d))
        snprintf(out, cap, "NaN");
    else if (isinf(d))
        snprintf(out, cap, d < 0 ? "-Infinity" : "Infinity");
    else
        return false;
    return true;
}

/* float4/float8 output as PostgreSQL 12+ prints it. */
void pgfloat_format(double d, bool single, int extra_digits, char *out, size_t cap)
{
    if (single)
        d = (float)d;
    if (float_special(d, out, cap))
        return;
    if (extra_digits <= 0) {
        int prec = (single ? 6 : 15) + extra_digits;
        snprintf(out, cap, "%.*g", prec < 1 ? 1 : prec, d);
        return;
    }
    if (d == 0) {
        snprintf(out, cap, signbit(d) ? "-0" : "0");
        return;
    }
    char digits[24];
    int exp10;
    int nd = shortest_digits(d, single, digits, &exp10);
    if (exp10 >= -4 && exp10 < (single ? 6 : 15)) {
        put_fixed(out, cap, d < 0, digits, nd, exp10);
        return;
    }
    snprintf(out, cap, "%s%c%s%.*s%c%c%02d", d < 0 ? "-" : "", digits[0], nd > 1 ? "." : "", nd - 1,
             digits + 1, 'e', exp10 < 0 ? '-' : '+', exp10 < 0 ? -exp10 : exp10);
}

/* ---- numeric ---- */

/* A decimal value in plain form: sign, integer digits (no leading zeros, "0" for none) and
 * fraction digits (dscale of them). */
struct num {
    bool neg;
    int special; /* 0, 'n' NaN, 'i' Infinity (neg gives -Infinity) */
    char *intd, *frac;
    char buf[2 * NUM_MAX_DIGITS + 8];
};

/* Parses PostgreSQL numeric input ("-12.50", "1e20", ".5", "NaN", "Infinity"). */
static bool num_parse(const char *s, size_t len, struct num *n)
{
    trim(&s, &len);
    memset(n, 0, offsetof(struct num, buf));
    size_t i = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        n->neg = s[i++] == '-';
    if (len - i == 3 && strncasecmp(s + i, "nan", 3) == 0 && i == 0) {
        n->special = 'n';
        return true;
    }
    if ((len - i == 8 && strncasecmp(s + i, "infinity", 8) == 0) ||
        (len - i == 3 && strncasecmp(s + i, "inf", 3) == 0)) {
        n->special = 'i';
        return true;
    }
    char digits[NUM_MAX_DIGITS];
    int nd = 0, point = -1;
    bool any = false;
    for (; i < len; i++) {
        if (isdigit((unsigned char)s[i])) {
            if (nd >= NUM_MAX_DIGITS - 1)
                return false;
            digits[nd++] = s[i];
            any = true;
        } else if (s[i] == '.' && point < 0) {
            point = nd;
        } else {
            break;
        }
    }
    if (!any)
        return false;
    if (point < 0)
        point = nd;
    long e = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        bool eneg = false;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        if (i == len || !isdigit((unsigned char)s[i]))
            return false;
        for (; i < len && isdigit((unsigned char)s[i]); i++)
            if ((e = e * 10 + (s[i] - '0')) > NUM_MAX_DIGITS)
                return false;
        if (eneg)
            e = -e;
    }
    if (i != len)
        return false;
    /* Shift the point by the exponent; the scale is the fraction digits left (at least 0). */
    long ipos = point + e; /* digits before the point */
    long fracn = nd - ipos;
    if (fracn < 0)
        fracn = 0;
    if (ipos > NUM_MAX_DIGITS || fracn > NUM_MAX_DIGITS)
        return false;
    /* buf[0] stays free for a carry out of the integer digits (num_set_scale). */
    char *o = n->buf + 1;
    n->intd = o;
    for (long k = 0; k < ipos; k++)
        *o++ = k < nd ? digits[k] : '0';
    if (o == n->intd)
        *o++ = '0';
    *o++ = '\0';
    while (n->intd[0] == '0' && n->intd[1])
        n->intd++;
    n->frac = o;
    for (long k = 0; k < fracn; k++) {
        long src = ipos + k;
        *o++ = src >= 0 && src < nd ? digits[src] : '0';
    }
    *o = '\0';
    return true;
}

static bool num_is_zero(const struct num *n)
{
    return strspn(n->intd, "0") == strlen(n->intd) && strspn(n->frac, "0") == strlen(n->frac);
}

/* Rounds (half away from zero) or pads the fraction to scale digits, as numeric(p,s) does. */
static void num_set_scale(struct num *n, int scale)
{
    size_t fl = strlen(n->frac);
    if (scale > NUM_MAX_DIGITS - 8)
        scale = NUM_MAX_DIGITS - 8;
    if ((size_t)scale >= fl) {
        char *f = n->frac + fl;
        for (size_t k = fl; k < (size_t)scale; k++)
            *f++ = '0';
        *f = '\0';
        return;
    }
    bool up = n->frac[scale] >= '5';
    n->frac[scale] = '\0';
    if (!up)
        return;
    for (int k = scale - 1; k >= 0; k--) {
        if (n->frac[k] == '9') {
            n->frac[k] = '0';
        } else {
            n->frac[k]++;
            return;
        }
    }
    /* Carry into the integer digits, which sit before frac in buf with room for one more. */
    size_t il = strlen(n->intd);
    for (size_t k = il; k-- > 0;) {
        if (n->intd[k] == '9') {
            n->intd[k] = '0';
        } else {
            n->intd[k]++;
            return;
        }
    }
    *--n->intd = '1'; /* num_parse keeps the byte before the digits free */
}

/* Reads a stored numeric (INTEGER, REAL, or TEXT) into plain decimal form. */
static bool num_from_value(struct sqlite3_value *v, struct num *n)
{
    char tmp[64];
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        snprintf(tmp, sizeof tmp, "%lld", (long long)sqlite3_value_int64(v));
        return num_parse(tmp, strlen(tmp), n);
    case SQLITE_FLOAT: {
        double d = sqlite3_value_double(v);
        if (isnan(d))
            return num_parse("NaN", 3, n);
        if (isinf(d))
            return num_parse(d < 0 ? "-Infinity" : "Infinity", d < 0 ? 9 : 8, n);
        char digits[24];
        int exp10;
        shortest_digits(d, false, digits, &exp10);
        snprintf(tmp, sizeof tmp, "%s%se%d", d < 0 ? "-" : "", digits,
                 exp10 - (int)strlen(digits) + 1);
        return num_parse(tmp, strlen(tmp), n);
    }
    case SQLITE_TEXT:
        return num_parse((const char *)sqlite3_value_text(v), (size_t)sqlite3_value_bytes(v), n);
    default:
        return false;
    }
}

static int typmod_scale(int32_t typmod)
{
    return typmod >= 4 ? ((typmod - 4) & 0xffff) : -1;
}

static void num_text(struct num *n, struct evbuffer *out)
{
    if (n->special == 'n') {
        evbuffer_add(out, "NaN", 3);
        return;
    }
    if (n->special == 'i') {
        evbuffer_add_printf(out, "%sInfinity", n->neg ? "-" : "");
        return;
    }
    evbuffer_add_printf(out, "%s%s%s%s", n->neg && !num_is_zero(n) ? "-" : "", n->intd,
                        n->frac[0] ? "." : "", n->frac);
}

static void put16(struct evbuffer *out, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    evbuffer_add(out, b, 2);
}

static uint64_t get_be(const char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | (uint8_t)p[i];
    return v;
}

/* PostgreSQL's binary numeric: ndigits, weight, sign, dscale, then base-10000 digits. */
static void num_binary(const struct num *n, struct evbuffer *out)
{
    if (n->special) {
        put16(out, 0);
        put16(out, 0);
        put16(out, n->special == 'n' ? 0xC000 : n->neg ? 0xF000 : 0xD000);
        put16(out, 0);
        return;
    }
    size_t il = strlen(n->intd), fl = strlen(n->frac);
    size_t ipad = (4 - il % 4) % 4, ig = (il + ipad) / 4, fg = (fl + 3) / 4;
    uint16_t groups[2 * NUM_MAX_DIGITS / 4 + 8];
    size_t ng = 0;
    for (size_t g = 0; g < ig + fg; g++) {
        int v = 0;
        for (size_t k = 0; k < 4; k++) {
            size_t pos = g * 4 + k; /* position in padded int+frac digit string */
            char c = '0';
            if (pos >= ipad && pos < ipad + il)
                c = n->intd[pos - ipad];
            else if (pos >= ipad + il && pos - ipad - il < fl)
                c = n->frac[pos - ipad - il];
            v = v * 10 + (c - '0');
        }
        groups[ng++] = (uint16_t)v;
    }
    int weight = (int)ig - 1;
    size_t first = 0;
    while (first < ng && groups[first] == 0) {
        first++;
        weight--;
    }
    size_t last = ng;
    while (last > first && groups[last - 1] == 0)
        last--;
    if (first == last)
        weight = 0;
    put16(out, (uint16_t)(last - first));
    put16(out, (uint16_t)(int16_t)weight);
    put16(out, n->neg && first != last ? 0x4000 : 0);
    put16(out, (uint16_t)fl);
    for (size_t g = first; g < last; g++)
        put16(out, groups[g]);
}

/* Decodes binary numeric into text ("-12.50"), false on a malformed value. */
static bool num_from_binary(const char *p, size_t len, char *out, size_t cap)
{
    if (len < 8)
        return false;
    int nd = (int)get_be(p, 2), weight = (int16_t)get_be(p + 2, 2);
    int sign = (int)get_be(p + 4, 2), dscale = (int)get_be(p + 6, 2);
    if (len != 8 + 2 * (size_t)nd || dscale > 1000 || nd > 1000)
        return false;
    if (sign == 0xC000) {
        snprintf(out, cap, "NaN");
        return true;
    }
    if (sign == 0xD000 || sign == 0xF000) {
        snprintf(out, cap, "%sInfinity", sign == 0xF000 ? "-" : "");
        return true;
    }
    if (sign != 0 && sign != 0x4000)
        return false;
    size_t o = 0;
    if (sign == 0x4000 && o + 1 < cap)
        out[o++] = '-';
    /* Integer part: groups with weight >= 0. */
    bool started = false;
    for (int w = weight; w >= 0; w--) {
        int idx = weight - w;
        int g = idx < nd ? (int)get_be(p + 8 + 2 * idx, 2) : 0;
        if (g > 9999)
            return false;
        char tmp[8];
        snprintf(tmp, sizeof tmp, started ? "%04d" : "%d", g);
        if (!started && g == 0)
            continue;
        started = true;
        for (char *t = tmp; *t && o + 1 < cap; t++)
            out[o++] = *t;
    }
    if (!started && o + 1 < cap)
        out[o++] = '0';
    if (dscale > 0 && o + 1 < cap)
        out[o++] = '.';
    for (int k = 0; k < dscale; k++) {
        int w = -1 - k / 4;
        int idx = weight - w;
        int g = idx >= 0 && idx < nd ? (int)get_be(p + 8 + 2 * idx, 2) : 0;
        if (g > 9999)
            return false;
        static const int div[4] = {1000, 100, 10, 1};
        if (o + 1 < cap)
            out[o++] = (char)('0' + g / div[k % 4] % 10);
    }
    out[o] = '\0';
    return true;
}

static bool bind_rc(int rc, const char **err, char *errbuf, size_t errcap)
{
    if (rc == SQLITE_OK)
        return true;
    return types_fail(err, errbuf, errcap, "[XX000] could not bind parameter: %s",
                      sqlite3_errstr(rc));
}

/* SQLite stores a NaN double as NULL, so NaN is stored as the text 'NaN' (which REAL and
 * NUMERIC affinity leave alone, and which the output side reads back). */
static bool bind_double(sqlite3_stmt *st, int idx, double d, const char **err, char *errbuf,
                        size_t errcap)
{
    int rc = isnan(d) ? sqlite3_bind_text(st, idx, "NaN", 3, SQLITE_STATIC)
                      : sqlite3_bind_double(st, idx, d);
    if (rc != SQLITE_OK)
        return types_fail(err, errbuf, errcap, "[XX000] could not bind parameter: %s",
                          sqlite3_errstr(rc));
    return true;
}

/* Significant decimal digits of a parsed finite number (leading and trailing zeros aside). */
static size_t num_significant(const struct num *n)
{
    const char *a = n->intd, *f = n->frac;
    while (*a == '0')
        a++;
    size_t na = strlen(a), nf = strlen(f);
    while (nf && f[nf - 1] == '0')
        nf--;
    if (!na) {
        while (nf && *f == '0') {
            f++;
            nf--;
        }
        return nf;
    }
    if (!nf) /* an integer: its trailing zeros are not significant either (1e300) */
        while (na && a[na - 1] == '0')
            na--;
    return na + nf;
}

/* True when n is stored exactly: an integer in int64, or at most 15 significant digits (what
 * a double holds exactly in decimal). */
static bool num_exact(const struct num *n)
{
    if (n->special)
        return true;
    if (strspn(n->frac, "0") == strlen(n->frac)) {
        const char *a = n->intd;
        while (*a == '0')
            a++;
        if (strlen(a) < 19 || (strlen(a) == 19 && strcmp(a, n->neg ? "9223372036854775808"
                                                                   : "9223372036854775807") <= 0))
            return true;
    }
    return num_significant(n) <= 15;
}

bool pgnumeric_exact(const char *s, size_t len)
{
    struct num *n = malloc(sizeof *n);
    bool ok = n && num_parse(s, len, n) && num_exact(n);
    free(n);
    return ok;
}

int pgnumeric_text_scale(const char *s)
{
    struct num *n = malloc(sizeof *n);
    int scale = n && num_parse(s, strlen(s), n) && !n->special ? (int)strlen(n->frac) : -1;
    free(n);
    return scale;
}

#define PARAM_SLOTS 64 /* numeric parameters whose digits are kept, per thread */

static __thread struct {
    const void *st;
    int idx;
    double d;
    char text[64];
} param_ring[PARAM_SLOTS];
static __thread unsigned param_next;
static __thread const void *param_stmt;

/* Keeps the digits of parameter idx of st, bound as the number d. */
static void param_remember(const void *st, int idx, double d, const struct num *n)
{
    for (unsigned i = 0; i < PARAM_SLOTS; i++)
        if (param_ring[i].st == st && param_ring[i].idx == idx)
            param_ring[i].st = NULL; /* rebound: the old digits are gone */
    unsigned k = param_next++ % PARAM_SLOTS;
    int len = snprintf(param_ring[k].text, sizeof param_ring[k].text, "%s%s%s%s", n->neg ? "-" : "",
                       n->intd, n->frac[0] ? "." : "", n->frac);
    if (len < 0 || (size_t)len >= sizeof param_ring[k].text)
        return;
    param_ring[k].st = st;
    param_ring[k].idx = idx;
    param_ring[k].d = d;
}

void pgnumeric_set_statement(const struct sqlite3_stmt *st)
{
    param_stmt = st;
}

const char *pgnumeric_param_exact(int idx, double d)
{
    for (unsigned i = 0; param_stmt && i < PARAM_SLOTS; i++)
        if (param_ring[i].st == param_stmt && param_ring[i].idx == idx && param_ring[i].d == d)
            return param_ring[i].text;
    return NULL;
}

/* Binds numeric text in storage form: an integer when exact in int64, else a double. */
static bool num_bind_text(sqlite3_stmt *st, int idx, const char *s, size_t len, const char **err,
                          char *errbuf, size_t errcap)
{
    struct num n;
    if (!num_parse(s, len, &n))
        return types_fail(err, errbuf, errcap,
                          "[22P02] invalid input syntax for type numeric: \"%.*s\"",
                          (int)(len > 200 ? 200 : len), s);
    if (n.special == 'n')
        return bind_double(st, idx, NAN, err, errbuf, errcap);
    if (n.special)
        return bind_double(st, idx, n.neg ? -INFINITY : INFINITY, err, errbuf, errcap);
    if (!num_exact(&n))
        return types_fail(err, errbuf, errcap,
                          "[0A000] numeric value \"%.*s\" has more than 15 significant digits, "
                          "more than the SQLite backend stores exactly",
                          (int)(len > 60 ? 60 : len), s);
    char txt[2 * NUM_MAX_DIGITS + 8];
    snprintf(txt, sizeof txt, "%s%s%s%s", n.neg ? "-" : "", n.intd, n.frac[0] ? "." : "", n.frac);
    int64_t iv;
    char *end;
    errno = 0;
    if (strspn(n.frac, "0") == strlen(n.frac) && strlen(n.intd) <= 19 &&
        all_digits(n.intd, strlen(n.intd)) && ((iv = strtoll(txt, &end, 10)), errno == 0) &&
        (*end == '\0' || *end == '.')) {
        param_remember(st, idx, (double)iv, &n);
        return bind_rc(sqlite3_bind_int64(st, idx, iv), err, errbuf, errcap);
    }
    param_remember(st, idx, strtod(txt, NULL), &n);
    return bind_double(st, idx, strtod(txt, NULL), err, errbuf, errcap);
}

bool pgnumeric_format(const char *s, size_t len, int32_t typmod, int format, struct evbuffer *out)
{
    struct num *n = malloc(sizeof *n);
    bool ok = n && num_parse(s, len, n);
    if (ok) {
        if (typmod_scale(typmod) >= 0 && !n->special)
            num_set_scale(n, typmod_scale(typmod));
        if (format == 1)
            num_binary(n, out);
        else
            num_text(n, out);
    }
    free(n);
    return ok;
}

#define EXACT_SLOTS 1024 /* results remembered per thread: one statement's recent rows */

static __thread struct {
    double d;
    int column; /* the result column it was computed for, -1 for none */
    char text[96];
} exact_ring[EXACT_SLOTS];
static __thread unsigned exact_next;

/* The sign of a - b for two numeric texts (0 when equal as numbers, whatever their scales). */
static int exact_compare(const char *a, const char *b)
{
    struct dec x, y, r;
    if (dec_parse(a, &x) && dec_parse(b, &y) && dec_add(&x, &y, true, &r))
        return r.mant < 0 ? -1 : r.mant > 0;
    long double la = strtold(a, NULL), lb = strtold(b, NULL);
    return la < lb ? -1 : la > lb;
}

double pgnumeric_remember_exact(double d, const char *text, int column)
{
    if (strlen(text) >= sizeof exact_ring[0].text || !isfinite(d))
        return d;
    /* Another number whose nearest double is d is remembered (1/3*3 and 1.0 both give 1.0):
     * this one takes the neighbouring double on its own side, so that both print their own
     * digits and still compare in order. Equal numbers (1.5, 1.50) share d. */
    for (int tries = 0; tries < 8; tries++) {
        const char *known = pgnumeric_recall_exact(d, -1);
        int cmp = known && strcmp(known, text) != 0 ? exact_compare(text, known) : 0;
        if (cmp == 0)
            break;
        d = nextafter(d, cmp > 0 ? INFINITY : -INFINITY);
    }
    /* A constant evaluated for every row (pg_numeric_lit) takes one slot, not all. */
    unsigned last = (exact_next - 1) % EXACT_SLOTS;
    if (exact_next && memcmp(&exact_ring[last].d, &d, sizeof d) == 0 &&
        exact_ring[last].column == column && !strcmp(exact_ring[last].text, text))
        return d;
    exact_ring[exact_next % EXACT_SLOTS].d = d;
    exact_ring[exact_next % EXACT_SLOTS].column = column;
    snprintf(exact_ring[exact_next % EXACT_SLOTS].text, sizeof exact_ring[0].text, "%s", text);
    exact_next++;
    return d;
}

void pgnumeric_forget_exact(void)
{
    exact_next = 0;
}

const char *pgnumeric_recall_exact(double d, int column)
{
    const char *any = NULL;
    unsigned n = exact_next < EXACT_SLOTS ? exact_next : EXACT_SLOTS;
    for (unsigned i = 1; i <= n; i++) {
        unsigned k = (exact_next - i) % EXACT_SLOTS;
        if (memcmp(&exact_ring[k].d, &d, sizeof d) != 0)
            continue;
        if (column < 0 || exact_ring[k].column == column)
            return exact_ring[k].text;
        if (!any)
            any = exact_ring[k].text;
    }
    return any;
}

int32_t pgtypmod_numeric_exact(int column, int scale)
{
    if (column < 0 || column > 1000000 || scale < -1 || scale > 1000)
        return PGTYPMOD_NUMERIC_EXACT;
    return -3 - (column * 2048 + scale + 1);
}

bool pgnumeric_format_value(struct sqlite3_value *v, int32_t typmod, int format,
                            struct evbuffer *out)
{
    if (typmod <= PGTYPMOD_NUMERIC_EXACT) {
        /* pgtypmod_numeric_exact's column and scale (PGTYPMOD_NUMERIC_EXACT: neither). */
        int k = typmod == PGTYPMOD_NUMERIC_EXACT ? -1 : -3 - typmod;
        int column = k < 0 ? -1 : k / 2048, scale = k < 0 ? -1 : k % 2048 - 1;
        const char *exact = sqlite3_value_type(v) == SQLITE_FLOAT
                                ? pgnumeric_recall_exact(sqlite3_value_double(v), column)
                                : NULL;
        if (exact)
            return pgnumeric_format(exact, strlen(exact), -1, format, out);
        typmod = scale >= 0 ? ((1000 << 16) | scale) + 4 : -1;
    }
    struct num *n = malloc(sizeof *n);
    bool ok = n && num_from_value(v, n);
    if (ok) {
        if (typmod_scale(typmod) >= 0 && !n->special)
            num_set_scale(n, typmod_scale(typmod));
        if (format == 1)
            num_binary(n, out);
        else
            num_text(n, out);
    }
    free(n);
    return ok;
}

static bool bind_bad_binary(int idx, const char **err, char *errbuf, size_t errcap)
{
    return types_fail(err, errbuf, errcap,
                      "[22P03] incorrect binary data format in bind parameter %d", idx);
}

bool pgnumeric_bind(struct sqlite3_stmt *st, int idx, const char *data, size_t len, int format,
                    const char **err, char *errbuf, size_t errcap)
{
    if (format != 1)
        return num_bind_text(st, idx, data, len, err, errbuf, errcap);
    char buf[2 * NUM_MAX_DIGITS + 8];
    if (!num_from_binary(data, len, buf, sizeof buf))
        return bind_bad_binary(idx, err, errbuf, errcap);
    return num_bind_text(st, idx, buf, strlen(buf), err, errbuf, errcap);
}

bool pgfloat_bind(struct sqlite3_stmt *st, int idx, const char *data, size_t len, int format,
                  bool single, const char **err, char *errbuf, size_t errcap)
{
    double d;
    if (format == 1) {
        if (len != (single ? 4u : 8u))
            return bind_bad_binary(idx, err, errbuf, errcap);
        if (single) {
            uint32_t bits = (uint32_t)get_be(data, 4);
            float f;
            memcpy(&f, &bits, 4);
            d = f;
        } else {
            uint64_t bits = get_be(data, 8);
            memcpy(&d, &bits, 8);
        }
        return bind_double(st, idx, d, err, errbuf, errcap);
    }
    const char *tn = single ? "real" : "double precision";
    int show = (int)(len > 200 ? 200 : len);
    int rc = pgfloat_parse(data, len, single, &d);
    if (rc == 1)
        return types_fail(err, errbuf, errcap, "[22P02] invalid input syntax for type %s: \"%.*s\"",
                          tn, show, data);
    if (rc == 2)
        return types_fail(err, errbuf, errcap, "[22003] \"%.*s\" is out of range for type %s", show,
                          data, tn);
    return bind_double(st, idx, d, err, errbuf, errcap);
}
