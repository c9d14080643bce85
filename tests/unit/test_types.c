/*
 * Unit tests for src/sql/types.c and types_time.c: the declared-type map, PostgreSQL 15's text
 * and binary output of stored SQLite values, Bind parameter conversion into the storage forms,
 * and time zones from the system tz database. Values come from an in-memory SQLite handle.
 */
#include <check.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/buffer.h>
#include <sqlite3.h>

#include "sql/types.h"

static sqlite3 *db;
static sqlite3_stmt *st;
static struct pg_format_settings fs;
static char out[4096];
static size_t out_len;
static const char *err;
static char errbuf[256];

static void setup(void)
{
    ck_assert_int_eq(sqlite3_open(":memory:", &db), SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT ?1", -1, &st, NULL), SQLITE_OK);
    pg_format_settings_default(&fs);
    err = NULL;
}

static void teardown(void)
{
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* Steps st and formats its column in the given format into out; false on a format error. */
static bool format_current(uint32_t oid, int32_t typmod, int format)
{
    sqlite3_reset(st);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    struct evbuffer *b = evbuffer_new();
    sqlite3_value *v = sqlite3_column_value(st, 0);
    bool ok = format ? pgtype_format_binary(oid, typmod, v, b, &err)
                     : pgtype_format_text(oid, typmod, v, &fs, b, &err);
    out_len = evbuffer_get_length(b);
    ck_assert_uint_lt(out_len, sizeof out);
    evbuffer_remove(b, out, out_len);
    out[out_len] = '\0';
    evbuffer_free(b);
    return ok;
}

static const char *text_int(uint32_t oid, int32_t typmod, long long v)
{
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, v);
    ck_assert(format_current(oid, typmod, 0));
    return out;
}

static const char *text_dbl(uint32_t oid, int32_t typmod, double v)
{
    sqlite3_reset(st);
    sqlite3_bind_double(st, 1, v);
    ck_assert(format_current(oid, typmod, 0));
    return out;
}

static const char *text_str(uint32_t oid, int32_t typmod, const char *v)
{
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, v, -1, SQLITE_TRANSIENT);
    ck_assert(format_current(oid, typmod, 0));
    return out;
}

/* Binds s as text (format 0) for oid; true on success, leaving the stored value in st. */
static bool bind_text(uint32_t oid, const char *s)
{
    sqlite3_reset(st);
    err = NULL;
    return pgtype_bind(st, 1, oid, s, strlen(s), 0, &fs, &err, errbuf, sizeof errbuf);
}

static bool bind_bin(uint32_t oid, const void *p, size_t len)
{
    sqlite3_reset(st);
    err = NULL;
    return pgtype_bind(st, 1, oid, p, len, 1, &fs, &err, errbuf, sizeof errbuf);
}

/* Stored value after a bind: its SQLite type and text. */
static int stored(const char **text)
{
    sqlite3_reset(st);
    ck_assert_int_eq(sqlite3_step(st), SQLITE_ROW);
    static char buf[1024];
    int type = sqlite3_column_type(st, 0);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(buf, sizeof buf, "%s", t ? (const char *)t : "");
    if (text)
        *text = buf;
    return type;
}

/* Text bind then text output: the round trip a client sees. */
static const char *round_trip(uint32_t oid, int32_t typmod, const char *s)
{
    ck_assert_msg(bind_text(oid, s), "bind %s: %s", s, err ? err : "");
    ck_assert(format_current(oid, typmod, 0));
    return out;
}

static void assert_bytes(const char *hex)
{
    char got[2 * sizeof out + 1];
    for (size_t i = 0; i < out_len; i++)
        snprintf(got + 2 * i, 3, "%02x", (unsigned char)out[i]);
    got[2 * out_len] = '\0';
    ck_assert_str_eq(got, hex);
}

static void assert_bind_error(uint32_t oid, const char *s, const char *msg)
{
    ck_assert_msg(!bind_text(oid, s), "bind of \"%s\" should fail", s);
    ck_assert_ptr_nonnull(err);
    ck_assert_str_eq(err, msg);
}

START_TEST(test_decltype)
{
    int32_t tm;
    static const struct {
        const char *decl;
        uint32_t oid;
        int32_t typmod;
    } cases[] = {
        {"int4", PGOID_INT4, -1},
        {"integer", PGOID_INT4, -1},
        {"INT", PGOID_INT4, -1},
        {"bigint", PGOID_INT8, -1},
        {"int8", PGOID_INT8, -1},
        {"smallint", PGOID_INT2, -1},
        {"serial", PGOID_INT4, -1},
        {"bigserial", PGOID_INT8, -1},
        {"bool", PGOID_BOOL, -1},
        {"Boolean", PGOID_BOOL, -1},
        {"real", PGOID_FLOAT4, -1},
        {"float4", PGOID_FLOAT4, -1},
        {"double  precision", PGOID_FLOAT8, -1},
        {"float8", PGOID_FLOAT8, -1},
        {"float(24)", PGOID_FLOAT4, -1},
        {"float(53)", PGOID_FLOAT8, -1},
        {"numeric", PGOID_NUMERIC, -1},
        {"numeric(10,2)", PGOID_NUMERIC, ((10 << 16) | 2) + 4},
        {"NUMERIC( 12 , 4 )", PGOID_NUMERIC, ((12 << 16) | 4) + 4},
        {"numeric(5)", PGOID_NUMERIC, (5 << 16) + 4},
        {"decimal", PGOID_NUMERIC, -1},
        {"text", PGOID_TEXT, -1},
        {"varchar(20)", PGOID_VARCHAR, 24},
        {"character varying", PGOID_VARCHAR, -1},
        {"character varying(5)", PGOID_VARCHAR, 9},
        {"char(3)", PGOID_BPCHAR, 7},
        {"character(3)", PGOID_BPCHAR, 7},
        {"char", PGOID_BPCHAR, 5},
        {"bpchar", PGOID_BPCHAR, -1},
        {"bytea", PGOID_BYTEA, -1},
        {"date", PGOID_DATE, -1},
        {"time", PGOID_TIME, -1},
        {"time without time zone", PGOID_TIME, -1},
        {"timestamp", PGOID_TIMESTAMP, -1},
        {"timestamp without time zone", PGOID_TIMESTAMP, -1},
        {"timestamptz", PGOID_TIMESTAMPTZ, -1},
        {"timestamp with time zone", PGOID_TIMESTAMPTZ, -1},
        {"timestamp(3) with time zone", PGOID_TIMESTAMPTZ, 3},
        {"interval", PGOID_INTERVAL, -1},
        {"uuid", PGOID_UUID, -1},
        {"json", PGOID_JSON, -1},
        {"jsonb", PGOID_JSONB, -1},
        {"name", PGOID_NAME, -1},
        {"oid", PGOID_OID, -1},
        {"INTEGER", PGOID_INT8, -1},
        {"TEXT", PGOID_TEXT, -1},
        {"REAL", PGOID_FLOAT8, -1},
        {"BLOB", PGOID_BYTEA, -1},
        {"NUMERIC", PGOID_NUMERIC, -1},
        {"frobnicator", 0, -1},
        {"int4[]", 0, -1},
        {"", 0, -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        tm = 99;
        ck_assert_msg(pgtype_from_decltype(cases[i].decl, &tm) == cases[i].oid, "%s",
                      cases[i].decl);
        ck_assert_msg(tm == cases[i].typmod, "%s typmod %d", cases[i].decl, tm);
    }
    ck_assert_uint_eq(pgtype_from_decltype(NULL, &tm), 0);
}
END_TEST

START_TEST(test_names_lengths)
{
    ck_assert_str_eq(pgtype_name(PGOID_INT4), "int4");
    ck_assert_str_eq(pgtype_name(PGOID_TIMESTAMPTZ), "timestamptz");
    ck_assert_str_eq(pgtype_name(PGOID_BPCHAR), "bpchar");
    ck_assert_str_eq(pgtype_name(PGOID_JSONB), "jsonb");
    ck_assert_int_eq(pgtype_len(PGOID_BOOL), 1);
    ck_assert_int_eq(pgtype_len(PGOID_INT2), 2);
    ck_assert_int_eq(pgtype_len(PGOID_INT8), 8);
    ck_assert_int_eq(pgtype_len(PGOID_NAME), 64);
    ck_assert_int_eq(pgtype_len(PGOID_UUID), 16);
    ck_assert_int_eq(pgtype_len(PGOID_INTERVAL), 16);
    ck_assert_int_eq(pgtype_len(PGOID_TEXT), -1);
    ck_assert_int_eq(pgtype_len(PGOID_NUMERIC), -1);
    ck_assert_int_eq(pgtype_len(PGOID_UNKNOWN), -2);
}
END_TEST

START_TEST(test_of_value)
{
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT 1, 1.5, 'x', x'00', NULL", -1, &s, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    ck_assert_uint_eq(pgtype_of_value(sqlite3_column_value(s, 0)), PGOID_INT8);
    ck_assert_uint_eq(pgtype_of_value(sqlite3_column_value(s, 1)), PGOID_FLOAT8);
    ck_assert_uint_eq(pgtype_of_value(sqlite3_column_value(s, 2)), PGOID_TEXT);
    ck_assert_uint_eq(pgtype_of_value(sqlite3_column_value(s, 3)), PGOID_BYTEA);
    ck_assert_uint_eq(pgtype_of_value(sqlite3_column_value(s, 4)), PGOID_TEXT);
    sqlite3_finalize(s);
}
END_TEST

START_TEST(test_bool)
{
    ck_assert_str_eq(text_int(PGOID_BOOL, -1, 1), "t");
    ck_assert_str_eq(text_int(PGOID_BOOL, -1, 0), "f");
    ck_assert_str_eq(text_str(PGOID_BOOL, -1, "true"), "t");
    ck_assert_str_eq(text_str(PGOID_BOOL, -1, "f"), "f");
    static const char *const yes[] = {"t", "TRUE", " yes ", "on", "1", "y", "tr"};
    static const char *const no[] = {"f", "False", "no", "OFF", "0", "n", "of"};
    const char *s;
    for (size_t i = 0; i < 7; i++) {
        ck_assert_msg(bind_text(PGOID_BOOL, yes[i]), "%s", yes[i]);
        ck_assert_int_eq(stored(&s), SQLITE_INTEGER);
        ck_assert_str_eq(s, "1");
        ck_assert_msg(bind_text(PGOID_BOOL, no[i]), "%s", no[i]);
        stored(&s);
        ck_assert_str_eq(s, "0");
    }
    assert_bind_error(PGOID_BOOL, "o", "[22P02] invalid input syntax for type boolean: \"o\"");
    assert_bind_error(PGOID_BOOL, "maybe",
                      "[22P02] invalid input syntax for type boolean: \"maybe\"");
    ck_assert(bind_bin(PGOID_BOOL, "\1", 1));
    ck_assert(format_current(PGOID_BOOL, -1, 1));
    assert_bytes("01");
    ck_assert(format_current(PGOID_BOOL, -1, 0));
    ck_assert_str_eq(out, "t");
    ck_assert(!bind_bin(PGOID_BOOL, "\1\0", 2));
    ck_assert_str_eq(err, "[22P03] incorrect binary data format in bind parameter 1");
}
END_TEST

START_TEST(test_ints)
{
    ck_assert_str_eq(text_int(PGOID_INT4, -1, -42), "-42");
    ck_assert_str_eq(text_int(PGOID_INT8, -1, INT64_MIN), "-9223372036854775808");
    ck_assert_str_eq(text_dbl(PGOID_INT4, -1, 2.5), "2"); /* rint, as PostgreSQL casts */
    ck_assert_str_eq(round_trip(PGOID_INT2, -1, " 32767 "), "32767");
    ck_assert_str_eq(round_trip(PGOID_INT8, -1, "-9223372036854775808"), "-9223372036854775808");
    const char *s;
    ck_assert(bind_text(PGOID_INT4, "+17"));
    ck_assert_int_eq(stored(&s), SQLITE_INTEGER);
    ck_assert_str_eq(s, "17");
    assert_bind_error(PGOID_INT4, "abc", "[22P02] invalid input syntax for type integer: \"abc\"");
    assert_bind_error(PGOID_INT4, "", "[22P02] invalid input syntax for type integer: \"\"");
    assert_bind_error(PGOID_INT4, "1.5", "[22P02] invalid input syntax for type integer: \"1.5\"");
    assert_bind_error(PGOID_INT4, "99999999999",
                      "[22003] value \"99999999999\" is out of range for type integer");
    assert_bind_error(PGOID_INT2, "32768",
                      "[22003] value \"32768\" is out of range for type smallint");
    assert_bind_error(PGOID_INT8, "9223372036854775808",
                      "[22003] value \"9223372036854775808\" is out of range for type bigint");
    /* Stored out of range for the column type: an error, not a wrapped value. */
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, 70000);
    ck_assert(!format_current(PGOID_INT2, -1, 0));
    ck_assert_str_eq(err, "[22003] smallint out of range");

    /* Binary in and out. */
    ck_assert(bind_bin(PGOID_INT2, "\xff\xfe", 2));
    stored(&s);
    ck_assert_str_eq(s, "-2");
    ck_assert(format_current(PGOID_INT2, -1, 1));
    assert_bytes("fffe");
    ck_assert(bind_bin(PGOID_INT4, "\x00\x01\x00\x00", 4));
    ck_assert(format_current(PGOID_INT4, -1, 1));
    assert_bytes("00010000");
    ck_assert(format_current(PGOID_INT4, -1, 0));
    ck_assert_str_eq(out, "65536");
    ck_assert(bind_bin(PGOID_INT8, "\x80\0\0\0\0\0\0\0", 8));
    ck_assert(format_current(PGOID_INT8, -1, 0));
    ck_assert_str_eq(out, "-9223372036854775808");
    ck_assert(format_current(PGOID_INT8, -1, 1));
    assert_bytes("8000000000000000");
    ck_assert(!bind_bin(PGOID_INT4, "\0\0", 2));
}
END_TEST

START_TEST(test_float_shortest)
{
    static const struct {
        double v;
        const char *f8, *f4;
    } cases[] = {
        {0.1, "0.1", "0.1"},
        {1e100, "1e+100", "Infinity"},
        {-0.0, "-0", "-0"},
        {1.0 / 3, "0.3333333333333333", "0.33333334"},
        {1e15, "1e+15", "1e+15"},
        {1e14, "100000000000000", "1e+14"},
        {123456, "123456", "123456"},
        {1234567, "1234567", "1.234567e+06"},
        {0.0001, "0.0001", "0.0001"},
        {0.00001, "1e-05", "1e-05"},
        {1.5e-7, "1.5e-07", "1.5e-07"},
        {-2.5, "-2.5", "-2.5"},
        {100, "100", "100"},
        {5e-324, "5e-324", "0"},
        {1.7976931348623157e308, "1.7976931348623157e+308", "Infinity"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ck_assert_str_eq(text_dbl(PGOID_FLOAT8, -1, cases[i].v), cases[i].f8);
        ck_assert_str_eq(text_dbl(PGOID_FLOAT4, -1, cases[i].v), cases[i].f4);
    }
    ck_assert_str_eq(text_str(PGOID_FLOAT8, -1, "NaN"), "NaN");
    ck_assert_str_eq(text_dbl(PGOID_FLOAT8, -1, INFINITY), "Infinity");
    ck_assert_str_eq(text_dbl(PGOID_FLOAT8, -1, -INFINITY), "-Infinity");
    ck_assert_str_eq(text_int(PGOID_FLOAT8, -1, 3), "3");
    /* extra_float_digits <= 0: %.*g with 15 (6) + extra_float_digits digits. */
    fs.extra_float_digits = 0;
    ck_assert_str_eq(text_dbl(PGOID_FLOAT8, -1, 0.1), "0.1");
    ck_assert_str_eq(text_dbl(PGOID_FLOAT8, -1, 1.0 / 3), "0.333333333333333");
    ck_assert_str_eq(text_dbl(PGOID_FLOAT4, -1, 1.0 / 3), "0.333333");
    ck_assert_str_eq(text_dbl(PGOID_FLOAT8, -1, 1e100), "1e+100");
    fs.extra_float_digits = -3;
    ck_assert_str_eq(text_dbl(PGOID_FLOAT8, -1, 1.0 / 3), "0.333333333333");
    ck_assert_str_eq(text_dbl(PGOID_FLOAT4, -1, 1.0 / 3), "0.333");
    fs.extra_float_digits = 3;
    ck_assert_str_eq(text_dbl(PGOID_FLOAT8, -1, 0.1), "0.1");
}
END_TEST

START_TEST(test_float_bind)
{
    const char *s;
    ck_assert(bind_text(PGOID_FLOAT8, " 1.5e3 "));
    ck_assert_int_eq(stored(&s), SQLITE_FLOAT);
    ck_assert_str_eq(s, "1500.0");
    ck_assert_str_eq(round_trip(PGOID_FLOAT8, -1, "NaN"), "NaN");
    ck_assert_str_eq(round_trip(PGOID_FLOAT8, -1, "-Infinity"), "-Infinity");
    ck_assert_str_eq(round_trip(PGOID_FLOAT8, -1, "inf"), "Infinity");
    ck_assert_str_eq(round_trip(PGOID_FLOAT4, -1, "0.1"), "0.1");
    ck_assert_str_eq(round_trip(PGOID_FLOAT8, -1, "0.30000000000000004"), "0.30000000000000004");
    assert_bind_error(PGOID_FLOAT8, "1.2.3",
                      "[22P02] invalid input syntax for type double precision: \"1.2.3\"");
    assert_bind_error(PGOID_FLOAT8, "0x10",
                      "[22P02] invalid input syntax for type double precision: \"0x10\"");
    assert_bind_error(PGOID_FLOAT8, "1e400",
                      "[22003] \"1e400\" is out of range for type double precision");
    assert_bind_error(PGOID_FLOAT4, "1e40", "[22003] \"1e40\" is out of range for type real");
    /* Binary: IEEE big-endian. 1.5 = 0x3ff8000000000000, 0.1f = 0x3dcccccd. */
    ck_assert(bind_bin(PGOID_FLOAT8, "\x3f\xf8\0\0\0\0\0\0", 8));
    ck_assert(format_current(PGOID_FLOAT8, -1, 0));
    ck_assert_str_eq(out, "1.5");
    ck_assert(format_current(PGOID_FLOAT8, -1, 1));
    assert_bytes("3ff8000000000000");
    ck_assert(bind_bin(PGOID_FLOAT4, "\x3d\xcc\xcc\xcd", 4));
    ck_assert(format_current(PGOID_FLOAT4, -1, 0));
    ck_assert_str_eq(out, "0.1");
    ck_assert(format_current(PGOID_FLOAT4, -1, 1));
    assert_bytes("3dcccccd");
}
END_TEST

START_TEST(test_numeric_text)
{
    int32_t tm102 = ((10 << 16) | 2) + 4, tm100 = (10 << 16) + 4;
    ck_assert_str_eq(text_int(PGOID_NUMERIC, -1, 42), "42");
    ck_assert_str_eq(text_int(PGOID_NUMERIC, tm102, 42), "42.00");
    ck_assert_str_eq(text_int(PGOID_NUMERIC, tm102, -7), "-7.00");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, -1, 1e20), "100000000000000000000");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, -1, 0.1), "0.1");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, -1, 1.5e-7), "0.00000015");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, -1, -123.456), "-123.456");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, tm102, 2.675), "2.68"); /* decimal rounding */
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, tm102, 9.999), "10.00");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, tm102, 99.995), "100.00");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, tm102, -0.001), "0.00");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, tm102, 0.5), "0.50");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, tm100, 2.5), "3");
    ck_assert_str_eq(text_str(PGOID_NUMERIC, -1, "NaN"), "NaN");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, -1, -INFINITY), "-Infinity");
    ck_assert_str_eq(text_str(PGOID_NUMERIC, -1, "1.50"), "1.50");
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, "abc", -1, SQLITE_STATIC);
    ck_assert(!format_current(PGOID_NUMERIC, -1, 0));
    ck_assert_str_eq(err, "[22P02] invalid input syntax for type numeric: \"abc\"");
}
END_TEST

START_TEST(test_numeric_binary)
{
    int32_t tm102 = ((10 << 16) | 2) + 4;
    /* ndigits, weight, sign, dscale, base-10000 digits. */
    text_dbl(PGOID_NUMERIC, -1, 123.45);
    ck_assert(format_current(PGOID_NUMERIC, -1, 1));
    assert_bytes("0002000000000002"
                 "007b"
                 "1194"); /* 123, 4500 */
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, 0);
    ck_assert(format_current(PGOID_NUMERIC, -1, 1));
    assert_bytes("0000000000000000");
    ck_assert(format_current(PGOID_NUMERIC, tm102, 1));
    assert_bytes("0000000000000002");
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, -10000);
    ck_assert(format_current(PGOID_NUMERIC, -1, 1));
    assert_bytes("0001000140000000"
                 "0001"); /* 1 x 10000^1 */
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, 123456789);
    ck_assert(format_current(PGOID_NUMERIC, -1, 1));
    assert_bytes("0003000200000000"
                 "0001"
                 "0929"
                 "1a85"); /* 1 2345 6789 */
    sqlite3_reset(st);
    sqlite3_bind_double(st, 1, 0.0001);
    ck_assert(format_current(PGOID_NUMERIC, -1, 1));
    assert_bytes("0001ffff00000004"
                 "0001");
    sqlite3_reset(st);
    sqlite3_bind_double(st, 1, -0.5);
    ck_assert(format_current(PGOID_NUMERIC, tm102, 1));
    assert_bytes("0001ffff40000002"
                 "1388"); /* 5000 x 10000^-1, scale 2 */
    sqlite3_reset(st);
    sqlite3_bind_text(st, 1, "NaN", -1, SQLITE_STATIC);
    ck_assert(format_current(PGOID_NUMERIC, -1, 1));
    assert_bytes("00000000c0000000");

    /* Binary numeric parameters decode into storage. */
    const char *s;
    ck_assert(bind_bin(PGOID_NUMERIC, "\0\2\0\0\0\0\0\2\0\x7b\x11\x94", 12));
    ck_assert_int_eq(stored(&s), SQLITE_FLOAT);
    ck_assert_str_eq(s, "123.45");
    ck_assert(bind_bin(PGOID_NUMERIC, "\0\3\0\2\x40\0\0\0\0\1\x09\x29\x1a\x85", 14));
    ck_assert_int_eq(stored(&s), SQLITE_INTEGER);
    ck_assert_str_eq(s, "-123456789");
    ck_assert(bind_bin(PGOID_NUMERIC, "\0\1\0\1\0\0\0\0\0\x07", 10));
    stored(&s);
    ck_assert_str_eq(s, "70000");
    ck_assert(!bind_bin(PGOID_NUMERIC, "\0\1\0\0", 4));
    ck_assert_str_eq(err, "[22P03] incorrect binary data format in bind parameter 1");
}
END_TEST

START_TEST(test_numeric_bind)
{
    const char *s;
    ck_assert(bind_text(PGOID_NUMERIC, "12345678901234"));
    ck_assert_int_eq(stored(&s), SQLITE_INTEGER);
    ck_assert(bind_text(PGOID_NUMERIC, "1.25"));
    ck_assert_int_eq(stored(&s), SQLITE_FLOAT);
    ck_assert_str_eq(s, "1.25");
    ck_assert(bind_text(PGOID_NUMERIC, "1e3"));
    ck_assert_int_eq(stored(&s), SQLITE_INTEGER);
    ck_assert_str_eq(s, "1000");
    ck_assert_str_eq(round_trip(PGOID_NUMERIC, ((10 << 16) | 2) + 4, " -.5 "), "-0.50");
    ck_assert_str_eq(round_trip(PGOID_NUMERIC, -1, "NaN"), "NaN");
    assert_bind_error(PGOID_NUMERIC, "1.2.3",
                      "[22P02] invalid input syntax for type numeric: \"1.2.3\"");
    assert_bind_error(PGOID_NUMERIC, "", "[22P02] invalid input syntax for type numeric: \"\"");
    assert_bind_error(PGOID_NUMERIC, "1e", "[22P02] invalid input syntax for type numeric: \"1e\"");
}
END_TEST

START_TEST(test_text_types)
{
    ck_assert_str_eq(text_str(PGOID_TEXT, -1, "héllo"), "héllo");
    ck_assert_str_eq(text_str(PGOID_BPCHAR, 7, "ab"), "ab ");
    ck_assert_str_eq(text_str(PGOID_BPCHAR, 7, "é"), "é  ");
    ck_assert_str_eq(text_str(PGOID_VARCHAR, 24, "ab"), "ab");
    ck_assert_str_eq(text_int(PGOID_TEXT, -1, 12), "12");
    ck_assert(bind_text(PGOID_VARCHAR, "x y"));
    ck_assert(format_current(PGOID_VARCHAR, -1, 1));
    ck_assert_str_eq(out, "x y");
    ck_assert(bind_bin(PGOID_TEXT, "raw", 3));
    const char *s;
    ck_assert_int_eq(stored(&s), SQLITE_TEXT);
    ck_assert_str_eq(s, "raw");
    /* Unknown parameters stay text, even when they look like numbers. */
    ck_assert(bind_text(0, "42"));
    ck_assert_int_eq(stored(&s), SQLITE_TEXT);
    ck_assert_str_eq(s, "42");
}
END_TEST

START_TEST(test_bytea)
{
    sqlite3_reset(st);
    sqlite3_bind_blob(st, 1, "\x00\xde\xad\xff", 4, SQLITE_STATIC);
    ck_assert(format_current(PGOID_BYTEA, -1, 0));
    ck_assert_str_eq(out, "\\x00deadff");
    ck_assert(format_current(PGOID_BYTEA, -1, 1));
    assert_bytes("00deadff");
    ck_assert_str_eq(round_trip(PGOID_BYTEA, -1, "\\xDE AD"), "\\xdead");
    ck_assert_str_eq(round_trip(PGOID_BYTEA, -1, "a\\\\b\\001"), "\\x615c6201");
    ck_assert_str_eq(round_trip(PGOID_BYTEA, -1, ""), "\\x");
    const char *s;
    ck_assert(bind_text(PGOID_BYTEA, "\\x0a"));
    ck_assert_int_eq(stored(&s), SQLITE_BLOB);
    assert_bind_error(PGOID_BYTEA, "\\x0",
                      "[22023] invalid hexadecimal data: odd number of digits");
    assert_bind_error(PGOID_BYTEA, "\\xzz", "[22023] invalid hexadecimal digit: \"z\"");
    assert_bind_error(PGOID_BYTEA, "a\\9", "[22P02] invalid input syntax for type bytea");
    ck_assert(bind_bin(PGOID_BYTEA, "\0\1", 2));
    ck_assert_int_eq(stored(NULL), SQLITE_BLOB);
    ck_assert(format_current(PGOID_BYTEA, -1, 0));
    ck_assert_str_eq(out, "\\x0001");
}
END_TEST

START_TEST(test_uuid)
{
    const char *canon = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    static const char *const forms[] = {
        "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", "{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}",
        "a0eebc999c0b4ef8bb6d6bb9bd380a11", "a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11",
        "{a0eebc99c0b4ef8bb6d6bb9bd380a11}" /* 31 digits: invalid */};
    for (int i = 0; i < 4; i++)
        ck_assert_str_eq(round_trip(PGOID_UUID, -1, forms[i]), canon);
    const char *s;
    ck_assert(bind_text(PGOID_UUID, forms[0]));
    stored(&s);
    ck_assert_str_eq(s, canon);
    ck_assert(format_current(PGOID_UUID, -1, 1));
    assert_bytes("a0eebc999c0b4ef8bb6d6bb9bd380a11");
    ck_assert(bind_bin(PGOID_UUID, out, 16));
    stored(&s);
    ck_assert_str_eq(s, canon);
    assert_bind_error(PGOID_UUID, forms[4],
                      "[22P02] invalid input syntax for type uuid: "
                      "\"{a0eebc99c0b4ef8bb6d6bb9bd380a11}\"");
    assert_bind_error(PGOID_UUID, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1-",
                      "[22P02] invalid input syntax for type uuid: "
                      "\"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1-\"");
    ck_assert(!bind_bin(PGOID_UUID, "abc", 3));
}
END_TEST

START_TEST(test_json)
{
    const char *s;
    ck_assert(bind_text(PGOID_JSON, " {\"b\": 1, \"a\" :[true,null]} "));
    stored(&s);
    ck_assert_str_eq(s, " {\"b\": 1, \"a\" :[true,null]} "); /* json keeps its text */
    ck_assert(format_current(PGOID_JSON, -1, 0));
    ck_assert_str_eq(out, " {\"b\": 1, \"a\" :[true,null]} ");
    static const char *const bad[] = {"{",   "{\"a\" 1}", "[1,]",        "01",
                                      "tru", "\"\\x\"",   "{\"a\":1} x", "",
                                      "1.",  "'a'",       "\"\\ud800\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_bind_error(PGOID_JSON, bad[i], "[22P02] invalid input syntax for type json");
    /* jsonb: keys by length then bytes, last duplicate wins, numbers as numeric. */
    ck_assert_str_eq(round_trip(PGOID_JSONB, -1,
                                "{\"bb\":1,\"a\":[1.50e1, 1E-2,\"x\\u00e9\\n\\/\"],\"bb\":2, "
                                "\"c\":null,\"ab\":{}}"),
                     "{\"a\": [15.0, 0.01, \"xé\\n/\"], \"c\": null, \"ab\": {}, \"bb\": 2}");
    ck_assert_str_eq(round_trip(PGOID_JSONB, -1, "[]"), "[]");
    ck_assert_str_eq(round_trip(PGOID_JSONB, -1, " \"s\" "), "\"s\"");
    ck_assert_str_eq(text_str(PGOID_JSONB, -1, "{\"b\":1,\"a\":2}"), "{\"a\": 2, \"b\": 1}");
    assert_bind_error(PGOID_JSONB, "\"\\u0000\"", "[22P05] unsupported Unicode escape sequence");
    ck_assert(bind_text(PGOID_JSON, "\"\\u0000\""));
    /* Binary: jsonb is a version byte then text. */
    ck_assert(bind_bin(PGOID_JSONB, "\1{\"a\":1}", 8));
    stored(&s);
    ck_assert_str_eq(s, "{\"a\": 1}");
    ck_assert(format_current(PGOID_JSONB, -1, 1));
    ck_assert_uint_eq(out_len, 9);
    ck_assert_int_eq(out[0], 1);
    ck_assert_str_eq(out + 1, "{\"a\": 1}");
    ck_assert(!bind_bin(PGOID_JSONB, "\2{}", 3));
    ck_assert(!bind_bin(PGOID_JSON, "{", 1));
}
END_TEST

START_TEST(test_json_api)
{
    /* Nesting past 1000 levels is refused rather than recursed into. */
    char deep[2100];
    memset(deep, '[', 1001);
    memset(deep + 1001, ']', 1001);
    deep[2002] = '\0';
    const char *why = NULL;
    ck_assert(!pgjson_parse(deep, strlen(deep), false, NULL, &why));
    ck_assert_str_eq(why, "[54001] stack depth limit exceeded");
    ck_assert(pgjson_parse(deep + 2, strlen(deep) - 4, false, NULL, &why));
    struct evbuffer *b = evbuffer_new();
    const char *in = "{\"a\":1,\"a\":{\"z\":\"\\u0001\\\"\",\"y\":-0}}";
    ck_assert(pgjson_parse(in, strlen(in), true, b, &why));
    char got[128] = "";
    evbuffer_remove(b, got, sizeof got - 1);
    ck_assert_str_eq(got, "{\"a\": {\"y\": 0, \"z\": \"\\u0001\\\"\"}}");
    ck_assert(!pgjson_parse("{\"a\":1,}", 8, true, b, &why));
    ck_assert_str_eq(why, "[22P02] invalid input syntax for type json");
    evbuffer_free(b);
}
END_TEST

START_TEST(test_number_api)
{
    char buf[64];
    pgfloat_format(2.5e-5, false, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "2.5e-05");
    pgfloat_format(123456789012345678.0, false, 1, buf, sizeof buf);
    ck_assert_str_eq(buf, "1.2345678901234568e+17");
    double d;
    ck_assert_int_eq(pgfloat_parse("  -1.5  ", 8, false, &d), 0);
    ck_assert(d == -1.5);
    ck_assert_int_eq(pgfloat_parse("1e-50", 5, true, &d), 2);
    struct evbuffer *b = evbuffer_new();
    ck_assert(pgnumeric_format("1.005", 5, ((10 << 16) | 2) + 4, 0, b));
    ck_assert(pgnumeric_format("-12e-1", 6, -1, 0, b));
    ck_assert(!pgnumeric_format("1.0.0", 5, -1, 0, b));
    char got[64] = "";
    evbuffer_remove(b, got, sizeof got - 1);
    ck_assert_str_eq(got, "1.01-1.2");
    evbuffer_free(b);
}
END_TEST

START_TEST(test_numeric_exact)
{
    /* A result whose exact digits are remembered for its double prints them in an exact column,
     * and the double's digits elsewhere. */
    pgnumeric_remember_exact(153.33333333333334, "153.3333333333333334", -1);
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, PGTYPMOD_NUMERIC_EXACT, 153.33333333333334),
                     "153.3333333333333334");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, -1, 153.33333333333334), "153.33333333333334");
    sqlite3_reset(st);
    sqlite3_bind_double(st, 1, 153.33333333333334);
    ck_assert(format_current(PGOID_NUMERIC, PGTYPMOD_NUMERIC_EXACT, 1));
    assert_bytes("0005000000000010"
                 "00990d050d050d050d06");
    /* A scale-2 column whose remembered constants keep their own scale: coalesce(col, 0). */
    pgnumeric_remember_exact(0.0, "0", -1);
    int32_t mod = pgtypmod_numeric_exact(0, 2);
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, mod, 0.0), "0");
    ck_assert_str_eq(text_int(PGOID_NUMERIC, mod, 0), "0.00");
    ck_assert_str_eq(text_int(PGOID_NUMERIC, mod, 12), "12.00");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, mod, 0.125), "0.13");
    sqlite3_reset(st);
    sqlite3_bind_double(st, 1, 0.0);
    ck_assert(format_current(PGOID_NUMERIC, mod, 1));
    assert_bytes("0000000000000000");
    sqlite3_reset(st);
    sqlite3_bind_int64(st, 1, 12);
    ck_assert(format_current(PGOID_NUMERIC, mod, 1));
    assert_bytes("0001000000000002000c");
    /* The same value remembered again takes no second slot; a newer text for it wins. */
    pgnumeric_remember_exact(0.0, "0", -1);
    ck_assert_str_eq(pgnumeric_recall_exact(0.0, -1), "0");
    pgnumeric_remember_exact(0.0, "0.0", -1);
    ck_assert_str_eq(pgnumeric_recall_exact(0.0, -1), "0.0");
    ck_assert_ptr_null(pgnumeric_recall_exact(0.25, -1));
    /* Two different numbers with the same nearest double: the second takes a neighbour on its
     * own side, and each prints its digits. */
    ck_assert(pgnumeric_remember_exact(1.0, "1.0000000000000000", -1) == 1.0);
    double below = pgnumeric_remember_exact(1.0, "0.99999999999999999999", -1);
    ck_assert(below == nextafter(1.0, 0));
    ck_assert(pgnumeric_remember_exact(1.0, "1.00000000000000000001", -1) == nextafter(1.0, 2));
    ck_assert(pgnumeric_remember_exact(1.0, "1.0000000000000000", -1) == 1.0);
    ck_assert_str_eq(pgnumeric_recall_exact(1.0, -1), "1.0000000000000000");
    ck_assert_str_eq(pgnumeric_recall_exact(below, -1), "0.99999999999999999999");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, PGTYPMOD_NUMERIC_EXACT, below),
                     "0.99999999999999999999");
    /* Equal numbers with other scales in two result columns: each column prefers its own
     * (1.5 + 1.5 and 1.50 * 2 in one row); a column without one of its own takes the most
     * recent. */
    pgnumeric_forget_exact();
    ck_assert(pgnumeric_remember_exact(3.0, "3.0", 0) == 3.0);
    ck_assert(pgnumeric_remember_exact(3.0, "3.00", 1) == 3.0);
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, pgtypmod_numeric_exact(0, -1), 3.0), "3.0");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, pgtypmod_numeric_exact(1, -1), 3.0), "3.00");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, pgtypmod_numeric_exact(2, -1), 3.0), "3.00");
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, pgtypmod_numeric_exact(2, 3), 2.5), "2.500");
    ck_assert_int_eq(pgtypmod_numeric_exact(-1, 2), PGTYPMOD_NUMERIC_EXACT);
    /* A new statement forgets them all. */
    pgnumeric_forget_exact();
    ck_assert_ptr_null(pgnumeric_recall_exact(0.0, -1));
    ck_assert_str_eq(text_dbl(PGOID_NUMERIC, PGTYPMOD_NUMERIC_EXACT, 153.33333333333334),
                     "153.33333333333334");
    /* numeric_in's display scale of a cast's input. */
    ck_assert_int_eq(pgnumeric_text_scale("1.50"), 2);
    ck_assert_int_eq(pgnumeric_text_scale("  -0.50  "), 2);
    ck_assert_int_eq(pgnumeric_text_scale("1e3"), 0);
    ck_assert_int_eq(pgnumeric_text_scale("1.5e-3"), 4);
    ck_assert_int_eq(pgnumeric_text_scale("1.50e1"), 1);
    ck_assert_int_eq(pgnumeric_text_scale("NaN"), -1);
    ck_assert_int_eq(pgnumeric_text_scale("x"), -1);
}
END_TEST

START_TEST(test_date_time)
{
    const char *s;
    ck_assert_str_eq(round_trip(PGOID_DATE, -1, "2024-01-02"), "2024-01-02");
    ck_assert_str_eq(round_trip(PGOID_DATE, -1, " 2024-2-29 "), "2024-02-29");
    ck_assert_str_eq(round_trip(PGOID_DATE, -1, "0044-03-15 BC"), "0044-03-15 BC");
    ck_assert_str_eq(round_trip(PGOID_DATE, -1, "infinity"), "infinity");
    assert_bind_error(PGOID_DATE, "2023-02-29",
                      "[22008] date/time field value out of range: \"2023-02-29\"");
    assert_bind_error(PGOID_DATE, "2024-13-01",
                      "[22008] date/time field value out of range: \"2024-13-01\"");
    assert_bind_error(PGOID_DATE, "yesterdayish",
                      "[22007] invalid input syntax for type date: \"yesterdayish\"");
    ck_assert(bind_text(PGOID_DATE, "2000-01-02"));
    stored(&s);
    ck_assert_str_eq(s, "2000-01-02");
    ck_assert(format_current(PGOID_DATE, -1, 1));
    assert_bytes("00000001");
    ck_assert(bind_bin(PGOID_DATE, "\xff\xff\xff\xff", 4));
    stored(&s);
    ck_assert_str_eq(s, "1999-12-31");

    ck_assert_str_eq(round_trip(PGOID_TIME, -1, "03:04:05.500"), "03:04:05.5");
    ck_assert_str_eq(round_trip(PGOID_TIME, -1, "3:04"), "03:04:00");
    ck_assert_str_eq(round_trip(PGOID_TIME, -1, "23:59:59.9999999"), "24:00:00");
    ck_assert_str_eq(text_str(PGOID_TIME, -1, "12:00:00.000000"), "12:00:00");
    assert_bind_error(PGOID_TIME, "25:00", "[22008] date/time field value out of range: \"25:00\"");
    assert_bind_error(PGOID_TIME, "noon", "[22007] invalid input syntax for type time: \"noon\"");
    ck_assert(bind_text(PGOID_TIME, "00:00:01.25"));
    ck_assert(format_current(PGOID_TIME, -1, 1));
    assert_bytes("00000000001312d0"); /* 1 250 000 us */
}
END_TEST

START_TEST(test_timestamp)
{
    const char *s;
    ck_assert_str_eq(text_str(PGOID_TIMESTAMP, -1, "2024-01-02 03:04:05.500000"),
                     "2024-01-02 03:04:05.5");
    ck_assert_str_eq(round_trip(PGOID_TIMESTAMP, -1, "2024-01-02"), "2024-01-02 00:00:00");
    ck_assert_str_eq(round_trip(PGOID_TIMESTAMP, -1, "2024-01-02T03:04:05.123456"),
                     "2024-01-02 03:04:05.123456");
    /* A zone on timestamp input is ignored, as PostgreSQL does. */
    ck_assert_str_eq(round_trip(PGOID_TIMESTAMP, -1, "2024-01-02 03:04:05+02"),
                     "2024-01-02 03:04:05");
    ck_assert_str_eq(round_trip(PGOID_TIMESTAMP, -1, "2024-01-02 24:00"), "2024-01-03 00:00:00");
    ck_assert_str_eq(round_trip(PGOID_TIMESTAMP, -1, "-infinity"), "-infinity");
    assert_bind_error(PGOID_TIMESTAMP, "2024-01-02 03:04:05 nowhere",
                      "[22007] invalid input syntax for type timestamp without time zone: "
                      "\"2024-01-02 03:04:05 nowhere\"");
    assert_bind_error(PGOID_TIMESTAMP, "2024-04-31 00:00",
                      "[22008] date/time field value out of range: \"2024-04-31 00:00\"");
    ck_assert(bind_text(PGOID_TIMESTAMP, "2000-01-01 00:00:01"));
    stored(&s);
    ck_assert_str_eq(s, "2000-01-01 00:00:01");
    ck_assert(format_current(PGOID_TIMESTAMP, -1, 1));
    assert_bytes("00000000000f4240");
    ck_assert(bind_bin(PGOID_TIMESTAMP, "\xff\xff\xff\xff\xff\xff\xff\xff", 8));
    stored(&s);
    ck_assert_str_eq(s, "1999-12-31 23:59:59.999999");
    ck_assert(bind_bin(PGOID_TIMESTAMP, "\x7f\xff\xff\xff\xff\xff\xff\xff", 8));
    stored(&s);
    ck_assert_str_eq(s, "infinity");
    ck_assert(format_current(PGOID_TIMESTAMP, -1, 1));
    assert_bytes("7fffffffffffffff");
    ck_assert(!bind_bin(PGOID_TIMESTAMPTZ, "\x7f\xff\xff\xff\xff\xff\xff\xfe", 8));
    ck_assert_str_eq(err, "[22008] timestamp out of range");
}
END_TEST

/* Binds a timestamptz as text in zone in_tz, prints it in zone out_tz. */
static const char *tstz(const char *in_tz, const char *in, const char *out_tz)
{
    snprintf(fs.timezone, sizeof fs.timezone, "%s", in_tz);
    ck_assert_msg(bind_text(PGOID_TIMESTAMPTZ, in), "%s: %s", in, err ? err : "");
    snprintf(fs.timezone, sizeof fs.timezone, "%s", out_tz);
    ck_assert(format_current(PGOID_TIMESTAMPTZ, -1, 0));
    return out;
}

START_TEST(test_timestamptz)
{
    const char *s;
    /* Storage is UTC with +00. */
    snprintf(fs.timezone, sizeof fs.timezone, "Europe/Berlin");
    ck_assert(bind_text(PGOID_TIMESTAMPTZ, "2024-07-01 12:00:00"));
    stored(&s);
    ck_assert_str_eq(s, "2024-07-01 10:00:00+00");
    ck_assert(bind_text(PGOID_TIMESTAMPTZ, "2024-01-15 12:00:00.25"));
    stored(&s);
    ck_assert_str_eq(s, "2024-01-15 11:00:00.25+00");

    ck_assert_str_eq(tstz("UTC", "2024-07-01 10:00Z", "Europe/Berlin"), "2024-07-01 12:00:00+02");
    ck_assert_str_eq(tstz("UTC", "2024-01-15 10:00Z", "Europe/Berlin"), "2024-01-15 11:00:00+01");
    ck_assert_str_eq(tstz("UTC", "2024-07-04 16:00Z", "America/New_York"),
                     "2024-07-04 12:00:00-04");
    ck_assert_str_eq(tstz("UTC", "2024-12-25 17:00Z", "America/New_York"),
                     "2024-12-25 12:00:00-05");
    ck_assert_str_eq(tstz("UTC", "2024-01-02 03:04:05.5Z", "Asia/Kolkata"),
                     "2024-01-02 08:34:05.5+05:30");
    ck_assert_str_eq(tstz("Asia/Kolkata", "2024-01-02 08:34:05", "UTC"), "2024-01-02 03:04:05+00");
    ck_assert_str_eq(tstz("UTC", "2024-01-02 03:04:05+05:30", "Etc/UTC"), "2024-01-01 21:34:05+00");
    ck_assert_str_eq(tstz("UTC", "2024-01-02T03:04:05-0330", "GMT"), "2024-01-02 06:34:05+00");
    ck_assert_str_eq(tstz("UTC", "2024-01-02 03:04:05 America/New_York", "UTC"),
                     "2024-01-02 08:04:05+00");
    /* Far future: past the last transition in the file, the POSIX footer rule applies. */
    ck_assert_str_eq(tstz("UTC", "2090-07-01 10:00Z", "Europe/Berlin"), "2090-07-01 12:00:00+02");
    ck_assert_str_eq(tstz("UTC", "2090-12-01 10:00Z", "America/New_York"),
                     "2090-12-01 05:00:00-05");
    /* Local mean time before zones: seconds in the offset. */
    ck_assert_str_eq(tstz("UTC", "1850-01-01 12:00Z", "Europe/Berlin"),
                     "1850-01-01 12:53:28+00:53:28");
    /* DST edges in Berlin: 2024-03-31 02:00 -> 03:00, 2024-10-27 03:00 -> 02:00. */
    ck_assert_str_eq(tstz("UTC", "2024-03-31 00:59:59Z", "Europe/Berlin"),
                     "2024-03-31 01:59:59+01");
    ck_assert_str_eq(tstz("UTC", "2024-03-31 01:00:00Z", "Europe/Berlin"),
                     "2024-03-31 03:00:00+02");
    ck_assert_str_eq(tstz("Europe/Berlin", "2024-03-31 02:30", "Europe/Berlin"),
                     "2024-03-31 03:30:00+02"); /* in the gap: offset from before */
    ck_assert_str_eq(tstz("Europe/Berlin", "2024-10-27 02:30", "UTC"),
                     "2024-10-27 01:30:00+00"); /* ambiguous: offset from after */
    /* Offsets as TimeZone: a number is hours east; POSIX "UTC+2" is two hours west. */
    ck_assert_str_eq(tstz("UTC", "2024-01-01 12:00Z", "+02"), "2024-01-01 14:00:00+02");
    ck_assert_str_eq(tstz("UTC", "2024-01-01 12:00Z", "-3"), "2024-01-01 09:00:00-03");
    ck_assert_str_eq(tstz("UTC", "2024-01-01 12:00Z", "5.5"), "2024-01-01 17:30:00+05:30");
    ck_assert_str_eq(tstz("UTC", "2024-01-01 12:00Z", "UTC+2"), "2024-01-01 10:00:00-02");
    ck_assert_str_eq(tstz("UTC", "2024-07-01 12:00Z", "EST5EDT"), "2024-07-01 08:00:00-04");
    ck_assert_str_eq(tstz("UTC", "2024-07-01 12:00Z", "europe/berlin"), "2024-07-01 14:00:00+02");
    ck_assert_str_eq(tstz("UTC", "0001-01-01 00:00Z BC", "UTC"), "0001-01-01 00:00:00+00 BC");
    /* Abbreviations are fixed offsets, even where a zone file of that name has DST. */
    ck_assert_str_eq(tstz("UTC", "2024-07-01 12:00 PST", "UTC"), "2024-07-01 20:00:00+00");
    ck_assert_str_eq(tstz("UTC", "2024-07-01 12:00 cet", "UTC"), "2024-07-01 11:00:00+00");
    ck_assert_str_eq(tstz("UTC", "2024-07-01 12:00 Europe/Paris", "UTC"), "2024-07-01 10:00:00+00");
    /* Binary is UTC microseconds since 2000. */
    ck_assert(bind_text(PGOID_TIMESTAMPTZ, "2000-01-01 01:00:00+01"));
    ck_assert(format_current(PGOID_TIMESTAMPTZ, -1, 1));
    assert_bytes("0000000000000000");
    ck_assert(bind_bin(PGOID_TIMESTAMPTZ, "\0\0\0\0\0\x0f\x42\x40", 8));
    stored(&s);
    ck_assert_str_eq(s, "2000-01-01 00:00:01+00");
    /* An unknown session zone refuses input that needs it. */
    snprintf(fs.timezone, sizeof fs.timezone, "Mars/Olympus");
    assert_bind_error(PGOID_TIMESTAMPTZ, "2024-01-01 00:00",
                      "[22023] time zone \"Mars/Olympus\" not recognized");
    ck_assert(bind_text(PGOID_TIMESTAMPTZ, "2024-01-01 00:00+00"));
}
END_TEST

START_TEST(test_tz_api)
{
    int32_t off;
    int64_t us;
    /* 2024-07-01 00:00 UTC in PostgreSQL epoch microseconds. */
    int64_t jul = (int64_t)(8948) * 86400 * 1000000;
    ck_assert(pgtz_offset_at("Europe/Berlin", jul, &off));
    ck_assert_int_eq(off, 7200);
    ck_assert(pgtz_offset_at("Asia/Kolkata", jul, &off));
    ck_assert_int_eq(off, 19800);
    ck_assert(pgtz_offset_at("America/New_York", jul, &off));
    ck_assert_int_eq(off, -14400);
    ck_assert(pgtz_offset_at("UTC", jul, &off));
    ck_assert_int_eq(off, 0);
    ck_assert(!pgtz_offset_at("No/Such_Zone", jul, &off));
    ck_assert(!pgtz_valid("../../etc/passwd"));
    ck_assert(!pgtz_valid(""));
    ck_assert(pgtz_local_to_utc("Asia/Kolkata", jul, &us));
    ck_assert(us == jul - INT64_C(19800000000));
    /* Southern hemisphere DST spans the new year. */
    ck_assert(pgtz_offset_at("Australia/Sydney", (int64_t)8766 * 86400 * 1000000, &off));
    ck_assert_int_eq(off, 39600); /* 2024-01-01: +11 */
    ck_assert(pgtz_offset_at("Australia/Sydney", jul, &off));
    ck_assert_int_eq(off, 36000);
    /* 2090, past the file's transitions: the footer rule, DST across the new year. */
    int64_t y2090 = (int64_t)32873 * 86400 * 1000000; /* 2090-01-01 */
    ck_assert(pgtz_offset_at("Australia/Sydney", y2090, &off));
    ck_assert_int_eq(off, 39600);
    ck_assert(pgtz_offset_at("Australia/Sydney", y2090 + (int64_t)181 * 86400 * 1000000, &off));
    ck_assert_int_eq(off, 36000);
}
END_TEST

static void *tz_worker(void *arg)
{
    static const char *const zones[] = {"Europe/Paris", "America/Chicago", "Asia/Tokyo",
                                        "Pacific/Auckland"};
    static const int32_t want[] = {7200, -18000, 32400, 43200};
    int64_t jul = (int64_t)8948 * 86400 * 1000000;
    intptr_t bad = 0;
    for (int i = 0; i < 200; i++) {
        int k = (int)(((intptr_t)arg + i) % 4);
        int32_t off = 0;
        if (!pgtz_offset_at(zones[k], jul, &off) || off != want[k])
            bad++;
    }
    return (void *)bad;
}

START_TEST(test_tz_threads)
{
    /* First loads race on the cache; every thread must still see correct zones. */
    pthread_t th[4];
    for (intptr_t i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&th[i], NULL, tz_worker, (void *)i), 0);
    for (int i = 0; i < 4; i++) {
        void *bad;
        pthread_join(th[i], &bad);
        ck_assert_int_eq((intptr_t)bad, 0);
    }
}
END_TEST

START_TEST(test_tz_cache_full)
{
    /* More distinct zones than the cache holds: still right, and nothing leaks (ASan). */
    for (int i = 0; i < 400; i++) {
        char name[16];
        int32_t off = 0;
        snprintf(name, sizeof name, "%.2f", i * 0.25);
        ck_assert(pgtz_offset_at(name, 0, &off));
        ck_assert_int_eq(off, 900 * i);
        ck_assert(pgtz_valid(name));
    }
    int32_t off = 0;
    ck_assert(pgtz_offset_at("Asia/Kolkata", 0, &off));
    ck_assert_int_eq(off, 19800);
}
END_TEST

START_TEST(test_special_times)
{
    int64_t us;
    char buf[64];
    ck_assert(pgtime_parse_timestamp("epoch", 5, true, "UTC", &us, &err, errbuf, sizeof errbuf));
    pgtime_format_timestamptz(us, "UTC", buf, sizeof buf);
    ck_assert_str_eq(buf, "1970-01-01 00:00:00+00");
    ck_assert(pgtime_parse_timestamp(" NOW ", 5, true, "UTC", &us, &err, errbuf, sizeof errbuf));
    int64_t unix_s = us / 1000000 + INT64_C(946684800);
    ck_assert(llabs((long long)(unix_s - (int64_t)time(NULL))) <= 2);
    int32_t d1, d2;
    ck_assert(pgtime_parse_date("today", 5, "UTC", &d1, &err, errbuf, sizeof errbuf));
    ck_assert(pgtime_parse_date("tomorrow", 8, "UTC", &d2, &err, errbuf, sizeof errbuf));
    ck_assert_int_eq(d2, d1 + 1);
    ck_assert_int_eq(d1, (int32_t)((time(NULL) - 946684800) / 86400));
}
END_TEST

START_TEST(test_interval)
{
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "1 year 2 mons 3 days 04:05:06.5"),
                     "1 year 2 mons 3 days 04:05:06.5");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "2 hours"), "02:00:00");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "1.5 days"), "1 day 12:00:00");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "-1 days +02:00:00"), "-1 days +02:00:00");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "@ 3 mins ago"), "-00:03:00");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "0"), "00:00:00");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "14 months"), "1 year 2 mons");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "P1Y2M3DT4H5M6.5S"),
                     "1 year 2 mons 3 days 04:05:06.5");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "PT-90M"), "-01:30:00");
    ck_assert_str_eq(round_trip(PGOID_INTERVAL, -1, "P2W"), "14 days");
    /* The form JDBC's PGInterval sends. */
    ck_assert_str_eq(
        round_trip(PGOID_INTERVAL, -1, "0 years 0 mons 1 days 2 hours 3 mins 4.500000 secs"),
        "1 day 02:03:04.5");
    assert_bind_error(PGOID_INTERVAL, "P1H",
                      "[22007] invalid input syntax for type interval: \"P1H\"");
    assert_bind_error(PGOID_INTERVAL, "3 fortnights",
                      "[22007] invalid input syntax for type interval: \"3 fortnights\"");
    ck_assert(bind_text(PGOID_INTERVAL, "1 mon 2 days 00:00:01"));
    ck_assert(format_current(PGOID_INTERVAL, -1, 1));
    assert_bytes("00000000000f4240"
                 "00000002"
                 "00000001");
    ck_assert(bind_bin(PGOID_INTERVAL, out, 16));
    ck_assert(format_current(PGOID_INTERVAL, -1, 0));
    ck_assert_str_eq(out, "1 mon 2 days 00:00:01");
    /* IntervalStyle iso_8601 (what Rails sets): PostgreSQL's EncodeInterval forms. */
    static const struct {
        struct pg_interval iv;
        const char *iso;
    } iso[] = {
        {{0, 0, 0}, "PT0S"},
        {{4 * 3600000000LL + 5 * 60000000LL + 6500000, 3, 14}, "P1Y2M3DT4H5M6.5S"},
        {{-90 * 60000000LL, 0, 0}, "PT-1H-30M"},
        {{0, -3, 0}, "P-3D"},
        {{-500000, 0, -1}, "P-1MT-0.5S"},
    };
    for (size_t i = 0; i < sizeof iso / sizeof iso[0]; i++) {
        char buf[64];
        pgtime_format_interval_iso(&iso[i].iv, buf, sizeof buf);
        ck_assert_str_eq(buf, iso[i].iso);
    }
}
END_TEST

START_TEST(test_declared_column)
{
    /* A table with PostgreSQL declared types: affinity and decltype mapping together. */
    sqlite3_stmt *s;
    ck_assert_int_eq(sqlite3_exec(db,
                                  "CREATE TABLE t (a boolean, b numeric(10,2), c timestamptz);"
                                  "INSERT INTO t VALUES (1, 3.1, '2024-07-01 10:00:00+00')",
                                  NULL, NULL, NULL),
                     SQLITE_OK);
    ck_assert_int_eq(sqlite3_prepare_v2(db, "SELECT a, b, c FROM t", -1, &s, NULL), SQLITE_OK);
    ck_assert_int_eq(sqlite3_step(s), SQLITE_ROW);
    static const char *const want[] = {"t", "3.10", "2024-07-01 06:00:00-04"};
    snprintf(fs.timezone, sizeof fs.timezone, "America/New_York");
    for (int i = 0; i < 3; i++) {
        int32_t tm;
        uint32_t oid = pgtype_from_decltype(sqlite3_column_decltype(s, i), &tm);
        struct evbuffer *b = evbuffer_new();
        ck_assert(pgtype_format_text(oid, tm, sqlite3_column_value(s, i), &fs, b, &err));
        size_t n = evbuffer_get_length(b);
        char got[64] = "";
        evbuffer_remove(b, got, n < 63 ? n : 63);
        evbuffer_free(b);
        ck_assert_str_eq(got, want[i]);
    }
    sqlite3_finalize(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("types");
    TCase *tc = tcase_create("types");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_decltype);
    tcase_add_test(tc, test_names_lengths);
    tcase_add_test(tc, test_of_value);
    tcase_add_test(tc, test_bool);
    tcase_add_test(tc, test_ints);
    tcase_add_test(tc, test_float_shortest);
    tcase_add_test(tc, test_float_bind);
    tcase_add_test(tc, test_numeric_text);
    tcase_add_test(tc, test_numeric_binary);
    tcase_add_test(tc, test_numeric_bind);
    tcase_add_test(tc, test_text_types);
    tcase_add_test(tc, test_bytea);
    tcase_add_test(tc, test_uuid);
    tcase_add_test(tc, test_json);
    tcase_add_test(tc, test_json_api);
    tcase_add_test(tc, test_number_api);
    tcase_add_test(tc, test_numeric_exact);
    tcase_add_test(tc, test_date_time);
    tcase_add_test(tc, test_timestamp);
    tcase_add_test(tc, test_timestamptz);
    tcase_add_test(tc, test_tz_api);
    tcase_add_test(tc, test_tz_threads);
    tcase_add_test(tc, test_tz_cache_full);
    tcase_add_test(tc, test_special_times);
    tcase_add_test(tc, test_interval);
    tcase_add_test(tc, test_declared_column);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
