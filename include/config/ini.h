/*
 * The INI reader behind config_load(): [section] headers, key = value lines, comments and
 * %include. It knows no section or key names; it hands each line to callbacks together with
 * the file and line it came from, and prefixes their error messages with that position.
 */
#ifndef MYRMEX_CONFIG_INI_H
#define MYRMEX_CONFIG_INI_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Callbacks of ini_parse_file(). Each returns false with a message (without a position) in
 * msg to stop the parse; ini_parse_file() then reports "path:line: msg". The path, section,
 * key and value strings are borrowed until the callback returns.
 */
struct ini_handler {
    bool (*on_section)(void *arg, const char *path, int line, const char *section, char *msg,
                       size_t msglen);
    bool (*on_entry)(void *arg, const char *path, int line, const char *section, const char *key,
                     const char *value, char *msg, size_t msglen);
    void *arg;
};

/*
 * Read the file at path line by line. Lines whose first non-blank character is ';' or '#'
 * are comments; keys may be written in double quotes (with "" for a quote) to hold any
 * character; values run to the end of the line and are taken literally, blanks trimmed.
 * "%include file" reads another file in place (relative to the including file's directory);
 * the current section carries into and out of it, as in PgBouncer.
 */
bool ini_parse_file(const char *path, const struct ini_handler *handler, char *err, size_t errlen);

/*
 * Resolve path against the directory of base_file, or against the working directory when
 * base_file is NULL. Absolute and empty paths are returned unchanged. The result is always
 * a new string owned by the caller (NULL when memory runs out).
 */
char *ini_resolve_path(const char *base_file, const char *path);

#endif
