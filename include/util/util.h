/*
 * Small helpers shared by every module: monotonic time, checked allocation, ASSERT().
 */
#ifndef MYRMEX_UTIL_UTIL_H
#define MYRMEX_UTIL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MUSTCHECK     __attribute__((warn_unused_result))
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#ifdef USE_ASSERT_CHECKING
#include <stdio.h>
#include <stdlib.h>
#define ASSERT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: assertion failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)
#else
#define ASSERT(cond) ((void)0)
#endif

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t now_ms(void);
/* Microseconds of CLOCK_MONOTONIC. */
int64_t now_us(void);

/* Allocation that aborts on exhaustion: used only for small control structures. */
void *xcalloc(size_t n, size_t size);
void *xmalloc(size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
/* Replace *dst with a copy of src (NULL allowed). */
void str_replace(char **dst, const char *src);
/* Case-insensitive ASCII equality. */
bool str_ieq(const char *a, const char *b);
/*
 * The reason in a libpq error message: its first line without the "connection to server at
 * ... failed: " lead and trailing blanks (NULL reads as "unknown error").
 */
void pq_error_line(const char *msg, char *out, size_t outlen);
/* printf into an error buffer of errlen bytes; nothing when err is NULL or errlen 0. */
void err_set(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Fill buf with cryptographically random bytes. */
void random_bytes(void *buf, size_t len);

#endif
