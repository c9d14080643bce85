/*
 * The values of [databases] and [users] entries: PgBouncer's "key=value key='quoted'" form,
 * postgresql:// URLs and sqlite:// URLs. Each parse fills one struct db_config or
 * struct user_config; placing it in a config, and resolving relative sqlite paths against the
 * config file, is config.c's job.
 */
#include "config/config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define CONFIG_DB_DEFAULT_HOST "127.0.0.1"
#define CONFIG_DB_DEFAULT_PORT 5432

typedef bool (*config_db_pair_fn)(void *arg, const char *key, const char *value, char *err,
                                  size_t errlen);

void config_db_fini(struct db_config *db)
{
    free(db->name);
    free(db->host);
    free(db->dbname);
    free(db->user);
    free(db->password);
    free(db->sqlite_path);
    free(db->connect_query);
    free(db->application_name);
    memset(db, 0, sizeof(*db));
}

static bool config_str_same(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

bool config_db_same_target(const struct db_config *a, const struct db_config *b)
{
    return a->backend == b->backend && a->port == b->port && config_str_same(a->host, b->host) &&
           config_str_same(a->dbname, b->dbname) && config_str_same(a->user, b->user) &&
           config_str_same(a->password, b->password) &&
           config_str_same(a->sqlite_path, b->sqlite_path) &&
           config_str_same(a->connect_query, b->connect_query) &&
           config_str_same(a->application_name, b->application_name);
}

void config_user_fini(struct user_config *user)
{
    free(user->name);
    memset(user, 0, sizeof(*user));
}

/* Replace *slot with a copy of value; an empty value clears it to NULL. */
static bool config_db_set_str(char **slot, const char *value, char *err, size_t errlen)
{
    char *copy = NULL;

    if (value[0] != '\0') {
        copy = strdup(value);
        if (!copy) {
            snprintf(err, errlen, "out of memory");
            return false;
        }
    }
    free(*slot);
    *slot = copy;
    return true;
}

/* A whole decimal number in [min, max]. */
static bool config_db_int(const char *key, const char *value, int min, int max, int *out, char *err,
                          size_t errlen)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (value[0] == '\0' || *end != '\0' || errno != 0 || !isdigit((unsigned char)value[0]) ||
        v < min || v > max) {
        snprintf(err, errlen, "%s must be a whole number from %d to %d, not '%s'", key, min, max,
                 value);
        return false;
    }
    *out = (int)v;
    return true;
}

static bool config_db_mode(const char *value, int *out, char *err, size_t errlen)
{
    if (strcasecmp(value, "session") == 0)
        *out = POOL_SESSION;
    else if (strcasecmp(value, "transaction") == 0)
        *out = POOL_TRANSACTION;
    else if (strcasecmp(value, "statement") == 0)
        *out = POOL_STATEMENT;
    else {
        snprintf(err, errlen, "pool_mode must be session, transaction or statement, not '%s'",
                 value);
        return false;
    }
    return true;
}

/* Apply one connection or pool parameter; shared by all three value forms. */
static bool config_db_on_pair(void *arg, const char *key, const char *value, char *err,
                              size_t errlen)
{
    struct db_config *db = arg;
    bool sqlite = db->backend == DB_BACKEND_SQLITE;
    static const char *const conn_keys[] = {"host", "port",     "dbname",
                                            "user", "password", "application_name"};

    if (sqlite) {
        for (size_t i = 0; i < sizeof(conn_keys) / sizeof(conn_keys[0]); i++) {
            if (strcmp(key, conn_keys[i]) == 0) {
                snprintf(err, errlen, "parameter '%s' does not apply to a sqlite database", key);
                return false;
            }
        }
    }
    if (strcmp(key, "host") == 0) {
        if (strchr(value, ',')) {
            snprintf(err, errlen, "several hosts in one entry are not supported ('%s')", value);
            return false;
        }
        return config_db_set_str(&db->host, value[0] ? value : CONFIG_DB_DEFAULT_HOST, err, errlen);
    }
    if (strcmp(key, "port") == 0)
        return config_db_int(key, value, 1, 65535, &db->port, err, errlen);
    if (strcmp(key, "dbname") == 0)
        return config_db_set_str(&db->dbname, value[0] ? value : db->name, err, errlen);
    if (strcmp(key, "user") == 0)
        return config_db_set_str(&db->user, value, err, errlen);
    if (strcmp(key, "password") == 0)
        return config_db_set_str(&db->password, value, err, errlen);
    if (strcmp(key, "application_name") == 0)
        return config_db_set_str(&db->application_name, value, err, errlen);
    if (strcmp(key, "connect_query") == 0)
        return config_db_set_str(&db->connect_query, value, err, errlen);
    if (strcmp(key, "pool_size") == 0)
        return config_db_int(key, value, 0, INT_MAX, &db->pool_size, err, errlen);
    if (strcmp(key, "min_pool_size") == 0)
        return config_db_int(key, value, 0, INT_MAX, &db->min_pool_size, err, errlen);
    if (strcmp(key, "reserve_pool") == 0 || strcmp(key, "reserve_pool_size") == 0)
        return config_db_int(key, value, 0, INT_MAX, &db->reserve_pool_size, err, errlen);
    if (strcmp(key, "max_db_connections") == 0)
        return config_db_int(key, value, 0, INT_MAX, &db->max_db_connections, err, errlen);
    if (strcmp(key, "pool_mode") == 0)
        return config_db_mode(value, &db->pool_mode, err, errlen);
    snprintf(err, errlen, "unknown parameter '%s'", key);
    return false;
}

static bool config_db_is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Walk PgBouncer's "key=value key='quoted value'" form. Inside single quotes both \' and ''
 * stand for a quote, as in PgBouncer; every other character, backslashes included, is taken
 * literally.
 */
static bool config_db_each_pair(const char *value, config_db_pair_fn fn, void *arg, char *err,
                                size_t errlen)
{
    const char *p = value, *key_start;
    char *key = NULL, *val = NULL, *dst;
    size_t key_len;
    bool ok = false;

    val = malloc(strlen(value) + 1);
    key = malloc(strlen(value) + 1);
    if (!val || !key) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    for (;;) {
        while (config_db_is_blank(*p))
            p++;
        if (*p == '\0')
            break;
        key_start = p;
        while (isalnum((unsigned char)*p) || *p == '_')
            p++;
        key_len = (size_t)(p - key_start);
        if (key_len == 0) {
            /* A position, not the text: it may be part of a password. */
            snprintf(err, errlen, "expected a parameter name at character %d",
                     (int)(key_start - value) + 1);
            goto out;
        }
        memcpy(key, key_start, key_len);
        key[key_len] = '\0';
        while (config_db_is_blank(*p))
            p++;
        if (*p != '=') {
            snprintf(err, errlen, "expected '=' after the parameter name at character %d",
                     (int)(key_start - value) + 1);
            goto out;
        }
        p++;
        while (config_db_is_blank(*p))
            p++;
        dst = val;
        if (*p == '\'') {
            for (p++;; p++) {
                if (*p == '\0') {
                    snprintf(err, errlen, "unterminated quoted value of '%s'", key);
                    goto out;
                }
                if (*p == '\\' && p[1] == '\'') {
                    p++;
                } else if (*p == '\'') {
                    if (p[1] != '\'')
                        break;
                    p++;
                }
                *dst++ = *p;
            }
            p++;
            if (*p != '\0' && !config_db_is_blank(*p)) {
                snprintf(err, errlen, "expected a blank after the quoted value of '%s'", key);
                goto out;
            }
        } else {
            while (*p != '\0' && !config_db_is_blank(*p))
                *dst++ = *p++;
        }
        *dst = '\0';
        if (!fn(arg, key, val, err, errlen))
            goto out;
    }
    ok = true;
out:
    free(key);
    free(val);
    return ok;
}

static int config_db_hex(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decode len bytes of s into a new string, or NULL with a message in err. */
static char *config_db_decode(const char *s, size_t len, char *err, size_t errlen)
{
    char *out = malloc(len + 1), *dst = out;
    int hi, lo;

    if (!out) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '%') {
            *dst++ = s[i];
            continue;
        }
        hi = i + 2 < len ? config_db_hex(s[i + 1]) : -1;
        lo = hi >= 0 ? config_db_hex(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            /* The position only: the text may be (part of) a password. */
            snprintf(err, errlen, "bad percent-encoding at character %zu of a URL part", i + 1);
            free(out);
            return NULL;
        }
        *dst++ = (char)(hi * 16 + lo);
        i += 2;
    }
    *dst = '\0';
    return out;
}

/* Decode s[0..len) and hand it to config_db_on_pair() as key. */
static bool config_db_url_part(struct db_config *db, const char *key, const char *s, size_t len,
                               char *err, size_t errlen)
{
    char *value = config_db_decode(s, len, err, errlen);
    bool ok;

    if (!value)
        return false;
    ok = config_db_on_pair(db, key, value, err, errlen);
    free(value);
    return ok;
}

/* "a=1&b=2": each pair percent-decoded and applied. */
static bool config_db_url_query(struct db_config *db, const char *q, char *err, size_t errlen)
{
    const char *amp, *eq;
    char *key, *value;
    size_t len;
    bool ok;

    while (*q) {
        amp = strchr(q, '&');
        len = amp ? (size_t)(amp - q) : strlen(q);
        if (len > 0) {
            eq = memchr(q, '=', len);
            if (!eq) {
                snprintf(err, errlen, "URL parameter '%.*s' has no '='", (int)len, q);
                return false;
            }
            key = config_db_decode(q, (size_t)(eq - q), err, errlen);
            if (!key)
                return false;
            value = config_db_decode(eq + 1, len - (size_t)(eq + 1 - q), err, errlen);
            if (!value) {
                free(key);
                return false;
            }
            ok = config_db_on_pair(db, key, value, err, errlen);
            free(key);
            free(value);
            if (!ok)
                return false;
        }
        q += len + (amp ? 1 : 0);
    }
    return true;
}

/*
 * postgresql://[user[:password]@][host][:port][/dbname][?param=value&...], host possibly a
 * bracketed IPv6 address; rest points just after "://".
 */
static bool config_db_parse_pg_url(struct db_config *db, const char *rest, char *err, size_t errlen)
{
    size_t auth_len = strcspn(rest, "/?");
    const char *auth_end = rest + auth_len, *at = NULL, *host, *host_end, *colon, *port;
    const char *path, *query;

    for (const char *p = rest; p < auth_end; p++)
        if (*p == '@')
            at = p;
    if (at) {
        colon = memchr(rest, ':', (size_t)(at - rest));
        if (!config_db_url_part(db, "user", rest, (size_t)((colon ? colon : at) - rest), err,
                                errlen))
            return false;
        if (colon &&
            !config_db_url_part(db, "password", colon + 1, (size_t)(at - colon - 1), err, errlen))
            return false;
        host = at + 1;
    } else {
        host = rest;
    }
    if (*host == '[') {
        host_end = memchr(host, ']', (size_t)(auth_end - host));
        if (!host_end) {
            snprintf(err, errlen, "IPv6 address in the URL lacks its ']'");
            return false;
        }
        if (!config_db_url_part(db, "host", host + 1, (size_t)(host_end - host - 1), err, errlen))
            return false;
        port = host_end + 1;
        if (port < auth_end && *port != ':') {
            snprintf(err, errlen, "unexpected text after the IPv6 address in the URL");
            return false;
        }
    } else {
        colon = memchr(host, ':', (size_t)(auth_end - host));
        host_end = colon ? colon : auth_end;
        if (host_end > host &&
            !config_db_url_part(db, "host", host, (size_t)(host_end - host), err, errlen))
            return false;
        port = host_end;
    }
    if (port < auth_end) {
        port++; /* past ':' */
        if (!config_db_url_part(db, "port", port, (size_t)(auth_end - port), err, errlen))
            return false;
    }
    path = auth_end;
    query = strchr(path, '?');
    if (*path == '/') {
        size_t len = query ? (size_t)(query - path - 1) : strlen(path + 1);
        if (len > 0 && !config_db_url_part(db, "dbname", path + 1, len, err, errlen))
            return false;
    }
    return query ? config_db_url_query(db, query + 1, err, errlen) : true;
}

/* sqlite:///absolute/path.db or sqlite://relative/path.db, with optional ?pool params. */
static bool config_db_parse_sqlite_url(struct db_config *db, const char *rest, char *err,
                                       size_t errlen)
{
    const char *query = strchr(rest, '?');
    size_t len = query ? (size_t)(query - rest) : strlen(rest);

    if (len == 0) {
        snprintf(err, errlen, "sqlite URL without a file path");
        return false;
    }
    db->sqlite_path = config_db_decode(rest, len, err, errlen);
    if (!db->sqlite_path)
        return false;
    return query ? config_db_url_query(db, query + 1, err, errlen) : true;
}

static bool config_db_has_scheme(const char *value, const char *scheme, const char **rest)
{
    size_t len = strlen(scheme);

    if (strncasecmp(value, scheme, len) != 0)
        return false;
    *rest = value + len;
    return true;
}

bool config_parse_db(const char *name, const char *value, struct db_config *out, char *err,
                     size_t errlen)
{
    const char *rest;
    bool ok;

    memset(out, 0, sizeof(*out));
    out->pool_size = out->min_pool_size = out->reserve_pool_size = -1;
    out->max_db_connections = out->pool_mode = -1;
    out->name = strdup(name);
    out->dbname = strdup(name);
    if (!out->name || !out->dbname) {
        snprintf(err, errlen, "out of memory");
        config_db_fini(out);
        return false;
    }
    while (config_db_is_blank(*value))
        value++;
    if (config_db_has_scheme(value, "sqlite://", &rest)) {
        out->backend = DB_BACKEND_SQLITE;
        ok = config_db_parse_sqlite_url(out, rest, err, errlen);
    } else {
        out->backend = DB_BACKEND_POSTGRES;
        out->port = CONFIG_DB_DEFAULT_PORT;
        out->host = strdup(CONFIG_DB_DEFAULT_HOST);
        if (!out->host) {
            snprintf(err, errlen, "out of memory");
            ok = false;
        } else if (config_db_has_scheme(value, "postgresql://", &rest) ||
                   config_db_has_scheme(value, "postgres://", &rest)) {
            ok = config_db_parse_pg_url(out, rest, err, errlen);
        } else if (strstr(value, "://")) {
            snprintf(err, errlen,
                     "unknown URL scheme (use postgresql://, postgres:// or sqlite://)");
            ok = false;
        } else {
            ok = config_db_each_pair(value, config_db_on_pair, out, err, errlen);
        }
    }
    if (ok && !out->dbname) {
        /* "dbname=" alone was given: the default applies. */
        out->dbname = strdup(name);
        if (!out->dbname) {
            snprintf(err, errlen, "out of memory");
            ok = false;
        }
    }
    if (!ok)
        config_db_fini(out);
    return ok;
}

static bool config_db_on_user_pair(void *arg, const char *key, const char *value, char *err,
                                   size_t errlen)
{
    struct user_config *user = arg;

    if (strcmp(key, "pool_mode") == 0)
        return config_db_mode(value, &user->pool_mode, err, errlen);
    if (strcmp(key, "max_user_connections") == 0)
        return config_db_int(key, value, 0, INT_MAX, &user->max_user_connections, err, errlen);
    snprintf(err, errlen, "unknown parameter '%s'", key);
    return false;
}

bool config_parse_user(const char *name, const char *value, struct user_config *out, char *err,
                       size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->pool_mode = -1;
    out->max_user_connections = -1;
    out->name = strdup(name);
    if (!out->name) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (!config_db_each_pair(value, config_db_on_user_pair, out, err, errlen)) {
        config_user_fini(out);
        return false;
    }
    return true;
}
