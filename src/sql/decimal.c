/*
 * Exact decimal arithmetic with PostgreSQL 15's result scales (include/sql/decimal.h): the
 * numeric results the SQLite backend computes itself because a double would print other
 * digits. Owns parsing and printing of the 128-bit decimals, + - * /, and numeric ^ numeric.
 *
 * ^ follows numeric.c's power_var: an integer exponent (int32) is power_var_int, rounded to
 * max(16, base scale) digits; any other exponent goes through exp(exp * ln(base)) with the
 * result scale chosen from a low-precision estimate of that product (which this file
 * reproduces step by step, so that the scale is PostgreSQL's even near a power of ten). The
 * digits come from __float128 (113 bits, about 34 decimal digits) rounded once to the result
 * scale; results needing more than 30 significant digits are refused (DEC_POW_TOO_PRECISE),
 * as they could no longer be correctly rounded.
 */
#include "sql/decimal.h"

#include <ctype.h>
#include <math.h>
#include <quadmath.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef __int128 i128;

#define POW_MAX_SIG_DIGITS 30 /* significant digits of a ^ result that __float128 rounds right */

static i128 pow10_i128(int n)
{
    i128 r = 1;
    while (n-- > 0)
        r *= 10;
    return r;
}

int dec_digits(i128 v)
{
    int n = 1;
    if (v < 0)
        v = -v;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

bool dec_parse(const char *s, struct dec *d)
{
    bool neg = false, any = false;
    int digits = 0, scale = 0, exp = 0;
    i128 m = 0;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    for (bool frac = false;; s++) {
        if (*s == '.' && !frac) {
            frac = true;
            continue;
        }
        if (!isdigit((unsigned char)*s))
            break;
        any = true;
        if (m == 0 && *s == '0' && !frac)
            continue;
        if (m != 0 || *s != '0')
            digits++;
        if (digits > DEC_MAX_DIGITS)
            return false;
        m = m * 10 + (*s - '0');
        if (frac)
            scale++;
    }
    if (!any)
        return false;
    if (*s == 'e' || *s == 'E') {
        char *end;
        long e = strtol(s + 1, &end, 10);
        if (end == s + 1 || e > 100 || e < -100)
            return false;
        exp = (int)e;
        s = end;
    }
    while (isspace((unsigned char)*s))
        s++;
    if (*s)
        return false;
    scale -= exp;
    if (scale < 0) {
        if (digits - scale > DEC_MAX_DIGITS)
            return false;
        m *= pow10_i128(-scale);
        scale = 0;
    }
    if (scale > DEC_MAX_SCALE)
        return false;
    d->mant = neg ? -m : m;
    d->scale = scale;
    return true;
}

bool dec_text(const struct dec *d, char *out, size_t cap)
{
    char digits[48];
    int nd = 0;
    i128 m = d->mant < 0 ? -d->mant : d->mant;
    do {
        digits[nd++] = (char)('0' + (int)(m % 10));
        m /= 10;
    } while (m);
    /* digits[] is little-endian; the integer part is the digits above the scale. */
    size_t need = 3 + (size_t)(nd > d->scale ? nd : d->scale + 1);
    if (cap < need)
        return false;
    size_t o = 0;
    if (d->mant < 0)
        out[o++] = '-';
    if (nd <= d->scale)
        out[o++] = '0';
    for (int i = nd - 1; i >= d->scale; i--)
        out[o++] = digits[i];
    if (d->scale > 0) {
        out[o++] = '.';
        for (int i = d->scale - 1; i >= 0; i--)
            out[o++] = i < nd ? digits[i] : '0';
    }
    out[o] = '\0';
    return true;
}

bool dec_round(struct dec *d, int scale)
{
    if (scale < 0 || scale > DEC_MAX_SCALE)
        return false;
    if (d->mant == 0) {
        d->scale = scale;
        return true;
    }
    if (scale >= d->scale) {
        if (dec_digits(d->mant) + scale - d->scale > DEC_MAX_DIGITS)
            return false;
        d->mant *= pow10_i128(scale - d->scale);
        d->scale = scale;
        return true;
    }
    int drop = d->scale - scale;
    d->scale = scale;
    if (drop > dec_digits(d->mant)) {
        d->mant = 0;
        return true;
    }
    i128 p = pow10_i128(drop), q = d->mant / p, rem = d->mant % p;
    if (rem < 0)
        rem = -rem;
    if (rem >= p / 2) /* p is 10^drop, drop >= 1: p / 2 is exactly the half */
        q += d->mant < 0 ? -1 : 1;
    d->mant = q;
    return true;
}

bool dec_add(const struct dec *a, const struct dec *b, bool sub, struct dec *r)
{
    struct dec x = *a, y = *b;
    int scale = x.scale > y.scale ? x.scale : y.scale;
    if (!dec_round(&x, scale) || !dec_round(&y, scale))
        return false;
    r->mant = sub ? x.mant - y.mant : x.mant + y.mant;
    r->scale = scale;
    return dec_digits(r->mant) <= DEC_MAX_DIGITS;
}

bool dec_mul(const struct dec *a, const struct dec *b, struct dec *r)
{
    i128 m;
    if (a->scale + b->scale > DEC_MAX_SCALE || __builtin_mul_overflow(a->mant, b->mant, &m) ||
        dec_digits(m) > DEC_MAX_DIGITS)
        return false;
    r->mant = m;
    r->scale = a->scale + b->scale;
    return true;
}

/*
 * PostgreSQL's NBASE (10000) view of |d|: the weight of its first base-10000 digit, that digit
 * and the next, and whether any non-zero digit follows the first (0s for zero).
 */
static void dec_nbase(const struct dec *d, int *weight, int *first, int *second, bool *more)
{
    i128 m = d->mant < 0 ? -d->mant : d->mant;
    *weight = *first = *second = 0;
    *more = false;
    if (m == 0)
        return;
    int p = dec_digits(m) - 1 - d->scale; /* power of ten of the leading digit */
    int w = p >= 0 ? p / 4 : -((-p + 3) / 4);
    /* Digits of m below the first group: from -3 up to DEC_MAX_DIGITS - 1. */
    int shift = 4 * w + d->scale;
    *weight = w;
    if (shift <= 0) {
        *first = (int)(m * pow10_i128(-shift));
        return;
    }
    i128 rest = m % pow10_i128(shift);
    *first = (int)(m / pow10_i128(shift));
    *more = rest != 0;
    *second = (int)(shift >= 4 ? rest / pow10_i128(shift - 4) : rest * pow10_i128(4 - shift));
}

int dec_div_scale(const struct dec *a, const struct dec *b)
{
    int w1, f1, w2, f2, s;
    bool more;
    dec_nbase(a, &w1, &f1, &s, &more);
    dec_nbase(b, &w2, &f2, &s, &more);
    int qweight = w1 - w2;
    if (f1 <= f2)
        qweight--;
    int rscale = 16 - qweight * 4;
    if (rscale < a->scale)
        rscale = a->scale;
    if (rscale < b->scale)
        rscale = b->scale;
    if (rscale < 0)
        rscale = 0;
    return rscale > DEC_MAX_SCALE ? DEC_MAX_SCALE : rscale;
}

/*
 * Long division over the digits of |a.mant| then zeros: the remainder stays below
 * |b.mant| < 10^36, so remainder * 10 fits 128 bits.
 */
void dec_div_text(const struct dec *a, const struct dec *b, int rscale, char *out, size_t cap)
{
    i128 am = a->mant < 0 ? -a->mant : a->mant, bm = b->mant < 0 ? -b->mant : b->mant;
    bool neg = (a->mant < 0) != (b->mant < 0);
    char adig[48], tmp[48], q[DEC_TEXT_CAP];
    int na = 0, nt = 0;
    i128 v = am;
    do {
        tmp[nt++] = (char)('0' + (int)(v % 10));
        v /= 10;
    } while (v);
    while (nt)
        adig[na++] = tmp[--nt];
    /* Fraction digits of |a.mant| / |b.mant| needed: rscale + b.scale - a.scale, plus one
     * for rounding. */
    int frac = rscale + b->scale - a->scale + 1;
    int nq = 0;
    i128 rem = 0;
    for (int i = 0; i < na + frac && nq + 2 < (int)sizeof q; i++) {
        int digit = i < na ? adig[i] - '0' : 0;
        rem = rem * 10 + digit;
        q[nq++] = (char)('0' + (int)(rem / bm));
        rem %= bm;
    }
    /* q holds trunc(|a|/|b| * 10^(rscale + 1)). */
    if (nq < 2) {
        snprintf(out, cap, "0");
        return;
    }
    bool up = q[nq - 1] >= '5';
    nq--;
    for (int i = nq - 1; up && i >= 0; i--) {
        if (q[i] == '9') {
            q[i] = '0';
        } else {
            q[i]++;
            up = false;
        }
    }
    /* Digits of round(value * 10^rscale), with a carry out front when up is still set. */
    char digits[DEC_TEXT_CAP + 8];
    int nd = 0;
    if (up)
        digits[nd++] = '1';
    memcpy(digits + nd, q, (size_t)nq);
    nd += nq;
    int start = 0;
    while (start < nd - rscale - 1 && digits[start] == '0')
        start++;
    size_t o = 0;
    bool zero = true;
    for (int i = start; i < nd; i++)
        if (digits[i] != '0')
            zero = false;
    if (neg && !zero)
        out[o++] = '-';
    int int_digits = nd - start - rscale;
    if (int_digits <= 0) {
        out[o++] = '0';
    } else {
        for (int i = 0; i < int_digits && o + 2 < cap; i++)
            out[o++] = digits[start + i];
    }
    if (rscale > 0 && o + 2 < cap) {
        out[o++] = '.';
        for (int i = 0; i < rscale && o + 1 < cap; i++) {
            int idx = nd - rscale + i;
            out[o++] = idx >= start ? digits[idx] : '0';
        }
    }
    out[o] = '\0';
}

/* ---- ^ ---- */

static __float128 dec_to_q(const struct dec *d)
{
    return (__float128)d->mant / powq(10, d->scale);
}

/* An integer value's int32, when it is an integer in that range. */
static bool dec_int32(const struct dec *d, int32_t *out)
{
    i128 m = d->mant;
    if (d->scale > 0) {
        if (d->scale > DEC_MAX_DIGITS) {
            if (m != 0)
                return false;
        } else {
            i128 p = pow10_i128(d->scale);
            if (m % p != 0)
                return false;
            m /= p;
        }
    }
    if (m < INT32_MIN || m > INT32_MAX)
        return false;
    *out = (int32_t)m;
    return true;
}

static bool dec_is_integer(const struct dec *d)
{
    if (d->scale == 0 || d->mant == 0)
        return true;
    return d->scale <= DEC_MAX_DIGITS && d->mant % pow10_i128(d->scale) == 0;
}

/* "0" or "1" with scale zeros after the point. */
static void text_const(int digit, int scale, char *out, size_t cap)
{
    struct dec d = {digit, 0};
    char *o = out;
    dec_text(&d, out, cap);
    o += strlen(o);
    if (scale > 0 && (size_t)(o - out) + (size_t)scale + 2 < cap) {
        *o++ = '.';
        memset(o, '0', (size_t)scale);
        o += scale;
    }
    *o = '\0';
}

/* r (finite) rounded half away from zero to rscale digits; false past POW_MAX_SIG_DIGITS. */
static enum dec_pow_result pow_result(__float128 r, int rscale, char *out, size_t cap)
{
    if (isinfq(r) || isnanq(r))
        return DEC_POW_TOO_PRECISE;
    __float128 scaled = roundq(r * powq(10, rscale));
    if (fabsq(scaled) >= 1e30Q)
        return DEC_POW_TOO_PRECISE;
    struct dec d = {(i128)scaled, rscale};
    return dec_text(&d, out, cap) ? DEC_POW_OK : DEC_POW_TOO_PRECISE;
}

/* power_var_int: base ^ n rounded to rscale, exactly when base ^ |n| fits 128 bits. */
static enum dec_pow_result pow_int(const struct dec *base, int32_t n, int rscale, char *out,
                                   size_t cap)
{
    if (n == 0) {
        text_const(1, rscale, out, cap);
        return DEC_POW_OK;
    }
    if (base->mant == 0) {
        text_const(0, rscale, out, cap);
        return DEC_POW_OK;
    }
    /* base ^ |n| by squaring, while it stays exact. */
    struct dec p = {1, 0}, sq = *base;
    bool exact = true;
    for (uint32_t k = n < 0 ? (uint32_t)0 - (uint32_t)n : (uint32_t)n; exact && k; k >>= 1) {
        if (k & 1)
            exact = dec_mul(&p, &sq, &p);
        if (exact && k > 1)
            exact = dec_mul(&sq, &sq, &sq);
    }
    if (exact && n > 0) {
        if (!dec_round(&p, rscale))
            return DEC_POW_TOO_PRECISE;
        return dec_text(&p, out, cap) ? DEC_POW_OK : DEC_POW_TOO_PRECISE;
    }
    if (exact) {
        struct dec one = {1, 0};
        dec_div_text(&one, &p, rscale, out, cap);
        return DEC_POW_OK;
    }
    return pow_result(powq(dec_to_q(base), n), rscale, out, cap);
}

/* estimate_ln_dweight: the decimal weight of ln(base), base > 0. */
static int estimate_ln_dweight(const struct dec *base)
{
    struct dec one = {1, 0}, x;
    if (dec_add(base, &one, true, &x) &&
        (x.mant == 0 ||
         (x.scale >= 1 && (x.scale > DEC_MAX_DIGITS + 1 ||
                           (x.mant < 0 ? -x.mant : x.mant) <= pow10_i128(x.scale - 1))))) {
        /* 0.9 <= base <= 1.1: ln(1 + x) ~= x. */
        return x.mant == 0 ? 0 : dec_digits(x.mant) - 1 - x.scale;
    }
    int weight, first, second;
    bool more;
    dec_nbase(base, &weight, &first, &second, &more);
    int digits = first, dweight = weight * 4;
    if (more) {
        digits = digits * 10000 + second;
        dweight -= 4;
    }
    double ln = log((double)digits) + dweight * 2.302585092994046;
    return (int)log10(fabs(ln));
}

/* v rounded half away from zero to scale decimal digits, as numeric's round_var does. */
static __float128 round_q(__float128 v, int scale)
{
    __float128 p = powq(10, scale);
    return roundq(v * p) / p;
}

enum dec_pow_result dec_pow_text(const struct dec *base, const struct dec *exp, char *out,
                                 size_t cap)
{
    int32_t n;
    if (base->mant == 0 && exp->mant < 0)
        return DEC_POW_ZERO_NEGATIVE;
    if (dec_int32(exp, &n)) {
        int rscale = base->scale > 16 ? base->scale : 16;
        return pow_int(base, n, rscale > DEC_MAX_SCALE ? DEC_MAX_SCALE : rscale, out, cap);
    }
    if (base->mant == 0) {
        text_const(0, 16, out, cap);
        return DEC_POW_OK;
    }
    if (base->mant < 0)
        return dec_is_integer(exp) ? DEC_POW_TOO_PRECISE : DEC_POW_COMPLEX;
    /* The result's decimal weight from exp * ln(base) to about 8 significant digits. */
    int ln_dweight = estimate_ln_dweight(base);
    int local_rscale = 8 - ln_dweight;
    if (local_rscale < 0)
        local_rscale = 0;
    if (local_rscale > DEC_MAX_SCALE)
        local_rscale = DEC_MAX_SCALE;
    __float128 b = dec_to_q(base), e = dec_to_q(exp);
    __float128 ln_num = round_q(round_q(logq(b), local_rscale) * e, local_rscale);
    double val = (double)ln_num;
    if (fabs(val) > 1000 * 3.01)
        return val > 0 ? DEC_POW_OVERFLOW : DEC_POW_TOO_PRECISE;
    val *= 0.434294481903252;
    int rscale = 16 - (int)val;
    if (rscale < base->scale)
        rscale = base->scale;
    if (rscale < exp->scale)
        rscale = exp->scale;
    if (rscale < 0)
        rscale = 0;
    if (rscale > DEC_MAX_SCALE)
        rscale = DEC_MAX_SCALE;
    return pow_result(powq(b, e), rscale, out, cap);
}
