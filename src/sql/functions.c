/*
 * SQL functions with PostgreSQL semantics that the translator's output calls, registered on
 * each SQLite handle by sql_functions_register(): patterns (LIKE with PostgreSQL's default
 * backslash escape and case sensitivity, ILIKE, POSIX regex), GREATEST/LEAST ignoring NULL,
 * division raising 22012, string functions, random/uuid, now() from the backend's transaction
 * start time, current_setting(). Casts and date/time live in functions_cast.c.
 * Errors carry their SQLSTATE as a "[XXXXX] " prefix of the SQLite error message.
 */
#include <ctype.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <wctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sqlite3.h>

#include "functions_int.h"
#include "sql/functions.h"

void fn_error(sqlite3_context *cx, const char *sqlstate, const char *fmt, ...)
{
    char msg[600];
    int n = snprintf(msg, sizeof msg, "[%s] ", sqlstate);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
    va_end(ap);
    sqlite3_result_error(cx, msg, -1);
}

void fn_result_double(sqlite3_context *cx, double d)
{
    if (isnan(d))
        sqlite3_result_text(cx, "NaN", 3, SQLITE_STATIC);
    else
        sqlite3_result_double(cx, d);
}

bool sql_functions_error_sqlstate(const char *msg, char sqlstate[6], const char **message)
{
    *message = msg;
    if (!msg || msg[0] != '[' || strlen(msg) < 8 || msg[6] != ']')
        return false;
    for (int i = 1; i <= 5; i++)
        if (!isalnum((unsigned char)msg[i]))
            return false;
    memcpy(sqlstate, msg + 1, 5);
    sqlstate[5] = '\0';
    *message = msg[7] == ' ' ? msg + 8 : msg + 7;
    return true;
}

static bool any_null(int argc, sqlite3_value **argv)
{
    for (int i = 0; i < argc; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            return true;
    return false;
}

/* ---- UTF-8 helpers ---- */

static int utf8_decode(const unsigned char **p, const unsigned char *end)
{
    const unsigned char *s = *p;
    int c = *s++;
    int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
    if (extra)
        c &= (1 << (6 - extra)) - 1;
    while (extra-- > 0 && s < end && (*s & 0xC0) == 0x80)
        c = (c << 6) | (*s++ & 0x3F);
    *p = s;
    return c;
}

/*
 * Case folding and regex character classes need a UTF-8 locale whatever the process runs
 * with; "C.UTF-8" is made once and used per call (uselocale), never set process-wide.
 */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;

static void utf8_locale_init(void)
{
    utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static locale_t fn_utf8_locale(void)
{
    pthread_once(&utf8_once, utf8_locale_init);
    return utf8_locale;
}

static int fold_lower(int c)
{
    if (c < 0x80)
        return c >= 'A' && c <= 'Z' ? c + 32 : c;
    locale_t loc = fn_utf8_locale();
    return loc ? (int)towlower_l((wint_t)c, loc) : c;
}

static int utf8_encode(int c, char *b)
{
    if (c < 0x80) {
        b[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        b[0] = (char)(0xC0 | (c >> 6));
        b[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        b[0] = (char)(0xE0 | (c >> 12));
        b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    b[0] = (char)(0xF0 | (c >> 18));
    b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    b[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

/* lower()/upper() over all of Unicode's simple case mappings (SQLite's fold only ASCII). */
static void change_case(sqlite3_context *cx, sqlite3_value *v, bool upper)
{
    if (sqlite3_value_type(v) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const unsigned char *s = sqlite3_value_text(v);
    int n = sqlite3_value_bytes(v);
    char *out = sqlite3_malloc64((sqlite3_uint64)n * 2 + 1);
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    locale_t loc = fn_utf8_locale();
    const unsigned char *p = s, *end = s + n;
    int o = 0;
    while (p < end) {
        int c = utf8_decode(&p, end);
        if (c < 0x80)
            c = upper ? toupper(c) : tolower(c);
        else if (loc)
            c = upper ? (int)towupper_l((wint_t)c, loc) : (int)towlower_l((wint_t)c, loc);
        o += utf8_encode(c, out + o);
    }
    sqlite3_result_text(cx, out, o, sqlite3_free);
}

static void fn_lower(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    change_case(cx, argv[0], false);
}

static void fn_upper(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    change_case(cx, argv[0], true);
}

/* ---- LIKE / ILIKE ---- */

/*
 * PostgreSQL LIKE: % any run, _ one character, escape character (default backslash) makes the
 * next character literal; the whole string must match. Recursion is bounded by collapsing
 * runs of %.
 */
static int like_match(const unsigned char *s, const unsigned char *se, const unsigned char *p,
                      const unsigned char *pe, int esc, bool icase)
{
    while (p < pe) {
        const unsigned char *pp = p;
        int pc = utf8_decode(&pp, pe);
        if (pc == '%' && esc != '%') {
            while (pp < pe && *pp == '%')
                pp++;
            if (pp == pe)
                return 1;
            while (s <= se) {
                int r = like_match(s, se, pp, pe, esc, icase);
                if (r != 0)
                    return r;
                if (s == se)
                    break;
                utf8_decode(&s, se);
            }
            return -1; /* no match at any later start either */
        }
        bool escaped = false;
        if (pc == esc && esc >= 0) {
            if (pp >= pe)
                return -2; /* escape at end of pattern */
            pc = utf8_decode(&pp, pe);
            escaped = true;
        }
        if (s >= se)
            return 0;
        int sc = utf8_decode(&s, se);
        if (pc == '_' && esc != '_' && !escaped) {
            p = pp;
            continue;
        }
        if (icase ? fold_lower(pc) != fold_lower(sc) : pc != sc)
            return 0;
        p = pp;
    }
    return s == se;
}

static void like_common(sqlite3_context *cx, int argc, sqlite3_value **argv, bool icase)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    const unsigned char *s = sqlite3_value_text(argv[0]);
    int sn = sqlite3_value_bytes(argv[0]);
    const unsigned char *p = sqlite3_value_text(argv[1]);
    int pn = sqlite3_value_bytes(argv[1]);
    int esc = '\\';
    if (argc > 2) {
        const unsigned char *e = sqlite3_value_text(argv[2]);
        int en = sqlite3_value_bytes(argv[2]);
        if (en == 0) {
            esc = -1;
        } else {
            const unsigned char *q = e;
            esc = utf8_decode(&q, e + en);
            if (q != e + en) {
                fn_error(cx, "22025", "invalid escape string");
                return;
            }
        }
    }
    int r = like_match(s, s + sn, p, p + pn, esc, icase);
    if (r == -2) {
        fn_error(cx, "22025", "LIKE pattern must not end with escape character");
        return;
    }
    sqlite3_result_int(cx, r > 0);
}

static void fn_like(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    like_common(cx, argc, argv, false);
}

static void fn_ilike(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    like_common(cx, argc, argv, true);
}

/* ---- regular expressions ---- */

struct fn_regex {
    regex_t re;
    int icase;
};

static void regex_free(void *p)
{
    struct fn_regex *r = p;
    regfree(&r->re);
    sqlite3_free(r);
}

/* PostgreSQL's class escapes that POSIX ERE lacks, rewritten before regcomp. */
static char *regex_rewrite(const char *pat)
{
    size_t n = strlen(pat);
    char *out = sqlite3_malloc64(n * 8 + 1);
    if (!out)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (pat[i] == '\\' && i + 1 < n) {
            const char *rep = NULL;
            switch (pat[i + 1]) {
            case 'd':
                rep = "[0-9]";
                break;
            case 'D':
                rep = "[^0-9]";
                break;
            }
            if (rep) {
                memcpy(out + o, rep, strlen(rep));
                o += strlen(rep);
                i++;
                continue;
            }
            out[o++] = pat[i++];
        }
        out[o++] = pat[i];
    }
    out[o] = '\0';
    return out;
}

static void fn_regex(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    if (any_null(2, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    int icase = argc > 2 ? sqlite3_value_int(argv[2]) : 0;
    struct fn_regex *r = sqlite3_get_auxdata(cx, 1);
    if (!r || r->icase != icase) {
        const char *pat = (const char *)sqlite3_value_text(argv[1]);
        char *rw = regex_rewrite(pat);
        r = sqlite3_malloc(sizeof *r);
        if (!rw || !r) {
            sqlite3_free(rw);
            sqlite3_free(r);
            sqlite3_result_error_nomem(cx);
            return;
        }
        locale_t loc = fn_utf8_locale(), old = loc ? uselocale(loc) : (locale_t)0;
        int rc = regcomp(&r->re, rw, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0));
        if (loc)
            uselocale(old);
        sqlite3_free(rw);
        if (rc) {
            char msg[200];
            regerror(rc, &r->re, msg, sizeof msg);
            sqlite3_free(r);
            fn_error(cx, "2201B", "invalid regular expression: %s", msg);
            return;
        }
        r->icase = icase;
        sqlite3_set_auxdata(cx, 1, r, regex_free);
        r = sqlite3_get_auxdata(cx, 1);
        if (!r) {
            /* SQLite dropped it (out of memory): it was already freed. */
            sqlite3_result_error_nomem(cx);
            return;
        }
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    locale_t loc = fn_utf8_locale(), old = loc ? uselocale(loc) : (locale_t)0;
    int rc = regexec(&r->re, s, 0, NULL, 0);
    if (loc)
        uselocale(old);
    sqlite3_result_int(cx, rc == 0);
}

/* ---- GREATEST / LEAST ---- */

/* SQLite's ordering of non-NULL values: numbers < text < blob. */
static int value_cmp(sqlite3_value *a, sqlite3_value *b)
{
    int ta = sqlite3_value_type(a), tb = sqlite3_value_type(b);
    int ca = ta == SQLITE_INTEGER || ta == SQLITE_FLOAT ? 0 : ta == SQLITE_TEXT ? 1 : 2;
    int cb = tb == SQLITE_INTEGER || tb == SQLITE_FLOAT ? 0 : tb == SQLITE_TEXT ? 1 : 2;
    if (ca != cb)
        return ca < cb ? -1 : 1;
    if (ca == 0) {
        if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) {
            sqlite3_int64 x = sqlite3_value_int64(a), y = sqlite3_value_int64(b);
            return x < y ? -1 : x > y;
        }
        double x = sqlite3_value_double(a), y = sqlite3_value_double(b);
        return x < y ? -1 : x > y;
    }
    const void *pa = ca == 1 ? (const void *)sqlite3_value_text(a) : sqlite3_value_blob(a);
    int na = sqlite3_value_bytes(a);
    const void *pb = cb == 1 ? (const void *)sqlite3_value_text(b) : sqlite3_value_blob(b);
    int nb = sqlite3_value_bytes(b);
    int c = memcmp(pa, pb, (size_t)(na < nb ? na : nb));
    return c ? c : (na < nb ? -1 : na > nb);
}

static void minmax(sqlite3_context *cx, int argc, sqlite3_value **argv, int sign)
{
    sqlite3_value *best = NULL;
    for (int i = 0; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            continue;
        if (!best || value_cmp(argv[i], best) * sign > 0)
            best = argv[i];
    }
    if (best)
        sqlite3_result_value(cx, best);
    else
        sqlite3_result_null(cx);
}

static void fn_greatest(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    minmax(cx, argc, argv, 1);
}

static void fn_least(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    minmax(cx, argc, argv, -1);
}

/* ---- arithmetic ---- */

static int numeric_type(sqlite3_value *v)
{
    return sqlite3_value_numeric_type(v);
}

static void divmod(sqlite3_context *cx, sqlite3_value **argv, bool mod)
{
    if (any_null(2, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    int ta = numeric_type(argv[0]), tb = numeric_type(argv[1]);
    if ((ta != SQLITE_INTEGER && ta != SQLITE_FLOAT) ||
        (tb != SQLITE_INTEGER && tb != SQLITE_FLOAT)) {
        fn_error(cx, "22P02", "invalid input syntax for type numeric: \"%s\"",
                 (const char *)sqlite3_value_text(
                     ta != SQLITE_INTEGER && ta != SQLITE_FLOAT ? argv[0] : argv[1]));
        return;
    }
    if (ta == SQLITE_INTEGER && tb == SQLITE_INTEGER) {
        sqlite3_int64 a = sqlite3_value_int64(argv[0]), b = sqlite3_value_int64(argv[1]);
        if (b == 0) {
            fn_error(cx, "22012", "division by zero");
            return;
        }
        if (b == -1) {
            if (!mod && a == INT64_MIN) {
                fn_error(cx, "22003", "bigint out of range");
                return;
            }
            sqlite3_result_int64(cx, mod ? 0 : -a);
            return;
        }
        sqlite3_result_int64(cx, mod ? a % b : a / b);
        return;
    }
    double a = sqlite3_value_double(argv[0]), b = sqlite3_value_double(argv[1]);
    if (b == 0) {
        fn_error(cx, "22012", "division by zero");
        return;
    }
    fn_result_double(cx, mod ? fmod(a, b) : a / b);
}

static void fn_div(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    divmod(cx, argv, false);
}

static void fn_mod(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    divmod(cx, argv, true);
}

/* round / trunc with an optional digit count; integers stay integers. */
static void round_common(sqlite3_context *cx, int argc, sqlite3_value **argv, bool trunc_mode)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    int digits = argc > 1 ? sqlite3_value_int(argv[1]) : 0;
    int t = numeric_type(argv[0]);
    if (t == SQLITE_INTEGER && digits >= 0) {
        sqlite3_result_int64(cx, sqlite3_value_int64(argv[0]));
        return;
    }
    if (t != SQLITE_INTEGER && t != SQLITE_FLOAT) {
        fn_error(cx, "22P02", "invalid input syntax for type numeric: \"%s\"",
                 (const char *)sqlite3_value_text(argv[0]));
        return;
    }
    double x = sqlite3_value_double(argv[0]);
    double f = pow(10, digits);
    double r = trunc_mode ? trunc(x * f) / f : round(x * f) / f;
    if (digits <= 0 && fabs(r) < 9.2e18)
        sqlite3_result_int64(cx, (sqlite3_int64)r);
    else
        fn_result_double(cx, r);
}

static void fn_round(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    round_common(cx, argc, argv, false);
}

static void fn_trunc(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    round_common(cx, argc, argv, true);
}

/* ---- strings ---- */

/* Byte offset of character index ci (0-based) in s, clamped to len. */
static size_t char_offset(const char *s, size_t len, sqlite3_int64 ci)
{
    size_t i = 0;
    sqlite3_int64 n = 0;
    if (ci <= 0)
        return 0;
    while (i < len) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == ci)
                return i;
            n++;
        }
        i++;
    }
    return len;
}

static sqlite3_int64 char_count(const char *s, size_t len)
{
    sqlite3_int64 n = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            n++;
    return n;
}

static void fn_substr(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    bool blob = sqlite3_value_type(argv[0]) == SQLITE_BLOB;
    const char *s = blob ? sqlite3_value_blob(argv[0]) : (const char *)sqlite3_value_text(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    sqlite3_int64 start = sqlite3_value_int64(argv[1]); /* 1-based */
    sqlite3_int64 end = INT64_MAX;                      /* exclusive, 1-based */
    if (argc > 2) {
        sqlite3_int64 n = sqlite3_value_int64(argv[2]);
        if (n < 0) {
            fn_error(cx, "22011", "negative substring length not allowed");
            return;
        }
        end = start > INT64_MAX - n ? INT64_MAX : start + n;
    }
    if (start < 1)
        start = 1;
    if (end <= start) {
        sqlite3_result_text(cx, "", 0, SQLITE_STATIC);
        return;
    }
    size_t b0, b1;
    if (blob) {
        b0 = (size_t)(start - 1) < len ? (size_t)(start - 1) : len;
        b1 = end == INT64_MAX || (size_t)(end - 1) > len ? len : (size_t)(end - 1);
        sqlite3_result_blob64(cx, s + b0, b1 - b0, SQLITE_TRANSIENT);
        return;
    }
    b0 = char_offset(s, len, start - 1);
    b1 = end == INT64_MAX ? len : char_offset(s, len, end - 1);
    sqlite3_result_text64(cx, s + b0, b1 - b0, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void concat_common(sqlite3_context *cx, int argc, sqlite3_value **argv, int first,
                          const char *sep, size_t seplen)
{
    sqlite3_str *out = sqlite3_str_new(sqlite3_context_db_handle(cx));
    bool any = false;
    for (int i = first; i < argc; i++) {
        if (sqlite3_value_type(argv[i]) == SQLITE_NULL)
            continue;
        if (any && seplen)
            sqlite3_str_append(out, sep, (int)seplen);
        any = true;
        const char *s = (const char *)sqlite3_value_text(argv[i]);
        sqlite3_str_append(out, s, sqlite3_value_bytes(argv[i]));
    }
    int len = sqlite3_str_length(out);
    char *r = sqlite3_str_finish(out);
    if (!r && len) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    sqlite3_result_text(cx, r ? r : "", len, r ? sqlite3_free : SQLITE_STATIC);
}

static void fn_concat(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    concat_common(cx, argc, argv, 0, "", 0);
}

static void fn_concat_ws(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const char *sep = (const char *)sqlite3_value_text(argv[0]);
    concat_common(cx, argc, argv, 1, sep, (size_t)sqlite3_value_bytes(argv[0]));
}

static void left_right(sqlite3_context *cx, sqlite3_value **argv, bool left)
{
    if (any_null(2, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    sqlite3_int64 n = sqlite3_value_int64(argv[1]);
    sqlite3_int64 total = char_count(s, len);
    sqlite3_int64 from, to; /* character range [from, to) */
    if (left) {
        from = 0;
        to = n >= 0 ? (n < total ? n : total) : (total + n > 0 ? total + n : 0);
    } else {
        to = total;
        from = n >= 0 ? (n < total ? total - n : 0) : (-n < total ? -n : total);
    }
    size_t b0 = char_offset(s, len, from), b1 = char_offset(s, len, to);
    sqlite3_result_text64(cx, s + b0, b1 - b0, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void fn_left(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    left_right(cx, argv, true);
}

static void fn_right(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    left_right(cx, argv, false);
}

static void fn_repeat(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (any_null(2, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    sqlite3_int64 n = sqlite3_value_int64(argv[1]);
    if (n <= 0 || len == 0) {
        sqlite3_result_text(cx, "", 0, SQLITE_STATIC);
        return;
    }
    if ((sqlite3_uint64)n * len > 1000000000ULL) {
        fn_error(cx, "54000", "requested length too large");
        return;
    }
    char *out = sqlite3_malloc64((sqlite3_uint64)n * len + 1);
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    for (sqlite3_int64 i = 0; i < n; i++)
        memcpy(out + (size_t)i * len, s, len);
    sqlite3_result_text64(cx, out, (sqlite3_uint64)n * len, sqlite3_free, SQLITE_UTF8);
}

static void fn_split_part(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    const char *d = (const char *)sqlite3_value_text(argv[1]);
    size_t dlen = (size_t)sqlite3_value_bytes(argv[1]);
    sqlite3_int64 n = sqlite3_value_int64(argv[2]);
    if (n == 0) {
        fn_error(cx, "22023", "field position must not be zero");
        return;
    }
    /* Field boundaries, then pick from the front or the back. */
    size_t starts[1024], ends[1024];
    int fields = 0;
    size_t pos = 0;
    if (dlen == 0) {
        starts[0] = 0;
        ends[0] = len;
        fields = 1;
    } else {
        while (fields < 1024) {
            const char *hit = NULL;
            for (size_t i = pos; i + dlen <= len; i++)
                if (!memcmp(s + i, d, dlen)) {
                    hit = s + i;
                    break;
                }
            starts[fields] = pos;
            ends[fields] = hit ? (size_t)(hit - s) : len;
            fields++;
            if (!hit)
                break;
            pos = (size_t)(hit - s) + dlen;
        }
    }
    sqlite3_int64 idx = n > 0 ? n - 1 : fields + n;
    if (idx < 0 || idx >= fields) {
        sqlite3_result_text(cx, "", 0, SQLITE_STATIC);
        return;
    }
    sqlite3_result_text64(cx, s + starts[idx], ends[idx] - starts[idx], SQLITE_TRANSIENT,
                          SQLITE_UTF8);
}

static void fn_md5(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const void *p = sqlite3_value_type(argv[0]) == SQLITE_BLOB
                        ? sqlite3_value_blob(argv[0])
                        : (const void *)sqlite3_value_text(argv[0]);
    size_t n = (size_t)sqlite3_value_bytes(argv[0]);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(p ? p : "", n, md, &mdlen, EVP_md5(), NULL)) {
        fn_error(cx, "XX000", "md5 failed");
        return;
    }
    char hex[2 * EVP_MAX_MD_SIZE + 1];
    for (unsigned int i = 0; i < mdlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", md[i]);
    sqlite3_result_text(cx, hex, (int)(2 * mdlen), SQLITE_TRANSIENT);
}

static void fn_starts_with(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (any_null(2, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    const char *p = (const char *)sqlite3_value_text(argv[1]);
    size_t n = (size_t)sqlite3_value_bytes(argv[1]);
    sqlite3_result_int(cx, (size_t)sqlite3_value_bytes(argv[0]) >= n && !memcmp(s, p, n));
}

static void pad(sqlite3_context *cx, int argc, sqlite3_value **argv, bool left)
{
    if (any_null(argc, argv)) {
        sqlite3_result_null(cx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    sqlite3_int64 want = sqlite3_value_int64(argv[1]);
    const char *fill = argc > 2 ? (const char *)sqlite3_value_text(argv[2]) : " ";
    size_t flen = argc > 2 ? (size_t)sqlite3_value_bytes(argv[2]) : 1;
    if (want <= 0) {
        sqlite3_result_text(cx, "", 0, SQLITE_STATIC);
        return;
    }
    if (want > 10000000) {
        fn_error(cx, "54000", "requested length too large");
        return;
    }
    sqlite3_int64 have = char_count(s, len);
    if (have >= want || flen == 0) {
        size_t b = char_offset(s, len, have >= want ? want : have);
        sqlite3_result_text64(cx, s, b, SQLITE_TRANSIENT, SQLITE_UTF8);
        return;
    }
    sqlite3_str *out = sqlite3_str_new(sqlite3_context_db_handle(cx));
    if (!left)
        sqlite3_str_append(out, s, (int)len);
    sqlite3_int64 fchars = char_count(fill, flen);
    for (sqlite3_int64 i = 0; i < want - have; i++) {
        sqlite3_int64 k = i % fchars;
        size_t b0 = char_offset(fill, flen, k), b1 = char_offset(fill, flen, k + 1);
        sqlite3_str_append(out, fill + b0, (int)(b1 - b0));
    }
    if (left)
        sqlite3_str_append(out, s, (int)len);
    int n = sqlite3_str_length(out);
    char *r = sqlite3_str_finish(out);
    if (!r) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    sqlite3_result_text(cx, r, n, sqlite3_free);
}

static void fn_lpad(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    pad(cx, argc, argv, true);
}

static void fn_rpad(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    pad(cx, argc, argv, false);
}

static void fn_reverse(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    char *out = sqlite3_malloc64(len + 1);
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    size_t o = len;
    for (size_t i = 0; i < len;) {
        size_t j = i + 1;
        while (j < len && ((unsigned char)s[j] & 0xC0) == 0x80)
            j++;
        o -= j - i;
        memcpy(out + o, s + i, j - i);
        i = j;
    }
    sqlite3_result_text64(cx, out, len, sqlite3_free, SQLITE_UTF8);
}

static void fn_initcap(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(argv[0]);
    size_t len = (size_t)sqlite3_value_bytes(argv[0]);
    char *out = sqlite3_malloc64(len + 1);
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    bool in_word = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            out[i] = (char)(in_word ? tolower(c) : toupper(c));
            in_word = isalnum(c) != 0;
        } else {
            out[i] = (char)c;
            in_word = true;
        }
    }
    sqlite3_result_text64(cx, out, len, sqlite3_free, SQLITE_UTF8);
}

static void fn_chr(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    sqlite3_int64 c = sqlite3_value_int64(argv[0]);
    if (c == 0) {
        fn_error(cx, "54000", "null character not permitted");
        return;
    }
    if (c < 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF)) {
        fn_error(cx, "54000", "requested character too large for encoding: %lld", (long long)c);
        return;
    }
    char b[5];
    int n;
    if (c < 0x80) {
        b[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (char)(0xC0 | (c >> 6));
        b[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (char)(0xE0 | (c >> 12));
        b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (c >> 18));
        b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    sqlite3_result_text(cx, b, n, SQLITE_TRANSIENT);
}

static void fn_ascii(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const unsigned char *s = sqlite3_value_text(argv[0]);
    int n = sqlite3_value_bytes(argv[0]);
    sqlite3_result_int(cx, n ? utf8_decode(&s, s + n) : 0);
}

/* ---- random ---- */

static void fn_random(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_uint64 r;
    sqlite3_randomness(sizeof r, &r);
    fn_result_double(cx, (double)(r >> 11) * (1.0 / 9007199254740992.0));
}

static void fn_gen_random_uuid(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    unsigned char b[16];
    sqlite3_randomness(sizeof b, b);
    b[6] = (unsigned char)((b[6] & 0x0F) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3F) | 0x80);
    char out[37];
    snprintf(out, sizeof out,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
    sqlite3_result_text(cx, out, 36, SQLITE_TRANSIENT);
}

/* ---- time of the transaction ---- */

static int64_t xact_us(sqlite3_context *cx)
{
    const struct sql_fn_context *ctx = sqlite3_user_data(cx);
    return ctx && ctx->xact_start_us ? ctx->xact_start_us : fn_now_us();
}

static void result_ts(sqlite3_context *cx, int64_t us, bool with_tz)
{
    struct fn_tm tm;
    char out[48];
    fn_us_to_tm(us, &tm);
    fn_format_timestamp(&tm, with_tz, out, sizeof out);
    sqlite3_result_text(cx, out, -1, SQLITE_TRANSIENT);
}

static void fn_now(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    result_ts(cx, xact_us(cx), true);
}

static void fn_clock_timestamp(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    result_ts(cx, fn_now_us(), true);
}

static void fn_localtimestamp(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    result_ts(cx, fn_utc_to_local(cx, xact_us(cx)), false);
}

static void fn_current_date(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    struct fn_tm tm;
    char out[16];
    fn_us_to_tm(fn_utc_to_local(cx, xact_us(cx)), &tm);
    snprintf(out, sizeof out, "%04d-%02d-%02d", tm.year, tm.mon, tm.mday);
    sqlite3_result_text(cx, out, -1, SQLITE_TRANSIENT);
}

static void fn_localtime(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    struct fn_tm tm;
    char out[48];
    fn_us_to_tm(fn_utc_to_local(cx, xact_us(cx)), &tm);
    fn_format_timestamp(&tm, false, out, sizeof out);
    sqlite3_result_text(cx, out + 11, -1, SQLITE_TRANSIENT);
}

static void fn_current_setting(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const struct sql_fn_context *ctx = sqlite3_user_data(cx);
    char name[128];
    const char *raw = (const char *)sqlite3_value_text(argv[0]);
    snprintf(name, sizeof name, "%s", raw);
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *v = ctx && ctx->get_setting ? ctx->get_setting(ctx->get_setting_arg, name) : NULL;
    if (v) {
        sqlite3_result_text(cx, v, -1, SQLITE_TRANSIENT);
        return;
    }
    if (argc > 1 && sqlite3_value_int(argv[1])) {
        sqlite3_result_null(cx);
        return;
    }
    fn_error(cx, "42704", "unrecognized configuration parameter \"%s\"", raw);
}

/* ---- registration ---- */

struct fn_def {
    const char *name;
    int nargs; /* -1: variadic */
    bool deterministic;
    void (*fn)(sqlite3_context *, int, sqlite3_value **);
};

static const struct fn_def fn_defs[] = {
    {"pg_cast", 2, true, fn_cast},
    {"pg_cast", 3, true, fn_cast},
    {"pg_cast", 4, true, fn_cast},
    {"pg_cast", 5, true, fn_cast},
    {"pg_assign", 3, true, fn_assign},
    {"pg_coltext", 4, true, fn_coltext},
    {"pg_colnumeric", 2, true, fn_colnumeric},
    {"pg_like", 2, true, fn_like},
    {"pg_like", 3, true, fn_like},
    {"pg_ilike", 2, true, fn_ilike},
    {"pg_ilike", 3, true, fn_ilike},
    {"pg_regex", 3, true, fn_regex},
    {"pg_greatest", -1, true, fn_greatest},
    {"pg_least", -1, true, fn_least},
    {"pg_div", 2, true, fn_div},
    {"pg_mod", 2, true, fn_mod},
    {"pg_round", 1, true, fn_round},
    {"pg_round", 2, true, fn_round},
    {"pg_trunc", 1, true, fn_trunc},
    {"pg_trunc", 2, true, fn_trunc},
    {"pg_substr", 2, true, fn_substr},
    {"pg_substr", 3, true, fn_substr},
    {"pg_concat", -1, true, fn_concat},
    {"pg_concat_ws", -1, true, fn_concat_ws},
    {"pg_left", 2, true, fn_left},
    {"pg_right", 2, true, fn_right},
    {"pg_repeat", 2, true, fn_repeat},
    {"pg_split_part", 3, true, fn_split_part},
    {"pg_md5", 1, true, fn_md5},
    {"pg_starts_with", 2, true, fn_starts_with},
    {"pg_lpad", 2, true, fn_lpad},
    {"pg_lpad", 3, true, fn_lpad},
    {"pg_rpad", 2, true, fn_rpad},
    {"pg_rpad", 3, true, fn_rpad},
    {"pg_reverse", 1, true, fn_reverse},
    {"pg_lower", 1, true, fn_lower},
    {"pg_upper", 1, true, fn_upper},
    {"pg_initcap", 1, true, fn_initcap},
    {"pg_chr", 1, true, fn_chr},
    {"pg_ascii", 1, true, fn_ascii},
    {"pg_date_trunc", 2, true, fn_date_trunc},
    {"pg_extract", 2, true, fn_extract},
    {"pg_date_part", 2, true, fn_date_part},
    {"pg_ts_add", 3, true, fn_ts_add},
    {"pg_random", 0, false, fn_random},
    {"pg_gen_random_uuid", 0, false, fn_gen_random_uuid},
    {"pg_now", 0, false, fn_now},
    {"pg_clock_timestamp", 0, false, fn_clock_timestamp},
    {"pg_localtimestamp", 0, false, fn_localtimestamp},
    {"pg_localtime", 0, false, fn_localtime},
    {"pg_current_date", 0, false, fn_current_date},
    {"pg_current_setting", 1, false, fn_current_setting},
    {"pg_current_setting", 2, false, fn_current_setting},
};

bool sql_functions_register(struct sqlite3 *db, struct sql_fn_context *ctx)
{
    for (size_t i = 0; i < sizeof fn_defs / sizeof fn_defs[0]; i++) {
        const struct fn_def *d = &fn_defs[i];
        int flags = SQLITE_UTF8 | (d->deterministic ? SQLITE_DETERMINISTIC : 0);
        if (sqlite3_create_function_v2(db, d->name, d->nargs, flags, ctx, d->fn, NULL, NULL,
                                       NULL) != SQLITE_OK)
            return false;
    }
    return fn_num_register(db, ctx);
}
