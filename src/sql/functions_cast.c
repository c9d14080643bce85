/*
 * pg_cast(value, 'type' [, typmod...]) and the date/time functions: PostgreSQL's input rules
 * (strict, raising 22P02 / 22007 / 22008 / 22003) producing the storage forms of
 * include/sql/types.h. Time zones: input offsets are honoured, but the session TimeZone is
 * taken as UTC (timestamps without an offset are UTC).
 */
#include <ctype.h>
#include <event2/buffer.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include <event2/buffer.h>

#include "functions_int.h"
#include "sql/functions.h"
#include "sql/types.h"

/* ---- calendar ---- */

int64_t fn_days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void fn_civil_from_days(int64_t z, int *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t yy = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

int64_t fn_tm_to_us(const struct fn_tm *tm)
{
    int64_t days = fn_days_from_civil(tm->year, tm->mon, tm->mday);
    int64_t s = days * 86400 + tm->hour * 3600 + tm->min * 60 + tm->sec - tm->tz_sec;
    return s * 1000000 + tm->usec;
}

void fn_us_to_tm(int64_t us, struct fn_tm *tm)
{
    int64_t s = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
    int64_t frac = us - s * 1000000;
    int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
    int64_t sod = s - days * 86400;
    memset(tm, 0, sizeof *tm);
    fn_civil_from_days(days, &tm->year, &tm->mon, &tm->mday);
    tm->hour = (int)(sod / 3600);
    tm->min = (int)(sod / 60 % 60);
    tm->sec = (int)(sod % 60);
    tm->usec = (int)frac;
    tm->has_time = true;
}

int64_t fn_now_us(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
}

void fn_format_timestamp(const struct fn_tm *tm, bool with_tz, char *out, size_t cap)
{
    int n = snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d", tm->year, tm->mon, tm->mday,
                     tm->hour, tm->min, tm->sec);
    if (tm->usec && n > 0 && (size_t)n < cap) {
        char frac[8];
        snprintf(frac, sizeof frac, "%06d", tm->usec);
        for (int i = 5; i > 0 && frac[i] == '0'; i--)
            frac[i] = '\0';
        n += snprintf(out + n, cap - (size_t)n, ".%s", frac);
    }
    if (with_tz && n > 0 && (size_t)n < cap)
        snprintf(out + n, cap - (size_t)n, "+00");
}

static int parse_digits(const char **p, int min, int max, int *out)
{
    int n = 0, v = 0;
    while (isdigit((unsigned char)**p) && n < max) {
        v = v * 10 + (**p - '0');
        (*p)++;
        n++;
    }
    if (n < min)
        return -1;
    *out = v;
    return n;
}

static void skip_ws(const char **p)
{
    while (isspace((unsigned char)**p))
        (*p)++;
}

/* Time zone suffix: Z, UTC, GMT, +HH, +HHMM, +HH:MM, +HH:MM:SS. */
static int parse_tz(const char **pp, struct fn_tm *tm)
{
    const char *p = *pp;
    skip_ws(&p);
    if (!strncasecmp(p, "utc", 3) || !strncasecmp(p, "gmt", 3)) {
        tm->has_tz = true;
        tm->tz_sec = 0;
        *pp = p + 3;
        return 0;
    }
    if (*p == 'z' || *p == 'Z') {
        tm->has_tz = true;
        tm->tz_sec = 0;
        *pp = p + 1;
        return 0;
    }
    if (*p != '+' && *p != '-')
        return 0;
    int sign = *p == '-' ? -1 : 1;
    p++;
    int hh, mm = 0, ss = 0;
    int n = parse_digits(&p, 1, 4, &hh);
    if (n < 0)
        return 1;
    if (n > 2) {
        mm = hh % 100;
        hh /= 100;
    } else if (*p == ':') {
        p++;
        if (parse_digits(&p, 2, 2, &mm) < 0)
            return 1;
        if (*p == ':') {
            p++;
            if (parse_digits(&p, 2, 2, &ss) < 0)
                return 1;
        }
    }
    if (hh > 15 || mm > 59 || ss > 59)
        return 2;
    tm->has_tz = true;
    tm->tz_sec = sign * (hh * 3600 + mm * 60 + ss);
    *pp = p;
    return 0;
}

int fn_parse_timestamp(const char *s, struct fn_tm *tm, int64_t now_us)
{
    const char *p = s;
    memset(tm, 0, sizeof *tm);
    skip_ws(&p);
    static const struct {
        const char *word;
        int day_offset; /* -2: now, -3: epoch */
    } special[] = {{"now", -2}, {"today", 0}, {"tomorrow", 1}, {"yesterday", -1}, {"epoch", -3}};
    for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) {
        size_t len = strlen(special[i].word);
        const char *q = p + len;
        if (strncasecmp(p, special[i].word, len) != 0)
            continue;
        skip_ws(&q);
        if (*q)
            return 1;
        if (special[i].day_offset == -3) {
            fn_us_to_tm(0, tm);
        } else if (special[i].day_offset == -2) {
            fn_us_to_tm(now_us, tm);
        } else {
            fn_us_to_tm(now_us, tm);
            int64_t days = fn_days_from_civil(tm->year, tm->mon, tm->mday) + special[i].day_offset;
            fn_us_to_tm(days * 86400 * (int64_t)1000000, tm);
        }
        tm->has_tz = true;
        return 0;
    }
    if (parse_digits(&p, 4, 7, &tm->year) < 0 || *p++ != '-')
        return 1;
    if (parse_digits(&p, 1, 2, &tm->mon) < 0 || *p++ != '-')
        return 1;
    if (parse_digits(&p, 1, 2, &tm->mday) < 0)
        return 1;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        const char *q = p + 1;
        skip_ws(&q);
        if (isdigit((unsigned char)*q)) {
            p = q;
            tm->has_time = true;
            if (parse_digits(&p, 1, 2, &tm->hour) < 0 || *p++ != ':')
                return 1;
            if (parse_digits(&p, 2, 2, &tm->min) < 0)
                return 1;
            if (*p == ':') {
                p++;
                if (parse_digits(&p, 2, 2, &tm->sec) < 0)
                    return 1;
                if (*p == '.') {
                    p++;
                    int n = 0, us = 0;
                    while (isdigit((unsigned char)*p)) {
                        if (n < 7)
                            us = us * 10 + (*p - '0');
                        n++;
                        p++;
                    }
                    if (!n)
                        return 1;
                    for (int k = n; k < 7; k++)
                        us *= 10;
                    tm->usec = (us + 5) / 10; /* round to microseconds */
                }
            }
        }
    }
    int rc = parse_tz(&p, tm);
    if (rc)
        return rc;
    skip_ws(&p);
    if (*p)
        return 1;
    if (tm->mon < 1 || tm->mon > 12 || tm->mday < 1 ||
        tm->mday > days_in_month(tm->year, tm->mon) || tm->hour > 24 || tm->min > 59 ||
        tm->sec > 60 || (tm->hour == 24 && (tm->min || tm->sec || tm->usec)))
        return 2;
    if (tm->usec == 1000000 || tm->sec == 60 || tm->hour == 24) {
        /* Carry (rounded fraction, leap second, 24:00) through a round trip. */
        struct fn_tm c = *tm;
        int tz = c.tz_sec;
        bool has_tz = c.has_tz;
        c.tz_sec = 0;
        fn_us_to_tm(fn_tm_to_us(&c), tm);
        tm->tz_sec = tz;
        tm->has_tz = has_tz;
    }
    return 0;
}

/* ---- the session TimeZone (via the backend's settings; zone rules from types_tz.c) ---- */

#define PG_EPOCH_UNIX_US 946684800000000LL /* 2000-01-01 in Unix microseconds */

static const char *session_tz(sqlite3_context *cx)
{
    const struct sql_fn_context *ctx = sqlite3_user_data(cx);
    const char *tz =
        ctx && ctx->get_setting ? ctx->get_setting(ctx->get_setting_arg, "timezone") : NULL;
    if (!tz || !*tz || !strcasecmp(tz, "UTC") || !strcasecmp(tz, "Etc/UTC") ||
        !strcasecmp(tz, "GMT") || !strcasecmp(tz, "Z"))
        return NULL;
    return tz;
}

int64_t fn_utc_to_local(sqlite3_context *cx, int64_t utc_us)
{
    const char *tz = session_tz(cx);
    int32_t off;
    if (tz && pgtz_offset_at(tz, utc_us - PG_EPOCH_UNIX_US, &off))
        return utc_us + (int64_t)off * 1000000;
    return utc_us;
}

static int64_t local_to_utc(sqlite3_context *cx, int64_t local_us)
{
    const char *tz = session_tz(cx);
    int64_t utc;
    if (tz && pgtz_local_to_utc(tz, local_us - PG_EPOCH_UNIX_US, &utc))
        return utc + PG_EPOCH_UNIX_US;
    return local_us;
}

/* The UTC instant of a parsed value: its own offset, else the session zone's. */
static int64_t tm_instant(sqlite3_context *cx, const struct fn_tm *tm)
{
    if (tm->has_tz)
        return fn_tm_to_us(tm);
    struct fn_tm local = *tm;
    local.tz_sec = 0;
    return local_to_utc(cx, fn_tm_to_us(&local));
}

/*
 * A value with a zero offset ("+00", as timestamptz is stored) is an instant, shown in the
 * session zone when cast to date or timestamp; any other offset is ignored, as PostgreSQL
 * ignores a zone written in timestamp input.
 */
static void tm_to_local(sqlite3_context *cx, struct fn_tm *tm)
{
    if (!tm->has_tz || tm->tz_sec != 0)
        return;
    fn_us_to_tm(fn_utc_to_local(cx, fn_tm_to_us(tm)), tm);
}

/* ---- casts ---- */

static const char *type_label(const char *t)
{
    if (!strcmp(t, "int2"))
        return "smallint";
    if (!strcmp(t, "int4"))
        return "integer";
    if (!strcmp(t, "int8"))
        return "bigint";
    if (!strcmp(t, "float4"))
        return "real";
    if (!strcmp(t, "float8"))
        return "double precision";
    if (!strcmp(t, "bool"))
        return "boolean";
    if (!strcmp(t, "timestamptz"))
        return "timestamp with time zone";
    if (!strcmp(t, "timestamp"))
        return "timestamp without time zone";
    if (!strcmp(t, "time"))
        return "time without time zone";
    return t;
}

static void trim_copy(const char *s, char *out, size_t cap)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, s, n);
    out[n] = '\0';
}

static void cast_int(sqlite3_context *cx, sqlite3_value *v, const char *type)
{
    int64_t lo = INT64_MIN, hi = INT64_MAX;
    if (!strcmp(type, "int2")) {
        lo = -32768;
        hi = 32767;
    } else if (!strcmp(type, "int4")) {
        lo = INT32_MIN;
        hi = INT32_MAX;
    } else if (!strcmp(type, "oid")) {
        lo = 0;
        hi = 4294967295LL;
    }
    int64_t r;
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        r = sqlite3_value_int64(v);
        break;
    case SQLITE_FLOAT: {
        double d = sqlite3_value_double(v);
        d = round(d);
        /* 2^63 is the first double past INT64_MAX (llround would saturate silently). */
        if (isnan(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
            fn_error(cx, "22003", "%s out of range", type_label(type));
            return;
        }
        r = (int64_t)d;
        break;
    }
    case SQLITE_TEXT: {
        char buf[64];
        const char *s = (const char *)sqlite3_value_text(v);
        trim_copy(s, buf, sizeof buf);
        char *end;
        errno = 0;
        long long x = strtoll(buf, &end, 10);
        if (!buf[0] || *end) {
            fn_error(cx, "22P02", "invalid input syntax for type %s: \"%s\"", type_label(type), s);
            return;
        }
        if (errno == ERANGE) {
            fn_error(cx, "22003", "value \"%s\" is out of range for type %s", s, type_label(type));
            return;
        }
        r = x;
        if (r < lo || r > hi) {
            fn_error(cx, "22003", "value \"%s\" is out of range for type %s", s, type_label(type));
            return;
        }
        break;
    }
    default:
        fn_error(cx, "42846", "cannot cast type bytea to %s", type_label(type));
        return;
    }
    if (r < lo || r > hi) {
        fn_error(cx, "22003", "%s out of range", type_label(type));
        return;
    }
    sqlite3_result_int64(cx, r);
}

static bool parse_double(const char *s, double *out)
{
    char buf[128];
    trim_copy(s, buf, sizeof buf);
    if (!strcasecmp(buf, "nan")) {
        *out = NAN;
        return true;
    }
    if (!strcasecmp(buf, "infinity") || !strcasecmp(buf, "+infinity") || !strcasecmp(buf, "inf")) {
        *out = INFINITY;
        return true;
    }
    if (!strcasecmp(buf, "-infinity") || !strcasecmp(buf, "-inf")) {
        *out = -INFINITY;
        return true;
    }
    char *end;
    if (!buf[0] ||
        !(isdigit((unsigned char)buf[0]) || buf[0] == '-' || buf[0] == '+' || buf[0] == '.'))
        return false;
    *out = strtod(buf, &end);
    return *end == '\0';
}

static void cast_float(sqlite3_context *cx, sqlite3_value *v, const char *type)
{
    double d;
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
    case SQLITE_FLOAT:
        d = sqlite3_value_double(v);
        break;
    case SQLITE_TEXT: {
        const char *s = (const char *)sqlite3_value_text(v);
        if (!parse_double(s, &d)) {
            fn_error(cx, "22P02", "invalid input syntax for type %s: \"%s\"", type_label(type), s);
            return;
        }
        break;
    }
    default:
        fn_error(cx, "42846", "cannot cast type bytea to %s", type_label(type));
        return;
    }
    if (!strcmp(type, "float4") && isfinite(d)) {
        if (fabs(d) > 3.4028235e38) {
            fn_error(cx, "22003", "value out of range: overflow");
            return;
        }
        d = (double)(float)d;
    }
    fn_result_double(cx, d);
}

static void cast_numeric(sqlite3_context *cx, sqlite3_value *v, int precision, int scale)
{
    bool is_int = false;
    int64_t i = 0;
    double d = 0;
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        is_int = true;
        i = sqlite3_value_int64(v);
        break;
    case SQLITE_FLOAT:
        d = sqlite3_value_double(v);
        break;
    case SQLITE_TEXT: {
        const char *s = (const char *)sqlite3_value_text(v);
        char buf[128], *end;
        trim_copy(s, buf, sizeof buf);
        errno = 0;
        long long x = strtoll(buf, &end, 10);
        if (buf[0] && !*end && errno == 0) {
            is_int = true;
            i = x;
        } else if (!parse_double(s, &d) || (isinf(d) && strpbrk(s, "0123456789"))) {
            /* 'Infinity' and '-Infinity' are numerics since PostgreSQL 14; 1e400 is no double. */
            fn_error(cx, "22P02", "invalid input syntax for type numeric: \"%s\"", s);
            return;
        } else if (!pgnumeric_exact(s, strlen(s))) {
            fn_error(cx, "0A000",
                     "numeric value \"%.60s\" has more than 15 significant digits, more than "
                     "the SQLite backend stores exactly",
                     s);
            return;
        }
        break;
    }
    default:
        fn_error(cx, "42846", "cannot cast type bytea to numeric");
        return;
    }
    if (precision > 0) {
        double val = is_int ? (double)i : d;
        if (!is_int || scale < 0) {
            double f = pow(10, scale);
            val = round(val * f) / f;
        }
        if (fabs(val) >= pow(10, precision - scale)) {
            fn_error(cx, "22003", "numeric field overflow");
            return;
        }
        if (is_int) {
            sqlite3_result_int64(cx, i);
            return;
        }
        if (scale == 0 && fabs(val) < 9.2e18) {
            sqlite3_result_int64(cx, (int64_t)val);
            return;
        }
        fn_result_double(cx, val);
        return;
    }
    if (is_int)
        sqlite3_result_int64(cx, i);
    else
        fn_result_double(cx, d);
}

/* float8 output as PostgreSQL prints it (shortest form that reads back exactly). */
static void format_double(double d, char *out, size_t cap)
{
    if (isnan(d)) {
        snprintf(out, cap, "NaN");
        return;
    }
    if (isinf(d)) {
        snprintf(out, cap, d > 0 ? "Infinity" : "-Infinity");
        return;
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(out, cap, "%.*g", prec, d);
        if (strtod(out, NULL) == d)
            break;
    }
}

static size_t utf8_prefix(const char *s, size_t len, int chars)
{
    size_t i = 0;
    int n = 0;
    while (i < len) {
        if (((unsigned char)s[i] & 0xC0) != 0x80) {
            if (n == chars)
                break;
            n++;
        }
        i++;
    }
    return i;
}

/* A string value s as type (text, varchar(limit), bpchar(limit), name). */
static void cast_text_str(sqlite3_context *cx, const char *s, size_t len, const char *type,
                          int limit)
{
    if (!strcmp(type, "bpchar")) {
        /* char(n): truncated to n characters and kept without its trailing blanks, which
         * PostgreSQL ignores in comparisons, length() and conversion to text; the output of a
         * char(n) column or cast pads them back (pgtype_format_text). */
        size_t n = limit >= 0 ? utf8_prefix(s, len, limit) : len;
        while (n && s[n - 1] == ' ')
            n--;
        sqlite3_result_text64(cx, s, n, SQLITE_TRANSIENT, SQLITE_UTF8);
    } else if (limit >= 0) {
        sqlite3_result_text64(cx, s, utf8_prefix(s, len, limit), SQLITE_TRANSIENT, SQLITE_UTF8);
    } else {
        sqlite3_result_text64(cx, s, len, SQLITE_TRANSIENT, SQLITE_UTF8);
    }
}

static void cast_text(sqlite3_context *cx, sqlite3_value *v, const char *type, int limit)
{
    char tmp[64];
    const char *s;
    size_t len;
    char *hex = NULL;
    switch (sqlite3_value_type(v)) {
    case SQLITE_FLOAT:
        format_double(sqlite3_value_double(v), tmp, sizeof tmp);
        s = tmp;
        len = strlen(tmp);
        break;
    case SQLITE_BLOB: {
        const unsigned char *b = sqlite3_value_blob(v);
        int n = sqlite3_value_bytes(v);
        hex = sqlite3_malloc64((sqlite3_uint64)n * 2 + 3);
        if (!hex) {
            sqlite3_result_error_nomem(cx);
            return;
        }
        hex[0] = '\\';
        hex[1] = 'x';
        for (int i = 0; i < n; i++)
            snprintf(hex + 2 + i * 2, 3, "%02x", b[i]);
        hex[2 + n * 2] = '\0';
        s = hex;
        len = (size_t)n * 2 + 2;
        break;
    }
    default:
        s = (const char *)sqlite3_value_text(v);
        len = (size_t)sqlite3_value_bytes(v);
        break;
    }
    cast_text_str(cx, s, len, type, limit);
    sqlite3_free(hex);
}

static void cast_bool(sqlite3_context *cx, sqlite3_value *v)
{
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        sqlite3_result_int(cx, sqlite3_value_int64(v) != 0);
        return;
    case SQLITE_TEXT: {
        const char *s = (const char *)sqlite3_value_text(v);
        char buf[16];
        trim_copy(s, buf, sizeof buf);
        size_t n = strlen(buf);
        static const struct {
            const char *word;
            int val;
            size_t min;
        } words[] = {{"true", 1, 1}, {"false", 0, 1}, {"yes", 1, 1}, {"no", 0, 1},
                     {"on", 1, 2},   {"off", 0, 2},   {"1", 1, 1},   {"0", 0, 1}};
        for (size_t i = 0; n && i < sizeof words / sizeof words[0]; i++) {
            if (n >= words[i].min && n <= strlen(words[i].word) &&
                !strncasecmp(buf, words[i].word, n)) {
                sqlite3_result_int(cx, words[i].val);
                return;
            }
        }
        fn_error(cx, "22P02", "invalid input syntax for type boolean: \"%s\"", s);
        return;
    }
    default:
        fn_error(cx, "42846", "cannot cast this value to boolean");
        return;
    }
}

static void cast_datetime(sqlite3_context *cx, sqlite3_value *v, const char *type)
{
    if (sqlite3_value_type(v) != SQLITE_TEXT) {
        fn_error(cx, "42846", "cannot cast type %s to %s",
                 sqlite3_value_type(v) == SQLITE_INTEGER ? "integer" : "numeric", type_label(type));
        return;
    }
    const char *s = (const char *)sqlite3_value_text(v);
    char out[48];
    if (!strcmp(type, "time")) {
        /* Accept a bare time by parsing it on a dummy date. */
        char buf[80];
        char trimmed[64];
        trim_copy(s, trimmed, sizeof trimmed);
        struct fn_tm tm;
        int rc;
        if (strchr(trimmed, '-') && strlen(trimmed) >= 10 && trimmed[4] == '-') {
            rc = fn_parse_timestamp(trimmed, &tm, fn_now_us());
        } else {
            snprintf(buf, sizeof buf, "2000-01-01 %s", trimmed);
            rc = fn_parse_timestamp(buf, &tm, 0);
        }
        if (rc) {
            fn_error(cx, rc == 1 ? "22007" : "22008",
                     rc == 1 ? "invalid input syntax for type time: \"%s\""
                             : "date/time field value out of range: \"%s\"",
                     s);
            return;
        }
        int n = snprintf(out, sizeof out, "%02d:%02d:%02d", tm.hour, tm.min, tm.sec);
        if (tm.usec) {
            char frac[8];
            snprintf(frac, sizeof frac, "%06d", tm.usec);
            for (int i = 5; i > 0 && frac[i] == '0'; i--)
                frac[i] = '\0';
            snprintf(out + n, sizeof out - (size_t)n, ".%s", frac);
        }
        sqlite3_result_text(cx, out, -1, SQLITE_TRANSIENT);
        return;
    }
    struct fn_tm tm;
    char word[16];
    trim_copy(s, word, sizeof word);
    if (!strcasecmp(word, "infinity") || !strcasecmp(word, "+infinity") ||
        !strcasecmp(word, "-infinity")) {
        /* The storage form of the infinities is their text (src/sql/types_time.c). */
        sqlite3_result_text(cx, word[0] == '-' ? "-infinity" : "infinity", -1, SQLITE_STATIC);
        return;
    }
    int64_t now = fn_now_us();
    int rc = fn_parse_timestamp(s, &tm, now);
    if (rc) {
        fn_error(cx, rc == 1 ? "22007" : "22008",
                 rc == 1 ? "invalid input syntax for type %s: \"%s\""
                         : "date/time field value out of range: \"%s\"%s",
                 rc == 1 ? type_label(type) : s, rc == 1 ? s : "");
        return;
    }
    if (!strcmp(type, "date")) {
        tm_to_local(cx, &tm);
        snprintf(out, sizeof out, "%04d-%02d-%02d", tm.year, tm.mon, tm.mday);
    } else if (!strcmp(type, "timestamp")) {
        tm_to_local(cx, &tm);
        fn_format_timestamp(&tm, false, out, sizeof out);
    } else {
        struct fn_tm u;
        fn_us_to_tm(tm_instant(cx, &tm), &u);
        fn_format_timestamp(&u, true, out, sizeof out);
    }
    sqlite3_result_text(cx, out, -1, SQLITE_TRANSIENT);
}

static void cast_uuid(sqlite3_context *cx, sqlite3_value *v)
{
    const char *s = (const char *)sqlite3_value_text(v);
    char hex[33];
    int n = 0;
    const char *p = s;
    bool brace = *p == '{';
    if (brace)
        p++;
    for (; *p && n <= 32; p++) {
        if (isxdigit((unsigned char)*p))
            hex[n++] = (char)tolower((unsigned char)*p);
        else if (*p == '-' && n > 0 && n % 4 == 0 && p[1] != '-')
            continue;
        else
            break;
    }
    if (brace && *p == '}')
        p++;
    if (n != 32 || *p) {
        fn_error(cx, "22P02", "invalid input syntax for type uuid: \"%s\"", s);
        return;
    }
    char out[37];
    snprintf(out, sizeof out, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16,
             hex + 20);
    sqlite3_result_text(cx, out, 36, SQLITE_TRANSIENT);
}

/* A small JSON validator (RFC 8259), enough to refuse what PostgreSQL refuses. */
static const char *json_value(const char *p, int depth);

static const char *json_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

static const char *json_string(const char *p)
{
    if (*p++ != '"')
        return NULL;
    while (*p && *p != '"') {
        if ((unsigned char)*p < 0x20)
            return NULL;
        if (*p == '\\') {
            p++;
            if (*p == 'u') {
                for (int i = 1; i <= 4; i++)
                    if (!isxdigit((unsigned char)p[i]))
                        return NULL;
                p += 4;
            } else if (!strchr("\"\\/bfnrt", *p) || !*p) {
                return NULL;
            }
        }
        p++;
    }
    return *p == '"' ? p + 1 : NULL;
}

static const char *json_value(const char *p, int depth)
{
    if (depth > 1000)
        return NULL;
    p = json_ws(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        bool obj = *p == '{';
        p = json_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (obj) {
                p = json_string(json_ws(p));
                if (!p)
                    return NULL;
                p = json_ws(p);
                if (*p++ != ':')
                    return NULL;
            }
            p = json_value(p, depth + 1);
            if (!p)
                return NULL;
            p = json_ws(p);
            if (*p == ',') {
                p++;
                continue;
            }
            return *p == close ? p + 1 : NULL;
        }
    }
    if (*p == '"')
        return json_string(p);
    if (!strncmp(p, "true", 4))
        return p + 4;
    if (!strncmp(p, "false", 5))
        return p + 5;
    if (!strncmp(p, "null", 4))
        return p + 4;
    const char *q = p;
    if (*q == '-')
        q++;
    if (*q == '0')
        q++;
    else if (isdigit((unsigned char)*q))
        while (isdigit((unsigned char)*q))
            q++;
    else
        return NULL;
    if (*q == '.') {
        q++;
        if (!isdigit((unsigned char)*q))
            return NULL;
        while (isdigit((unsigned char)*q))
            q++;
    }
    if (*q == 'e' || *q == 'E') {
        q++;
        if (*q == '+' || *q == '-')
            q++;
        if (!isdigit((unsigned char)*q))
            return NULL;
        while (isdigit((unsigned char)*q))
            q++;
    }
    return q;
}

static void cast_json(sqlite3_context *cx, sqlite3_value *v)
{
    const char *s = (const char *)sqlite3_value_text(v);
    const char *end = json_value(s, 0);
    if (!end || *json_ws(end)) {
        fn_error(cx, "22P02", "invalid input syntax for type json");
        return;
    }
    sqlite3_result_text(cx, s, -1, SQLITE_TRANSIENT);
}

/* jsonb is stored as PostgreSQL prints it (keys sorted, the last of duplicates kept), so that
 * SQLite's -> and ->> read what PostgreSQL's would. */
static void cast_jsonb(sqlite3_context *cx, sqlite3_value *v)
{
    const char *s = (const char *)sqlite3_value_text(v);
    const char *err = NULL;
    struct evbuffer *out = evbuffer_new();
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    if (!pgjson_parse(s, (size_t)sqlite3_value_bytes(v), true, out, &err)) {
        sqlite3_result_error(cx, err ? err : "[22P02] invalid input syntax for type json", -1);
        evbuffer_free(out);
        return;
    }
    size_t len = evbuffer_get_length(out);
    sqlite3_result_text64(cx, (const char *)evbuffer_pullup(out, (ssize_t)len), len,
                          SQLITE_TRANSIENT, SQLITE_UTF8);
    evbuffer_free(out);
}

static void cast_bytea(sqlite3_context *cx, sqlite3_value *v)
{
    if (sqlite3_value_type(v) == SQLITE_BLOB) {
        sqlite3_result_value(cx, v);
        return;
    }
    const char *s = (const char *)sqlite3_value_text(v);
    size_t len = (size_t)sqlite3_value_bytes(v);
    unsigned char *out = sqlite3_malloc64(len + 1);
    size_t n = 0;
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    if (s[0] == '\\' && s[1] == 'x') {
        for (size_t i = 2; i < len;) {
            if (isspace((unsigned char)s[i])) {
                i++;
                continue;
            }
            if (i + 1 >= len || !isxdigit((unsigned char)s[i]) ||
                !isxdigit((unsigned char)s[i + 1])) {
                sqlite3_free(out);
                fn_error(cx, "22P02", "invalid hexadecimal data");
                return;
            }
            char h[3] = {s[i], s[i + 1], 0};
            out[n++] = (unsigned char)strtol(h, NULL, 16);
            i += 2;
        }
    } else {
        for (size_t i = 0; i < len;) {
            if (s[i] != '\\') {
                out[n++] = (unsigned char)s[i++];
            } else if (s[i + 1] == '\\') {
                out[n++] = '\\';
                i += 2;
            } else if (s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
                       s[i + 3] >= '0' && s[i + 3] <= '7') {
                out[n++] = (unsigned char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 +
                                           (s[i + 3] - '0'));
                i += 4;
            } else {
                sqlite3_free(out);
                fn_error(cx, "22P02", "invalid input syntax for type bytea");
                return;
            }
        }
    }
    sqlite3_result_blob64(cx, out, n, sqlite3_free);
}

/* Convert v to type (a pg_type name); m1, m2: type modifiers, -1 when none. */
static void cast_to(sqlite3_context *cx, sqlite3_value *v, const char *type, int m1, int m2)
{
    if (sqlite3_value_type(v) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    if (!strcmp(type, "int2") || !strcmp(type, "int4") || !strcmp(type, "int8") ||
        !strcmp(type, "oid"))
        cast_int(cx, v, type);
    else if (!strcmp(type, "float4") || !strcmp(type, "float8"))
        cast_float(cx, v, type);
    else if (!strcmp(type, "numeric"))
        cast_numeric(cx, v, m1, m2 < 0 ? 0 : m2);
    else if (!strcmp(type, "text") || !strcmp(type, "varchar") || !strcmp(type, "bpchar") ||
             !strcmp(type, "name"))
        cast_text(cx, v, type, m1);
    else if (!strcmp(type, "bool"))
        cast_bool(cx, v);
    else if (!strcmp(type, "date") || !strcmp(type, "timestamp") || !strcmp(type, "timestamptz") ||
             !strcmp(type, "time"))
        cast_datetime(cx, v, type);
    else if (!strcmp(type, "uuid"))
        cast_uuid(cx, v);
    else if (!strcmp(type, "jsonb"))
        cast_jsonb(cx, v);
    else if (!strcmp(type, "json"))
        cast_json(cx, v);
    else if (!strcmp(type, "bytea"))
        cast_bytea(cx, v);
    else
        fn_error(cx, "0A000", "cast to type %s is not supported on the SQLite backend", type);
}

/* A bool, float or numeric value in its PostgreSQL text form into buf; false when v is not
 * stored as that type is (then the value is cast as it is). */
static bool source_text(sqlite3_context *cx, sqlite3_value *v, const char *source, char *buf,
                        size_t cap)
{
    int vt = sqlite3_value_type(v);
    if (vt != SQLITE_INTEGER && vt != SQLITE_FLOAT)
        return false;
    if (!strcmp(source, "bool")) {
        snprintf(buf, cap, "%s", sqlite3_value_int64(v) ? "true" : "false");
        return true;
    }
    if (!strcmp(source, "float4") || !strcmp(source, "float8")) {
        const struct sql_fn_context *ctx = sqlite3_user_data(cx);
        const char *efd = ctx && ctx->get_setting
                              ? ctx->get_setting(ctx->get_setting_arg, "extra_float_digits")
                              : NULL;
        pgfloat_format(sqlite3_value_double(v), source[5] == '4', efd ? atoi(efd) : 1, buf, cap);
        return true;
    }
    if (!strcmp(source, "numeric")) {
        struct evbuffer *tmp = evbuffer_new();
        bool ok = tmp && pgnumeric_format_value(v, -1, 0, tmp) && evbuffer_get_length(tmp) < cap;
        if (ok) {
            size_t n = evbuffer_remove(tmp, buf, cap - 1);
            buf[n] = '\0';
        }
        if (tmp)
            evbuffer_free(tmp);
        return ok;
    }
    return false;
}

void fn_cast(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const char *type = (const char *)sqlite3_value_text(argv[1]);
    if (!type) {
        fn_error(cx, "XX000", "pg_cast: no type");
        return;
    }
    int m1 = argc > 2 ? sqlite3_value_int(argv[2]) : -1;
    int m2 = argc > 3 ? sqlite3_value_int(argv[3]) : -1;
    const char *source = argc > 4 ? (const char *)sqlite3_value_text(argv[4]) : NULL;
    char buf[400];
    if (source && source_text(cx, argv[0], source, buf, sizeof buf)) {
        cast_text_str(cx, buf, strlen(buf), type, m1);
        return;
    }
    cast_to(cx, argv[0], type, m1, m2);
}

/* A column's declared type, resolved once per statement (auxdata on the column argument). */
struct fn_coltype {
    char type[16]; /* pg_type name, "" when values pass through unchanged */
    int m1, m2;
};

static void coltype_resolve(sqlite3 *db, const char *table, const char *column,
                            struct fn_coltype *ct)
{
    static const struct {
        const char *decl, *type;
    } map[] = {
        {"int2", "int2"},
        {"int4", "int4"},
        {"int8", "int8"},
        {"integer", "int8"},
        {"float4", "float4"},
        {"float8", "float8"},
        {"numeric", "numeric"},
        {"bool", "bool"},
        {"bytea", "bytea"},
        {"date", "date"},
        {"time", "time"},
        {"timestamp", "timestamp"},
        {"timestamptz", "timestamptz"},
        {"uuid", "uuid"},
        {"json", "json"},
        {"jsonb", "jsonb"},
    };
    const char *decl = NULL;
    memset(ct, 0, sizeof *ct);
    ct->m1 = ct->m2 = -1;
    if (sqlite3_table_column_metadata(db, NULL, table, column, &decl, NULL, NULL, NULL, NULL) !=
            SQLITE_OK ||
        !decl)
        return;
    char name[32];
    size_t n = 0;
    while (decl[n] && decl[n] != '(' && n < sizeof name - 1) {
        name[n] = (char)tolower((unsigned char)decl[n]);
        n++;
    }
    name[n] = '\0';
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++) {
        if (strcmp(map[i].decl, name) != 0)
            continue;
        snprintf(ct->type, sizeof ct->type, "%s", map[i].type);
        if (decl[n] == '(' && !strcmp(name, "numeric"))
            sscanf(decl + n, "(%d,%d", &ct->m1, &ct->m2);
        return;
    }
}

/*
 * pg_assign(value, 'table', 'column' or position): a literal or an untyped parameter stored into a
 * column gets PostgreSQL's assignment conversion to the column's declared type ('t' into a bool
 * column is 1, a timestamptz literal is normalised to UTC, 'abc' into int4 is 22P02).
 */
void fn_assign(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    struct fn_coltype local;
    const struct fn_coltype *ct = sqlite3_get_auxdata(cx, 2);
    if (!ct) {
        sqlite3 *db = sqlite3_context_db_handle(cx);
        const char *table = (const char *)sqlite3_value_text(argv[1]);
        char column[256] = "";
        if (sqlite3_value_type(argv[2]) == SQLITE_INTEGER) {
            /* INSERT without a column list: the k-th column (0-based) of the table. */
            sqlite3_stmt *st = NULL;
            if (sqlite3_prepare_v2(db, "SELECT name FROM pragma_table_info(?1) WHERE cid = ?2", -1,
                                   &st, NULL) == SQLITE_OK) {
                sqlite3_bind_text(st, 1, table ? table : "", -1, SQLITE_STATIC);
                sqlite3_bind_int(st, 2, sqlite3_value_int(argv[2]));
                if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
                    snprintf(column, sizeof column, "%s", (const char *)sqlite3_column_text(st, 0));
            }
            sqlite3_finalize(st);
        } else {
            snprintf(column, sizeof column, "%s", (const char *)sqlite3_value_text(argv[2]));
        }
        coltype_resolve(db, table, column, &local);
        struct fn_coltype *keep = sqlite3_malloc(sizeof *keep);
        if (keep) {
            *keep = local;
            sqlite3_set_auxdata(cx, 2, keep, sqlite3_free);
        }
        ct = &local;
    }
    if (!ct->type[0]) {
        sqlite3_result_value(cx, argv[0]);
        return;
    }
    cast_to(cx, argv[0], ct->type, ct->m1, ct->m2);
}

/*
 * pg_coltext(value, 'table', 'column', out_form): a table column's value as text, as
 * PostgreSQL's cast to text prints the column's declared type: a boolean (stored as 1/0) is
 * true/false (t/f with out_form, the output function concat() uses), numeric(p,s) has its
 * scale, a float prints as float8out. Other values pass through unchanged.
 */
void fn_coltext(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const struct fn_coltype *ct = sqlite3_get_auxdata(cx, 2);
    struct fn_coltype local;
    if (!ct) {
        coltype_resolve(sqlite3_context_db_handle(cx), (const char *)sqlite3_value_text(argv[1]),
                        (const char *)sqlite3_value_text(argv[2]), &local);
        struct fn_coltype *keep = sqlite3_malloc(sizeof *keep);
        if (keep) {
            *keep = local;
            sqlite3_set_auxdata(cx, 2, keep, sqlite3_free);
        }
        ct = &local;
    }
    sqlite3_value *v = argv[0];
    int vt = sqlite3_value_type(v);
    if (vt != SQLITE_INTEGER && vt != SQLITE_FLOAT) {
        sqlite3_result_value(cx, v);
        return;
    }
    if (!strcmp(ct->type, "bool")) {
        bool b = sqlite3_value_int64(v) != 0;
        const char *s = sqlite3_value_int(argv[3]) ? (b ? "t" : "f") : (b ? "true" : "false");
        sqlite3_result_text(cx, s, -1, SQLITE_STATIC);
        return;
    }
    char buf[400];
    if (!strcmp(ct->type, "numeric") && ct->m1 >= 0) {
        /* numeric(p,s): printed with the column's scale, as its values are. */
        struct evbuffer *tmp = evbuffer_new();
        int32_t typmod = (int32_t)(((ct->m1 << 16) | (ct->m2 > 0 ? ct->m2 : 0)) + 4);
        bool ok = tmp && pgnumeric_format_value(v, typmod, 0, tmp) &&
                  evbuffer_get_length(tmp) < sizeof buf;
        if (ok) {
            size_t n = evbuffer_remove(tmp, buf, sizeof buf - 1);
            buf[n] = '\0';
            sqlite3_result_text(cx, buf, (int)n, SQLITE_TRANSIENT);
        }
        if (tmp)
            evbuffer_free(tmp);
        if (ok)
            return;
    } else if (!strcmp(ct->type, "numeric") || !strcmp(ct->type, "float4") ||
               !strcmp(ct->type, "float8")) {
        if (source_text(cx, v, ct->type, buf, sizeof buf)) {
            sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
            return;
        }
    }
    sqlite3_result_value(cx, v);
}

/* ---- date_trunc / extract ---- */

static bool value_tm(sqlite3_context *cx, sqlite3_value *v, struct fn_tm *tm, bool *with_tz)
{
    const char *s = (const char *)sqlite3_value_text(v);
    int rc = fn_parse_timestamp(s, tm, fn_now_us());
    if (rc) {
        fn_error(cx, rc == 1 ? "22007" : "22008", "invalid input syntax for type timestamp: \"%s\"",
                 s);
        return false;
    }
    /* A value with a zone is worked on in the session's local time, as PostgreSQL does. */
    *with_tz = tm->has_tz;
    if (tm->has_tz) {
        fn_us_to_tm(fn_utc_to_local(cx, fn_tm_to_us(tm)), tm);
        tm->has_tz = true;
    }
    return true;
}

void fn_date_trunc(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    char field[32];
    trim_copy((const char *)sqlite3_value_text(argv[0]), field, sizeof field);
    for (char *p = field; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    struct fn_tm tm;
    bool with_tz;
    if (!value_tm(cx, argv[1], &tm, &with_tz))
        return;
    /* A date is truncated as the timestamptz of its local midnight (PostgreSQL's implicit
     * cast picks date_trunc(text, timestamptz) for it). */
    if (!tm.has_time && !tm.has_tz)
        with_tz = true;
    if (!strcmp(field, "microseconds")) {
    } else if (!strcmp(field, "milliseconds")) {
        tm.usec -= tm.usec % 1000;
    } else {
        tm.usec = 0;
        if (!strcmp(field, "second")) {
        } else if (!strcmp(field, "minute")) {
            tm.sec = 0;
        } else if (!strcmp(field, "hour")) {
            tm.sec = tm.min = 0;
        } else {
            tm.sec = tm.min = tm.hour = 0;
            if (!strcmp(field, "day")) {
            } else if (!strcmp(field, "week")) {
                int64_t days = fn_days_from_civil(tm.year, tm.mon, tm.mday);
                int64_t dow = ((days % 7) + 7 + 3) % 7; /* 0 = Monday */
                fn_civil_from_days(days - dow, &tm.year, &tm.mon, &tm.mday);
            } else if (!strcmp(field, "month")) {
                tm.mday = 1;
            } else if (!strcmp(field, "quarter")) {
                tm.mday = 1;
                tm.mon = (tm.mon - 1) / 3 * 3 + 1;
            } else if (!strcmp(field, "year")) {
                tm.mday = tm.mon = 1;
            } else if (!strcmp(field, "decade")) {
                tm.mday = tm.mon = 1;
                tm.year -= tm.year % 10;
            } else if (!strcmp(field, "century")) {
                tm.mday = tm.mon = 1;
                tm.year = (tm.year - 1) / 100 * 100 + 1;
            } else if (!strcmp(field, "millennium")) {
                tm.mday = tm.mon = 1;
                tm.year = (tm.year - 1) / 1000 * 1000 + 1;
            } else {
                fn_error(cx, "22023", "unit \"%s\" not recognized for type timestamp", field);
                return;
            }
        }
    }
    char out[48];
    if (with_tz) {
        tm.tz_sec = 0;
        fn_us_to_tm(local_to_utc(cx, fn_tm_to_us(&tm)), &tm);
    }
    fn_format_timestamp(&tm, with_tz, out, sizeof out);
    sqlite3_result_text(cx, out, -1, SQLITE_TRANSIENT);
}

/* extract(field from ts): *is_int tells whether the value is integral. */
static bool extract_field(sqlite3_context *cx, sqlite3_value **argv, double *out, bool *is_int)
{
    char field[32];
    trim_copy((const char *)sqlite3_value_text(argv[0]), field, sizeof field);
    for (char *p = field; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    struct fn_tm tm;
    bool with_tz;
    if (!value_tm(cx, argv[1], &tm, &with_tz))
        return false;
    int64_t days = fn_days_from_civil(tm.year, tm.mon, tm.mday);
    *is_int = true;
    if (!strcmp(field, "year") || !strcmp(field, "years")) {
        *out = tm.year;
    } else if (!strcmp(field, "month") || !strcmp(field, "months")) {
        *out = tm.mon;
    } else if (!strcmp(field, "day") || !strcmp(field, "days")) {
        *out = tm.mday;
    } else if (!strcmp(field, "hour") || !strcmp(field, "hours")) {
        *out = tm.hour;
    } else if (!strcmp(field, "minute") || !strcmp(field, "minutes")) {
        *out = tm.min;
    } else if (!strcmp(field, "second") || !strcmp(field, "seconds")) {
        *out = tm.sec + tm.usec / 1e6;
        *is_int = tm.usec == 0;
    } else if (!strcmp(field, "milliseconds")) {
        *out = tm.sec * 1000 + tm.usec / 1e3;
        *is_int = tm.usec % 1000 == 0;
    } else if (!strcmp(field, "microseconds")) {
        *out = tm.sec * 1000000.0 + tm.usec;
    } else if (!strcmp(field, "epoch")) {
        struct fn_tm l = tm;
        l.tz_sec = 0;
        int64_t us = with_tz ? local_to_utc(cx, fn_tm_to_us(&l)) : fn_tm_to_us(&l);
        *out = (double)us / 1e6;
        *is_int = us % 1000000 == 0;
    } else if (!strcmp(field, "dow")) {
        *out = (double)(((days % 7) + 7 + 4) % 7);
    } else if (!strcmp(field, "isodow")) {
        int dow = (int)(((days % 7) + 7 + 4) % 7);
        *out = dow == 0 ? 7 : dow;
    } else if (!strcmp(field, "doy")) {
        *out = (double)(days - fn_days_from_civil(tm.year, 1, 1) + 1);
    } else if (!strcmp(field, "quarter")) {
        *out = (tm.mon - 1) / 3 + 1;
    } else if (!strcmp(field, "week")) {
        /* ISO 8601 week number: the week with the year's first Thursday is week 1. */
        int64_t dow = ((days % 7) + 7 + 3) % 7; /* 0 = Monday */
        int64_t thursday = days - dow + 3;
        int y, m, d;
        fn_civil_from_days(thursday, &y, &m, &d);
        *out = (double)((thursday - fn_days_from_civil(y, 1, 1)) / 7 + 1);
    } else if (!strcmp(field, "decade")) {
        *out = tm.year >= 0 ? tm.year / 10 : -((-tm.year + 9) / 10);
    } else if (!strcmp(field, "century")) {
        *out = tm.year > 0 ? (tm.year + 99) / 100 : -((99 - (tm.year - 1)) / 100);
    } else if (!strcmp(field, "millennium")) {
        *out = tm.year > 0 ? (tm.year + 999) / 1000 : -((999 - (tm.year - 1)) / 1000);
    } else if (!strcmp(field, "timezone")) {
        *out = 0;
    } else {
        fn_error(cx, "22023", "unit \"%s\" not recognized for type timestamp", field);
        return false;
    }
    return true;
}

void fn_extract(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    double d;
    bool is_int;
    if (!extract_field(cx, argv, &d, &is_int))
        return;
    if (is_int)
        sqlite3_result_int64(cx, (int64_t)d);
    else
        fn_result_double(cx, d);
}

void fn_date_part(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    double d;
    bool is_int;
    if (extract_field(cx, argv, &d, &is_int))
        fn_result_double(cx, d);
}

/*
 * pg_ts_add(ts, 'interval', sign): timestamp[tz] +/- interval as PostgreSQL computes it: months
 * (clamping the day to the month's end), then days, in local time for a timestamptz, then the
 * time part as elapsed time. A date-only input gives a timestamp.
 */
void fn_ts_add(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const char *ivs = (const char *)sqlite3_value_text(argv[1]);
    struct pg_interval iv;
    const char *err = NULL;
    char errbuf[256];
    if (!pgtime_parse_interval(ivs, (size_t)sqlite3_value_bytes(argv[1]), &iv, &err, errbuf,
                               sizeof errbuf)) {
        sqlite3_result_error(cx, err ? err : "[22007] invalid input syntax for type interval", -1);
        return;
    }
    int sign = sqlite3_value_int(argv[2]) < 0 ? -1 : 1;
    struct fn_tm tm;
    bool with_tz;
    if (!value_tm(cx, argv[0], &tm, &with_tz))
        return;
    /* tm is in local wall-clock time now (value_tm converts a zoned value). */
    int64_t months = (int64_t)tm.year * 12 + (tm.mon - 1) + sign * (int64_t)iv.months;
    tm.year = (int)(months >= 0 ? months / 12 : -((-months + 11) / 12));
    tm.mon = (int)(months - (int64_t)tm.year * 12) + 1;
    int dim = days_in_month(tm.year, tm.mon);
    if (tm.mday > dim)
        tm.mday = dim;
    tm.tz_sec = 0;
    int64_t us = fn_tm_to_us(&tm) + sign * (int64_t)iv.days * 86400 * 1000000;
    if (with_tz)
        us = local_to_utc(cx, us);
    us += sign * iv.usecs;
    struct fn_tm out;
    char buf[48];
    fn_us_to_tm(us, &out);
    fn_format_timestamp(&out, with_tz, buf, sizeof buf);
    sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

/*
 * pg_colnumeric('table', 'column'): s for numeric(p,s), -1 for a numeric without a modifier, -2
 * for an integer type, -3 for any other. Constant per statement: the translator's col op $n,
 * col * integer and col op col2 compute a numeric with it (src/sql/translate_num.c).
 */
void fn_colnumeric(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct fn_coltype ct;
    (void)argc;
    coltype_resolve(sqlite3_context_db_handle(cx), (const char *)sqlite3_value_text(argv[0]),
                    (const char *)sqlite3_value_text(argv[1]), &ct);
    if (!strcmp(ct.type, "int2") || !strcmp(ct.type, "int4") || !strcmp(ct.type, "int8"))
        sqlite3_result_int(cx, -2);
    else if (strcmp(ct.type, "numeric") != 0)
        sqlite3_result_int(cx, -3);
    else
        sqlite3_result_int(cx, ct.m1 < 0 ? -1 : ct.m2 > 0 ? ct.m2 : 0);
}
