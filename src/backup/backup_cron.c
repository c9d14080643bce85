/*
 * The backup schedule: cron expressions parsed into bit sets (cron_parse) and the next time
 * one matches (cron_next). No timers here: the caller arms its own with the time returned.
 *
 * Day of month and day of week combine as Vixie cron does: when either field starts with
 * '*' (mday_any / wday_any, also for "*" with a step) a day must match both; when both are
 * restricted, a day matching either one fires ("0 0 13 * 5": every 13th and every Friday).
 *
 * cron_next works in local time. It walks calendar days (civil arithmetic, no time zone
 * calls), and on a day that matches, the hours and minutes of the sets in order; only a
 * candidate's wall time goes through mktime(). A wall time the clock skips (spring forward)
 * does not exist and is skipped; one the clock shows twice (fall back) stands for its first
 * instant only, so it fires once.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "backup/backup.h"
#include "util/util.h"

#define CRON_BLANKS      " \t\r\n"
#define CRON_SEARCH_DAYS (5 * 365 + 2) /* five years, leap days included */

/* ---------------------------------------------------------------------------------------- */
/* Parsing                                                                                  */

struct cron_field {
    const char *name;
    int min, max;
    const char *const *names; /* three-letter names for min.. (NULL: numbers only) */
};

static const char *const month_names[] = {"jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec", NULL};
static const char *const wday_names[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat", NULL};

/* Day of week accepts 7 for Sunday: parsed over 0..7, bit 7 folded into bit 0. */
static const struct cron_field cron_fields[5] = {
    {"minute", 0, 59, NULL},           {"hour", 0, 23, NULL},
    {"day of month", 1, 31, NULL},     {"month", 1, 12, month_names},
    {"day of week", 0, 7, wday_names},
};

/* One value: a number or (month, day of week) a name, in tok[0..len). */
static bool cron_value(const struct cron_field *f, const char *tok, size_t len, const char *part,
                       size_t plen, int *v, char *err, size_t errlen)
{
    if (len == 0) {
        err_set(err, errlen, "%s: missing value in \"%.*s\"", f->name, (int)plen, part);
        return false;
    }
    if (isdigit((unsigned char)tok[0])) {
        long n = 0;
        for (size_t i = 0; i < len; i++) {
            if (!isdigit((unsigned char)tok[i])) {
                err_set(err, errlen, "%s: \"%.*s\" is not a number", f->name, (int)len, tok);
                return false;
            }
            if (n < 1000)
                n = n * 10 + (tok[i] - '0');
        }
        if (n < f->min || n > f->max) {
            err_set(err, errlen, "%s: %.*s is out of range %d-%d", f->name, (int)len, tok, f->min,
                    f->max);
            return false;
        }
        *v = (int)n;
        return true;
    }
    if (f->names != NULL && len == 3) {
        for (int i = 0; f->names[i] != NULL; i++) {
            if (strncasecmp(tok, f->names[i], 3) == 0) {
                *v = f->min + i;
                return true;
            }
        }
    }
    err_set(err, errlen, "%s: \"%.*s\" is not a %s", f->name, (int)len, tok,
            f->names != NULL ? "number or name" : "number");
    return false;
}

/* One field's text tok[0..len) into the bit set *bits; *star when it starts with '*'. */
static bool cron_field_parse(const struct cron_field *f, const char *tok, size_t len,
                             uint64_t *bits, bool *star, char *err, size_t errlen)
{
    *bits = 0;
    *star = len > 0 && tok[0] == '*';
    size_t start = 0;
    for (;;) {
        size_t end = start;
        while (end < len && tok[end] != ',')
            end++;
        const char *part = tok + start;
        size_t plen = end - start;
        if (plen == 0) {
            err_set(err, errlen, "%s: empty list element in \"%.*s\"", f->name, (int)len, tok);
            return false;
        }
        /* base[/step] with base "*", "a" or "a-b" */
        size_t slash = 0;
        while (slash < plen && part[slash] != '/')
            slash++;
        int lo, hi, step = 1;
        bool has_step = slash < plen;
        if (has_step) {
            const char *s = part + slash + 1;
            size_t slen = plen - slash - 1;
            if (slen == 0) {
                err_set(err, errlen, "%s: missing step in \"%.*s\"", f->name, (int)plen, part);
                return false;
            }
            long n = 0;
            for (size_t i = 0; i < slen; i++) {
                if (!isdigit((unsigned char)s[i])) {
                    err_set(err, errlen, "%s: step \"%.*s\" is not a number", f->name, (int)slen,
                            s);
                    return false;
                }
                if (n < 1000)
                    n = n * 10 + (s[i] - '0');
            }
            if (n < 1 || n > f->max) {
                err_set(err, errlen, "%s: step %.*s is out of range 1-%d", f->name, (int)slen, s,
                        f->max);
                return false;
            }
            step = (int)n;
        }
        size_t blen = slash;
        if (blen == 1 && part[0] == '*') {
            lo = f->min;
            hi = f->max;
            if (f->max == 7) /* day of week: "*" is 0-6, 7 would repeat Sunday */
                hi = 6;
        } else {
            size_t dash = 0;
            while (dash < blen && part[dash] != '-')
                dash++;
            if (!cron_value(f, part, dash, part, plen, &lo, err, errlen))
                return false;
            if (dash < blen) {
                if (!cron_value(f, part + dash + 1, blen - dash - 1, part, plen, &hi, err, errlen))
                    return false;
                if (lo > hi) {
                    err_set(err, errlen, "%s: range \"%.*s\" is reversed", f->name, (int)blen,
                            part);
                    return false;
                }
            } else {
                /* "a/step" runs from a to the end, as in Vixie cron. */
                hi = has_step ? f->max : lo;
            }
        }
        for (int v = lo; v <= hi; v += step)
            *bits |= (uint64_t)1 << v;
        if (end == len)
            break;
        start = end + 1;
    }
    return true;
}

static const struct {
    const char *name;
    const char *expr;
} cron_macros[] = {
    {"@hourly", "0 * * * *"},   {"@daily", "0 0 * * *"},   {"@midnight", "0 0 * * *"},
    {"@weekly", "0 0 * * 0"},   {"@monthly", "0 0 1 * *"}, {"@yearly", "0 0 1 1 *"},
    {"@annually", "0 0 1 1 *"},
};

bool cron_parse(const char *text, struct cron_spec *out, char *err, size_t errlen)
{
    const char *p = text;
    const char *tok[6];
    size_t toklen[6];
    int n = 0;

    memset(out, 0, sizeof(*out));
    while (*p != '\0' && strchr(CRON_BLANKS, *p) != NULL)
        p++;
    if (*p == '@') {
        size_t len = strcspn(p, CRON_BLANKS);
        const char *rest = p + len;
        while (*rest != '\0' && strchr(CRON_BLANKS, *rest) != NULL)
            rest++;
        for (size_t i = 0; i < ARRAY_SIZE(cron_macros); i++) {
            if (strlen(cron_macros[i].name) == len &&
                strncasecmp(p, cron_macros[i].name, len) == 0) {
                if (*rest != '\0') {
                    err_set(err, errlen, "unexpected \"%s\" after %s", rest, cron_macros[i].name);
                    return false;
                }
                return cron_parse(cron_macros[i].expr, out, err, errlen);
            }
        }
        err_set(err, errlen,
                "unknown \"%.*s\" (expected @hourly, @daily, @midnight, @weekly, @monthly, "
                "@yearly or @annually)",
                (int)len, p);
        return false;
    }
    while (*p != '\0') {
        size_t len = strcspn(p, CRON_BLANKS);
        if (n < 6) {
            tok[n] = p;
            toklen[n] = len;
        }
        n++;
        p += len;
        while (*p != '\0' && strchr(CRON_BLANKS, *p) != NULL)
            p++;
    }
    if (n != 5) {
        err_set(err, errlen, "5 fields expected, got %d", n);
        return false;
    }
    uint64_t bits[5];
    bool star[5];
    for (int i = 0; i < 5; i++)
        if (!cron_field_parse(&cron_fields[i], tok[i], toklen[i], &bits[i], &star[i], err, errlen))
            return false;
    out->minutes = bits[0];
    out->hours = (uint32_t)bits[1];
    out->mdays = (uint32_t)bits[2];
    out->months = (uint16_t)bits[3];
    out->wdays = (uint8_t)((bits[4] | (bits[4] >> 7)) & 0x7f);
    out->mday_any = star[2];
    out->wday_any = star[4];
    return true;
}

/* ---------------------------------------------------------------------------------------- */
/* The next time                                                                            */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static bool cron_day_matches(const struct cron_spec *s, int64_t days, int m, int d)
{
    if (!(s->months & (1u << m)))
        return false;
    int wd = (int)(((days % 7) + 11) % 7); /* 1970-01-01 was a Thursday */
    bool md_ok = (s->mdays >> d) & 1u;
    bool wd_ok = (s->wdays >> wd) & 1u;
    if (s->mday_any || s->wday_any)
        return md_ok && wd_ok;
    return md_ok || wd_ok;
}

/* Whether instant t shows the wall time y-m-d h:min. */
static bool shows(time_t t, int64_t y, int m, int d, int h, int min)
{
    struct tm tm;
    return localtime_r(&t, &tm) != NULL && tm.tm_year + 1900LL == y && tm.tm_mon + 1 == m &&
           tm.tm_mday == d && tm.tm_hour == h && tm.tm_min == min;
}

/* The first instant (second 0) that shows the local wall time y-m-d h:min; false when the
 * clock skips it. */
static bool wall_instant(int64_t y, int m, int d, int h, int min, time_t *out)
{
    static const int isdst[] = {-1, 0, 1};
    bool found = false;
    time_t best = 0;

    if (y - 1900 < INT_MIN || y - 1900 > INT_MAX)
        return false;
    for (size_t i = 0; i < ARRAY_SIZE(isdst); i++) {
        struct tm tm = {0};
        tm.tm_year = (int)(y - 1900);
        tm.tm_mon = m - 1;
        tm.tm_mday = d;
        tm.tm_hour = h;
        tm.tm_min = min;
        tm.tm_isdst = isdst[i];
        time_t t = mktime(&tm);
        if (t == (time_t)-1 && !shows(t, y, m, d, h, min))
            continue;
        /* An hour or half an hour earlier may show the same wall time (fall back). */
        for (int back = 3600; back >= 1800; back -= 1800)
            if (t > back && shows(t - back, y, m, d, h, min))
                t -= back;
        if (shows(t, y, m, d, h, min) && (!found || t < best)) {
            best = t;
            found = true;
        }
    }
    *out = best;
    return found;
}

time_t cron_next(const struct cron_spec *spec, time_t after)
{
    struct tm now;
    if (localtime_r(&after, &now) == NULL)
        return 0;
    int64_t day = days_from_civil(now.tm_year + 1900LL, now.tm_mon + 1, now.tm_mday);
    /* The first wall minute after after's. */
    int h0 = now.tm_hour, m0 = now.tm_min + 1;
    if (m0 == 60) {
        m0 = 0;
        h0++;
    }
    for (int i = 0; i <= CRON_SEARCH_DAYS; i++, day++, h0 = 0, m0 = 0) {
        if (h0 == 24)
            continue;
        int64_t y;
        int mo, d;
        civil_from_days(day, &y, &mo, &d);
        if (!cron_day_matches(spec, day, mo, d))
            continue;
        for (int h = h0; h < 24; h++) {
            if (!((spec->hours >> h) & 1u))
                continue;
            for (int mi = h == h0 ? m0 : 0; mi < 60; mi++) {
                if (!((spec->minutes >> mi) & 1u))
                    continue;
                time_t t;
                if (wall_instant(y, mo, d, h, mi, &t) && t > after)
                    return t;
            }
        }
    }
    return 0;
}
