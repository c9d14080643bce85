/*
 * Numeric results with PostgreSQL's scale, and settings from SQL: numeric division and avg()
 * computed exactly in decimal with the result scale numeric_div's select_div_scale picks (16
 * significant digits at least, never fewer decimals than an operand), the ^ operator, float
 * rounding (rint), + and - on columns whose type only the value tells (a date moves by days,
 * a bigint overflow is an error), json -> and ->>, and set_config(). Registered by
 * sql_functions_register() (functions.c).
 *
 * numeric + - * and ^ on such results (or on literals, whose scale they keep) are computed the
 * same way (pg_numeric_op, pg_numeric_pow; the decimal arithmetic is src/sql/decimal.c).
 *
 * The results are doubles, so that SQLite compares and sorts them as numbers; their exact text
 * is remembered for the output (pgnumeric_remember_exact) and for the next operator reading
 * them. Stored numerics are INTEGER, REAL or text (include/sql/types.h); a REAL is read
 * through its shortest round-trip decimal form, so 0.1 is 1/10 and not the binary fraction. A
 * value that does not fit 36 digits falls back to double arithmetic.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <event2/buffer.h>
#include <sqlite3.h>

#include "functions_int.h"
#include "sql/decimal.h"
#include "sql/functions.h"
#include "sql/types.h"

/*
 * A numeric argument as a decimal. exact: the translator knows the argument is a result whose
 * exact digits are remembered (pgnumeric_remember_exact), so a REAL is read through them; a
 * numeric literal arrives as text, keeping its scale (1.50 has 2). Any other REAL is read
 * through its shortest round-trip digits. false for what does not fit (or is no number).
 */
static bool num_param_arg(sqlite3_value *v, bool exact, int param, struct dec *d)
{
    char buf[64];
    /* A numeric parameter: the digits it was bound with (pgnumeric_param_exact). */
    const char *bound = param > 0 && (sqlite3_value_type(v) == SQLITE_INTEGER ||
                                      sqlite3_value_type(v) == SQLITE_FLOAT)
                            ? pgnumeric_param_exact(param, sqlite3_value_double(v))
                            : NULL;
    if (bound && dec_parse(bound, d))
        return true;
    switch (sqlite3_value_type(v)) {
    case SQLITE_INTEGER:
        d->mant = sqlite3_value_int64(v);
        d->scale = 0;
        return true;
    case SQLITE_FLOAT: {
        double x = sqlite3_value_double(v);
        const char *known = exact ? pgnumeric_recall_exact(x, -1) : NULL;
        if (known)
            return dec_parse(known, d);
        if (!isfinite(x))
            return false;
        for (int prec = 15; prec <= 17; prec++) {
            snprintf(buf, sizeof buf, "%.*g", prec, x);
            if (strtod(buf, NULL) == x)
                break;
        }
        return dec_parse(buf, d);
    }
    case SQLITE_TEXT:
        return dec_parse((const char *)sqlite3_value_text(v), d);
    default:
        return false;
    }
}

static bool num_arg(sqlite3_value *v, bool exact, struct dec *d)
{
    return num_param_arg(v, exact, 0, d);
}

static bool dec_from_value(sqlite3_value *v, struct dec *d)
{
    return num_arg(v, false, d);
}

/* A number SQLite can compute with: INTEGER, REAL, or text that reads as one (a numeric
 * literal passed as text). Checked without converting v in place. */
static bool is_number(sqlite3_value *v)
{
    int t = sqlite3_value_type(v);
    if (t == SQLITE_INTEGER || t == SQLITE_FLOAT)
        return true;
    struct dec d;
    if (t != SQLITE_TEXT)
        return false;
    if (dec_parse((const char *)sqlite3_value_text(v), &d))
        return true;
    sqlite3_value *copy = sqlite3_value_dup(v); /* numeric_type converts its argument */
    int nt = copy ? sqlite3_value_numeric_type(copy) : SQLITE_NULL;
    sqlite3_value_free(copy);
    return nt == SQLITE_INTEGER || nt == SQLITE_FLOAT;
}

/* The nearest double for SQLite (numeric comparisons and sorting), the digits for the output
 * of result column column (-1: an operand; include/sql/types.h, PGTYPMOD_NUMERIC_EXACT). */
static void result_exact(sqlite3_context *cx, const char *text, int column)
{
    sqlite3_result_double(cx, pgnumeric_remember_exact(strtod(text, NULL), text, column));
}

/* a / b for numeric operands: exact text when both fit, else a double. */
static void dec_divide(sqlite3_context *cx, const struct dec *a, const struct dec *b, bool ok,
                       double da, double db, int column)
{
    if (ok && b->mant == 0) {
        fn_error(cx, "22012", "division by zero");
        return;
    }
    if (!ok || dec_digits(b->mant) > DEC_MAX_DIGITS) {
        if (db == 0) {
            fn_error(cx, "22012", "division by zero");
            return;
        }
        sqlite3_result_double(cx, da / db);
        return;
    }
    char out[DEC_TEXT_CAP];
    dec_div_text(a, b, dec_div_scale(a, b), out, sizeof out);
    result_exact(cx, out, column);
}

/* The operands of a numeric operator: NULL gives NULL, a non-number 22P02 (false: answered). */
static bool num_operands(sqlite3_context *cx, sqlite3_value **argv)
{
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return false;
    }
    if (!is_number(argv[0]) || !is_number(argv[1])) {
        fn_error(cx, "22P02", "invalid input syntax for type numeric: \"%s\"",
                 (const char *)sqlite3_value_text(is_number(argv[0]) ? argv[1] : argv[0]));
        return false;
    }
    return true;
}

/* Bit i of the optional argument after the nargs operands: operand i is an exact result
 * (num_arg). */
static bool exact_arg(int argc, sqlite3_value **argv, int nargs, int i)
{
    return argc > nargs && (sqlite3_value_int64(argv[nargs]) >> i & 1);
}

/* Bits 4-19 and 20-35 of that argument: the parameter number operand i is, 0 for none
 * (num_param_arg). */
static int param_arg(int argc, sqlite3_value **argv, int nargs, int i)
{
    return argc > nargs ? (int)(sqlite3_value_int64(argv[nargs]) >> (4 + 16 * i) & 0xffff) : 0;
}

/* The optional argument after that: the result column the value is computed for, -1 for none
 * (pgnumeric_remember_exact). */
static int column_arg(int argc, sqlite3_value **argv, int nargs)
{
    return argc > nargs + 1 ? sqlite3_value_int(argv[nargs + 1]) : -1;
}

/* pg_numeric_div(a, b [, exact [, column]]): the / of two numerics. */
static void fn_numeric_div(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct dec a, b;
    if (!num_operands(cx, argv))
        return;
    bool ok = num_arg(argv[0], exact_arg(argc, argv, 2, 0), &a) &&
              num_arg(argv[1], exact_arg(argc, argv, 2, 1), &b);
    dec_divide(cx, &a, &b, ok, sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
               column_arg(argc, argv, 2));
}

/*
 * pg_numeric_op(op, a, b, exact [, column]): numeric + - * with PostgreSQL's result scale (the
 * larger operand scale, or their sum for *), exact when the operands and result fit 36 digits, else
 * in double precision as SQLite would. exact: bits 0 and 1, a and b are exact results; bits 4-19
 * and 20-35, the parameter numbers a and b are (0: none), read with their bound digits.
 */
static void fn_numeric_op(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct dec a, b, r;
    const char *op = (const char *)sqlite3_value_text(argv[0]);
    char o = op ? op[0] : '+';
    /* NaN (stored as the text 'NaN') gives NaN whatever the other operand, as in PostgreSQL. */
    for (int i = 1; i <= 2; i++)
        if (sqlite3_value_type(argv[i]) == SQLITE_TEXT &&
            !strcasecmp((const char *)sqlite3_value_text(argv[i]), "NaN") &&
            sqlite3_value_type(argv[3 - i]) != SQLITE_NULL) {
            sqlite3_result_text(cx, "NaN", 3, SQLITE_STATIC);
            return;
        }
    if (!num_operands(cx, argv + 1))
        return;
    bool ok = num_param_arg(argv[1], exact_arg(argc - 1, argv + 1, 2, 0),
                            param_arg(argc - 1, argv + 1, 2, 0), &a) &&
              num_param_arg(argv[2], exact_arg(argc - 1, argv + 1, 2, 1),
                            param_arg(argc - 1, argv + 1, 2, 1), &b) &&
              (o == '*' ? dec_mul(&a, &b, &r) : dec_add(&a, &b, o == '-', &r));
    char out[DEC_TEXT_CAP];
    if (ok && dec_text(&r, out, sizeof out)) {
        result_exact(cx, out, column_arg(argc - 1, argv + 1, 2));
        return;
    }
    double x = sqlite3_value_double(argv[1]), y = sqlite3_value_double(argv[2]);
    double z = o == '*' ? x * y : o == '-' ? x - y : x + y;
    if (isnan(z)) /* Infinity - Infinity, 0 * Infinity: NaN, which SQLite would make NULL */
        sqlite3_result_text(cx, "NaN", 3, SQLITE_STATIC);
    else
        sqlite3_result_double(cx, z);
}

/* pg_numeric_pow(a, b, exact [, column]): numeric ^ numeric (decimal.c, dec_pow_text). */
static void fn_numeric_pow(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct dec a, b;
    char out[DEC_TEXT_CAP];
    if (!num_operands(cx, argv))
        return;
    if (!num_arg(argv[0], exact_arg(argc, argv, 2, 0), &a) ||
        !num_arg(argv[1], exact_arg(argc, argv, 2, 1), &b)) {
        fn_error(cx, "0A000",
                 "numeric ^ numeric with an operand of more than 36 digits is not supported "
                 "on the SQLite backend");
        return;
    }
    switch (dec_pow_text(&a, &b, out, sizeof out)) {
    case DEC_POW_OK:
        result_exact(cx, out, column_arg(argc, argv, 2));
        return;
    case DEC_POW_ZERO_NEGATIVE:
        fn_error(cx, "2201F", "zero raised to a negative power is undefined");
        return;
    case DEC_POW_COMPLEX:
        fn_error(cx, "2201F",
                 "a negative number raised to a non-integer power yields a complex result");
        return;
    case DEC_POW_OVERFLOW:
        fn_error(cx, "22003", "value overflows numeric format");
        return;
    case DEC_POW_TOO_PRECISE:
        fn_error(cx, "0A000",
                 "numeric ^ numeric with a result of more than 30 significant digits is not "
                 "supported on the SQLite backend");
        return;
    }
}

/* pg_numeric_lit(text [, column]): a numeric constant that keeps its own scale where the
 * column's scale would print it otherwise (the fallback 0 of coalesce(numeric(10,2) column,
 * 0)): its double, with its digits remembered for the output (pgtypmod_numeric_exact). */
static void fn_numeric_lit(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct dec d;
    char out[DEC_TEXT_CAP];
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    if (!num_arg(argv[0], false, &d) || !dec_text(&d, out, sizeof out)) {
        sqlite3_result_value(cx, argv[0]);
        return;
    }
    result_exact(cx, out, argc > 1 ? sqlite3_value_int(argv[1]) : -1);
}

/* pg_numeric_pad(x, scale): a numeric(p,s) column's value with its scale s (3.30, stored as the
 * number 3.3), as text that pg_numeric_op reads with that scale; x itself when scale < 0. */
static void fn_numeric_pad(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int scale = sqlite3_value_int(argv[1]);
    int vt = sqlite3_value_type(argv[0]);
    struct evbuffer *out;
    if (scale < 0 || (vt != SQLITE_INTEGER && vt != SQLITE_FLOAT) ||
        (vt == SQLITE_FLOAT && !isfinite(sqlite3_value_double(argv[0]))) ||
        !(out = evbuffer_new())) {
        sqlite3_result_value(cx, argv[0]);
        return;
    }
    if (pgnumeric_format_value(argv[0], (int32_t)(((1000 << 16) | scale) + 4), 0, out))
        sqlite3_result_text(cx, (const char *)evbuffer_pullup(out, -1),
                            (int)evbuffer_get_length(out), SQLITE_TRANSIENT);
    else
        sqlite3_result_value(cx, argv[0]);
    evbuffer_free(out);
}

/* pg_avg(x): avg() of integers and numerics as PostgreSQL computes it, sum / count in numeric
 * (text with the division's scale); a float column's values give the same number as text. */
/* SQLite's aggregate context is only 8-byte aligned: the sum must not assume 16. */
typedef __int128 i128_a8 __attribute__((aligned(8)));

struct avg_state {
    i128_a8 sum;
    int scale;
    bool inexact; /* a value did not fit: use dsum */
    double dsum;
    int64_t count;
    int64_t nans; /* pg_numeric_sum: NaN values in the frame */
    int column;   /* pg_numeric_sum: the result column, -1 for none */
};

static void fn_avg_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct avg_state *st = sqlite3_aggregate_context(cx, sizeof *st);
    struct dec d;
    (void)argc;
    if (!st || sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    if (!is_number(argv[0])) {
        fn_error(cx, "22P02", "invalid input syntax for type numeric: \"%s\"",
                 (const char *)sqlite3_value_text(argv[0]));
        return;
    }
    st->count++;
    st->dsum += sqlite3_value_double(argv[0]);
    if (st->inexact)
        return;
    if (!dec_from_value(argv[0], &d) || d.scale > 30) {
        st->inexact = true;
        return;
    }
    /* Both at the larger scale, checked so that nothing overflows 128 bits. */
    if (d.scale > st->scale) {
        if (dec_digits(st->sum) + d.scale - st->scale > DEC_MAX_DIGITS) {
            st->inexact = true;
            return;
        }
        struct dec s = {st->sum, st->scale};
        dec_round(&s, d.scale);
        st->sum = s.mant;
        st->scale = d.scale;
    } else if (!dec_round(&d, st->scale)) {
        st->inexact = true;
        return;
    }
    st->sum += d.mant;
    if (dec_digits(st->sum) > DEC_MAX_DIGITS)
        st->inexact = true;
}

/* The inverse step, for avg() OVER a moving frame. */
static void fn_avg_inverse(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct avg_state *st = sqlite3_aggregate_context(cx, sizeof *st);
    struct dec d;
    (void)argc;
    if (!st || sqlite3_value_type(argv[0]) == SQLITE_NULL || !is_number(argv[0]))
        return;
    st->count--;
    st->dsum -= sqlite3_value_double(argv[0]);
    if (st->inexact || !dec_from_value(argv[0], &d) || d.scale > st->scale ||
        !dec_round(&d, st->scale)) {
        st->inexact = true;
        return;
    }
    st->sum -= d.mant;
}

static void fn_avg_value(sqlite3_context *cx)
{
    struct avg_state *st = sqlite3_aggregate_context(cx, 0);
    if (!st || st->count == 0) {
        sqlite3_result_null(cx);
        return;
    }
    struct dec a = {st->sum, st->scale}, b = {st->count, 0};
    dec_divide(cx, &a, &b, !st->inexact, st->dsum, (double)st->count, -1);
}

static void fn_avg_final(sqlite3_context *cx)
{
    fn_avg_value(cx);
}

static bool is_nan_text(sqlite3_value *v)
{
    return sqlite3_value_type(v) == SQLITE_TEXT &&
           !strcasecmp((const char *)sqlite3_value_text(v), "NaN");
}

/*
 * pg_numeric_sum(x, kind [, column]): sum() of a plain numeric column as PostgreSQL computes it,
 * exact with the largest scale of the values (the state of pg_avg); NaN makes it NaN. kind is
 * the column's pg_colnumeric(): SQLite computes every aggregate of a CASE, so on a column of
 * another kind than -1 this one does nothing and gives NULL (sum() gives the result).
 */
static void fn_sum_step(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    if (sqlite3_value_int(argv[1]) != -1)
        return;
    struct avg_state *st = sqlite3_aggregate_context(cx, sizeof *st);
    if (!st)
        return;
    st->column = argc > 2 ? sqlite3_value_int(argv[2]) : -1;
    if (is_nan_text(argv[0])) {
        st->nans++;
        st->count++;
        return;
    }
    fn_avg_step(cx, 1, argv);
}

static void fn_sum_inverse(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    struct avg_state *st = sqlite3_aggregate_context(cx, sizeof *st);
    (void)argc;
    if (sqlite3_value_int(argv[1]) != -1)
        return;
    if (st && is_nan_text(argv[0])) {
        st->nans--;
        st->count--;
        return;
    }
    fn_avg_inverse(cx, 1, argv);
}

static void fn_sum_value(sqlite3_context *cx)
{
    struct avg_state *st = sqlite3_aggregate_context(cx, 0);
    char out[DEC_TEXT_CAP];
    struct dec d = {st ? st->sum : 0, st ? st->scale : 0};
    if (!st || st->count == 0)
        sqlite3_result_null(cx);
    else if (st->nans > 0 || isnan(st->dsum))
        sqlite3_result_text(cx, "NaN", 3, SQLITE_STATIC);
    else if (st->inexact || !dec_text(&d, out, sizeof out))
        sqlite3_result_double(cx, st->dsum);
    else
        result_exact(cx, out, st->column);
}

/* pg_power(a, b): the ^ operator (float8 semantics and errors). */
static void fn_power(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    if (!is_number(argv[0]) || !is_number(argv[1])) {
        fn_error(cx, "22P02", "invalid input syntax for type double precision: \"%s\"",
                 (const char *)sqlite3_value_text(is_number(argv[0]) ? argv[1] : argv[0]));
        return;
    }
    double x = sqlite3_value_double(argv[0]), y = sqlite3_value_double(argv[1]);
    if (x == 0 && y < 0) {
        fn_error(cx, "2201F", "zero raised to a negative power is undefined");
        return;
    }
    if (x < 0 && floor(y) != y) {
        fn_error(cx, "2201F",
                 "a negative number raised to a non-integer power yields a complex "
                 "result");
        return;
    }
    double r = pow(x, y);
    if (isinf(r) && isfinite(x) && isfinite(y)) {
        fn_error(cx, "22003", "value out of range: overflow");
        return;
    }
    if (r == 0 && x != 0 && isfinite(x) && isfinite(y)) {
        fn_error(cx, "22003", "value out of range: underflow");
        return;
    }
    sqlite3_result_double(cx, r);
}

/* pg_rint(x): float8 round() and the rounding of float to integer casts (halves to even). */
static void fn_rint(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int t = sqlite3_value_numeric_type(argv[0]);
    if (t == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    if (t == SQLITE_INTEGER) {
        sqlite3_result_int64(cx, sqlite3_value_int64(argv[0]));
        return;
    }
    if (t != SQLITE_FLOAT) {
        sqlite3_result_value(cx, argv[0]); /* 'NaN', 'Infinity': left to the cast */
        return;
    }
    sqlite3_result_double(cx, rint(sqlite3_value_double(argv[0])));
}

/* A stored date ('YYYY-MM-DD', include/sql/types.h) as days since 2000-01-01. */
static bool stored_date(sqlite3_value *v, int32_t *days)
{
    char errbuf[128];
    const char *err;
    if (sqlite3_value_type(v) != SQLITE_TEXT || sqlite3_value_bytes(v) != 10)
        return false;
    const char *s = (const char *)sqlite3_value_text(v);
    if (s[4] != '-' || s[7] != '-')
        return false;
    return pgtime_parse_date(s, 10, "UTC", days, &err, errbuf, sizeof errbuf);
}

static void result_date(sqlite3_context *cx, int64_t days)
{
    char buf[32];
    if (days < -2451545 || days > 2147483647 - 2451545 - 1) {
        fn_error(cx, "22008", "date out of range");
        return;
    }
    pgtime_format_date((int32_t)days, buf, sizeof buf);
    sqlite3_result_text(cx, buf, -1, SQLITE_TRANSIENT);
}

/*
 * pg_addint(x, k): x + k for a column x of a type the translator cannot see: a date moves by
 * k days (PostgreSQL's date + integer), an integer is checked for bigint overflow (SQLite
 * would turn it into a REAL), anything else adds as SQLite does.
 */
static void fn_addint(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    int32_t days;
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    sqlite3_int64 k = sqlite3_value_int64(argv[1]);
    if (stored_date(argv[0], &days)) {
        result_date(cx, (int64_t)days + k);
        return;
    }
    int t = sqlite3_value_numeric_type(argv[0]);
    if (t == SQLITE_INTEGER) {
        sqlite3_int64 r;
        if (__builtin_add_overflow(sqlite3_value_int64(argv[0]), k, &r)) {
            fn_error(cx, "22003", "bigint out of range");
            return;
        }
        sqlite3_result_int64(cx, r);
        return;
    }
    if (t == SQLITE_FLOAT) {
        sqlite3_result_double(cx, sqlite3_value_double(argv[0]) + (double)k);
        return;
    }
    fn_error(cx, "22P02", "invalid input syntax for type integer: \"%s\"",
             (const char *)sqlite3_value_text(argv[0]));
}

/* pg_datesub(x, y) for x - y where one side is known to be a date: date - date is the number
 * of days, date - integer a date; other values subtract as SQLite does. */
static void fn_datesub(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    int32_t a, b;
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    bool da = stored_date(argv[0], &a), db = stored_date(argv[1], &b);
    if (da && db) {
        sqlite3_result_int64(cx, (sqlite3_int64)a - b);
        return;
    }
    if (da && sqlite3_value_numeric_type(argv[1]) == SQLITE_INTEGER) {
        result_date(cx, (int64_t)a - sqlite3_value_int64(argv[1]));
        return;
    }
    if (da || db) {
        fn_error(cx, "42883", "operator does not exist: date - %s",
                 da ? "this type" : "date (on the right of a non-date)");
        return;
    }
    sqlite3_result_double(cx, sqlite3_value_double(argv[0]) - sqlite3_value_double(argv[1]));
}

/* ---- json -> / ->> ---- */

static const char *js_ws(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* The end of the JSON string starting at p ('"'), NULL when malformed. */
static const char *js_string_end(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && !*++p)
            return NULL;
    return *p == '"' ? p + 1 : NULL;
}

/* The end of the JSON value at p (validated stored json), NULL when malformed or too deep. */
static const char *js_value_end(const char *p, int depth)
{
    p = js_ws(p);
    if (depth > 1000)
        return NULL;
    if (*p == '"')
        return js_string_end(p);
    if (*p == '{' || *p == '[') {
        char close = *p == '{' ? '}' : ']';
        p = js_ws(p + 1);
        if (*p == close)
            return p + 1;
        for (;;) {
            if (close == '}') {
                if (*p != '"' || !(p = js_string_end(p)))
                    return NULL;
                p = js_ws(p);
                if (*p++ != ':')
                    return NULL;
            }
            if (!(p = js_value_end(p, depth + 1)))
                return NULL;
            p = js_ws(p);
            if (*p == close)
                return p + 1;
            if (*p++ != ',')
                return NULL;
            p = js_ws(p);
        }
    }
    const char *start = p;
    while (*p && !strchr(" \t\n\r,]}:", *p))
        p++; /* number, true, false, null */
    return p > start ? p : NULL;
}

/* The UTF-8 of code point c into out (4 bytes free); returns the length. */
static size_t js_utf8(unsigned c, char *out)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    if (c < 0x800) {
        out[0] = (char)(0xC0 | (c >> 6));
        out[1] = (char)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c < 0x10000) {
        out[0] = (char)(0xE0 | (c >> 12));
        out[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        out[2] = (char)(0x80 | (c & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (c >> 18));
    out[1] = (char)(0x80 | ((c >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((c >> 6) & 0x3F));
    out[3] = (char)(0x80 | (c & 0x3F));
    return 4;
}

static unsigned js_hex4(const char *p)
{
    char h[5] = {p[0], p[1], p[2], p[3], 0};
    for (int i = 0; i < 4; i++)
        if (!isxdigit((unsigned char)h[i]))
            return 0xFFFD;
    return (unsigned)strtoul(h, NULL, 16);
}

/* A JSON string's text, unescaped (p at the opening '"', end after the closing one). */
static void js_result_unescaped(sqlite3_context *cx, const char *p, const char *end)
{
    size_t n = 0;
    char *out = sqlite3_malloc64((sqlite3_uint64)(end - p) + 4);
    if (!out) {
        sqlite3_result_error_nomem(cx);
        return;
    }
    for (p++; p < end - 1; p++) {
        if (*p != '\\') {
            out[n++] = *p;
            continue;
        }
        p++;
        switch (*p) {
        case 'b':
            out[n++] = '\b';
            break;
        case 'f':
            out[n++] = '\f';
            break;
        case 'n':
            out[n++] = '\n';
            break;
        case 'r':
            out[n++] = '\r';
            break;
        case 't':
            out[n++] = '\t';
            break;
        case 'u': {
            if (end - 1 - p < 5) {
                p = end - 2;
                break;
            }
            unsigned c = js_hex4(p + 1);
            p += 4;
            if (c >= 0xD800 && c < 0xDC00 && end - 1 - p >= 7 && p[1] == '\\' && p[2] == 'u') {
                unsigned lo = js_hex4(p + 3);
                if (lo >= 0xDC00 && lo < 0xE000) {
                    c = 0x10000 + ((c - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
            }
            n += js_utf8(c, out + n);
            break;
        }
        default:
            out[n++] = *p; /* " \ / */
            break;
        }
    }
    sqlite3_result_text64(cx, out, n, sqlite3_free, SQLITE_UTF8);
}

/*
 * pg_json_get(json, key or index, as_text): PostgreSQL's -> (as_text 0) and ->> (1) on stored
 * json / jsonb text. The value comes as it is written in the stored text: a json keeps its
 * own spacing and a jsonb is stored as PostgreSQL prints it; ->> unescapes a string and gives
 * NULL for a JSON null. A negative index counts from the end; a missing key, an index out of
 * range or the other kind of container give NULL; of duplicate keys the last one counts.
 */
static void fn_json_get(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
        sqlite3_result_null(cx);
        return;
    }
    const char *p = js_ws((const char *)sqlite3_value_text(argv[0]));
    bool as_text = sqlite3_value_int(argv[2]) != 0;
    bool by_index = sqlite3_value_type(argv[1]) == SQLITE_INTEGER;
    const char *found = NULL, *found_end = NULL;
    if (by_index && *p == '[') {
        sqlite3_int64 want = sqlite3_value_int64(argv[1]), count = 0;
        const char *q = js_ws(p + 1);
        if (want < 0) {
            for (const char *r = q; *r && *r != ']'; count++) {
                if (!(r = js_value_end(r, 0)))
                    goto bad;
                r = js_ws(r);
                if (*r == ',')
                    r = js_ws(r + 1);
            }
            want += count;
        }
        for (sqlite3_int64 i = 0; want >= 0 && *q && *q != ']'; i++) {
            const char *e = js_value_end(q, 0);
            if (!e)
                goto bad;
            if (i == want) {
                found = q;
                found_end = e;
                break;
            }
            q = js_ws(e);
            if (*q == ',')
                q = js_ws(q + 1);
        }
    } else if (!by_index && *p == '{') {
        const char *key = (const char *)sqlite3_value_text(argv[1]);
        size_t klen = (size_t)sqlite3_value_bytes(argv[1]);
        const char *q = js_ws(p + 1);
        while (*q == '"') {
            const char *kend = js_string_end(q);
            if (!kend)
                goto bad;
            const char *v = js_ws(kend);
            if (*v++ != ':')
                goto bad;
            v = js_ws(v);
            const char *e = js_value_end(v, 0);
            if (!e)
                goto bad;
            /* Keys compare as written (a key with escapes would need unescaping). */
            if ((size_t)(kend - q - 2) == klen && !memcmp(q + 1, key, klen)) {
                found = v;
                found_end = e;
            }
            q = js_ws(e);
            if (*q == ',')
                q = js_ws(q + 1);
        }
    }
    if (!found) {
        sqlite3_result_null(cx);
        return;
    }
    if (as_text && *found == '"') {
        js_result_unescaped(cx, found, found_end);
        return;
    }
    if (as_text && found_end - found == 4 && !memcmp(found, "null", 4)) {
        sqlite3_result_null(cx);
        return;
    }
    sqlite3_result_text64(cx, found, (sqlite3_uint64)(found_end - found), SQLITE_TRANSIENT,
                          SQLITE_UTF8);
    return;
bad:
    fn_error(cx, "22P02", "invalid input syntax for type json");
}

/* set_config(name, value, is_local): the session's SET, returning the new value. */
static void fn_set_config(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    const struct sql_fn_context *ctx = sqlite3_user_data(cx);
    char name[128];
    (void)argc;
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
        fn_error(cx, "22004", "SET requires parameter name");
        return;
    }
    snprintf(name, sizeof name, "%s", (const char *)sqlite3_value_text(argv[0]));
    for (char *p = name; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *value =
        sqlite3_value_type(argv[1]) == SQLITE_NULL ? "" : (const char *)sqlite3_value_text(argv[1]);
    bool is_local = sqlite3_value_type(argv[2]) != SQLITE_NULL && sqlite3_value_int(argv[2]);
    if (!ctx || !ctx->set_setting) {
        fn_error(cx, "0A000", "set_config is not available here");
        return;
    }
    const char *err = ctx->set_setting(ctx->get_setting_arg, name, value, is_local);
    if (err) {
        sqlite3_result_error(cx, err, -1);
        return;
    }
    const char *now = ctx->get_setting ? ctx->get_setting(ctx->get_setting_arg, name) : NULL;
    sqlite3_result_text(cx, now ? now : value, -1, SQLITE_TRANSIENT);
}

bool fn_num_register(sqlite3 *db, struct sql_fn_context *ctx)
{
    int det = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    /* The numeric operators, with their optional exact and column arguments. pg_numeric_lit
     * is not deterministic, so that SQLite evaluates it per row instead of once per statement:
     * its digits then stay among the recent ones remembered. */
    static const struct {
        const char *name;
        int min_args, max_args;
        bool det;
        void (*fn)(sqlite3_context *, int, sqlite3_value **);
    } ops[] = {
        {"pg_numeric_div", 2, 4, true, fn_numeric_div},
        {"pg_numeric_op", 4, 5, true, fn_numeric_op},
        {"pg_numeric_pow", 3, 4, true, fn_numeric_pow},
        {"pg_numeric_lit", 1, 2, false, fn_numeric_lit},
        {"pg_numeric_pad", 2, 2, true, fn_numeric_pad},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        for (int n = ops[i].min_args; n <= ops[i].max_args; n++)
            if (sqlite3_create_function_v2(db, ops[i].name, n, ops[i].det ? det : SQLITE_UTF8, NULL,
                                           ops[i].fn, NULL, NULL, NULL) != SQLITE_OK)
                return false;
    for (int n = 2; n <= 3; n++)
        if (sqlite3_create_window_function(db, "pg_numeric_sum", n, det, NULL, fn_sum_step,
                                           fn_sum_value, fn_sum_value, fn_sum_inverse,
                                           NULL) != SQLITE_OK)
            return false;
    return sqlite3_create_window_function(db, "pg_avg", 1, det, NULL, fn_avg_step, fn_avg_final,
                                          fn_avg_value, fn_avg_inverse, NULL) == SQLITE_OK &&
           sqlite3_create_function_v2(db, "pg_power", 2, det, NULL, fn_power, NULL, NULL, NULL) ==
               SQLITE_OK &&
           sqlite3_create_function_v2(db, "pg_rint", 1, det, NULL, fn_rint, NULL, NULL, NULL) ==
               SQLITE_OK &&
           sqlite3_create_function_v2(db, "pg_addint", 2, det, NULL, fn_addint, NULL, NULL, NULL) ==
               SQLITE_OK &&
           sqlite3_create_function_v2(db, "pg_datesub", 2, det, NULL, fn_datesub, NULL, NULL,
                                      NULL) == SQLITE_OK &&
           sqlite3_create_function_v2(db, "pg_json_get", 3, det, NULL, fn_json_get, NULL, NULL,
                                      NULL) == SQLITE_OK &&
           sqlite3_create_function_v2(db, "set_config", 3, SQLITE_UTF8, ctx, fn_set_config, NULL,
                                      NULL, NULL) == SQLITE_OK;
}
