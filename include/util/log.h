/*
 * Logging to stderr in text or JSON. The level is checked before the arguments are
 * evaluated; connection lines carry a prefix such as "C-17 alice@app" or "S-4 127.0.0.1:5432".
 */
#ifndef MYRMEX_UTIL_LOG_H
#define MYRMEX_UTIL_LOG_H

#include <stdbool.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO, LOG_WARNING, LOG_ERROR };

extern volatile int log_min_level;

void log_set_level(int level);
void log_set_json(bool json);
void log_write(int level, const char *prefix, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define log_at(level, prefix, ...)                                                                 \
    do {                                                                                           \
        if ((level) >= log_min_level)                                                              \
            log_write((level), (prefix), __VA_ARGS__);                                             \
    } while (0)
#define log_debug(...)   log_at(LOG_DEBUG, NULL, __VA_ARGS__)
#define log_info(...)    log_at(LOG_INFO, NULL, __VA_ARGS__)
#define log_warning(...) log_at(LOG_WARNING, NULL, __VA_ARGS__)
#define log_error(...)   log_at(LOG_ERROR, NULL, __VA_ARGS__)

#endif
