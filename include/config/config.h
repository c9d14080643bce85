/*
 * Configuration: the [myrmex] option table (include/tbl/options.h), [databases], [users]
 * and the auth_file. A config is built whole, validated, and then published; a reload
 * builds a new one and swaps it only when it is valid.
 */
#ifndef MYRMEX_CONFIG_CONFIG_H
#define MYRMEX_CONFIG_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pool_mode { POOL_SESSION = 0, POOL_TRANSACTION, POOL_STATEMENT };
enum auth_method { AUTH_TRUST = 0, AUTH_PLAIN, AUTH_MD5, AUTH_SCRAM };
enum db_backend { DB_BACKEND_POSTGRES = 0, DB_BACKEND_SQLITE, DB_BACKEND_ADMIN };

/*
 * One [databases] entry. Integer fields are -1 when not given (the global default applies).
 * A sqlite entry has host NULL, port 0, dbname equal to name, and no user or password.
 */
struct db_config {
    char *name; /* name clients connect to */
    enum db_backend backend;
    char *host;             /* host name, IP, or a unix socket directory (starts with '/') */
    int port;               /* default 5432 */
    char *dbname;           /* database name on the server (default: name) */
    char *user;             /* forced server user, or NULL to use the client's */
    char *password;         /* password for the server login, or NULL (then the auth_file) */
    char *sqlite_path;      /* for DB_BACKEND_SQLITE */
    char *connect_query;    /* run once on each new server connection, or NULL */
    char *application_name; /* or NULL */
    int pool_size;
    int min_pool_size;
    int reserve_pool_size;
    int max_db_connections;
    int pool_mode; /* enum pool_mode or -1 */
};

/* One [users] entry: per-user overrides. */
struct user_config {
    char *name;
    int pool_mode;            /* enum pool_mode or -1 */
    int max_user_connections; /* -1 when not given */
};

/* One auth_file line: "user" "secret" (plain text, md5<32 hex>, or SCRAM-SHA-256$...). */
struct auth_entry {
    char *user;
    char *secret;
};

#define OPT_STR(name)                     char *name;
#define OPT_INT(name)                     int name;
#define OPT_BOOL(name)                    bool name;
#define OPT_DUR(name)                     int64_t name##_ms;
#define OPT_MODE(name)                    enum pool_mode name;
#define OPT_AUTH(name)                    enum auth_method name;
#define OPT_LEVEL(name)                   int name;
#define OPT(name, type, reload, def, doc) OPT_##type(name)
struct config {
    char *path; /* file it was read from, or NULL */
#include "tbl/options.h"
    struct db_config *dbs;
    size_t n_dbs;
    struct user_config *users;
    size_t n_users;
    struct auth_entry *auth; /* sorted by user, one entry per user (the last line wins) */
    size_t n_auth;
    /*
     * Notes for the caller to log once the config is in use: PgBouncer settings of a
     * [pgbouncer] section that myrmex accepts but ignores, each naming its file and line.
     */
    char **warnings;
    size_t n_warnings;
};
#undef OPT
#undef OPT_STR
#undef OPT_INT
#undef OPT_BOOL
#undef OPT_DUR
#undef OPT_MODE
#undef OPT_AUTH
#undef OPT_LEVEL

/*
 * Read the file at path (NULL: no file, defaults and environment only), apply MYRMEX_<KEY>
 * environment overrides and MYRMEX_DATABASES, read the auth_file, and validate.
 * Returns a new config owned by the caller, or NULL with a message naming the file and
 * line written into err (errlen bytes).
 */
struct config *config_load(const char *path, char *err, size_t errlen);
/* One value of the console's SET. */
struct config_set {
    char *key, *value;
};
/* config_load, then the values of SET on top (a reload keeps none: the proxy passes them). */
struct config *config_load_with(const char *path, const struct config_set *sets, size_t n_sets,
                                char *err, size_t errlen);
/* 1 when a reload may change option key, 0 when it needs a restart, -1 when there is none. */
int config_option_reloadable(const char *key);
void config_destroy(struct config *cfg);

const struct db_config *config_find_db(const struct config *cfg, const char *name);
const struct user_config *config_find_user(const struct config *cfg, const char *name);
/* The auth_file secret for user, or NULL. */
const char *config_find_secret(const struct config *cfg, const char *user);
/*
 * A user and password libpq can log in to PostgreSQL database db with, for the proxy's own
 * connections (CHECK DATABASES, migrations): the entry's forced user with its password or a
 * plain-text auth_file secret; without a forced user, the first auth_file user with a
 * plain-text secret that is not an admin or stats user. false when there is none (md5 and
 * SCRAM secrets cannot log in).
 */
bool config_login_credentials(const struct config *cfg, const struct db_config *db,
                              const char **user, const char **password);
/* true when user is listed in the comma-separated list (admin_users, stats_users). */
bool config_list_has(const char *list, const char *user);

/* Effective settings for a database (db overrides, then user overrides, then globals). */
enum pool_mode config_pool_mode(const struct config *cfg, const struct db_config *db,
                                const char *user);
int config_pool_size(const struct config *cfg, const struct db_config *db);

/*
 * Parse one [databases] value ("postgresql://user:pw@host:port/db?pool_size=20&pool_mode=x",
 * "sqlite:///path.db", or PgBouncer's "host=... port=... dbname=..." form) into out.
 * Returns false with a message in err.
 */
bool config_parse_db(const char *name, const char *value, struct db_config *out, char *err,
                     size_t errlen);
void config_db_fini(struct db_config *db);
/* Whether servers of a and b connect to the same place as the same user (reload). */
bool config_db_same_target(const struct db_config *a, const struct db_config *b);

/*
 * Parse one [users] value ("pool_mode=transaction max_user_connections=10") into out.
 * Returns false with a message in err.
 */
bool config_parse_user(const char *name, const char *value, struct user_config *out, char *err,
                       size_t errlen);
void config_user_fini(struct user_config *user);

/*
 * Read a PgBouncer userlist.txt ("user" "secret" lines, "" for a quote inside a field, ';'
 * comments). On success *out (sorted by user, one entry per user) and *n_out belong to the
 * caller; on failure err names the file and line.
 */
bool config_auth_load(const char *path, struct auth_entry **out, size_t *n_out, char *err,
                      size_t errlen);
void config_auth_free(struct auth_entry *entries, size_t n);

/* For SHOW CONFIG and --check-config: call fn for every option with its current value. */
typedef void (*config_visit_fn)(void *arg, const char *key, const char *value,
                                const char *default_value, bool reloadable, const char *doc);
void config_visit(const struct config *cfg, config_visit_fn fn, void *arg);

/* Whether a reload from old to new changes an option that needs a restart; names it in err. */
bool config_reload_compatible(const struct config *old_cfg, const struct config *new_cfg, char *err,
                              size_t errlen);

#endif
