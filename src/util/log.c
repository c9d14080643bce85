/*
 * The logger: one line per call, written with a single write() so lines from several
 * worker threads never interleave. JSON output escapes the message.
 */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

volatile int log_min_level = LOG_INFO;
static bool log_json;

static const char *const log_level_names[] = {"DEBUG", "LOG", "WARNING", "ERROR"};

void log_set_level(int level)
{
    log_min_level = level;
}

void log_set_json(bool json)
{
    log_json = json;
}

static size_t log_json_escape(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; *src && n + 7 < cap; src++) {
        unsigned char c = (unsigned char)*src;
        if (c == '"' || c == '\\') {
            dst[n++] = '\\';
            dst[n++] = (char)c;
        } else if (c < 0x20) {
            n += (size_t)snprintf(dst + n, cap - n, "\\u%04x", c);
        } else {
            dst[n++] = (char)c;
        }
    }
    dst[n] = '\0';
    return n;
}

void log_write(int level, const char *prefix, const char *fmt, ...)
{
    char msg[2048], line[4608], stamp[64];
    struct timeval tv;
    struct tm tm;
    va_list ap;
    int n;

    if (level < LOG_DEBUG || level > LOG_ERROR)
        level = LOG_ERROR;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    n = (int)strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(stamp + n, sizeof(stamp) - (size_t)n, ".%03d", (int)(tv.tv_usec / 1000));

    if (log_json) {
        char emsg[4096], epfx[256];
        log_json_escape(emsg, sizeof(emsg), msg);
        log_json_escape(epfx, sizeof(epfx), prefix ? prefix : "");
        n = snprintf(
            line, sizeof(line),
            "{\"time\":\"%s\",\"pid\":%d,\"level\":\"%s\",\"conn\":\"%s\",\"msg\":\"%s\"}\n", stamp,
            (int)getpid(), log_level_names[level], epfx, emsg);
    } else {
        n = snprintf(line, sizeof(line), "%s [%d] %s %s%s%s\n", stamp, (int)getpid(),
                     log_level_names[level], prefix ? prefix : "", prefix ? ": " : "", msg);
    }
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = (int)sizeof(line) - 1;
    if (write(STDERR_FILENO, line, (size_t)n) < 0)
        return;
}
