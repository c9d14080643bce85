/*
 * The auth_file reader: PgBouncer's userlist.txt format, one "user" "secret" pair per line.
 * It only reads and indexes the secrets; what a secret means (plain, md5, SCRAM) is the
 * business of src/auth/.
 */
#include "config/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An entry with its line number, so that sorting can keep the last line for each user. */
struct config_auth_line {
    struct auth_entry entry;
    size_t seq;
};

void config_auth_free(struct auth_entry *entries, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(entries[i].user);
        free(entries[i].secret);
    }
    free(entries);
}

/*
 * Read one double-quoted field starting at *p (which must point at the opening quote), with
 * "" standing for a quote. Returns a new string and advances *p past the closing quote, or
 * returns NULL with a message in msg.
 */
static char *config_auth_field(const char **p, const char *what, char *msg, size_t msglen)
{
    const char *s = *p;
    char *out, *dst;

    if (*s != '"') {
        snprintf(msg, msglen, "expected the %s in double quotes", what);
        return NULL;
    }
    out = dst = malloc(strlen(s) + 1);
    if (!out) {
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    for (s++;; s++) {
        if (*s == '\0' || *s == '\n' || *s == '\r') {
            snprintf(msg, msglen, "unterminated quoted %s", what);
            free(out);
            return NULL;
        }
        if (*s == '"') {
            if (s[1] != '"')
                break;
            s++;
        }
        *dst++ = *s;
    }
    *dst = '\0';
    *p = s + 1;
    return out;
}

static int config_auth_cmp(const void *a, const void *b)
{
    const struct config_auth_line *x = a, *y = b;
    int c = strcmp(x->entry.user, y->entry.user);

    if (c != 0)
        return c;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Sort by user and keep the last line of each user, as PgBouncer does. Consumes lines. */
static bool config_auth_index(struct config_auth_line *lines, size_t n, struct auth_entry **out,
                              size_t *n_out)
{
    struct auth_entry *entries;
    size_t kept = 0;

    if (n > 0)
        qsort(lines, n, sizeof(*lines), config_auth_cmp);
    entries = calloc(n ? n : 1, sizeof(*entries));
    if (!entries)
        return false;
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n && strcmp(lines[i].entry.user, lines[i + 1].entry.user) == 0) {
            free(lines[i].entry.user);
            free(lines[i].entry.secret);
            continue;
        }
        entries[kept++] = lines[i].entry;
    }
    *out = entries;
    *n_out = kept;
    return true;
}

bool config_auth_load(const char *path, struct auth_entry **out, size_t *n_out, char *err,
                      size_t errlen)
{
    struct config_auth_line *lines = NULL, *grown;
    size_t n = 0, cap = 0;
    FILE *f;
    char *buf = NULL, *user = NULL, *secret = NULL;
    size_t bufcap = 0;
    const char *p;
    char msg[256];
    int lineno = 0;

    *out = NULL;
    *n_out = 0;
    f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: cannot open auth_file: %s", path, strerror(errno));
        return false;
    }
    while (getline(&buf, &bufcap, f) >= 0) {
        lineno++;
        p = buf;
        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0' || *p == '\n' || *p == '\r' || *p == ';' || *p == '#')
            continue;
        user = config_auth_field(&p, "user name", msg, sizeof(msg));
        if (!user)
            goto fail_line;
        if (user[0] == '\0') {
            snprintf(msg, sizeof(msg), "empty user name");
            goto fail_line;
        }
        while (*p == ' ' || *p == '\t')
            p++;
        secret = config_auth_field(&p, "secret", msg, sizeof(msg));
        if (!secret)
            goto fail_line;
        /* PgBouncer ignores anything after the second field; so do we. */
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            grown = realloc(lines, cap * sizeof(*lines));
            if (!grown) {
                snprintf(msg, sizeof(msg), "out of memory");
                goto fail_line;
            }
            lines = grown;
        }
        lines[n].entry.user = user;
        lines[n].entry.secret = secret;
        lines[n].seq = n;
        n++;
        user = secret = NULL;
    }
    if (ferror(f)) {
        snprintf(err, errlen, "%s: read error: %s", path, strerror(errno));
        goto fail;
    }
    if (!config_auth_index(lines, n, out, n_out)) {
        snprintf(err, errlen, "%s: out of memory", path);
        goto fail;
    }
    free(lines);
    free(buf);
    fclose(f);
    return true;

fail_line:
    snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
fail:
    free(user);
    free(secret);
    for (size_t i = 0; i < n; i++) {
        free(lines[i].entry.user);
        free(lines[i].entry.secret);
    }
    free(lines);
    free(buf);
    fclose(f);
    return false;
}
