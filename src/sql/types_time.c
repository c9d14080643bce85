/*
 * Dates, times and intervals for the SQLite backend: parsing PostgreSQL's input forms (ISO
 * dates and times, zone offsets, abbreviations and names, the postgres and ISO 8601 interval
 * forms) into microseconds since 2000-01-01, and printing them back as PostgreSQL 15 does
 * (DateStyle ISO, IntervalStyle postgres). Zones themselves are in types_tz.c.
 */
#include "sql/types.h"

#include "calendar.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <math.h>

#define USECS_PER_SEC INT64_C(1000000)
#define USECS_PER_DAY INT64_C(86400000000)
#define SECS_PER_DAY  86400
#define UNIX_PG_DAYS  10957 /* days from 1970-01-01 to 2000-01-01 */
#define TZ_NAME_MAX   64

static bool types_time_fail(const char **err, char *errbuf, size_t errcap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool types_time_fail(const char **err, char *errbuf, size_t errcap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (errbuf && errcap > 0)
        vsnprintf(errbuf, errcap, fmt, ap);
    va_end(ap);
    if (err)
        *err = errbuf;
    return false;
}

/* ---- parsing ---- */

struct dt_fields {
    int64_t year;
    int mon, day;
    int hour, min, sec;
    int64_t usec;
    bool has_date, has_time, has_tz, bc;
    int32_t tz_off; /* east of UTC, when has_tz */
    char tz_name[TZ_NAME_MAX];
};

static int read_digits(const char **pp, const char *end, int64_t *v, int maxd)
{
    const char *p = *pp;
    int n = 0;
    *v = 0;
    while (p < end && isdigit((unsigned char)*p) && n < maxd) {
        *v = *v * 10 + (*p++ - '0');
        n++;
    }
    *pp = p;
    return n;
}

static void skip_ws(const char **pp, const char *end)
{
    while (*pp < end && isspace((unsigned char)**pp))
        (*pp)++;
}

/* HH:MM[:SS[.frac]]; fractional seconds round to microseconds. */
static bool parse_hms(const char **pp, const char *end, struct dt_fields *f)
{
    int64_t v;
    const char *p = *pp;
    if (read_digits(&p, end, &v, 2) < 1 || p >= end || *p != ':')
        return false;
    f->hour = (int)v;
    p++;
    if (read_digits(&p, end, &v, 2) != 2)
        return false;
    f->min = (int)v;
    if (p < end && *p == ':') {
        p++;
        if (read_digits(&p, end, &v, 2) != 2)
            return false;
        f->sec = (int)v;
        if (p < end && *p == '.') {
            p++;
            int64_t us = 0;
            int n = 0;
            while (p < end && isdigit((unsigned char)*p)) {
                if (n < 6)
                    us = us * 10 + (*p - '0');
                else if (n == 6 && *p >= '5')
                    us++;
                n++;
                p++;
            }
            for (; n < 6; n++)
                us *= 10;
            f->usec = us;
        }
    }
    f->has_time = true;
    *pp = p;
    return true;
}

/* A subset of PostgreSQL's Default timezone abbreviation set (timezonesets/Default). */
static const struct {
    const char *abbrev;
    int32_t off_s;
} tz_abbrevs[] = {
    {"z", 0},         {"zulu", 0},     {"ut", 0},       {"utc", 0},      {"uct", 0},
    {"gmt", 0},       {"wet", 0},      {"west", 3600},  {"bst", 3600},   {"cet", 3600},
    {"cest", 7200},   {"wat", 3600},   {"eet", 7200},   {"eest", 10800}, {"cat", 7200},
    {"sast", 7200},   {"ist", 7200},   {"eat", 10800},  {"msk", 10800},  {"hkt", 28800},
    {"awst", 28800},  {"jst", 32400},  {"kst", 32400},  {"acst", 34200}, {"acdt", 37800},
    {"aest", 36000},  {"aedt", 39600}, {"nzst", 43200}, {"nzdt", 46800}, {"adt", -10800},
    {"ast", -14400},  {"edt", -14400}, {"est", -18000}, {"cdt", -18000}, {"cst", -21600},
    {"mdt", -21600},  {"mst", -25200}, {"pdt", -25200}, {"pst", -28800}, {"akdt", -28800},
    {"akst", -32400}, {"hst", -36000},
};

/* Z, +hh, +hhmm, +hh:mm[:ss], -..., an abbreviation (PST) or a zone name (Europe/Berlin). */
static bool parse_zone(const char **pp, const char *end, struct dt_fields *f)
{
    const char *p = *pp;
    if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1;
        p++;
        int64_t h, m = 0, s = 0;
        int n = read_digits(&p, end, &h, 4);
        if (n == 4) {
            m = h % 100;
            h /= 100;
        } else if (n == 3 || n == 0) {
            return false;
        } else if (p < end && *p == ':') {
            p++;
            if (read_digits(&p, end, &m, 2) != 2)
                return false;
            if (p < end && *p == ':') {
                p++;
                if (read_digits(&p, end, &s, 2) != 2)
                    return false;
            }
        }
        if (h > 15 || m > 59 || s > 59)
            return false;
        f->tz_off = (int32_t)(sign * (h * 3600 + m * 60 + s));
        f->has_tz = true;
        *pp = p;
        return true;
    }
    const char *q = p;
    while (q < end && (isalnum((unsigned char)*q) || (*q && strchr("/_+-", *q))))
        q++;
    size_t n = (size_t)(q - p);
    if (n == 0 || n >= sizeof f->tz_name)
        return false;
    /* Abbreviations come before zone names, as in PostgreSQL's datetime input. */
    for (size_t i = 0; i < sizeof tz_abbrevs / sizeof tz_abbrevs[0]; i++) {
        if (strlen(tz_abbrevs[i].abbrev) == n && strncasecmp(p, tz_abbrevs[i].abbrev, n) == 0) {
            f->tz_off = tz_abbrevs[i].off_s;
            f->has_tz = true;
            *pp = q;
            return true;
        }
    }
    memcpy(f->tz_name, p, n);
    f->tz_name[n] = '\0';
    if (!pgtz_valid(f->tz_name))
        return false;
    f->has_tz = true;
    *pp = q;
    return true;
}

/* Reads [YYYY-MM-DD][( |T)HH:MM[:SS[.f]]][ ][zone][ BC]; every part is optional per want. */
static bool parse_fields(const char *s, size_t len, struct dt_fields *f, bool want_date,
                         bool want_time)
{
    const char *p = s, *end = s + len;
    memset(f, 0, sizeof *f);
    skip_ws(&p, end);
    if (want_date) {
        int64_t v;
        int n = read_digits(&p, end, &v, 9);
        if (n < 1 || p >= end || *p != '-')
            return false;
        f->year = v;
        p++;
        if (read_digits(&p, end, &v, 2) < 1 || p >= end || *p != '-')
            return false;
        f->mon = (int)v;
        p++;
        if (read_digits(&p, end, &v, 2) < 1)
            return false;
        f->day = (int)v;
        f->has_date = true;
        if (p < end && (*p == 'T' || *p == 't') && p + 1 < end && isdigit((unsigned char)p[1]))
            p++;
        else
            skip_ws(&p, end);
    }
    if (want_time && p < end && isdigit((unsigned char)*p)) {
        if (!parse_hms(&p, end, f))
            return false;
    }
    skip_ws(&p, end);
    if (p < end && (f->has_time || !want_date) &&
        !(end - p >= 2 && strncasecmp(p, "BC", 2) == 0 &&
          (end - p == 2 || isspace((unsigned char)p[2])))) {
        if (!parse_zone(&p, end, f))
            return false;
        skip_ws(&p, end);
    }
    if (want_date && end - p >= 2 && strncasecmp(p, "BC", 2) == 0) {
        f->bc = true;
        p += 2;
    } else if (want_date && end - p >= 2 && strncasecmp(p, "AD", 2) == 0) {
        p += 2;
    }
    skip_ws(&p, end);
    return p == end;
}

static bool fields_check(const struct dt_fields *f)
{
    if (f->has_date) {
        if (f->year < 1 || f->mon < 1 || f->mon > 12 || f->day < 1 ||
            f->day > days_in_month(f->bc ? 1 - f->year : f->year, f->mon))
            return false;
    }
    if (f->hour > 24 || f->min > 59 || f->sec > 60)
        return false;
    if (f->hour == 24 && (f->min || f->sec || f->usec))
        return false;
    return true;
}

static int special_kind(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    static const char *const names[] = {"infinity", "+infinity", "-infinity", "now",
                                        "today",    "tomorrow",  "yesterday", "epoch"};
    for (int i = 0; i < 8; i++)
        if (strlen(names[i]) == len && strncasecmp(s, names[i], len) == 0)
            return i + 1;
    return 0;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return ((int64_t)ts.tv_sec - (int64_t)UNIX_PG_DAYS * SECS_PER_DAY) * USECS_PER_SEC +
           ts.tv_nsec / 1000;
}

/* Local midnight (as local microseconds) of today + delta days in zone tz. */
static int64_t today_local_us(const char *tz, int delta)
{
    int64_t now = now_us();
    int32_t off = 0;
    if (!pgtz_offset_at(tz, now, &off))
        off = 0;
    int64_t local = now + (int64_t)off * USECS_PER_SEC;
    return (floor_div(local, USECS_PER_DAY) + delta) * USECS_PER_DAY;
}

bool pgtime_parse_timestamp(const char *s, size_t len, bool with_tz, const char *tz, int64_t *us,
                            const char **err, char *errbuf, size_t errcap)
{
    const char *tname = with_tz ? "timestamp with time zone" : "timestamp without time zone";
    int sp = special_kind(s, len);
    if (sp) {
        int64_t local;
        switch (sp) {
        case 1:
        case 2:
            *us = PGTIME_NOEND;
            return true;
        case 3:
            *us = PGTIME_NOBEGIN;
            return true;
        case 4:
            *us = now_us();
            if (!with_tz) {
                int32_t off = 0;
                if (pgtz_offset_at(tz, *us, &off))
                    *us += (int64_t)off * USECS_PER_SEC;
            }
            return true;
        case 8:
            *us = -(int64_t)UNIX_PG_DAYS * USECS_PER_DAY;
            return true;
        default:
            local = today_local_us(tz, sp == 5 ? 0 : sp == 6 ? 1 : -1);
            if (with_tz && !pgtz_local_to_utc(tz, local, &local))
                break;
            *us = local;
            return true;
        }
    }
    struct dt_fields f;
    int n = (int)(len > 200 ? 200 : len);
    if (!parse_fields(s, len, &f, true, true) || !f.has_date)
        return types_time_fail(err, errbuf, errcap,
                               "[22007] invalid input syntax for type %s: \"%.*s\"", tname, n, s);
    if (!fields_check(&f) || f.year > 294276)
        return types_time_fail(err, errbuf, errcap,
                               "[22008] date/time field value out of range: \"%.*s\"", n, s);
    int64_t y = f.bc ? 1 - f.year : f.year;
    int64_t days = days_from_civil(y, f.mon, f.day) - UNIX_PG_DAYS;
    int64_t t = days * USECS_PER_DAY +
                ((int64_t)f.hour * 3600 + f.min * 60 + f.sec) * USECS_PER_SEC + f.usec;
    if (with_tz) {
        if (f.has_tz && !f.tz_name[0]) {
            t -= (int64_t)f.tz_off * USECS_PER_SEC;
        } else if (!pgtz_local_to_utc(f.has_tz ? f.tz_name : tz, t, &t)) {
            return types_time_fail(err, errbuf, errcap, "[22023] time zone \"%s\" not recognized",
                                   tz);
        }
    }
    *us = t;
    return true;
}

bool pgtime_parse_date(const char *s, size_t len, const char *tz, int32_t *days, const char **err,
                       char *errbuf, size_t errcap)
{
    int sp = special_kind(s, len);
    int n = (int)(len > 200 ? 200 : len);
    if (sp == 1 || sp == 2) {
        *days = INT32_MAX;
        return true;
    }
    if (sp == 3) {
        *days = INT32_MIN;
        return true;
    }
    if (sp == 8) {
        *days = -UNIX_PG_DAYS;
        return true;
    }
    if (sp) {
        int64_t local = today_local_us(tz, sp == 5 || sp == 4 ? 0 : sp == 6 ? 1 : -1);
        *days = (int32_t)floor_div(local, USECS_PER_DAY);
        return true;
    }
    struct dt_fields f;
    if (!parse_fields(s, len, &f, true, true) || !f.has_date)
        return types_time_fail(err, errbuf, errcap,
                               "[22007] invalid input syntax for type date: \"%.*s\"", n, s);
    if (!fields_check(&f) || f.year > 5874897)
        return types_time_fail(err, errbuf, errcap,
                               "[22008] date/time field value out of range: \"%.*s\"", n, s);
    *days = (int32_t)(days_from_civil(f.bc ? 1 - f.year : f.year, f.mon, f.day) - UNIX_PG_DAYS);
    return true;
}

bool pgtime_parse_time(const char *s, size_t len, int64_t *us, const char **err, char *errbuf,
                       size_t errcap)
{
    struct dt_fields f;
    int n = (int)(len > 200 ? 200 : len);
    const char *p = s, *end = s + len;
    skip_ws(&p, end);
    /* A time input may carry a date, which is ignored. */
    bool dated = end - p > 4 && isdigit((unsigned char)p[0]) && memchr(p, '-', (size_t)(end - p)) &&
                 (size_t)((const char *)memchr(p, '-', (size_t)(end - p)) - p) <= 9 &&
                 !memchr(p, ':', (size_t)((const char *)memchr(p, '-', (size_t)(end - p)) - p));
    if (!parse_fields(s, len, &f, dated, true) || !f.has_time)
        return types_time_fail(err, errbuf, errcap,
                               "[22007] invalid input syntax for type time: \"%.*s\"", n, s);
    if (!fields_check(&f))
        return types_time_fail(err, errbuf, errcap,
                               "[22008] date/time field value out of range: \"%.*s\"", n, s);
    *us = ((int64_t)f.hour * 3600 + f.min * 60 + f.sec) * USECS_PER_SEC + f.usec;
    return true;
}

/* ---- printing ---- */

static size_t put_frac(char *buf, size_t cap, size_t n, int64_t usec)
{
    if (usec == 0 || n >= cap)
        return n;
    char frac[8];
    snprintf(frac, sizeof frac, "%06d", (int)usec);
    int fl = 6;
    while (fl > 0 && frac[fl - 1] == '0')
        fl--;
    int w = snprintf(buf + n, cap - n, ".%.*s", fl, frac);
    return w > 0 ? n + (size_t)w : n;
}

static size_t put_date(char *buf, size_t cap, int64_t days, bool *bc)
{
    int64_t y;
    int m, d;
    civil_from_days(days + UNIX_PG_DAYS, &y, &m, &d);
    *bc = y <= 0;
    if (*bc)
        y = 1 - y;
    int w = snprintf(buf, cap, "%04lld-%02d-%02d", (long long)y, m, d);
    return w > 0 ? (size_t)w : 0;
}

size_t pgtime_format_date(int32_t days, char *buf, size_t cap)
{
    if (days == INT32_MAX)
        return (size_t)snprintf(buf, cap, "infinity");
    if (days == INT32_MIN)
        return (size_t)snprintf(buf, cap, "-infinity");
    bool bc;
    size_t n = put_date(buf, cap, days, &bc);
    if (bc)
        n += (size_t)snprintf(buf + n, cap - n, " BC");
    return n;
}

size_t pgtime_format_time(int64_t us, char *buf, size_t cap)
{
    int64_t s = us / USECS_PER_SEC;
    int w =
        snprintf(buf, cap, "%02d:%02d:%02d", (int)(s / 3600), (int)(s / 60 % 60), (int)(s % 60));
    return put_frac(buf, cap, w > 0 ? (size_t)w : 0, us % USECS_PER_SEC);
}

/* Prints us (local wall clock) and, when with_off, the offset as PostgreSQL does ("+01",
 * "+05:30", "-03:00:07" for seconds). */
static size_t format_ts(int64_t us, bool with_off, int32_t off, char *buf, size_t cap)
{
    if (us == PGTIME_NOEND)
        return (size_t)snprintf(buf, cap, "infinity");
    if (us == PGTIME_NOBEGIN)
        return (size_t)snprintf(buf, cap, "-infinity");
    int64_t days = floor_div(us, USECS_PER_DAY);
    int64_t tod = us - days * USECS_PER_DAY;
    bool bc;
    size_t n = put_date(buf, cap, days, &bc);
    if (n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " ");
    if (n < cap)
        n += pgtime_format_time(tod, buf + n, cap - n);
    if (with_off && n < cap) {
        int32_t a = off < 0 ? -off : off;
        char sign = off < 0 ? '-' : '+';
        if (a % 60)
            n += (size_t)snprintf(buf + n, cap - n, "%c%02d:%02d:%02d", sign, a / 3600, a / 60 % 60,
                                  a % 60);
        else if (a % 3600)
            n += (size_t)snprintf(buf + n, cap - n, "%c%02d:%02d", sign, a / 3600, a / 60 % 60);
        else
            n += (size_t)snprintf(buf + n, cap - n, "%c%02d", sign, a / 3600);
    }
    if (bc && n < cap)
        n += (size_t)snprintf(buf + n, cap - n, " BC");
    return n < cap ? n : cap - 1;
}

size_t pgtime_format_timestamp(int64_t us, char *buf, size_t cap)
{
    return format_ts(us, false, 0, buf, cap);
}

size_t pgtime_format_timestamptz(int64_t utc_us, const char *tz, char *buf, size_t cap)
{
    int32_t off = 0;
    if (utc_us != PGTIME_NOEND && utc_us != PGTIME_NOBEGIN && !pgtz_offset_at(tz, utc_us, &off))
        off = 0;
    return format_ts(utc_us == PGTIME_NOEND || utc_us == PGTIME_NOBEGIN
                         ? utc_us
                         : utc_us + (int64_t)off * USECS_PER_SEC,
                     true, off, buf, cap);
}

/* ---- intervals ---- */

static const struct {
    const char *name;
    int kind; /* 0 months, 1 days, 2 microseconds */
    int64_t mult;
} interval_units[] = {
    {"millennium", 0, 12000},
    {"millennia", 0, 12000},
    {"centuries", 0, 1200},
    {"century", 0, 1200},
    {"decades", 0, 120},
    {"decade", 0, 120},
    {"years", 0, 12},
    {"year", 0, 12},
    {"yrs", 0, 12},
    {"yr", 0, 12},
    {"y", 0, 12},
    {"months", 0, 1},
    {"month", 0, 1},
    {"mons", 0, 1},
    {"mon", 0, 1},
    {"weeks", 1, 7},
    {"week", 1, 7},
    {"w", 1, 7},
    {"days", 1, 1},
    {"day", 1, 1},
    {"d", 1, 1},
    {"hours", 2, 3600000000},
    {"hour", 2, 3600000000},
    {"hrs", 2, 3600000000},
    {"hr", 2, 3600000000},
    {"h", 2, 3600000000},
    {"minutes", 2, 60000000},
    {"minute", 2, 60000000},
    {"mins", 2, 60000000},
    {"min", 2, 60000000},
    {"m", 2, 60000000},
    {"seconds", 2, 1000000},
    {"second", 2, 1000000},
    {"secs", 2, 1000000},
    {"sec", 2, 1000000},
    {"s", 2, 1000000},
    {"milliseconds", 2, 1000},
    {"millisecond", 2, 1000},
    {"msecs", 2, 1000},
    {"msec", 2, 1000},
    {"ms", 2, 1000},
    {"microseconds", 2, 1},
    {"microsecond", 2, 1},
    {"usecs", 2, 1},
    {"usec", 2, 1},
    {"us", 2, 1},
};

/* ISO 8601 "format with designators" after the P: P1Y2M3DT4H5M6.5S, P1W, PT-90M. */
static bool parse_iso_interval(const char *p, const char *end, struct pg_interval *iv)
{
    double months = 0, days = 0, us = 0;
    bool in_time = false, any = false;
    while (p < end && !isspace((unsigned char)*p)) {
        if (*p == 'T' || *p == 't') {
            if (in_time)
                return false;
            in_time = true;
            p++;
            continue;
        }
        char num[64];
        size_t k = 0;
        while (p < end && k < sizeof num - 1 &&
               (isdigit((unsigned char)*p) || *p == '.' || *p == '-' || *p == '+'))
            num[k++] = *p++;
        num[k] = '\0';
        char *ne;
        double v = strtod(num, &ne);
        if (k == 0 || *ne || p >= end || fabs(v) > 1e12)
            return false;
        switch (toupper((unsigned char)*p++)) {
        case 'Y':
            if (in_time)
                return false;
            months += v * 12;
            break;
        case 'M':
            if (in_time)
                us += v * 60e6;
            else
                months += v;
            break;
        case 'W':
            if (in_time)
                return false;
            days += v * 7;
            break;
        case 'D':
            if (in_time)
                return false;
            days += v;
            break;
        case 'H':
            if (!in_time)
                return false;
            us += v * 3600e6;
            break;
        case 'S':
            if (!in_time)
                return false;
            us += v * 1e6;
            break;
        default:
            return false;
        }
        any = true;
    }
    skip_ws(&p, end);
    if (!any || p != end)
        return false;
    /* Fractions spill down as PostgreSQL does: a month is 30 days, a day 24 hours. */
    double mw = months < 0 ? ceil(months) : floor(months);
    days += (months - mw) * 30;
    double dw = days < 0 ? ceil(days) : floor(days);
    us += (days - dw) * (double)USECS_PER_DAY;
    if (fabs(mw) > INT32_MAX || fabs(dw) > INT32_MAX || fabs(us) > 9.2e18)
        return false;
    iv->months = (int32_t)mw;
    iv->days = (int32_t)dw;
    iv->usecs = (int64_t)(us < 0 ? us - 0.5 : us + 0.5);
    return true;
}

/* The postgres IntervalStyle forms: "1 year 2 mons -3 days 04:05:06.5", "@ 1 day ago" and
 * fractional units ("1.5 days" spills into hours as PostgreSQL does). */
bool pgtime_parse_interval(const char *s, size_t len, struct pg_interval *iv, const char **err,
                           char *errbuf, size_t errcap)
{
    const char *p = s, *end = s + len;
    int n = (int)(len > 200 ? 200 : len);
    int64_t months = 0, days = 0;
    double us = 0;
    bool any = false;
    memset(iv, 0, sizeof *iv);
    skip_ws(&p, end);
    if (p < end && (*p == 'P' || *p == 'p'))
        return parse_iso_interval(p + 1, end, iv) ||
               types_time_fail(err, errbuf, errcap,
                               "[22007] invalid input syntax for type interval: \"%.*s\"", n, s);
    if (p < end && *p == '@')
        p++;
    while (1) {
        skip_ws(&p, end);
        if (p >= end)
            break;
        if (end - p >= 3 && strncasecmp(p, "ago", 3) == 0 &&
            (end - p == 3 || isspace((unsigned char)p[3]))) {
            p += 3;
            skip_ws(&p, end);
            if (p != end || !any)
                goto bad;
            months = -months;
            days = -days;
            us = -us;
            break;
        }
        const char *q = p;
        int sign = 1;
        if (*q == '+' || *q == '-')
            sign = *q++ == '-' ? -1 : 1;
        /* hh:mm[:ss[.f]] */
        const char *colon = q;
        while (colon < end && isdigit((unsigned char)*colon))
            colon++;
        if (colon < end && *colon == ':' && colon > q) {
            int64_t h, m = 0, sec = 0, frac = 0;
            read_digits(&q, end, &h, 9);
            q++;
            if (read_digits(&q, end, &m, 2) != 2 || m > 59)
                goto bad;
            if (q < end && *q == ':') {
                q++;
                if (read_digits(&q, end, &sec, 2) != 2 || sec > 59)
                    goto bad;
                if (q < end && *q == '.') {
                    int nd = 0;
                    for (q++; q < end && isdigit((unsigned char)*q); q++, nd++)
                        if (nd < 6)
                            frac = frac * 10 + (*q - '0');
                    for (; nd < 6; nd++)
                        frac *= 10;
                }
            }
            us += sign * ((double)(h * 3600 + m * 60 + sec) * 1e6 + (double)frac);
            p = q;
            any = true;
            continue;
        }
        char *num_end;
        const char *digit = p + (*p == '+' || *p == '-');
        if (digit >= end || !(isdigit((unsigned char)*digit) || *digit == '.'))
            goto bad; /* strtod would also take "inf", "nan" and hex */
        double v = strtod(p, &num_end);
        if (num_end == p || num_end > end || !isfinite(v) || fabs(v) > 1e12)
            goto bad;
        p = num_end;
        skip_ws(&p, end);
        const char *u = p;
        while (p < end && isalpha((unsigned char)*p))
            p++;
        size_t ul = (size_t)(p - u);
        size_t k;
        for (k = 0; k < sizeof interval_units / sizeof interval_units[0]; k++)
            if (strlen(interval_units[k].name) == ul &&
                strncasecmp(u, interval_units[k].name, ul) == 0)
                break;
        if (ul == 0) {
            us += v * 1e6; /* a bare number is seconds */
            any = true;
            continue;
        }
        if (k == sizeof interval_units / sizeof interval_units[0])
            goto bad;
        double whole = v < 0 ? ceil(v) : floor(v);
        double frac = v - whole;
        if (interval_units[k].kind == 0) {
            double mo = v * (double)interval_units[k].mult;
            double mw = mo < 0 ? ceil(mo) : floor(mo);
            months += (int64_t)mw;
            double dd = (mo - mw) * 30;
            double dw = dd < 0 ? ceil(dd) : floor(dd);
            days += (int64_t)dw;
            us += (dd - dw) * (double)USECS_PER_DAY;
        } else if (interval_units[k].kind == 1) {
            days += (int64_t)whole * interval_units[k].mult;
            double dd = frac * (double)interval_units[k].mult;
            double dw = dd < 0 ? ceil(dd) : floor(dd);
            days += (int64_t)dw;
            us += (dd - dw) * (double)USECS_PER_DAY;
        } else {
            us += v * (double)interval_units[k].mult;
        }
        any = true;
    }
    if (!any || fabs(us) > 9.2e18 || months > INT32_MAX || months < INT32_MIN || days > INT32_MAX ||
        days < INT32_MIN)
        goto bad;
    iv->months = (int32_t)months;
    iv->days = (int32_t)days;
    iv->usecs = (int64_t)(us < 0 ? us - 0.5 : us + 0.5);
    return true;
bad:
    return types_time_fail(err, errbuf, errcap,
                           "[22007] invalid input syntax for type interval: \"%.*s\"", n, s);
}

size_t pgtime_format_interval(const struct pg_interval *iv, char *buf, size_t cap)
{
    size_t n = 0;
    int32_t years = iv->months / 12, mons = iv->months % 12;
    bool neg_seen = false;
#define IV_PUT(...)                                                                                \
    do {                                                                                           \
        if (n < cap) {                                                                             \
            int w_ = snprintf(buf + n, cap - n, __VA_ARGS__);                                      \
            n += w_ > 0 ? (size_t)w_ : 0;                                                          \
        }                                                                                          \
    } while (0)
    /* PostgreSQL prints a + on a field that follows a negative one. */
    if (years) {
        IV_PUT("%s%d year%s", "", years, years == 1 ? "" : "s");
        neg_seen = years < 0;
    }
    if (mons) {
        IV_PUT("%s%s%d mon%s", n ? " " : "", neg_seen && mons > 0 ? "+" : "", mons,
               mons == 1 ? "" : "s");
        neg_seen = mons < 0;
    }
    if (iv->days) {
        IV_PUT("%s%s%d day%s", n ? " " : "", neg_seen && iv->days > 0 ? "+" : "", iv->days,
               iv->days == 1 ? "" : "s");
        neg_seen = iv->days < 0;
    }
    if (iv->usecs || n == 0) {
        uint64_t a = iv->usecs < 0 ? (uint64_t)0 - (uint64_t)iv->usecs : (uint64_t)iv->usecs;
        uint64_t secs = a / 1000000;
        IV_PUT("%s%s%02llu:%02llu:%02llu", n ? " " : "",
               iv->usecs < 0 ? "-" : (neg_seen ? "+" : ""), (unsigned long long)(secs / 3600),
               (unsigned long long)(secs / 60 % 60), (unsigned long long)(secs % 60));
        n = put_frac(buf, cap, n, (int64_t)(a % 1000000));
    }
#undef IV_PUT
    return n < cap ? n : cap - 1;
}

/* IntervalStyle iso_8601 (PostgreSQL's EncodeInterval, INTSTYLE_ISO_8601): P1Y2M3DT4H5M6.5S;
 * each field keeps its own sign, zero fields are left out, PT0S for a zero interval. */
size_t pgtime_format_interval_iso(const struct pg_interval *iv, char *buf, size_t cap)
{
    size_t n = 0;
    int64_t hour = iv->usecs / 3600000000LL, rest = iv->usecs % 3600000000LL;
    int64_t min = rest / 60000000, usec = rest % 60000000;
    int32_t years = iv->months / 12, mons = iv->months % 12;
#define ISO_PUT(...)                                                                               \
    do {                                                                                           \
        if (n < cap) {                                                                             \
            int w_ = snprintf(buf + n, cap - n, __VA_ARGS__);                                      \
            n += w_ > 0 ? (size_t)w_ : 0;                                                          \
        }                                                                                          \
    } while (0)
    if (!iv->months && !iv->days && !iv->usecs) {
        ISO_PUT("PT0S");
        return n < cap ? n : cap - 1;
    }
    ISO_PUT("P");
    if (years)
        ISO_PUT("%dY", years);
    if (mons)
        ISO_PUT("%dM", mons);
    if (iv->days)
        ISO_PUT("%dD", iv->days);
    if (iv->usecs)
        ISO_PUT("T");
    if (hour)
        ISO_PUT("%lldH", (long long)hour);
    if (min)
        ISO_PUT("%lldM", (long long)min);
    if (usec) {
        uint64_t a = usec < 0 ? (uint64_t)0 - (uint64_t)usec : (uint64_t)usec;
        ISO_PUT("%s%llu", usec < 0 ? "-" : "", (unsigned long long)(a / 1000000));
        n = put_frac(buf, cap, n, (int64_t)(a % 1000000));
        ISO_PUT("S");
    }
#undef ISO_PUT
    return n < cap ? n : cap - 1;
}
