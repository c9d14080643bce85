/*
 * PostgreSQL types on SQLite storage: the declared-type map, and the conversions between the
 * storage forms fixed in include/sql/types.h and PostgreSQL 15's text and binary wire formats,
 * both ways (DataRow values out, Bind parameters in). Floats and numeric are in types_num.c,
 * json in types_json.c, dates, times and zones in types_time.c. Nothing here touches sockets;
 * errors carry their SQLSTATE as "[XXXXX] text".
 */
#include "sql/types.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <sqlite3.h>

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

/* format_text/format_binary have no caller buffer: their messages live per thread. */
static _Thread_local char types_out_err[256];
#define OUT_FAIL(...) types_fail(err, types_out_err, sizeof types_out_err, __VA_ARGS__)

void pg_format_settings_default(struct pg_format_settings *fs)
{
    memset(fs, 0, sizeof *fs);
    fs->extra_float_digits = 1;
    snprintf(fs->timezone, sizeof fs->timezone, "UTC");
    fs->datestyle_iso = true;
    snprintf(fs->intervalstyle, sizeof fs->intervalstyle, "postgres");
}

/* ---- type table ---- */

static const struct {
    uint32_t oid;
    const char *name;
    int16_t len;
} types_table[] = {
    {PGOID_BOOL, "bool", 1},           {PGOID_BYTEA, "bytea", -1},
    {PGOID_CHAR, "char", 1},           {PGOID_NAME, "name", 64},
    {PGOID_INT8, "int8", 8},           {PGOID_INT2, "int2", 2},
    {PGOID_INT4, "int4", 4},           {PGOID_REGPROC, "regproc", 4},
    {PGOID_TEXT, "text", -1},          {PGOID_OID, "oid", 4},
    {PGOID_JSON, "json", -1},          {PGOID_FLOAT4, "float4", 4},
    {PGOID_FLOAT8, "float8", 8},       {PGOID_UNKNOWN, "unknown", -2},
    {PGOID_BPCHAR, "bpchar", -1},      {PGOID_VARCHAR, "varchar", -1},
    {PGOID_DATE, "date", 4},           {PGOID_TIME, "time", 8},
    {PGOID_TIMESTAMP, "timestamp", 8}, {PGOID_TIMESTAMPTZ, "timestamptz", 8},
    {PGOID_INTERVAL, "interval", 16},  {PGOID_NUMERIC, "numeric", -1},
    {PGOID_UUID, "uuid", 16},          {PGOID_JSONB, "jsonb", -1},
};

const char *pgtype_name(uint32_t oid)
{
    for (size_t i = 0; i < sizeof types_table / sizeof types_table[0]; i++)
        if (types_table[i].oid == oid)
            return types_table[i].name;
    return "unknown";
}

int16_t pgtype_len(uint32_t oid)
{
    for (size_t i = 0; i < sizeof types_table / sizeof types_table[0]; i++)
        if (types_table[i].oid == oid)
            return types_table[i].len;
    return -1;
}

/* Declared names, longest spellings first where one is a prefix of another. */
static const struct {
    const char *name;
    uint32_t oid;
} decl_names[] = {
    {"timestamp without time zone", PGOID_TIMESTAMP},
    {"timestamp with time zone", PGOID_TIMESTAMPTZ},
    {"time without time zone", PGOID_TIME},
    {"double precision", PGOID_FLOAT8},
    {"character varying", PGOID_VARCHAR},
    {"timestamptz", PGOID_TIMESTAMPTZ},
    {"timestamp", PGOID_TIMESTAMP},
    {"bigserial", PGOID_INT8},
    {"smallserial", PGOID_INT2},
    {"serial8", PGOID_INT8},
    {"serial4", PGOID_INT4},
    {"serial2", PGOID_INT2},
    {"serial", PGOID_INT4},
    {"smallint", PGOID_INT2},
    {"integer", PGOID_INT4},
    {"bigint", PGOID_INT8},
    {"int8", PGOID_INT8},
    {"int4", PGOID_INT4},
    {"int2", PGOID_INT2},
    {"boolean", PGOID_BOOL},
    {"bool", PGOID_BOOL},
    {"real", PGOID_FLOAT4},
    {"float4", PGOID_FLOAT4},
    {"float8", PGOID_FLOAT8},
    {"float", PGOID_FLOAT8},
    {"double", PGOID_FLOAT8},
    {"numeric", PGOID_NUMERIC},
    {"decimal", PGOID_NUMERIC},
    {"text", PGOID_TEXT},
    {"varchar", PGOID_VARCHAR},
    {"character", PGOID_BPCHAR},
    {"bpchar", PGOID_BPCHAR},
    {"char", PGOID_BPCHAR},
    {"bytea", PGOID_BYTEA},
    {"blob", PGOID_BYTEA},
    {"date", PGOID_DATE},
    {"timetz", 0},
    {"time", PGOID_TIME},
    {"interval", PGOID_INTERVAL},
    {"uuid", PGOID_UUID},
    {"jsonb", PGOID_JSONB},
    {"json", PGOID_JSON},
    {"name", PGOID_NAME},
    {"oid", PGOID_OID},
    {"regproc", PGOID_REGPROC},
    {"\"char\"", PGOID_CHAR},
};

uint32_t pgtype_from_decltype(const char *decl, int32_t *typmod)
{
    int32_t dummy;
    if (!typmod)
        typmod = &dummy;
    *typmod = -1;
    if (!decl)
        return 0;
    char buf[96];
    size_t n = 0;
    const char *p = decl;
    while (isspace((unsigned char)*p))
        p++;
    /* Lower case, whitespace collapsed, typmod split off. */
    const char *paren = NULL;
    for (; *p && n + 1 < sizeof buf; p++) {
        if (*p == '(') {
            paren = p;
            break;
        }
        if (isspace((unsigned char)*p)) {
            if (n && buf[n - 1] != ' ')
                buf[n++] = ' ';
            continue;
        }
        buf[n++] = (char)tolower((unsigned char)*p);
    }
    while (n && buf[n - 1] == ' ')
        n--;
    buf[n] = '\0';
    if (*p && !paren)
        return 0;
    /* A trailing "[]" is an array: not a scalar type this module maps. */
    if (n >= 2 && strcmp(buf + n - 2, "[]") == 0)
        return 0;
    int mods[2] = {-1, -1}, nmods = 0;
    if (paren) {
        const char *q = paren + 1;
        while (nmods < 2) {
            while (isspace((unsigned char)*q))
                q++;
            if (!isdigit((unsigned char)*q))
                break;
            mods[nmods++] = (int)strtol(q, (char **)&q, 10);
            while (isspace((unsigned char)*q))
                q++;
            if (*q != ',')
                break;
            q++;
        }
        /* "time(3) without time zone" and "timestamp(3) with time zone" keep words after it. */
        const char *close = strchr(q, ')');
        if (close) {
            const char *rest = close + 1;
            while (isspace((unsigned char)*rest))
                rest++;
            if (strncasecmp(rest, "with time zone", 14) == 0 && strcmp(buf, "timestamp") == 0)
                snprintf(buf, sizeof buf, "timestamptz");
            if (strncasecmp(rest, "with time zone", 14) == 0 && strcmp(buf, "time") == 0)
                return 0;
        }
    }
    uint32_t oid = 0;
    if (strcmp(buf, "int") == 0 || strcmp(buf, "integer") == 0) {
        oid = PGOID_INT4;
    } else {
        for (size_t i = 0; i < sizeof decl_names / sizeof decl_names[0]; i++) {
            if (strcmp(buf, decl_names[i].name) == 0) {
                oid = decl_names[i].oid;
                break;
            }
        }
    }
    /* SQLite's own spellings: INTEGER is the 64-bit rowid type, REAL a double. */
    if (strcmp(decl, "INTEGER") == 0)
        oid = PGOID_INT8;
    else if (strcmp(decl, "REAL") == 0)
        oid = PGOID_FLOAT8;
    if (oid == 0)
        return 0;
    switch (oid) {
    case PGOID_FLOAT8:
        /* float(p): up to 24 bits of precision is real. */
        if (nmods == 1 && strcmp(buf, "float") == 0 && mods[0] >= 1 && mods[0] <= 24)
            oid = PGOID_FLOAT4;
        break;
    case PGOID_NUMERIC:
        if (nmods >= 1)
            *typmod = ((mods[0] << 16) | (nmods == 2 ? mods[1] : 0)) + 4;
        break;
    case PGOID_VARCHAR:
        if (nmods >= 1)
            *typmod = mods[0] + 4;
        break;
    case PGOID_BPCHAR:
        /* char without a length is char(1); bpchar without one is unbounded. */
        if (nmods >= 1)
            *typmod = mods[0] + 4;
        else if (strcmp(buf, "bpchar") != 0)
            *typmod = 1 + 4;
        break;
    case PGOID_TIME:
    case PGOID_TIMESTAMP:
    case PGOID_TIMESTAMPTZ:
    case PGOID_INTERVAL:
        if (nmods >= 1)
            *typmod = mods[0];
        break;
    default:
        break;
    }
    return oid;
}

uint32_t pgtype_of_value(struct sqlite3_value *v)
{
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        return PGOID_INT8;
    case SQLITE_FLOAT:
        return PGOID_FLOAT8;
    case SQLITE_BLOB:
        return PGOID_BYTEA;
    default:
        return PGOID_TEXT;
    }
}

/* ---- scalars ---- */

static void trim(const char **s, size_t *len)
{
    while (*len && isspace((unsigned char)**s))
        (*s)++, (*len)--;
    while (*len && isspace((unsigned char)(*s)[*len - 1]))
        (*len)--;
}

/* PostgreSQL's parse_bool: any unique prefix of true/false/yes/no, on/off, 1/0. */
static bool parse_bool(const char *s, size_t len, bool *out)
{
    trim(&s, &len);
    if (len == 0)
        return false;
    static const struct {
        const char *word;
        size_t min;
        bool val;
    } words[] = {{"true", 1, true}, {"false", 1, false}, {"yes", 1, true}, {"no", 1, false},
                 {"on", 2, true},   {"off", 2, false},   {"1", 1, true},   {"0", 1, false}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if (len >= words[i].min && len <= strlen(words[i].word) &&
            strncasecmp(s, words[i].word, len) == 0) {
            *out = words[i].val;
            return true;
        }
    }
    return false;
}

static const char *int_type_name(uint32_t oid)
{
    return oid == PGOID_INT2 ? "smallint" : oid == PGOID_INT4 ? "integer" : "bigint";
}

static bool int_range(uint32_t oid, int64_t v)
{
    if (oid == PGOID_INT2)
        return v >= INT16_MIN && v <= INT16_MAX;
    if (oid == PGOID_INT4)
        return v >= INT32_MIN && v <= INT32_MAX;
    if (oid == PGOID_OID)
        return v >= INT32_MIN && v <= UINT32_MAX;
    return true;
}

/* 0 ok, 1 syntax error, 2 out of range (of int64 or of the type). */
static int parse_int(const char *s, size_t len, uint32_t oid, int64_t *out)
{
    trim(&s, &len);
    size_t i = 0;
    bool neg = false;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        neg = s[i++] == '-';
    if (i == len)
        return 1;
    uint64_t v = 0;
    bool over = false;
    for (; i < len; i++) {
        if (!isdigit((unsigned char)s[i]))
            return 1;
        if (v > (UINT64_MAX - 9) / 10)
            over = true;
        else
            v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (over || v > (uint64_t)INT64_MAX + neg)
        return 2;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return int_range(oid, *out) ? 0 : 2;
}

static void put16(struct evbuffer *out, uint16_t v)
{
    uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    evbuffer_add(out, b, 2);
}

static void put32(struct evbuffer *out, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    evbuffer_add(out, b, 4);
}

static void put64(struct evbuffer *out, uint64_t v)
{
    put32(out, (uint32_t)(v >> 32));
    put32(out, (uint32_t)v);
}

static uint64_t get_be(const char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | (uint8_t)p[i];
    return v;
}

static bool bind_rc(int rc, const char **err, char *errbuf, size_t errcap)
{
    if (rc == SQLITE_OK)
        return true;
    return types_fail(err, errbuf, errcap, "[XX000] could not bind parameter: %s",
                      sqlite3_errstr(rc));
}

/* ---- bytea, uuid ---- */

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* bytea text input (hex "\x..." or escape format) into out (len bytes is enough). */
static bool bytea_parse(const char *s, size_t len, uint8_t *out, size_t *outlen, const char **err,
                        char *errbuf, size_t errcap)
{
    size_t o = 0;
    if (len >= 2 && s[0] == '\\' && s[1] == 'x') {
        for (size_t i = 2; i < len;) {
            if (isspace((unsigned char)s[i])) {
                i++;
                continue;
            }
            int hi = hexval((unsigned char)s[i]);
            if (hi < 0)
                return types_fail(err, errbuf, errcap, "[22023] invalid hexadecimal digit: \"%c\"",
                                  s[i]);
            if (i + 1 >= len)
                return types_fail(err, errbuf, errcap,
                                  "[22023] invalid hexadecimal data: odd number of digits");
            int lo = hexval((unsigned char)s[i + 1]);
            if (lo < 0)
                return types_fail(err, errbuf, errcap, "[22023] invalid hexadecimal digit: \"%c\"",
                                  s[i + 1]);
            out[o++] = (uint8_t)(hi << 4 | lo);
            i += 2;
        }
        *outlen = o;
        return true;
    }
    for (size_t i = 0; i < len;) {
        if (s[i] != '\\') {
            out[o++] = (uint8_t)s[i++];
        } else if (i + 1 < len && s[i + 1] == '\\') {
            out[o++] = '\\';
            i += 2;
        } else if (i + 3 < len && s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' &&
                   s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            out[o++] = (uint8_t)((s[i + 1] - '0') << 6 | (s[i + 2] - '0') << 3 | (s[i + 3] - '0'));
            i += 4;
        } else {
            return types_fail(err, errbuf, errcap, "[22P02] invalid input syntax for type bytea");
        }
    }
    *outlen = o;
    return true;
}

/* uuid input as PostgreSQL's uuid_in: optional braces, a hyphen allowed after any group of four
 * digits, any case. */
static bool uuid_parse(const char *s, size_t len, uint8_t out[16])
{
    size_t i = 0, end = len;
    if (len && s[0] == '{') {
        if (s[len - 1] != '}')
            return false;
        i = 1;
        end = len - 1;
    }
    for (int k = 0; k < 32; k++) {
        if (i >= end)
            return false;
        int h = hexval((unsigned char)s[i]);
        if (h < 0)
            return false;
        if (k % 2 == 0)
            out[k / 2] = (uint8_t)(h << 4);
        else
            out[k / 2] |= (uint8_t)h;
        i++;
        if (k % 4 == 3 && k != 31 && i < end && s[i] == '-')
            i++;
    }
    return i == end;
}

static void uuid_text(const uint8_t u[16], char out[37])
{
    static const char hx[] = "0123456789abcdef";
    size_t o = 0;
    for (int k = 0; k < 16; k++) {
        if (k == 4 || k == 6 || k == 8 || k == 10)
            out[o++] = '-';
        out[o++] = hx[u[k] >> 4];
        out[o++] = hx[u[k] & 15];
    }
    out[o] = '\0';
}

/* ---- value access ---- */

static const char *value_text(struct sqlite3_value *v, size_t *len)
{
    const char *s = (const char *)sqlite3_value_text(v);
    *len = (size_t)sqlite3_value_bytes(v);
    return s ? s : "";
}

/* A stored integer-ish value: INTEGER, REAL rounded as PostgreSQL casts, or integer text. */
static bool value_int(struct sqlite3_value *v, uint32_t oid, int64_t *out, const char **err)
{
    size_t len;
    const char *s;
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        *out = sqlite3_value_int64(v);
        break;
    case SQLITE_FLOAT: {
        double d = rint(sqlite3_value_double(v));
        if (isnan(d) || d < -9.2233720368547758e18 || d >= 9.2233720368547758e18)
            return OUT_FAIL("[22003] %s out of range", int_type_name(oid));
        *out = (int64_t)d;
        break;
    }
    default:
        s = value_text(v, &len);
        if (parse_int(s, len, PGOID_INT8, out) != 0)
            return OUT_FAIL("[22P02] invalid input syntax for type %s: \"%.*s\"",
                            int_type_name(oid), (int)(len > 200 ? 200 : len), s);
    }
    if (!int_range(oid, *out))
        return OUT_FAIL("[22003] %s out of range", int_type_name(oid));
    return true;
}

static bool value_bool(struct sqlite3_value *v, bool *out, const char **err)
{
    size_t len;
    const char *s;
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        *out = sqlite3_value_int64(v) != 0;
        return true;
    case SQLITE_FLOAT:
        *out = sqlite3_value_double(v) != 0;
        return true;
    default:
        s = value_text(v, &len);
        if (parse_bool(s, len, out))
            return true;
        return OUT_FAIL("[22P02] invalid input syntax for type boolean: \"%.*s\"",
                        (int)(len > 200 ? 200 : len), s);
    }
}

static bool value_double(struct sqlite3_value *v, bool single, double *out, const char **err)
{
    size_t len;
    const char *s;
    if (sqlite3_value_type(v) == SQLITE_INTEGER || sqlite3_value_type(v) == SQLITE_FLOAT) {
        *out = sqlite3_value_double(v);
        return true;
    }
    s = value_text(v, &len);
    if (pgfloat_parse(s, len, single, out) == 0)
        return true;
    return OUT_FAIL("[22P02] invalid input syntax for type %s: \"%.*s\"",
                    single ? "real" : "double precision", (int)(len > 200 ? 200 : len), s);
}

/* Characters (not bytes) of UTF-8 text. */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

static void add_text_value(uint32_t oid, int32_t typmod, struct sqlite3_value *v,
                           struct evbuffer *out)
{
    size_t len;
    const char *s;
    if (sqlite3_value_type(v) == SQLITE_BLOB) {
        s = sqlite3_value_blob(v);
        len = (size_t)sqlite3_value_bytes(v);
    } else {
        s = value_text(v, &len);
    }
    if (len)
        evbuffer_add(out, s, len);
    /* char(n) is blank-padded to n characters. */
    if (oid == PGOID_BPCHAR && typmod > 4) {
        for (size_t n = utf8_chars(s, len); n < (size_t)(typmod - 4); n++)
            evbuffer_add(out, " ", 1);
    }
}

static bool value_uuid(struct sqlite3_value *v, uint8_t u[16], const char **err)
{
    if (sqlite3_value_type(v) == SQLITE_BLOB && sqlite3_value_bytes(v) == 16) {
        memcpy(u, sqlite3_value_blob(v), 16);
        return true;
    }
    size_t len;
    const char *s = value_text(v, &len);
    if (uuid_parse(s, len, u))
        return true;
    return OUT_FAIL("[22P02] invalid input syntax for type uuid: \"%.*s\"",
                    (int)(len > 200 ? 200 : len), s);
}

/* Date/time storage into internal form; unknown text fails as PostgreSQL would reject it. */
static bool value_time(uint32_t oid, struct sqlite3_value *v, const char *tz, int64_t *us,
                       struct pg_interval *iv, const char **err)
{
    size_t len;
    const char *s = value_text(v, &len);
    int32_t days;
    switch (oid) {
    case PGOID_DATE:
        if (!pgtime_parse_date(s, len, tz, &days, err, types_out_err, sizeof types_out_err))
            return false;
        *us = days;
        return true;
    case PGOID_TIME:
        return pgtime_parse_time(s, len, us, err, types_out_err, sizeof types_out_err);
    case PGOID_TIMESTAMP:
        return pgtime_parse_timestamp(s, len, false, tz, us, err, types_out_err,
                                      sizeof types_out_err);
    case PGOID_TIMESTAMPTZ:
        return pgtime_parse_timestamp(s, len, true, "UTC", us, err, types_out_err,
                                      sizeof types_out_err);
    default:
        return pgtime_parse_interval(s, len, iv, err, types_out_err, sizeof types_out_err);
    }
}

/* ---- text output ---- */

bool pgtype_format_text(uint32_t oid, int32_t typmod, struct sqlite3_value *v,
                        const struct pg_format_settings *fs, struct evbuffer *out, const char **err)
{
    char buf[128];
    size_t len;
    const char *s;
    int64_t i64;
    double d;
    bool b;
    switch (oid) {
    case PGOID_BOOL:
        if (!value_bool(v, &b, err))
            return false;
        evbuffer_add(out, b ? "t" : "f", 1);
        return true;
    case PGOID_INT2:
    case PGOID_INT4:
    case PGOID_INT8:
    case PGOID_OID:
        if (!value_int(v, oid, &i64, err))
            return false;
        evbuffer_add_printf(out, "%lld", (long long)(oid == PGOID_OID ? (uint32_t)i64 : i64));
        return true;
    case PGOID_FLOAT4:
    case PGOID_FLOAT8:
        if (!value_double(v, oid == PGOID_FLOAT4, &d, err))
            return false;
        pgfloat_format(d, oid == PGOID_FLOAT4, fs->extra_float_digits, buf, sizeof buf);
        evbuffer_add(out, buf, strlen(buf));
        return true;
    case PGOID_NUMERIC:
        if (pgnumeric_format_value(v, typmod, 0, out))
            return true;
        s = value_text(v, &len);
        return OUT_FAIL("[22P02] invalid input syntax for type numeric: \"%.*s\"",
                        (int)(len > 200 ? 200 : len), s);
    case PGOID_BYTEA: {
        const unsigned char *p = sqlite3_value_type(v) == SQLITE_BLOB
                                     ? sqlite3_value_blob(v)
                                     : (const unsigned char *)sqlite3_value_text(v);
        len = (size_t)sqlite3_value_bytes(v);
        static const char hx[] = "0123456789abcdef";
        evbuffer_add(out, "\\x", 2);
        for (size_t i = 0; i < len; i++) {
            char two[2] = {hx[p[i] >> 4], hx[p[i] & 15]};
            evbuffer_add(out, two, 2);
        }
        return true;
    }
    case PGOID_UUID: {
        uint8_t u[16];
        if (!value_uuid(v, u, err))
            return false;
        uuid_text(u, buf);
        evbuffer_add(out, buf, 36);
        return true;
    }
    case PGOID_DATE:
    case PGOID_TIME:
    case PGOID_TIMESTAMP:
    case PGOID_TIMESTAMPTZ:
    case PGOID_INTERVAL: {
        struct pg_interval iv;
        if (!value_time(oid, v, fs->timezone, &i64, &iv, err)) {
            /* Stored text this module cannot read is shown as it is. */
            s = value_text(v, &len);
            evbuffer_add(out, s, len);
            return true;
        }
        if (oid == PGOID_DATE)
            len = pgtime_format_date((int32_t)i64, buf, sizeof buf);
        else if (oid == PGOID_TIME)
            len = pgtime_format_time(i64, buf, sizeof buf);
        else if (oid == PGOID_TIMESTAMP)
            len = pgtime_format_timestamp(i64, buf, sizeof buf);
        else if (oid == PGOID_TIMESTAMPTZ)
            len = pgtime_format_timestamptz(i64, fs->timezone, buf, sizeof buf);
        else if (strcasecmp(fs->intervalstyle, "iso_8601") == 0)
            len = pgtime_format_interval_iso(&iv, buf, sizeof buf);
        else
            len = pgtime_format_interval(&iv, buf, sizeof buf);
        evbuffer_add(out, buf, len);
        return true;
    }
    case PGOID_JSONB: {
        s = value_text(v, &len);
        struct evbuffer *tmp = evbuffer_new();
        const char *why;
        if (tmp && pgjson_parse(s, len, true, tmp, &why))
            evbuffer_add_buffer(out, tmp);
        else
            evbuffer_add(out, s, len);
        if (tmp)
            evbuffer_free(tmp);
        return true;
    }
    default:
        add_text_value(oid, typmod, v, out);
        return true;
    }
}

/* ---- binary output ---- */

bool pgtype_format_binary(uint32_t oid, int32_t typmod, struct sqlite3_value *v,
                          struct evbuffer *out, const char **err)
{
    int64_t i64;
    double d;
    bool b;
    switch (oid) {
    case PGOID_BOOL:
        if (!value_bool(v, &b, err))
            return false;
        evbuffer_add(out, b ? "\1" : "\0", 1);
        return true;
    case PGOID_INT2:
        if (!value_int(v, oid, &i64, err))
            return false;
        put16(out, (uint16_t)i64);
        return true;
    case PGOID_INT4:
    case PGOID_OID:
        if (!value_int(v, oid, &i64, err))
            return false;
        put32(out, (uint32_t)i64);
        return true;
    case PGOID_INT8:
        if (!value_int(v, oid, &i64, err))
            return false;
        put64(out, (uint64_t)i64);
        return true;
    case PGOID_FLOAT4: {
        if (!value_double(v, true, &d, err))
            return false;
        float f = (float)d;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        put32(out, bits);
        return true;
    }
    case PGOID_FLOAT8: {
        if (!value_double(v, false, &d, err))
            return false;
        uint64_t bits;
        memcpy(&bits, &d, 8);
        put64(out, bits);
        return true;
    }
    case PGOID_NUMERIC:
        if (pgnumeric_format_value(v, typmod, 1, out))
            return true;
        return OUT_FAIL("[22P02] invalid input syntax for type numeric");
    case PGOID_BYTEA: {
        const void *p = sqlite3_value_type(v) == SQLITE_BLOB ? sqlite3_value_blob(v)
                                                             : (const void *)sqlite3_value_text(v);
        size_t len = (size_t)sqlite3_value_bytes(v);
        if (len)
            evbuffer_add(out, p, len);
        return true;
    }
    case PGOID_UUID: {
        uint8_t u[16];
        if (!value_uuid(v, u, err))
            return false;
        evbuffer_add(out, u, 16);
        return true;
    }
    case PGOID_DATE:
    case PGOID_TIME:
    case PGOID_TIMESTAMP:
    case PGOID_TIMESTAMPTZ:
    case PGOID_INTERVAL: {
        struct pg_interval iv;
        if (!value_time(oid, v, "UTC", &i64, &iv, err))
            return false;
        if (oid == PGOID_DATE) {
            put32(out, (uint32_t)(int32_t)i64);
        } else if (oid == PGOID_INTERVAL) {
            put64(out, (uint64_t)iv.usecs);
            put32(out, (uint32_t)iv.days);
            put32(out, (uint32_t)iv.months);
        } else {
            put64(out, (uint64_t)i64);
        }
        return true;
    }
    case PGOID_JSONB: {
        size_t len;
        const char *s = value_text(v, &len);
        const char *why;
        evbuffer_add(out, "\1", 1);
        struct evbuffer *tmp = evbuffer_new();
        if (tmp && pgjson_parse(s, len, true, tmp, &why))
            evbuffer_add_buffer(out, tmp);
        else
            evbuffer_add(out, s, len);
        if (tmp)
            evbuffer_free(tmp);
        return true;
    }
    case PGOID_TEXT:
    case PGOID_VARCHAR:
    case PGOID_BPCHAR:
    case PGOID_NAME:
    case PGOID_JSON:
    case PGOID_CHAR:
    case PGOID_UNKNOWN:
        add_text_value(oid, typmod, v, out);
        return true;
    default:
        return OUT_FAIL("[0A000] binary output is not supported for type %s", pgtype_name(oid));
    }
}

/* ---- parameters ---- */

static bool bind_text(sqlite3_stmt *st, int idx, const char *s, size_t len, const char **err,
                      char *errbuf, size_t errcap)
{
    return bind_rc(sqlite3_bind_text64(st, idx, s, len, SQLITE_TRANSIENT, SQLITE_UTF8), err, errbuf,
                   errcap);
}

static bool bind_bad_binary(int idx, const char **err, char *errbuf, size_t errcap)
{
    return types_fail(err, errbuf, errcap,
                      "[22P03] incorrect binary data format in bind parameter %d", idx);
}

static bool bind_json(sqlite3_stmt *st, int idx, bool jsonb, const char *s, size_t len,
                      const char **err, char *errbuf, size_t errcap)
{
    struct evbuffer *tmp = jsonb ? evbuffer_new() : NULL;
    const char *why = NULL;
    if (jsonb && !tmp)
        return types_fail(err, errbuf, errcap, "[53200] out of memory");
    bool ok = pgjson_parse(s, len, jsonb, tmp, &why);
    if (!ok) {
        types_fail(err, errbuf, errcap, "%s", why);
    } else if (jsonb) {
        size_t n = evbuffer_get_length(tmp);
        ok = bind_text(st, idx, (const char *)evbuffer_pullup(tmp, -1), n, err, errbuf, errcap);
    } else {
        ok = bind_text(st, idx, s, len, err, errbuf, errcap);
    }
    if (tmp)
        evbuffer_free(tmp);
    return ok;
}

/* Binary parameters are decoded to their text form where that is the storage form. */
static bool bind_binary(sqlite3_stmt *st, int idx, uint32_t oid, const char *p, size_t len,
                        const struct pg_format_settings *fs, const char **err, char *errbuf,
                        size_t errcap)
{
    char buf[128];
    size_t n;
    (void)fs;
    switch (oid) {
    case PGOID_BOOL:
        if (len != 1)
            return bind_bad_binary(idx, err, errbuf, errcap);
        return bind_rc(sqlite3_bind_int(st, idx, p[0] != 0), err, errbuf, errcap);
    case PGOID_INT2:
        if (len != 2)
            return bind_bad_binary(idx, err, errbuf, errcap);
        return bind_rc(sqlite3_bind_int(st, idx, (int16_t)get_be(p, 2)), err, errbuf, errcap);
    case PGOID_INT4:
        if (len != 4)
            return bind_bad_binary(idx, err, errbuf, errcap);
        return bind_rc(sqlite3_bind_int(st, idx, (int32_t)get_be(p, 4)), err, errbuf, errcap);
    case PGOID_OID:
        if (len != 4)
            return bind_bad_binary(idx, err, errbuf, errcap);
        return bind_rc(sqlite3_bind_int64(st, idx, (int64_t)get_be(p, 4)), err, errbuf, errcap);
    case PGOID_INT8:
        if (len != 8)
            return bind_bad_binary(idx, err, errbuf, errcap);
        return bind_rc(sqlite3_bind_int64(st, idx, (int64_t)get_be(p, 8)), err, errbuf, errcap);
    case PGOID_FLOAT4:
    case PGOID_FLOAT8:
        return pgfloat_bind(st, idx, p, len, 1, oid == PGOID_FLOAT4, err, errbuf, errcap);
    case PGOID_NUMERIC:
        return pgnumeric_bind(st, idx, p, len, 1, err, errbuf, errcap);
    case PGOID_BYTEA:
        return bind_rc(sqlite3_bind_blob64(st, idx, len ? p : "", len, SQLITE_TRANSIENT), err,
                       errbuf, errcap);
    case PGOID_UUID:
        if (len != 16)
            return bind_bad_binary(idx, err, errbuf, errcap);
        uuid_text((const uint8_t *)p, buf);
        return bind_text(st, idx, buf, 36, err, errbuf, errcap);
    case PGOID_DATE: {
        if (len != 4)
            return bind_bad_binary(idx, err, errbuf, errcap);
        int32_t days = (int32_t)get_be(p, 4);
        /* PostgreSQL's range: 4714-11-24 BC to 5874897-12-31, and the two infinities. */
        if (days != INT32_MIN && days != INT32_MAX && (days < -2451545 || days >= 2145031949))
            return types_fail(err, errbuf, errcap, "[22008] date out of range");
        n = pgtime_format_date(days, buf, sizeof buf);
        return bind_text(st, idx, buf, n, err, errbuf, errcap);
    }
    case PGOID_TIME: {
        if (len != 8)
            return bind_bad_binary(idx, err, errbuf, errcap);
        int64_t us = (int64_t)get_be(p, 8);
        if (us < 0 || us > INT64_C(86400000000))
            return bind_bad_binary(idx, err, errbuf, errcap);
        n = pgtime_format_time(us, buf, sizeof buf);
        return bind_text(st, idx, buf, n, err, errbuf, errcap);
    }
    case PGOID_TIMESTAMP:
    case PGOID_TIMESTAMPTZ: {
        if (len != 8)
            return bind_bad_binary(idx, err, errbuf, errcap);
        int64_t us = (int64_t)get_be(p, 8);
        /* PostgreSQL's range: 4714-11-24 BC to 294276-12-31, and the two infinities. */
        if (us != PGTIME_NOBEGIN && us != PGTIME_NOEND &&
            (us < INT64_C(-211813488000000000) || us >= INT64_C(9223371331200000000)))
            return types_fail(err, errbuf, errcap, "[22008] timestamp out of range");
        if (oid == PGOID_TIMESTAMP)
            n = pgtime_format_timestamp(us, buf, sizeof buf);
        else
            n = pgtime_format_timestamptz(us, "UTC", buf, sizeof buf);
        return bind_text(st, idx, buf, n, err, errbuf, errcap);
    }
    case PGOID_INTERVAL: {
        if (len != 16)
            return bind_bad_binary(idx, err, errbuf, errcap);
        struct pg_interval iv = {(int64_t)get_be(p, 8), (int32_t)get_be(p + 8, 4),
                                 (int32_t)get_be(p + 12, 4)};
        n = pgtime_format_interval(&iv, buf, sizeof buf);
        return bind_text(st, idx, buf, n, err, errbuf, errcap);
    }
    case PGOID_JSONB:
        if (len < 1 || p[0] != 1)
            return types_fail(err, errbuf, errcap, "[22P03] unsupported jsonb version number %d",
                              len ? p[0] : 0);
        return bind_json(st, idx, true, p + 1, len - 1, err, errbuf, errcap);
    case PGOID_JSON:
        return bind_json(st, idx, false, p, len, err, errbuf, errcap);
    case 0:
    case PGOID_UNKNOWN:
        return bind_rc(sqlite3_bind_blob64(st, idx, len ? p : "", len, SQLITE_TRANSIENT), err,
                       errbuf, errcap);
    default:
        return bind_text(st, idx, p, len, err, errbuf, errcap);
    }
}

bool pgtype_bind(struct sqlite3_stmt *st, int idx, uint32_t oid, const char *data, size_t len,
                 int format, const struct pg_format_settings *fs, const char **err, char *errbuf,
                 size_t errcap)
{
    if (!data)
        data = "";
    if (format == 1)
        return bind_binary(st, idx, oid, data, len, fs, err, errbuf, errcap);
    int show = (int)(len > 200 ? 200 : len);
    char buf[128];
    size_t n;
    switch (oid) {
    case PGOID_BOOL: {
        bool b;
        if (!parse_bool(data, len, &b))
            return types_fail(err, errbuf, errcap,
                              "[22P02] invalid input syntax for type boolean: \"%.*s\"", show,
                              data);
        return bind_rc(sqlite3_bind_int(st, idx, b), err, errbuf, errcap);
    }
    case PGOID_INT2:
    case PGOID_INT4:
    case PGOID_INT8:
    case PGOID_OID: {
        int64_t v;
        int rc = parse_int(data, len, oid, &v);
        if (rc == 1)
            return types_fail(err, errbuf, errcap,
                              "[22P02] invalid input syntax for type %s: \"%.*s\"",
                              oid == PGOID_OID ? "oid" : int_type_name(oid), show, data);
        if (rc == 2)
            return types_fail(err, errbuf, errcap,
                              "[22003] value \"%.*s\" is out of range for type %s", show, data,
                              oid == PGOID_OID ? "oid" : int_type_name(oid));
        if (oid == PGOID_OID)
            v = (uint32_t)v;
        return bind_rc(sqlite3_bind_int64(st, idx, v), err, errbuf, errcap);
    }
    case PGOID_FLOAT4:
    case PGOID_FLOAT8:
        return pgfloat_bind(st, idx, data, len, 0, oid == PGOID_FLOAT4, err, errbuf, errcap);
    case PGOID_NUMERIC:
        return pgnumeric_bind(st, idx, data, len, 0, err, errbuf, errcap);
    case PGOID_BYTEA: {
        uint8_t *b = malloc(len ? len : 1);
        size_t blen = 0;
        if (!b)
            return types_fail(err, errbuf, errcap, "[53200] out of memory");
        bool ok =
            bytea_parse(data, len, b, &blen, err, errbuf, errcap) &&
            bind_rc(sqlite3_bind_blob64(st, idx, b, blen, SQLITE_TRANSIENT), err, errbuf, errcap);
        free(b);
        return ok;
    }
    case PGOID_UUID: {
        uint8_t u[16];
        const char *s = data;
        size_t l = len;
        trim(&s, &l);
        if (!uuid_parse(s, l, u))
            return types_fail(err, errbuf, errcap,
                              "[22P02] invalid input syntax for type uuid: \"%.*s\"", show, data);
        uuid_text(u, buf);
        return bind_text(st, idx, buf, 36, err, errbuf, errcap);
    }
    case PGOID_DATE: {
        int32_t days;
        if (!pgtime_parse_date(data, len, fs->timezone, &days, err, errbuf, errcap))
            return false;
        n = pgtime_format_date(days, buf, sizeof buf);
        return bind_text(st, idx, buf, n, err, errbuf, errcap);
    }
    case PGOID_TIME: {
        int64_t us;
        if (!pgtime_parse_time(data, len, &us, err, errbuf, errcap))
            return false;
        n = pgtime_format_time(us, buf, sizeof buf);
        return bind_text(st, idx, buf, n, err, errbuf, errcap);
    }
    case PGOID_TIMESTAMP:
    case PGOID_TIMESTAMPTZ: {
        int64_t us;
        bool tz = oid == PGOID_TIMESTAMPTZ;
        if (!pgtime_parse_timestamp(data, len, tz, fs->timezone, &us, err, errbuf, errcap))
            return false;
        n = tz ? pgtime_format_timestamptz(us, "UTC", buf, sizeof buf)
               : pgtime_format_timestamp(us, buf, sizeof buf);
        return bind_text(st, idx, buf, n, err, errbuf, errcap);
    }
    case PGOID_INTERVAL: {
        struct pg_interval iv;
        if (!pgtime_parse_interval(data, len, &iv, err, errbuf, errcap))
            return false;
        n = pgtime_format_interval(&iv, buf, sizeof buf);
        return bind_text(st, idx, buf, n, err, errbuf, errcap);
    }
    case PGOID_JSON:
    case PGOID_JSONB:
        return bind_json(st, idx, oid == PGOID_JSONB, data, len, err, errbuf, errcap);
    default:
        /* text, varchar, bpchar, name, and unknown (0): SQLite's column affinity converts. */
        return bind_text(st, idx, data, len, err, errbuf, errcap);
    }
}
