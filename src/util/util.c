/*
 * Time, allocation and string helpers used across modules.
 */
#include "util/util.h"

#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        fputs("myrmex: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xmalloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (!p) {
        fputs("myrmex: out of memory\n", stderr);
        abort();
    }
    return p;
}

void *xrealloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (!p) {
        fputs("myrmex: out of memory\n", stderr);
        abort();
    }
    return p;
}

char *xstrdup(const char *s)
{
    char *p = strdup(s);
    if (!p) {
        fputs("myrmex: out of memory\n", stderr);
        abort();
    }
    return p;
}

void str_replace(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

bool str_ieq(const char *a, const char *b)
{
    return strcasecmp(a, b) == 0;
}

void random_bytes(void *buf, size_t len)
{
    if (RAND_bytes(buf, (int)len) != 1) {
        fputs("myrmex: no random bytes available\n", stderr);
        abort();
    }
}

void pq_error_line(const char *msg, char *out, size_t outlen)
{
    const char *p = msg ? msg : "unknown error", *f = strstr(p, "failed: ");
    size_t n;
    if (f)
        p = f + 8;
    n = strcspn(p, "\n");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\r'))
        n--;
    snprintf(out, outlen, "%.*s", (int)n, p);
}

void err_set(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}
