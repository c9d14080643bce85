/*
 * The configuration: the option table of include/tbl/options.h turned into defaults, parsers,
 * MYRMEX_<KEY> environment overrides, SHOW CONFIG values and the reload check; the loading of
 * a whole config (file, then environment, then auth_file) and its validation; lookups.
 *
 * A config is built completely and validated before anyone sees it, and is never changed
 * afterwards: a reload builds a second one with config_load() and the caller swaps it in only
 * when it loaded and config_reload_compatible() agrees, as nginx does with its cycles. Every
 * setting remembers where it came from (file and line, or environment variable) while loading,
 * so that validation errors point at the line to fix.
 */
#include "config/config.h"

#include "config/ini.h"
#include "util/log.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum config_type {
    CONFIG_TYPE_STR,
    CONFIG_TYPE_INT,
    CONFIG_TYPE_BOOL,
    CONFIG_TYPE_DUR,
    CONFIG_TYPE_MODE,
    CONFIG_TYPE_AUTH,
    CONFIG_TYPE_LEVEL
};

/* One row of include/tbl/options.h, with the place of its field in struct config. */
struct config_option {
    const char *name;
    enum config_type type;
    bool reload;
    const char *def;
    const char *doc;
    size_t offset;
};

#define CONFIG_FIELD_STR(name)   name
#define CONFIG_FIELD_INT(name)   name
#define CONFIG_FIELD_BOOL(name)  name
#define CONFIG_FIELD_DUR(name)   name##_ms
#define CONFIG_FIELD_MODE(name)  name
#define CONFIG_FIELD_AUTH(name)  name
#define CONFIG_FIELD_LEVEL(name) name
/* clang-format off */
#define OPT(name, type, reload, def, doc) \
    {#name, CONFIG_TYPE_##type, reload, def, doc, \
     offsetof(struct config, CONFIG_FIELD_##type(name))},
/* clang-format on */
static const struct config_option config_options[] = {
#include "tbl/options.h"
};
#undef OPT

#define CONFIG_N_OPTIONS (sizeof(config_options) / sizeof(config_options[0]))

/* Largest whole part of a duration, in its unit: keeps the millisecond product in range. */
#define CONFIG_DUR_MAX_WHOLE 1000000000LL

/*
 * PgBouncer settings that myrmex does not implement and that are safe to ignore: logging
 * destinations, socket tuning, DNS caching. A [pgbouncer] section may carry them (with a
 * warning) so that an existing pgbouncer.ini loads; in [myrmex] they are unknown keys.
 * Settings whose absence would weaken security (TLS, user, auth_hba_file) are not listed.
 */
/* clang-format off */
static const char *const config_pgbouncer_ignored[] = {
    "logfile", "syslog", "syslog_ident", "syslog_facility", "log_connections",
    "log_disconnections", "log_pooler_errors", "log_stats", "verbose", "listen_backlog",
    "unix_socket_mode", "unix_socket_group", "pkt_buf", "sbuf_loopcnt", "so_reuseport",
    "tcp_defer_accept", "tcp_socket_buffer", "tcp_keepcnt", "tcp_keepidle", "tcp_keepintvl",
    "tcp_user_timeout", "dns_max_ttl", "dns_nxdomain_ttl", "dns_zone_check_period",
    "resolv_conf", "server_round_robin", "server_fast_close", "disable_pqexec",
    "suspend_timeout", "autodb_idle_timeout", "cancel_wait_timeout", "track_extra_parameters",
    "service_name", "job_name", "conffile",
};
/* clang-format on */

/* Sections that later features will read; their keys are accepted and stored nowhere. */
static const char *const config_reserved_sections[] = {"migrations", "backups", "schema",
                                                       "monitor"};

/* Where a [databases] entry came from; a later layer replaces an entry of an earlier one. */
enum config_layer { CONFIG_LAYER_FILE, CONFIG_LAYER_DATABASES_ENV, CONFIG_LAYER_URL_ENV };

struct config_origin {
    char *where; /* "path:line" or an environment variable name, owned */
    enum config_layer layer;
};

/* State that only lives while config_load() runs. */
struct config_loader {
    struct config *cfg;
    char *opt_origin[CONFIG_N_OPTIONS]; /* NULL while an option has its default */
    struct config_origin *db_origin;    /* parallel to cfg->dbs */
    char **user_origin;                 /* parallel to cfg->users */
};

static const char *const config_mode_names[] = {"session", "transaction", "statement"};
static const char *const config_auth_names[] = {"trust", "plain", "md5", "scram-sha-256"};
static const char *const config_level_names[] = {"debug", "info", "warning", "error"};

static char *config_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *config_printf(const char *fmt, ...)
{
    va_list ap;
    int len;
    char *out;

    va_start(ap, fmt);
    len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    out = malloc((size_t)len + 1);
    if (!out)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(out, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return out;
}

static void *config_field(struct config *cfg, const struct config_option *opt)
{
    return (char *)cfg + opt->offset;
}

static const void *config_cfield(const struct config *cfg, const struct config_option *opt)
{
    return (const char *)cfg + opt->offset;
}

static const struct config_option *config_option_find(const char *name)
{
    for (size_t i = 0; i < CONFIG_N_OPTIONS; i++)
        if (strcasecmp(config_options[i].name, name) == 0)
            return &config_options[i];
    return NULL;
}

static bool config_name_in(const char *name, const char *const *names, size_t n, int *index)
{
    for (size_t i = 0; i < n; i++) {
        if (strcasecmp(name, names[i]) == 0) {
            if (index)
                *index = (int)i;
            return true;
        }
    }
    return false;
}

#define CONFIG_COUNT(array) (sizeof(array) / sizeof((array)[0]))

static bool config_parse_int(const char *value, int *out)
{
    char *end;
    long v;

    errno = 0;
    v = strtol(value, &end, 10);
    if (value[0] == '\0' || *end != '\0' || errno != 0 || v < INT_MIN || v > INT_MAX)
        return false;
    *out = (int)v;
    return true;
}

static bool config_parse_bool(const char *value, bool *out)
{
    static const char *const yes[] = {"1", "on", "true", "yes"};
    static const char *const no[] = {"0", "off", "false", "no"};

    if (config_name_in(value, yes, CONFIG_COUNT(yes), NULL))
        *out = true;
    else if (config_name_in(value, no, CONFIG_COUNT(no), NULL))
        *out = false;
    else
        return false;
    return true;
}

/*
 * A duration: a decimal number of seconds ("30", "0.5"), or a number with a unit ms, s, min
 * or h ("250ms", "1.5 min"). Rounded to whole milliseconds. Parsed without floating point so
 * that "0.1" is exactly 100 ms.
 */
static bool config_parse_dur(const char *value, int64_t *out_ms)
{
    static const struct {
        const char *name;
        int64_t ms;
    } units[] = {{"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}};
    const char *p = value;
    int64_t whole = 0, frac_micro = 0, unit_ms = 1000, scale = 100000;
    bool digits = false;

    while (*p >= '0' && *p <= '9') {
        whole = whole * 10 + (*p++ - '0');
        digits = true;
        if (whole > CONFIG_DUR_MAX_WHOLE)
            return false;
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++) {
            frac_micro += (*p - '0') * scale;
            scale /= 10;
            digits = true;
        }
    }
    if (!digits)
        return false;
    while (*p == ' ')
        p++;
    if (*p != '\0') {
        size_t i;
        for (i = 0; i < CONFIG_COUNT(units); i++)
            if (strcmp(p, units[i].name) == 0)
                break;
        if (i == CONFIG_COUNT(units))
            return false;
        unit_ms = units[i].ms;
    }
    *out_ms = whole * unit_ms + (frac_micro * unit_ms + 500000) / 1000000;
    return true;
}

/* Set one option from its text, or write why not into msg (without a position). */
static bool config_value_set(struct config *cfg, const struct config_option *opt, const char *value,
                             char *msg, size_t msglen)
{
    void *field = config_field(cfg, opt);
    const char *expected = NULL;
    int index;

    switch (opt->type) {
    case CONFIG_TYPE_STR: {
        char *copy = strdup(value);
        if (!copy) {
            snprintf(msg, msglen, "out of memory");
            return false;
        }
        free(*(char **)field);
        *(char **)field = copy;
        return true;
    }
    case CONFIG_TYPE_INT:
        if (!config_parse_int(value, field))
            expected = "a whole number";
        break;
    case CONFIG_TYPE_BOOL:
        if (!config_parse_bool(value, field))
            expected = "a boolean (1, 0, on, off, true, false, yes or no)";
        break;
    case CONFIG_TYPE_DUR:
        if (!config_parse_dur(value, field))
            expected = "a duration in seconds such as 30 or 0.5, or with a unit ms, s, min or h";
        break;
    case CONFIG_TYPE_MODE:
        if (config_name_in(value, config_mode_names, CONFIG_COUNT(config_mode_names), &index))
            *(enum pool_mode *)field = (enum pool_mode)index;
        else
            expected = "session, transaction or statement";
        break;
    case CONFIG_TYPE_AUTH:
        if (config_name_in(value, config_auth_names, CONFIG_COUNT(config_auth_names), &index))
            *(enum auth_method *)field = (enum auth_method)index;
        else
            expected = "trust, plain, md5 or scram-sha-256";
        break;
    case CONFIG_TYPE_LEVEL:
        if (config_name_in(value, config_level_names, CONFIG_COUNT(config_level_names), &index))
            *(int *)field = LOG_DEBUG + index;
        else
            expected = "debug, info, warning or error";
        break;
    }
    if (expected) {
        snprintf(msg, msglen, "%s must be %s, not '%s'", opt->name, expected, value);
        return false;
    }
    return true;
}

/* Milliseconds as seconds, the way PgBouncer shows them: "600", "0.5", "1.25". */
static void config_format_dur(int64_t ms, char *buf, size_t len)
{
    size_t n;

    if (ms % 1000 == 0) {
        snprintf(buf, len, "%lld", (long long)(ms / 1000));
        return;
    }
    snprintf(buf, len, "%lld.%03lld", (long long)(ms / 1000), (long long)(ms % 1000));
    n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
}

static const char *config_name_of(const char *const *names, size_t n, int index)
{
    return index >= 0 && (size_t)index < n ? names[index] : "?";
}

/* An option's value as text; the result is buf or a string of cfg, valid while both are. */
static const char *config_value_format(const struct config *cfg, const struct config_option *opt,
                                       char *buf, size_t len)
{
    const void *field = config_cfield(cfg, opt);

    switch (opt->type) {
    case CONFIG_TYPE_STR: {
        const char *s = *(char *const *)field;
        return s ? s : "";
    }
    case CONFIG_TYPE_INT:
        snprintf(buf, len, "%d", *(const int *)field);
        return buf;
    case CONFIG_TYPE_BOOL:
        return *(const bool *)field ? "1" : "0";
    case CONFIG_TYPE_DUR:
        config_format_dur(*(const int64_t *)field, buf, len);
        return buf;
    case CONFIG_TYPE_MODE:
        return config_name_of(config_mode_names, CONFIG_COUNT(config_mode_names),
                              (int)*(const enum pool_mode *)field);
    case CONFIG_TYPE_AUTH:
        return config_name_of(config_auth_names, CONFIG_COUNT(config_auth_names),
                              (int)*(const enum auth_method *)field);
    case CONFIG_TYPE_LEVEL:
        return config_name_of(config_level_names, CONFIG_COUNT(config_level_names),
                              *(const int *)field - LOG_DEBUG);
    }
    return "?";
}

void config_destroy(struct config *cfg)
{
    if (!cfg)
        return;
    for (size_t i = 0; i < CONFIG_N_OPTIONS; i++)
        if (config_options[i].type == CONFIG_TYPE_STR)
            free(*(char **)config_field(cfg, &config_options[i]));
    for (size_t i = 0; i < cfg->n_dbs; i++)
        config_db_fini(&cfg->dbs[i]);
    free(cfg->dbs);
    for (size_t i = 0; i < cfg->n_users; i++)
        config_user_fini(&cfg->users[i]);
    free(cfg->users);
    config_auth_free(cfg->auth, cfg->n_auth);
    for (size_t i = 0; i < cfg->n_warnings; i++)
        free(cfg->warnings[i]);
    free(cfg->warnings);
    free(cfg->path);
    free(cfg);
}

static void config_loader_fini(struct config_loader *ld)
{
    size_t n_dbs = ld->cfg ? ld->cfg->n_dbs : 0, n_users = ld->cfg ? ld->cfg->n_users : 0;

    for (size_t i = 0; i < CONFIG_N_OPTIONS; i++)
        free(ld->opt_origin[i]);
    for (size_t i = 0; i < n_dbs && ld->db_origin; i++)
        free(ld->db_origin[i].where);
    free(ld->db_origin);
    for (size_t i = 0; i < n_users && ld->user_origin; i++)
        free(ld->user_origin[i]);
    free(ld->user_origin);
}

/*
 * Set an option from text found at where ("path:line" or a variable name). A relative
 * auth_file, migrations_dir or backup_dir is resolved against base_file's directory (the working
 * directory when NULL).
 */
static bool config_option_apply(struct config_loader *ld, const struct config_option *opt,
                                const char *value, const char *where, const char *base_file,
                                char *msg, size_t msglen)
{
    size_t index = (size_t)(opt - config_options);
    char *resolved = NULL, *origin;
    bool ok;

    if ((strcmp(opt->name, "auth_file") == 0 || strcmp(opt->name, "migrations_dir") == 0 ||
         strcmp(opt->name, "backup_dir") == 0) &&
        value[0] != '\0') {
        resolved = ini_resolve_path(base_file, value);
        if (!resolved) {
            snprintf(msg, msglen, "out of memory");
            return false;
        }
        value = resolved;
    }
    ok = config_value_set(ld->cfg, opt, value, msg, msglen);
    free(resolved);
    if (!ok)
        return false;
    origin = strdup(where);
    if (!origin) {
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    free(ld->opt_origin[index]);
    ld->opt_origin[index] = origin;
    return true;
}

static bool config_add_warning(struct config *cfg, char *warning)
{
    char **grown;

    if (!warning)
        return false;
    grown = realloc(cfg->warnings, (cfg->n_warnings + 1) * sizeof(*grown));
    if (!grown) {
        free(warning);
        return false;
    }
    cfg->warnings = grown;
    cfg->warnings[cfg->n_warnings++] = warning;
    return true;
}

/*
 * Make a sqlite path relative to the file that defined it (or to the working directory),
 * since the daemon's working directory is no guide to where the config author meant.
 */
static bool config_resolve_sqlite(struct db_config *db, const char *base_file)
{
    char *resolved;

    if (db->backend != DB_BACKEND_SQLITE || strcmp(db->sqlite_path, ":memory:") == 0)
        return true;
    resolved = ini_resolve_path(base_file, db->sqlite_path);
    if (!resolved)
        return false;
    free(db->sqlite_path);
    db->sqlite_path = resolved;
    return true;
}

/*
 * Add *db (taking its strings) under origin where. An entry of the same name from an earlier
 * layer is replaced; one from the same layer is an error.
 */
static bool config_put_db(struct config_loader *ld, struct db_config *db, const char *where,
                          enum config_layer layer, char *msg, size_t msglen)
{
    struct config *cfg = ld->cfg;
    struct db_config *grown;
    struct config_origin *grown_origin;
    char *origin;

    /* The admin console's virtual database (include/admin/admin.h, ADMIN_DBNAME). */
    if (strcmp(db->name, "myrmex") == 0) {
        snprintf(msg, msglen, "the database name 'myrmex' is reserved for the admin console");
        return false;
    }
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        if (strcmp(cfg->dbs[i].name, db->name) != 0)
            continue;
        if (ld->db_origin[i].layer == layer) {
            snprintf(msg, msglen, "database '%s' is defined twice (first at %s)", db->name,
                     ld->db_origin[i].where);
            return false;
        }
        origin = strdup(where);
        if (!origin) {
            snprintf(msg, msglen, "out of memory");
            return false;
        }
        config_db_fini(&cfg->dbs[i]);
        cfg->dbs[i] = *db;
        free(ld->db_origin[i].where);
        ld->db_origin[i].where = origin;
        ld->db_origin[i].layer = layer;
        memset(db, 0, sizeof(*db));
        return true;
    }
    origin = strdup(where);
    grown = realloc(cfg->dbs, (cfg->n_dbs + 1) * sizeof(*grown));
    if (grown)
        cfg->dbs = grown;
    grown_origin = realloc(ld->db_origin, (cfg->n_dbs + 1) * sizeof(*grown_origin));
    if (grown_origin)
        ld->db_origin = grown_origin;
    if (!origin || !grown || !grown_origin) {
        free(origin);
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    cfg->dbs[cfg->n_dbs] = *db;
    ld->db_origin[cfg->n_dbs].where = origin;
    ld->db_origin[cfg->n_dbs].layer = layer;
    cfg->n_dbs++;
    memset(db, 0, sizeof(*db));
    return true;
}

/* Parse one database definition and add it; msg gets the reason on failure. */
static bool config_define_db(struct config_loader *ld, const char *name, const char *value,
                             const char *where, const char *base_file, enum config_layer layer,
                             char *msg, size_t msglen)
{
    struct db_config db;
    char why[512];

    if (!config_parse_db(name, value, &db, why, sizeof(why))) {
        snprintf(msg, msglen, "database '%s': %s", name, why);
        return false;
    }
    if (!config_resolve_sqlite(&db, base_file)) {
        snprintf(msg, msglen, "out of memory");
        config_db_fini(&db);
        return false;
    }
    if (!config_put_db(ld, &db, where, layer, msg, msglen)) {
        config_db_fini(&db);
        return false;
    }
    return true;
}

static bool config_define_user(struct config_loader *ld, const char *name, const char *value,
                               const char *where, char *msg, size_t msglen)
{
    struct config *cfg = ld->cfg;
    struct user_config user, *grown;
    char **grown_origin, *origin, why[512];

    for (size_t i = 0; i < cfg->n_users; i++) {
        if (strcmp(cfg->users[i].name, name) == 0) {
            snprintf(msg, msglen, "user '%s' is defined twice (first at %s)", name,
                     ld->user_origin[i]);
            return false;
        }
    }
    if (!config_parse_user(name, value, &user, why, sizeof(why))) {
        snprintf(msg, msglen, "user '%s': %s", name, why);
        return false;
    }
    origin = strdup(where);
    grown = realloc(cfg->users, (cfg->n_users + 1) * sizeof(*grown));
    if (grown)
        cfg->users = grown;
    grown_origin = realloc(ld->user_origin, (cfg->n_users + 1) * sizeof(*grown_origin));
    if (grown_origin)
        ld->user_origin = grown_origin;
    if (!origin || !grown || !grown_origin) {
        free(origin);
        config_user_fini(&user);
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    cfg->users[cfg->n_users] = user;
    ld->user_origin[cfg->n_users] = origin;
    cfg->n_users++;
    return true;
}

static bool config_is_main_section(const char *section)
{
    return strcasecmp(section, "myrmex") == 0 || strcasecmp(section, "pgbouncer") == 0;
}

static bool config_on_section(void *arg, const char *path, int line, const char *section, char *msg,
                              size_t msglen)
{
    (void)arg;
    (void)path;
    (void)line;
    if (config_is_main_section(section) || strcasecmp(section, "databases") == 0 ||
        strcasecmp(section, "users") == 0 ||
        config_name_in(section, config_reserved_sections, CONFIG_COUNT(config_reserved_sections),
                       NULL))
        return true;
    snprintf(msg, msglen, "unknown section [%s]", section);
    return false;
}

static bool config_on_main_entry(struct config_loader *ld, const char *path, const char *where,
                                 const char *section, const char *key, const char *value, char *msg,
                                 size_t msglen)
{
    const struct config_option *opt = config_option_find(key);

    if (opt)
        return config_option_apply(ld, opt, value, where, path, msg, msglen);
    if (strcasecmp(section, "pgbouncer") == 0 &&
        config_name_in(key, config_pgbouncer_ignored, CONFIG_COUNT(config_pgbouncer_ignored),
                       NULL)) {
        if (config_add_warning(ld->cfg,
                               config_printf("%s: PgBouncer setting '%s' is not supported by "
                                             "myrmex and is ignored",
                                             where, key)))
            return true;
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    snprintf(msg, msglen, "unknown setting '%s' in [%s]", key, section);
    return false;
}

static bool config_on_entry(void *arg, const char *path, int line, const char *section,
                            const char *key, const char *value, char *msg, size_t msglen)
{
    struct config_loader *ld = arg;
    char *where = config_printf("%s:%d", path, line);
    bool ok;

    if (!where) {
        snprintf(msg, msglen, "out of memory");
        return false;
    }
    if (config_is_main_section(section))
        ok = config_on_main_entry(ld, path, where, section, key, value, msg, msglen);
    else if (strcasecmp(section, "databases") == 0)
        ok = config_define_db(ld, key, value, where, path, CONFIG_LAYER_FILE, msg, msglen);
    else if (strcasecmp(section, "users") == 0)
        ok = config_define_user(ld, key, value, where, msg, msglen);
    else
        ok = true; /* a reserved section: read by later features, not by this module */
    free(where);
    return ok;
}

/* MYRMEX_<KEY> for every option of the table. */
static bool config_apply_env_options(struct config_loader *ld, char *err, size_t errlen)
{
    char var[128], msg[512];
    const char *value;

    for (size_t i = 0; i < CONFIG_N_OPTIONS; i++) {
        const struct config_option *opt = &config_options[i];
        size_t n = (size_t)snprintf(var, sizeof(var), "MYRMEX_%s", opt->name);
        for (size_t j = 7; j < n && j < sizeof(var); j++)
            if (var[j] >= 'a' && var[j] <= 'z')
                var[j] = (char)(var[j] - 'a' + 'A');
        value = getenv(var);
        if (!value)
            continue;
        if (!config_option_apply(ld, opt, value, var, NULL, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s: %s", var, msg);
            return false;
        }
    }
    return true;
}

static void config_trim_end(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n'))
        s[--n] = '\0';
}

/*
 * MYRMEX_DATABASES: "name=value;name=value". A ';' inside a single-quoted value (a
 * connect_query, say) does not end the definition.
 */
static bool config_apply_env_databases(struct config_loader *ld, char *err, size_t errlen)
{
    static const char var[] = "MYRMEX_DATABASES";
    const char *env = getenv(var);
    char *copy, *p, *start, *eq, *name, msg[1024];
    bool quoted = false, ok = true;

    if (!env)
        return true;
    copy = strdup(env);
    if (!copy) {
        snprintf(err, errlen, "%s: out of memory", var);
        return false;
    }
    for (p = start = copy; ok; p++) {
        if (*p == '\\' && quoted && p[1] == '\'') {
            p++;
            continue;
        }
        if (*p == '\'')
            quoted = !quoted;
        if (*p != '\0' && (*p != ';' || quoted))
            continue;
        bool last = *p == '\0';
        *p = '\0';
        while (*start == ' ' || *start == '\t')
            start++;
        if (*start != '\0') {
            eq = strchr(start, '=');
            if (!eq) {
                snprintf(err, errlen, "%s: expected name=value in '%s'", var, start);
                ok = false;
                break;
            }
            *eq = '\0';
            name = start;
            config_trim_end(name);
            config_trim_end(eq + 1);
            if (*name == '\0') {
                snprintf(err, errlen, "%s: a database definition has no name", var);
                ok = false;
                break;
            }
            if (!config_define_db(ld, name, eq + 1, var, NULL, CONFIG_LAYER_DATABASES_ENV, msg,
                                  sizeof(msg))) {
                snprintf(err, errlen, "%s: %s", var, msg);
                ok = false;
                break;
            }
        }
        if (last)
            break;
        start = p + 1;
    }
    free(copy);
    return ok;
}

/*
 * MYRMEX_DATABASE_URL: one database named after the URL's database name (or, for sqlite,
 * after the file name without its extension).
 */
static bool config_apply_env_url(struct config_loader *ld, char *err, size_t errlen)
{
    static const char var[] = "MYRMEX_DATABASE_URL";
    const char *url = getenv(var);
    struct db_config db;
    char msg[1024], *name, *dot;
    const char *base;
    bool ok;

    if (!url)
        return true;
    if (!strstr(url, "://")) {
        snprintf(err, errlen, "%s: expected a postgresql:// or sqlite:// URL", var);
        return false;
    }
    if (!config_parse_db("", url, &db, msg, sizeof(msg))) {
        snprintf(err, errlen, "%s: %s", var, msg);
        return false;
    }
    if (db.backend == DB_BACKEND_SQLITE) {
        base = strrchr(db.sqlite_path, '/');
        name = strdup(base ? base + 1 : db.sqlite_path);
        if (name && (dot = strrchr(name, '.')) != NULL && dot != name)
            *dot = '\0';
    } else {
        name = strdup(db.dbname);
    }
    if (!name || name[0] == '\0') {
        snprintf(err, errlen, "%s: %s", var,
                 name ? "the URL names no database to call it by" : "out of memory");
        free(name);
        config_db_fini(&db);
        return false;
    }
    free(db.name);
    db.name = name;
    ok = config_resolve_sqlite(&db, NULL);
    if (!ok)
        snprintf(err, errlen, "%s: out of memory", var);
    else if (!(ok = config_put_db(ld, &db, var, CONFIG_LAYER_URL_ENV, msg, sizeof(msg))))
        snprintf(err, errlen, "%s: %s", var, msg);
    if (!ok)
        config_db_fini(&db);
    return ok;
}

/* Where an option got its value, for validation messages. */
static const char *config_origin_of(const struct config_loader *ld, const char *name)
{
    const struct config_option *opt = config_option_find(name);
    const char *where = opt ? ld->opt_origin[opt - config_options] : NULL;

    if (where)
        return where;
    return ld->cfg->path ? ld->cfg->path : "default configuration";
}

static bool config_check_range(const struct config_loader *ld, const char *name, int min, int max,
                               char *err, size_t errlen)
{
    const struct config_option *opt = config_option_find(name);
    int value = *(const int *)config_cfield(ld->cfg, opt);

    if (value >= min && value <= max)
        return true;
    if (max == INT_MAX)
        snprintf(err, errlen, "%s: %s must be at least %d, not %d", config_origin_of(ld, name),
                 name, min, value);
    else
        snprintf(err, errlen, "%s: %s must be from %d to %d, not %d", config_origin_of(ld, name),
                 name, min, max, value);
    return false;
}

static bool config_validate(const struct config_loader *ld, char *err, size_t errlen)
{
    const struct config *cfg = ld->cfg;
    static const char *const non_negative[] = {
        "default_pool_size",    "min_pool_size",   "reserve_pool_size",      "max_db_connections",
        "max_user_connections", "max_packet_size", "max_prepared_statements"};

    if (!config_check_range(ld, "listen_port", 1, 65535, err, errlen) ||
        !config_check_range(ld, "workers", 0, 256, err, errlen) ||
        !config_check_range(ld, "max_client_conn", 1, INT_MAX, err, errlen))
        return false;
    for (size_t i = 0; i < CONFIG_COUNT(non_negative); i++)
        if (!config_check_range(ld, non_negative[i], 0, INT_MAX, err, errlen))
            return false;
    if (cfg->listen_addr[0] == '\0' && cfg->unix_socket_dir[0] == '\0') {
        snprintf(err, errlen,
                 "%s: listen_addr and unix_socket_dir are both empty, so there is nothing to "
                 "listen on",
                 config_origin_of(ld, "listen_addr"));
        return false;
    }
    if (strcasecmp(cfg->sqlite_synchronous, "full") != 0 &&
        strcasecmp(cfg->sqlite_synchronous, "normal") != 0 &&
        strcasecmp(cfg->sqlite_synchronous, "off") != 0 &&
        strcasecmp(cfg->sqlite_synchronous, "extra") != 0) {
        snprintf(err, errlen, "%s: sqlite_synchronous must be full, normal, off or extra, not '%s'",
                 config_origin_of(ld, "sqlite_synchronous"), cfg->sqlite_synchronous);
        return false;
    }
    if (strcmp(cfg->log_format, "text") != 0 && strcmp(cfg->log_format, "json") != 0) {
        snprintf(err, errlen, "%s: log_format must be text or json, not '%s'",
                 config_origin_of(ld, "log_format"), cfg->log_format);
        return false;
    }
    return true;
}

/* Values given by the console's SET, applied last ("SET key" is their origin). */
static bool config_apply_sets(struct config_loader *ld, const struct config_set *sets, size_t n,
                              char *err, size_t errlen)
{
    char msg[512], where[96];

    for (size_t i = 0; i < n; i++) {
        const struct config_option *opt = config_option_find(sets[i].key);
        snprintf(where, sizeof(where), "SET %s", sets[i].key);
        if (!opt) {
            snprintf(err, errlen, "unrecognized configuration parameter \"%s\"", sets[i].key);
            return false;
        }
        if (!config_option_apply(ld, opt, sets[i].value, where, NULL, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s", msg);
            return false;
        }
    }
    return true;
}

struct config *config_load(const char *path, char *err, size_t errlen)
{
    return config_load_with(path, NULL, 0, err, errlen);
}

struct config *config_load_with(const char *path, const struct config_set *sets, size_t n_sets,
                                char *err, size_t errlen)
{
    struct config_loader ld;
    struct config *cfg;
    char local_err[1024], msg[512];
    const struct ini_handler handler = {config_on_section, config_on_entry, &ld};

    if (!err || errlen == 0) {
        err = local_err;
        errlen = sizeof(local_err);
    }
    memset(&ld, 0, sizeof(ld));
    cfg = calloc(1, sizeof(*cfg));
    if (!cfg) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ld.cfg = cfg;
    for (size_t i = 0; i < CONFIG_N_OPTIONS; i++) {
        if (!config_value_set(cfg, &config_options[i], config_options[i].def, msg, sizeof(msg))) {
            snprintf(err, errlen, "%s:%d: bad default in the option table: %s", __FILE__, __LINE__,
                     msg);
            goto fail;
        }
    }
    if (path) {
        cfg->path = strdup(path);
        if (!cfg->path) {
            snprintf(err, errlen, "%s: out of memory", path);
            goto fail;
        }
        if (!ini_parse_file(path, &handler, err, errlen))
            goto fail;
    }
    if (!config_apply_env_options(&ld, err, errlen) ||
        !config_apply_env_databases(&ld, err, errlen) || !config_apply_env_url(&ld, err, errlen) ||
        !config_apply_sets(&ld, sets, n_sets, err, errlen))
        goto fail;
    if (cfg->auth_file[0] != '\0') {
        char auth_err[1024];
        if (!config_auth_load(cfg->auth_file, &cfg->auth, &cfg->n_auth, auth_err,
                              sizeof(auth_err))) {
            snprintf(err, errlen, "%s (auth_file set at %s)", auth_err,
                     config_origin_of(&ld, "auth_file"));
            goto fail;
        }
    }
    if (!config_validate(&ld, err, errlen))
        goto fail;
    config_loader_fini(&ld);
    return cfg;

fail:
    config_loader_fini(&ld);
    config_destroy(cfg);
    return NULL;
}

const struct db_config *config_find_db(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_dbs; i++)
        if (strcmp(cfg->dbs[i].name, name) == 0)
            return &cfg->dbs[i];
    return NULL;
}

const struct user_config *config_find_user(const struct config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_users; i++)
        if (strcmp(cfg->users[i].name, name) == 0)
            return &cfg->users[i];
    return NULL;
}

static int config_auth_key_cmp(const void *key, const void *elem)
{
    return strcmp(key, ((const struct auth_entry *)elem)->user);
}

const char *config_find_secret(const struct config *cfg, const char *user)
{
    const struct auth_entry *e;

    if (cfg->n_auth == 0)
        return NULL;
    e = bsearch(user, cfg->auth, cfg->n_auth, sizeof(*cfg->auth), config_auth_key_cmp);
    return e ? e->secret : NULL;
}

/* A plain-text auth_file secret (not md5 or SCRAM) libpq can log in with, or NULL. */
static const char *config_plain_secret(const char *secret)
{
    if (!secret || !secret[0] || strncmp(secret, "SCRAM-SHA-256$", 14) == 0 ||
        (strncmp(secret, "md5", 3) == 0 && strlen(secret) == 35))
        return NULL;
    return secret;
}

bool config_login_credentials(const struct config *cfg, const struct db_config *db,
                              const char **user, const char **password)
{
    if (db->user) {
        const char *pw =
            db->password ? db->password : config_plain_secret(config_find_secret(cfg, db->user));
        *user = db->user;
        *password = pw;
        return pw != NULL;
    }
    for (size_t i = 0; i < cfg->n_auth; i++) {
        const char *pw = config_plain_secret(cfg->auth[i].secret);
        if (pw && !config_list_has(cfg->admin_users, cfg->auth[i].user) &&
            !config_list_has(cfg->stats_users, cfg->auth[i].user)) {
            *user = cfg->auth[i].user;
            *password = pw;
            return true;
        }
    }
    return false;
}

bool config_list_has(const char *list, const char *user)
{
    size_t user_len, len;

    if (!list || !user)
        return false;
    user_len = strlen(user);
    for (const char *p = list; *p;) {
        p += strspn(p, ", \t");
        len = strcspn(p, ", \t");
        if (len > 0 && len == user_len && memcmp(p, user, len) == 0)
            return true;
        p += len;
    }
    return false;
}

enum pool_mode config_pool_mode(const struct config *cfg, const struct db_config *db,
                                const char *user)
{
    const struct user_config *u = user ? config_find_user(cfg, user) : NULL;

    /* PgBouncer's order: the user's mode, then the database's, then the default. */
    if (u && u->pool_mode >= 0)
        return (enum pool_mode)u->pool_mode;
    if (db && db->pool_mode >= 0)
        return (enum pool_mode)db->pool_mode;
    return cfg->pool_mode;
}

int config_pool_size(const struct config *cfg, const struct db_config *db)
{
    if (db && db->pool_size >= 0)
        return db->pool_size;
    return cfg->default_pool_size;
}

void config_visit(const struct config *cfg, config_visit_fn fn, void *arg)
{
    char buf[64];

    for (size_t i = 0; i < CONFIG_N_OPTIONS; i++) {
        const struct config_option *opt = &config_options[i];
        fn(arg, opt->name, config_value_format(cfg, opt, buf, sizeof(buf)), opt->def, opt->reload,
           opt->doc);
    }
}

int config_option_reloadable(const char *key)
{
    const struct config_option *opt = config_option_find(key);
    return opt ? opt->reload : -1;
}

bool config_reload_compatible(const struct config *old_cfg, const struct config *new_cfg, char *err,
                              size_t errlen)
{
    char old_buf[64], new_buf[64];

    for (size_t i = 0; i < CONFIG_N_OPTIONS; i++) {
        const struct config_option *opt = &config_options[i];
        const char *before, *after;
        if (opt->reload)
            continue;
        before = config_value_format(old_cfg, opt, old_buf, sizeof(old_buf));
        after = config_value_format(new_cfg, opt, new_buf, sizeof(new_buf));
        if (strcmp(before, after) != 0) {
            if (err && errlen > 0)
                snprintf(err, errlen,
                         "%s changed from '%s' to '%s', which needs a restart rather than a "
                         "reload",
                         opt->name, before, after);
            return false;
        }
    }
    return true;
}
