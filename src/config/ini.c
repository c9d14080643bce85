/*
 * The INI reader: splits files into section headers and key = value entries for config.c,
 * follows %include, and resolves paths relative to the file that names them. It owns no
 * configuration state; what a section or key means is decided by the callbacks.
 */
#include "config/ini.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Deep enough for any sane layout, shallow enough to stop a file that includes itself. */
#define INI_MAX_DEPTH 10

struct ini_state {
    const struct ini_handler *handler;
    char *section; /* current section name, owned; NULL before the first header */
    int depth;
};

static bool ini_parse_stream(struct ini_state *st, FILE *f, const char *path, char *err,
                             size_t errlen);

static bool ini_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

/* Trim blanks from both ends in place and return the new start. */
static char *ini_trim(char *s)
{
    size_t len;

    while (ini_is_blank(*s))
        s++;
    len = strlen(s);
    while (len > 0 && ini_is_blank(s[len - 1]))
        s[--len] = '\0';
    return s;
}

char *ini_resolve_path(const char *base_file, const char *path)
{
    char cwd[4096];
    const char *slash;
    size_t dir_len = 0, cwd_len = 0, len;
    char *out;

    if (path[0] == '/' || path[0] == '\0')
        return strdup(path);
    if (base_file) {
        slash = strrchr(base_file, '/');
        dir_len = slash ? (size_t)(slash - base_file) : 0;
        if (slash == base_file)
            dir_len = 1; /* a file directly under "/" */
    }
    /* A relative directory (or none) is taken from the working directory. */
    if (!base_file || base_file[0] != '/') {
        if (!getcwd(cwd, sizeof(cwd)))
            return NULL;
        cwd_len = strlen(cwd);
    }
    len = cwd_len + 1 + dir_len + 1 + strlen(path) + 1;
    out = malloc(len);
    if (!out)
        return NULL;
    out[0] = '\0';
    if (cwd_len > 0) {
        memcpy(out, cwd, cwd_len + 1);
        if (out[cwd_len - 1] != '/')
            strcat(out, "/");
    }
    if (dir_len > 0) {
        strncat(out, base_file, dir_len);
        if (out[strlen(out) - 1] != '/')
            strcat(out, "/");
    }
    strcat(out, path);
    return out;
}

/* Handle "[name]": returns false with a message in msg on a malformed header. */
static bool ini_on_header(struct ini_state *st, const char *path, int lineno, char *line, char *msg,
                          size_t msglen)
{
    char *end = strchr(line, ']');
    char *name, *copy;

    if (!end) {
        snprintf(msg, msglen, "section header without ']'");
        return false;
    }
    if (*ini_trim(end + 1) != '\0') {
        snprintf(msg, msglen, "unexpected text after the section header");
        return false;
    }
    *end = '\0';
    name = ini_trim(line + 1);
    if (*name == '\0') {
        snprintf(msg, msglen, "empty section name");
        return false;
    }
    copy = strdup(name);
    if (!copy) {
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    free(st->section);
    st->section = copy;
    if (st->handler->on_section)
        return st->handler->on_section(st->handler->arg, path, lineno, name, msg, msglen);
    return true;
}

/*
 * Split "key = value" in place. A key in double quotes may hold any character, with ""
 * standing for one quote (PgBouncer's rule for database names).
 */
static bool ini_split_entry(char *line, char **key_out, char **value_out, char *msg, size_t msglen)
{
    char *key, *eq, *p, *dst;

    if (*line == '"') {
        key = dst = line + 1;
        for (p = line + 1;; p++) {
            if (*p == '\0') {
                snprintf(msg, msglen, "unterminated quoted key");
                return false;
            }
            if (*p == '"') {
                if (p[1] != '"')
                    break;
                p++;
            }
            *dst++ = *p;
        }
        *dst = '\0';
        p++;
        while (ini_is_blank(*p))
            p++;
        if (*p != '=') {
            snprintf(msg, msglen, "expected '=' after the quoted key");
            return false;
        }
        eq = p;
    } else {
        eq = strchr(line, '=');
        if (!eq) {
            snprintf(msg, msglen, "expected 'key = value'");
            return false;
        }
        *eq = '\0';
        key = ini_trim(line);
    }
    if (*key == '\0') {
        snprintf(msg, msglen, "empty key");
        return false;
    }
    *key_out = key;
    *value_out = ini_trim(eq + 1);
    return true;
}

/* Handle "%include file". The included file's errors already carry their own position. */
static bool ini_on_directive(struct ini_state *st, const char *path, char *line, char *msg,
                             size_t msglen, char *err, size_t errlen, bool *positioned)
{
    char *target, *resolved;
    FILE *f;
    bool ok;

    if (strncasecmp(line, "%include", 8) != 0 || !ini_is_blank(line[8])) {
        snprintf(msg, msglen, "unknown directive (only %%include is supported)");
        return false;
    }
    target = ini_trim(line + 8);
    if (*target == '\0') {
        snprintf(msg, msglen, "%%include without a file name");
        return false;
    }
    if (st->depth >= INI_MAX_DEPTH) {
        snprintf(msg, msglen, "%%include nested more than %d deep", INI_MAX_DEPTH);
        return false;
    }
    resolved = ini_resolve_path(path, target);
    if (!resolved) {
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    f = fopen(resolved, "r");
    if (!f) {
        snprintf(msg, msglen, "cannot open included file %s: %s", resolved, strerror(errno));
        free(resolved);
        return false;
    }
    st->depth++;
    ok = ini_parse_stream(st, f, resolved, err, errlen);
    st->depth--;
    fclose(f);
    free(resolved);
    if (!ok)
        *positioned = true;
    return ok;
}

static bool ini_parse_stream(struct ini_state *st, FILE *f, const char *path, char *err,
                             size_t errlen)
{
    char *buf = NULL, *line, *key, *value;
    size_t cap = 0;
    ssize_t got;
    int lineno = 0;
    char msg[1024];
    bool ok = true, positioned = false;

    msg[0] = '\0';
    while ((got = getline(&buf, &cap, f)) >= 0) {
        lineno++;
        if (memchr(buf, '\0', (size_t)got)) {
            snprintf(msg, sizeof(msg), "NUL byte in line");
            ok = false;
            break;
        }
        line = buf;
        /* A UTF-8 byte order mark may precede the first line. */
        if (lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
            line += 3;
        line = ini_trim(line);
        if (*line == '\0' || *line == ';' || *line == '#')
            continue;
        if (*line == '[') {
            ok = ini_on_header(st, path, lineno, line, msg, sizeof(msg));
        } else if (*line == '%') {
            ok = ini_on_directive(st, path, line, msg, sizeof(msg), err, errlen, &positioned);
        } else if (!ini_split_entry(line, &key, &value, msg, sizeof(msg))) {
            ok = false;
        } else if (!st->section) {
            snprintf(msg, sizeof(msg), "'%s' appears before any [section]", key);
            ok = false;
        } else {
            ok = st->handler->on_entry(st->handler->arg, path, lineno, st->section, key, value, msg,
                                       sizeof(msg));
        }
        if (!ok)
            break;
    }
    if (ok && ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        positioned = true;
        ok = false;
    }
    if (!ok && !positioned)
        snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
    free(buf);
    return ok;
}

bool ini_parse_file(const char *path, const struct ini_handler *handler, char *err, size_t errlen)
{
    struct ini_state st = {handler, NULL, 0};
    FILE *f = fopen(path, "r");
    bool ok;

    if (!f) {
        snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
        return false;
    }
    ok = ini_parse_stream(&st, f, path, err, errlen);
    fclose(f);
    free(st.section);
    return ok;
}
