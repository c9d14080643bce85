/*
 * Exact decimal arithmetic for the numeric results of the SQLite backend (src/sql/decimal.c):
 * a value is a 128-bit mantissa and a scale (value = mant / 10^scale, scale = PostgreSQL's
 * display scale), and each operation gives the digits and the display scale PostgreSQL 15's
 * numeric.c gives: + - the larger scale, * the sum, / select_div_scale, ^ power_var's. No
 * SQLite here; src/sql/functions_num.c wraps these as SQL functions.
 */
#ifndef MYRMEX_SQL_DECIMAL_H
#define MYRMEX_SQL_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>

/* |mant| < 10^36 leaves room for long division by a value of the same size. */
#define DEC_MAX_DIGITS 36
#define DEC_MAX_SCALE  1000 /* NUMERIC_MAX_DISPLAY_SCALE */
/* Text of a decimal: sign, DEC_MAX_SCALE fraction digits and more. */
#define DEC_TEXT_CAP 1200

struct dec {
    __int128 mant;
    int scale; /* digits after the decimal point, 0 .. DEC_MAX_SCALE */
};

/* Decimal text ("-12.50", "1e-3", "  7 ") into d, keeping its scale (numeric_in's dscale);
 * false when it is not a finite number or does not fit. */
bool dec_parse(const char *s, struct dec *d);
/* d as numeric_out prints it; false when cap is too small. */
bool dec_text(const struct dec *d, char *out, size_t cap);
/* Decimal digits of |v| (1 for 0). */
int dec_digits(__int128 v);
/* Rounds half away from zero, or pads with zeros, to scale digits; false on overflow. */
bool dec_round(struct dec *d, int scale);

/* a + b (sub: a - b) and a * b, exact; false when the result does not fit. */
bool dec_add(const struct dec *a, const struct dec *b, bool sub, struct dec *r);
bool dec_mul(const struct dec *a, const struct dec *b, struct dec *r);
/* numeric_div's result scale for a / b. */
int dec_div_scale(const struct dec *a, const struct dec *b);
/* a / b (b not zero) rounded half away from zero to rscale digits, as text (cap >=
 * DEC_TEXT_CAP). */
void dec_div_text(const struct dec *a, const struct dec *b, int rscale, char *out, size_t cap);

/* Results of dec_pow_text. */
enum dec_pow_result {
    DEC_POW_OK = 0,
    DEC_POW_ZERO_NEGATIVE, /* 2201F zero raised to a negative power is undefined */
    DEC_POW_COMPLEX,       /* 2201F a negative number raised to a non-integer power */
    DEC_POW_OVERFLOW,      /* 22003 value overflows numeric format */
    DEC_POW_TOO_PRECISE,   /* more significant digits than are computed here exactly */
};

/*
 * base ^ exp as numeric_power computes it in PostgreSQL 15: an integer exponent multiplies
 * exactly and rounds to max(16, base's scale) digits; any other exponent gives 16 significant
 * digits at least (power_var's rscale), from a 113-bit binary computation rounded once.
 * The text goes to out (cap >= DEC_TEXT_CAP).
 */
enum dec_pow_result dec_pow_text(const struct dec *base, const struct dec *exp, char *out,
                                 size_t cap);

#endif
