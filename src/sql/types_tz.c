/*
 * Time zones from the system tz database for the session TimeZone and zone names in date/time
 * input: TZif v2+ files (64-bit data and the POSIX TZ footer that covers times after the last
 * transition), POSIX TZ strings ("UTC+2", "EST5EDT") and plain hour offsets ("+02"). Loaded
 * zones are cached for the life of the process behind one mutex; an entry never changes after
 * it is published, so callers read it without the lock. Dates and times are in types_time.c.
 */
#include "sql/types.h"

#include "calendar.h"

#include <ctype.h>
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define USECS_PER_SEC INT64_C(1000000)
#define SECS_PER_DAY  86400
#define UNIX_PG_DAYS  10957 /* days from 1970-01-01 to 2000-01-01 */
#define TZ_DIR        "/usr/share/zoneinfo"
#define TZ_CACHE_MAX  256
#define TZ_NAME_MAX   64

/* ---- POSIX TZ strings (the TZif footer, and TimeZone values like "UTC+2") ---- */

struct tz_rule_date {
    char kind; /* 'J' Julian 1..365 without Feb 29, 'D' zero-based day, 'M' month.week.day */
    int a, b, c;
    int32_t time_s; /* local time of the change, seconds (may be negative or past 24h) */
};

struct tz_posix {
    int32_t std_off; /* seconds east of UTC */
    int32_t dst_off;
    bool has_dst;
    struct tz_rule_date start, end;
};

static const char *posix_name(const char *p)
{
    if (*p == '<') {
        const char *q = strchr(p, '>');
        return q && q - p > 1 ? q + 1 : NULL;
    }
    const char *q = p;
    while (isalpha((unsigned char)*q))
        q++;
    return q - p >= 3 ? q : NULL;
}

/* [+-]hh[:mm[:ss]] into seconds; hours up to 167 as POSIX extensions allow. */
static const char *posix_hms(const char *p, int32_t *secs)
{
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    if (!isdigit((unsigned char)*p))
        return NULL;
    int h = 0, m = 0, s = 0;
    while (isdigit((unsigned char)*p) && h < 1000)
        h = h * 10 + (*p++ - '0');
    if (h > 167)
        return NULL;
    if (*p == ':') {
        p++;
        if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
            return NULL;
        m = (p[0] - '0') * 10 + (p[1] - '0');
        p += 2;
        if (*p == ':') {
            p++;
            if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
                return NULL;
            s = (p[0] - '0') * 10 + (p[1] - '0');
            p += 2;
        }
    }
    if (m > 59 || s > 59)
        return NULL;
    *secs = sign * (h * 3600 + m * 60 + s);
    return p;
}

static const char *posix_rule_date(const char *p, struct tz_rule_date *rd)
{
    char *end;
    rd->time_s = 7200;
    if (*p == 'M') {
        rd->kind = 'M';
        rd->a = (int)strtol(p + 1, &end, 10);
        if (*end != '.')
            return NULL;
        rd->b = (int)strtol(end + 1, &end, 10);
        if (*end != '.')
            return NULL;
        rd->c = (int)strtol(end + 1, &end, 10);
        if (rd->a < 1 || rd->a > 12 || rd->b < 1 || rd->b > 5 || rd->c < 0 || rd->c > 6)
            return NULL;
    } else if (*p == 'J' || isdigit((unsigned char)*p)) {
        rd->kind = *p == 'J' ? 'J' : 'D';
        if (*p == 'J')
            p++;
        if (!isdigit((unsigned char)*p))
            return NULL;
        rd->a = (int)strtol(p, &end, 10);
        if (rd->a > 365)
            return NULL;
    } else {
        return NULL;
    }
    p = end;
    if (*p == '/') {
        p = posix_hms(p + 1, &rd->time_s);
        if (!p)
            return NULL;
    }
    return p;
}

/* Parses a POSIX TZ string; its offsets are west-positive, ours east-positive. */
static bool posix_parse(const char *p, struct tz_posix *tp)
{
    memset(tp, 0, sizeof *tp);
    p = posix_name(p);
    if (!p)
        return false;
    int32_t off;
    p = posix_hms(p, &off);
    if (!p)
        return false;
    tp->std_off = -off;
    if (*p == '\0')
        return true;
    p = posix_name(p);
    if (!p)
        return false;
    tp->has_dst = true;
    tp->dst_off = tp->std_off + 3600;
    if (*p && *p != ',') {
        p = posix_hms(p, &off);
        if (!p)
            return false;
        tp->dst_off = -off;
    }
    if (*p == '\0') {
        /* No rule: the US rule POSIX implementations default to. */
        tp->start = (struct tz_rule_date){'M', 3, 2, 0, 7200};
        tp->end = (struct tz_rule_date){'M', 11, 1, 0, 7200};
        return true;
    }
    if (*p != ',' || !(p = posix_rule_date(p + 1, &tp->start)) || *p != ',' ||
        !(p = posix_rule_date(p + 1, &tp->end)))
        return false;
    return *p == '\0';
}

/* Unix seconds (local wall clock as if UTC) of a rule's date in year y. */
static int64_t rule_local_secs(const struct tz_rule_date *rd, int64_t y)
{
    int64_t day;
    if (rd->kind == 'J') {
        day = days_from_civil(y, 1, 1) + rd->a - 1;
        if (is_leap(y) && rd->a >= 60)
            day++;
    } else if (rd->kind == 'D') {
        day = days_from_civil(y, 1, 1) + rd->a;
    } else {
        int64_t first = days_from_civil(y, rd->a, 1);
        int wday = (int)((first % 7 + 11) % 7); /* 1970-01-01 was a Thursday (4) */
        int64_t d = first + (rd->c - wday + 7) % 7 + (int64_t)(rd->b - 1) * 7;
        int64_t limit = first + days_in_month(y, rd->a);
        while (d >= limit)
            d -= 7;
        day = d;
    }
    return day * SECS_PER_DAY + rd->time_s;
}

static int32_t posix_offset_at(const struct tz_posix *tp, int64_t t)
{
    if (!tp->has_dst)
        return tp->std_off;
    int64_t y;
    int m, d;
    civil_from_days(floor_div(t, SECS_PER_DAY), &y, &m, &d);
    /* Check the year before too: a southern-hemisphere DST spans the new year. */
    for (int64_t yy = y; yy >= y - 1; yy--) {
        int64_t start = rule_local_secs(&tp->start, yy) - tp->std_off;
        int64_t end = rule_local_secs(&tp->end, yy) - tp->dst_off;
        if (start < end) {
            if (t >= start && t < end)
                return tp->dst_off;
        } else if (yy == y && (t >= start || t < end)) {
            return tp->dst_off;
        }
    }
    return tp->std_off;
}

/* ---- TZif files ---- */

struct tz_zone {
    char name[TZ_NAME_MAX];
    int64_t *trans;     /* transition times, Unix seconds */
    uint8_t *trans_idx; /* type index after each transition */
    int32_t *type_off;  /* utoff per type */
    uint8_t *type_dst;
    int ntrans, ntypes;
    bool has_footer;
    struct tz_posix footer;
};

static pthread_mutex_t tz_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz_zone *tz_cache[TZ_CACHE_MAX];
static int tz_cache_n;

static int64_t be_int(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    if (n == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

static void tz_zone_free(struct tz_zone *z)
{
    if (!z)
        return;
    free(z->trans);
    free(z->trans_idx);
    free(z->type_off);
    free(z->type_dst);
    free(z);
}

/* Parses a TZif image (version 2 or later: the 64-bit block and the footer are used). */
static struct tz_zone *tzif_parse(const uint8_t *buf, size_t len)
{
    if (len < 44 || memcmp(buf, "TZif", 4) != 0 || buf[4] < '2')
        return NULL;
    size_t cnt[6];
    for (int i = 0; i < 6; i++)
        cnt[i] = (size_t)(uint32_t)be_int(buf + 20 + 4 * i, 4);
    /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    size_t v1 = cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
    size_t pos = 44 + v1;
    if (pos + 44 > len || memcmp(buf + pos, "TZif", 4) != 0)
        return NULL;
    for (int i = 0; i < 6; i++)
        cnt[i] = (size_t)(uint32_t)be_int(buf + pos + 20 + 4 * i, 4);
    pos += 44;
    size_t need = cnt[3] * 9 + cnt[4] * 6 + cnt[5] + cnt[2] * 12 + cnt[1] + cnt[0];
    if (cnt[4] == 0 || cnt[4] > 256 || cnt[3] > 100000 || pos + need > len)
        return NULL;
    struct tz_zone *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->ntrans = (int)cnt[3];
    z->ntypes = (int)cnt[4];
    z->trans = calloc(cnt[3] + 1, sizeof *z->trans);
    z->trans_idx = calloc(cnt[3] + 1, 1);
    z->type_off = calloc(cnt[4], sizeof *z->type_off);
    z->type_dst = calloc(cnt[4], 1);
    if (!z->trans || !z->trans_idx || !z->type_off || !z->type_dst)
        goto fail;
    for (int i = 0; i < z->ntrans; i++)
        z->trans[i] = be_int(buf + pos + 8 * (size_t)i, 8);
    pos += cnt[3] * 8;
    for (int i = 0; i < z->ntrans; i++) {
        z->trans_idx[i] = buf[pos + (size_t)i];
        if (z->trans_idx[i] >= z->ntypes)
            goto fail;
    }
    pos += cnt[3];
    for (int i = 0; i < z->ntypes; i++) {
        z->type_off[i] = (int32_t)be_int(buf + pos + 6 * (size_t)i, 4);
        z->type_dst[i] = buf[pos + 6 * (size_t)i + 4];
    }
    pos += need - cnt[3] * 9;
    if (pos < len && buf[pos] == '\n') {
        const uint8_t *nl = memchr(buf + pos + 1, '\n', len - pos - 1);
        if (nl && (size_t)(nl - (buf + pos + 1)) < 128) {
            char tzs[128];
            size_t n = (size_t)(nl - (buf + pos + 1));
            memcpy(tzs, buf + pos + 1, n);
            tzs[n] = '\0';
            z->has_footer = n > 0 && posix_parse(tzs, &z->footer);
        }
    }
    return z;
fail:
    tz_zone_free(z);
    return NULL;
}

/* Resolves name under the zoneinfo directory, matching each component case-insensitively as
 * PostgreSQL does; false for names that could escape the directory. */
static bool tz_path(const char *name, char *path, size_t cap)
{
    if (!name[0] || name[0] == '/' || strstr(name, "..") || strlen(name) >= TZ_NAME_MAX)
        return false;
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("/_+-", *p))
            return false;
    int n = snprintf(path, cap, "%s/%s", TZ_DIR, name);
    if (n < 0 || (size_t)n >= cap)
        return false;
    FILE *f = fopen(path, "rb");
    if (f) {
        fclose(f);
        return true;
    }
    size_t used = strlen(TZ_DIR);
    const char *comp = name;
    while (*comp) {
        const char *slash = strchr(comp, '/');
        size_t clen = slash ? (size_t)(slash - comp) : strlen(comp);
        DIR *d = opendir(path[0] ? (path[used] = '\0', path) : TZ_DIR);
        if (!d)
            return false;
        struct dirent *de;
        bool found = false;
        while ((de = readdir(d)) != NULL) {
            if (strlen(de->d_name) == clen && strncasecmp(de->d_name, comp, clen) == 0) {
                n = snprintf(path + used, cap - used, "/%s", de->d_name);
                found = n > 0 && (size_t)n < cap - used;
                break;
            }
        }
        closedir(d);
        if (!found)
            return false;
        used += (size_t)n;
        comp += clen;
        if (*comp == '/')
            comp++;
    }
    return true;
}

static struct tz_zone *tz_load_file(const char *name)
{
    char path[512];
    if (!tz_path(name, path, sizeof path))
        return NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = malloc(1 << 20);
    size_t len = buf ? fread(buf, 1, 1 << 20, f) : 0;
    fclose(f);
    struct tz_zone *z = buf ? tzif_parse(buf, len) : NULL;
    free(buf);
    return z;
}

/* A zone for a TimeZone value: a number of hours (ISO sign, as PostgreSQL's SET TimeZone reads
 * it), a tz database name, or a POSIX TZ string ("UTC+2" is two hours west). NULL if none. */
static const struct tz_zone *tz_get(const char *name, struct tz_zone **owned)
{
    *owned = NULL;
    if (!name || !name[0] || strlen(name) >= TZ_NAME_MAX)
        return NULL;
    const struct tz_zone *found = NULL;
    pthread_mutex_lock(&tz_lock);
    for (int i = 0; i < tz_cache_n; i++) {
        if (strcmp(tz_cache[i]->name, name) == 0) {
            found = tz_cache[i];
            break;
        }
    }
    pthread_mutex_unlock(&tz_lock);
    if (found)
        return found;

    struct tz_zone *z = NULL;
    char *end;
    double hours = strtod(name, &end);
    if (end != name && *end == '\0' && isfinite(hours) && hours > -168 && hours < 168 &&
        !isalpha((unsigned char)name[0])) {
        z = calloc(1, sizeof *z);
        if (z) {
            z->has_footer = true;
            z->footer.std_off = (int32_t)(hours * 3600);
        }
    } else {
        z = tz_load_file(name);
        if (!z) {
            struct tz_posix tp;
            if (strcasecmp(name, "UTC") == 0 || strcasecmp(name, "GMT") == 0 ||
                strcasecmp(name, "Z") == 0)
                tp = (struct tz_posix){0};
            else if (!posix_parse(name, &tp))
                return NULL;
            z = calloc(1, sizeof *z);
            if (z) {
                z->has_footer = true;
                z->footer = tp;
            }
        }
    }
    if (!z)
        return NULL;
    snprintf(z->name, sizeof z->name, "%s", name);
    pthread_mutex_lock(&tz_lock);
    for (int i = 0; i < tz_cache_n; i++) {
        if (strcmp(tz_cache[i]->name, name) == 0) {
            tz_zone_free(z);
            z = tz_cache[i];
            goto out;
        }
    }
    /* Published entries are never freed (readers hold them without the lock); past a full
     * cache, as with many distinct zones in client input, the caller owns and frees it. */
    if (tz_cache_n < TZ_CACHE_MAX)
        tz_cache[tz_cache_n++] = z;
    else
        *owned = z;
out:
    pthread_mutex_unlock(&tz_lock);
    return z;
}

static int32_t tz_offset_secs(const struct tz_zone *z, int64_t t)
{
    if (z->ntrans == 0 || t < z->trans[0]) {
        if (z->ntrans == 0 && z->has_footer)
            return posix_offset_at(&z->footer, t);
        /* RFC 8536: type 0 applies before the first transition. */
        return z->ntypes ? z->type_off[0] : 0;
    }
    if (t >= z->trans[z->ntrans - 1] && z->has_footer)
        return posix_offset_at(&z->footer, t);
    int lo = 0, hi = z->ntrans - 1; /* trans[lo] <= t */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (z->trans[mid] <= t)
            lo = mid;
        else
            hi = mid - 1;
    }
    return z->type_off[z->trans_idx[lo]];
}

bool pgtz_valid(const char *tz)
{
    struct tz_zone *owned;
    bool ok = tz_get(tz, &owned) != NULL;
    tz_zone_free(owned);
    return ok;
}

bool pgtz_offset_at(const char *tz, int64_t utc_us, int32_t *gmtoff_s)
{
    struct tz_zone *owned;
    const struct tz_zone *z = tz_get(tz, &owned);
    if (!z)
        return false;
    *gmtoff_s =
        tz_offset_secs(z, floor_div(utc_us, USECS_PER_SEC) + (int64_t)UNIX_PG_DAYS * SECS_PER_DAY);
    tz_zone_free(owned);
    return true;
}

bool pgtz_local_to_utc(const char *tz, int64_t local_us, int64_t *utc_us)
{
    struct tz_zone *owned;
    const struct tz_zone *z = tz_get(tz, &owned);
    if (!z)
        return false;
    int64_t local = floor_div(local_us, USECS_PER_SEC) + (int64_t)UNIX_PG_DAYS * SECS_PER_DAY;
    int32_t before = tz_offset_secs(z, local - SECS_PER_DAY);
    int32_t after = tz_offset_secs(z, local + SECS_PER_DAY);
    int32_t off;
    bool after_ok = tz_offset_secs(z, local - after) == after;
    /* PostgreSQL: an ambiguous time (a jump back) takes the offset in force after the
     * transition; a time skipped by a jump forward takes the offset from before it. */
    off = after_ok ? after : before;
    *utc_us = local_us - (int64_t)off * USECS_PER_SEC;
    tz_zone_free(owned);
    return true;
}
