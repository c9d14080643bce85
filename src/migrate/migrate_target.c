/*
 * Where a migration run goes, from the configuration: the database's connection settings and
 * its folder of migration files.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "config/config.h"
#include "migrate/migrate.h"
#include "util/util.h"

static bool mig_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

bool mig_target_init(struct mig_target *t, const struct config *cfg, const struct db_config *db)
{
    size_t n_dbs = 0;
    char sub[4096];

    memset(t, 0, sizeof(*t));
    if (!cfg->migrations_dir || !cfg->migrations_dir[0] || db->backend == DB_BACKEND_ADMIN)
        return false;
    for (size_t i = 0; i < cfg->n_dbs; i++)
        n_dbs += cfg->dbs[i].backend != DB_BACKEND_ADMIN;
    snprintf(sub, sizeof(sub), "%s/%s", cfg->migrations_dir, db->name);
    t->dir = xstrdup(mig_is_dir(sub) || n_dbs > 1 ? sub : cfg->migrations_dir);
    t->database = xstrdup(db->name);
    if (db->backend == DB_BACKEND_SQLITE) {
        t->backend = MIG_BACKEND_SQLITE;
        t->sqlite_path = xstrdup(db->sqlite_path);
        t->user = xstrdup(db->user ? db->user : "myrmex");
    } else {
        const char *user = NULL, *password = NULL;
        t->backend = MIG_BACKEND_POSTGRES;
        t->host = db->host ? xstrdup(db->host) : NULL;
        t->port = db->port > 0 ? db->port : 5432;
        t->dbname = xstrdup(db->dbname ? db->dbname : db->name);
        if (config_login_credentials(cfg, db, &user, &password)) {
            t->user = xstrdup(user);
            t->password = xstrdup(password);
        } else if (db->user) {
            t->user = xstrdup(db->user);
        }
    }
    return true;
}

bool mig_target_has_dir(const struct mig_target *t)
{
    return t->dir && mig_is_dir(t->dir);
}
