/*
 * The console's migration commands (DESIGN.md sections 4 and 6):
 *   SHOW MIGRATIONS [db]                    the state of every migration (inline)
 *   MIGRATE [db] [TO version] [DRY RUN]     apply pending ones              (a job)
 *   MIGRATE DOWN [db] [n] [DRY RUN]         revert the last n applied       (a job)
 *   MIGRATE VALIDATE [db]                   applied ones against the files  (a job)
 *   MIGRATE REPAIR [db] version             fix one history row             (a job)
 *   MIGRATE BASELINE [db] version           start an existing database's history (a job)
 * and migrate_on_start. A job runs the engine (src/migrate/) on its executor thread; the pause
 * hooks hold the database's new transactions (control_set_migrating) while a transactional
 * migration runs and wait for the transactions in flight to end.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "admin/admin_parse.h"
#include "admin/jobs.h"
#include "admin_int.h"
#include "backup/backup.h"
#include "core/control.h"
#include "core/proxy.h"
#include "migrate/migrate.h"
#include "monitor/monitor.h"
#include "pool/pool.h"
#include "util/log.h"
#include "util/util.h"

#define MIG_BUSY_POLL_MS 20

struct mig_job {
    struct mig_target *targets;
    size_t n_targets;
    struct mig_options o;
    char *to_version, *version;
    char runner[128];
    struct job *job;
    bool columns_sent;
    bool startup;       /* migrate_on_start's run: /readyz waits for it */
    bool backup_before; /* migrations_backup_before */
    char *backup_dir;
    bool backup_compress;
};

/* migrate_on_start: /readyz is not ready until its run succeeded. */
enum mig_startup { MIG_STARTUP_NONE, MIG_STARTUP_RUNNING, MIG_STARTUP_DONE, MIG_STARTUP_FAILED };
static pthread_mutex_t mig_startup_lock = PTHREAD_MUTEX_INITIALIZER;
static enum mig_startup mig_startup_state;
static char mig_startup_error[256];
static char mig_startup_db[128]; /* the database whose run failed */

static void mig_job_free(void *p)
{
    struct mig_job *a = p;
    if (a->startup) {
        /* A startup run cancelled before it ran: /readyz must not wait for it forever. */
        pthread_mutex_lock(&mig_startup_lock);
        if (mig_startup_state == MIG_STARTUP_RUNNING) {
            mig_startup_state = MIG_STARTUP_FAILED;
            snprintf(mig_startup_error, sizeof(mig_startup_error), "cancelled");
        }
        pthread_mutex_unlock(&mig_startup_lock);
    }
    for (size_t i = 0; i < a->n_targets; i++)
        mig_target_free(&a->targets[i]);
    free(a->targets);
    free(a->to_version);
    free(a->version);
    free(a->backup_dir);
    free(a);
}

static void mig_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* Hold new transactions on database; wait (at most max_ms) for those in flight. */
static void mig_hook_pause(void *arg, const char *database, int64_t max_ms)
{
    struct mig_job *a = arg;
    int64_t deadline = now_ms() + max_ms;
    int n;
    control_set_migrating(database, true, max_ms);
    while ((n = pool_count_busy_of(database)) > 0 && now_ms() < deadline)
        mig_sleep_ms(MIG_BUSY_POLL_MS);
    if (n > 0 && a && a->job)
        job_progress(a->job, -1,
                     "database %s: %d transaction(s) still running after migrations_pause_max; "
                     "the migration goes on and waits for their locks",
                     database, n);
}

static void mig_hook_resume(void *arg, const char *database)
{
    (void)arg;
    control_set_migrating(database, false, 0);
    admin_kick();
}

static void mig_job_progress(void *arg, int percent, const char *line)
{
    struct mig_job *a = arg;
    job_progress(a->job, percent, "%s", line);
}

static bool mig_job_cancelled(void *arg)
{
    struct mig_job *a = arg;
    return job_cancelled(a->job);
}

static void mig_job_columns(void *arg, int n, const char *const *names)
{
    struct mig_job *a = arg;
    char fmt[ADMIN_MAX_COLUMNS + 1];
    if (a->columns_sent || n > ADMIN_MAX_COLUMNS)
        return;
    memset(fmt, 's', (size_t)n);
    fmt[n] = '\0';
    job_columns_v(a->job, fmt, names);
    a->columns_sent = true;
}

static void mig_job_row(void *arg, const char *const *values)
{
    struct mig_job *a = arg;
    job_row_v(a->job, values);
}

/* The migration_failed alert of database: raised when a run fails, cleared by one that
 * applies everything. */
static void mig_alert(const char *database, const struct mig_error *err)
{
    char key[160];
    snprintf(key, sizeof(key), "migration_failed:%s", database);
    if (err) {
        struct mon_alert a;
        memset(&a, 0, sizeof(a));
        snprintf(a.key, sizeof(a.key), "%s", key);
        snprintf(a.name, sizeof(a.name), "migration_failed");
        a.severity = MON_CRITICAL;
        snprintf(a.db, sizeof(a.db), "%s", database);
        snprintf(a.message, sizeof(a.message), "%.*s", (int)strcspn(err->message, "\n"),
                 err->message);
        snprintf(a.suggestion, sizeof(a.suggestion),
                 "SHOW MIGRATIONS %s shows the failed one; fix its file and MIGRATE again "
                 "(MIGRATE REPAIR removes a failed row)",
                 database);
        a.since = (int64_t)time(NULL) * 1000;
        mon_alert_raise(&a);
    } else {
        mon_alert_clear(key);
    }
}

static bool mig_backup_before(struct mig_job *a, const struct mig_target *t, struct mig_error *err);

static bool mig_job_run(struct job *job, void *arg)
{
    struct mig_job *a = arg;
    struct mig_hooks h = {.arg = a,
                          .progress = mig_job_progress,
                          .cancelled = mig_job_cancelled,
                          .pause = mig_hook_pause,
                          .resume = mig_hook_resume,
                          .columns = mig_job_columns,
                          .row = mig_job_row};
    a->job = job;
    for (size_t i = 0; i < a->n_targets; i++) {
        struct mig_error err;
        bool ok =
            mig_backup_before(a, &a->targets[i], &err) && mig_run(&a->targets[i], &a->o, &h, &err);
        if (a->o.action == MIG_UP && !a->o.dry_run)
            mig_alert(a->targets[i].database, ok ? NULL : &err);
        if (!ok) {
            log_warning("migration of database %s failed: %s", a->targets[i].database, err.message);
            job_fail(job, err.sqlstate, "%s", err.message);
            if (a->startup) {
                pthread_mutex_lock(&mig_startup_lock);
                mig_startup_state = MIG_STARTUP_FAILED;
                snprintf(mig_startup_db, sizeof(mig_startup_db), "%s", a->targets[i].database);
                snprintf(mig_startup_error, sizeof(mig_startup_error), "database %s: %.*s",
                         a->targets[i].database, (int)strcspn(err.message, "\n"), err.message);
                pthread_mutex_unlock(&mig_startup_lock);
            }
            return false;
        }
    }
    pthread_mutex_lock(&mig_startup_lock);
    if (a->startup) {
        mig_startup_state = MIG_STARTUP_DONE;
        log_info("migrate_on_start: every database is up to date");
    } else if (mig_startup_state == MIG_STARTUP_FAILED && a->o.action == MIG_UP && !a->o.dry_run) {
        /* migrate_on_start failed; a later MIGRATE that brings its database up to date
         * makes the proxy ready after all. */
        for (size_t i = 0; i < a->n_targets; i++)
            if (strcmp(a->targets[i].database, mig_startup_db) == 0)
                mig_startup_state = MIG_STARTUP_DONE;
    }
    pthread_mutex_unlock(&mig_startup_lock);
    return true;
}

static void mig_runner_name(char *out, size_t outlen);

/* Counts what a run would change (the state column of a status run). */
static void mig_work_row(void *arg, const char *const *values)
{
    int *n = arg;
    const char *state = values[6];
    if (state && (strcmp(state, "pending") == 0 || strcmp(state, "failed") == 0 ||
                  strcmp(state, "outdated") == 0))
        (*n)++;
}

/*
 * migrations_backup_before: a run that is going to change database t (DOWN, REPAIR, BASELINE,
 * or MIGRATE with something to apply) takes a backup first and does not migrate when that
 * fails. true when there is nothing to do or the backup is done.
 */
static bool mig_backup_before(struct mig_job *a, const struct mig_target *t, struct mig_error *err)
{
    struct backup_manifest m;
    char sqlstate[6], msg[800];

    memset(err, 0, sizeof(*err));
    if (!a->backup_before || a->o.dry_run || a->o.action == MIG_STATUS ||
        a->o.action == MIG_VALIDATE)
        return true;
    if (a->o.action == MIG_UP) {
        struct mig_options status = {.action = MIG_STATUS};
        struct mig_hooks count = {0};
        struct mig_error ignored;
        int n = 0;
        count.arg = &n;
        count.row = mig_work_row;
        if (mig_run(t, &status, &count, &ignored) && n == 0)
            return true; /* up to date: nothing to protect */
    }
    if (t->backend != MIG_BACKEND_SQLITE) {
        snprintf(err->sqlstate, sizeof(err->sqlstate), "0A000");
        snprintf(err->message, sizeof(err->message),
                 "database %s: migrations_backup_before is on, but backups of PostgreSQL "
                 "databases are not available yet: not migrating",
                 t->database);
        return false;
    }
    if (!a->backup_dir || !a->backup_dir[0]) {
        snprintf(err->sqlstate, sizeof(err->sqlstate), "55000");
        snprintf(err->message, sizeof(err->message),
                 "database %s: migrations_backup_before is on but backup_dir is not set: not "
                 "migrating",
                 t->database);
        return false;
    }
    job_progress(a->job, -1, "database %s: migrations_backup_before: taking a backup", t->database);
    if (!admin_backup_sqlite_now(a->job, t->database, t->sqlite_path, a->backup_dir,
                                 "before MIGRATE", a->backup_compress, a->o.lock_wait_ms, a->runner,
                                 &m, sqlstate, msg, sizeof(msg))) {
        snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", sqlstate);
        snprintf(err->message, sizeof(err->message),
                 "database %s: migrations_backup_before: the backup failed, so nothing was "
                 "migrated: %s",
                 t->database, msg);
        return false;
    }
    job_progress(a->job, -1, "database %s: backup %s taken (migration version %s)", t->database,
                 m.id, m.migration_version[0] ? m.migration_version : "none");
    return true;
}

/* The options every run takes from the configuration. */
static void mig_job_options(struct mig_job *a, const struct config *cfg)
{
    a->o.to_version = a->to_version;
    a->o.version = a->version;
    a->o.lock_wait_ms = cfg->migrations_lock_wait_ms;
    a->o.pause_max_ms = cfg->migrations_pause_max_ms;
    a->backup_before = cfg->migrations_backup_before;
    a->backup_dir = cfg->backup_dir ? xstrdup(cfg->backup_dir) : NULL;
    a->backup_compress = cfg->backup_compress;
    mig_runner_name(a->runner, sizeof(a->runner));
    a->o.runner = a->runner;
}

bool admin_migrate_on_start(void)
{
    const struct config *cfg = proxy_config();
    struct mig_job *a;
    char err[128];

    if (!cfg->migrate_on_start || !cfg->migrations_dir || !cfg->migrations_dir[0])
        return true;
    a = xcalloc(1, sizeof(*a));
    a->targets = xcalloc(cfg->n_dbs + 1, sizeof(*a->targets));
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        if (!mig_target_init(&a->targets[a->n_targets], cfg, &cfg->dbs[i]))
            continue;
        if (mig_target_has_dir(&a->targets[a->n_targets]))
            a->n_targets++;
        else
            mig_target_free(&a->targets[a->n_targets]);
    }
    a->o.action = MIG_UP;
    a->startup = true;
    mig_job_options(a, cfg);
    pthread_mutex_lock(&mig_startup_lock);
    mig_startup_state = MIG_STARTUP_RUNNING;
    pthread_mutex_unlock(&mig_startup_lock);
    if (jobs_submit("migrate (migrate_on_start)", NULL, mig_job_run, a, mig_job_free, err,
                    sizeof(err)) < 0) {
        log_error("migrate_on_start: %s", err);
        return false;
    }
    log_info("migrate_on_start: applying pending migrations of %zu database(s)", a->n_targets);
    return true;
}

bool admin_migrate_ready(char *why, size_t whylen)
{
    bool ready;
    pthread_mutex_lock(&mig_startup_lock);
    ready = mig_startup_state == MIG_STARTUP_NONE || mig_startup_state == MIG_STARTUP_DONE;
    if (mig_startup_state == MIG_STARTUP_RUNNING)
        snprintf(why, whylen, "migrations: migrate_on_start is applying pending migrations");
    else if (mig_startup_state == MIG_STARTUP_FAILED)
        snprintf(why, whylen, "migrations: migrate_on_start failed: %s", mig_startup_error);
    pthread_mutex_unlock(&mig_startup_lock);
    return ready;
}

static void mig_runner_name(char *out, size_t outlen)
{
    char host[64] = "?";
    gethostname(host, sizeof(host) - 1);
    host[sizeof(host) - 1] = '\0';
    snprintf(out, outlen, "myrmex %d on %s", (int)getpid(), host);
}

static bool mig_word_is(const struct admin_parse_cmd *cmd, int i, const char *w)
{
    return i < cmd->n_words && !cmd->string[i] && strcmp(cmd->words[i], w) == 0;
}

/*
 * Targets for database db (NULL: every database that has migrations) into a. false with the
 * error in r.
 */
static bool mig_targets(struct mig_job *a, const char *db, struct admin_result *r)
{
    const struct config *cfg = proxy_config();
    if (!cfg->migrations_dir || !cfg->migrations_dir[0]) {
        admin_result_error(r, "55000", "migrations are off: set migrations_dir");
        return false;
    }
    a->targets = xcalloc(cfg->n_dbs + 1, sizeof(*a->targets));
    for (size_t i = 0; i < cfg->n_dbs; i++) {
        const struct db_config *d = &cfg->dbs[i];
        if (db ? strcmp(d->name, db) != 0 : d->backend == DB_BACKEND_ADMIN)
            continue;
        if (d->backend == DB_BACKEND_ADMIN) {
            admin_result_error(r, "42601", "the console has no migrations");
            return false;
        }
        if (!mig_target_init(&a->targets[a->n_targets], cfg, d))
            continue;
        if (!db && !mig_target_has_dir(&a->targets[a->n_targets]))
            mig_target_free(&a->targets[a->n_targets]);
        else
            a->n_targets++;
    }
    if (db && a->n_targets == 0) {
        admin_result_error(r, "3D000", "no such database: %s", db);
        return false;
    }
    return true;
}

static bool mig_is_db(const char *name)
{
    const struct config *cfg = proxy_config();
    const struct db_config *d = config_find_db(cfg, name);
    return d && d->backend != DB_BACKEND_ADMIN;
}

void admin_migrate(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                   struct admin_result *r)
{
    const struct config *cfg = proxy_config();
    struct mig_job *a = xcalloc(1, sizeof(*a));
    const char *db = NULL, *kind = "migrate";
    int i = 0, id;
    char err[128], name[96];

    a->o.action = MIG_UP;
    if (mig_word_is(cmd, 0, "down")) {
        a->o.action = MIG_DOWN, kind = "migrate down", i++;
    } else if (mig_word_is(cmd, 0, "validate")) {
        a->o.action = MIG_VALIDATE, kind = "migrate validate", i++;
    } else if (mig_word_is(cmd, 0, "repair")) {
        a->o.action = MIG_REPAIR, kind = "migrate repair", i++;
    } else if (mig_word_is(cmd, 0, "baseline")) {
        a->o.action = MIG_BASELINE, kind = "migrate baseline", i++;
    } else if (mig_word_is(cmd, 0, "up")) {
        i++;
    }
    if (i < cmd->n_words && mig_is_db(cmd->words[i]))
        db = cmd->words[i++];
    while (i < cmd->n_words) {
        const char *w = cmd->words[i];
        char *end;
        if (a->o.action == MIG_UP && mig_word_is(cmd, i, "to") && i + 1 < cmd->n_words &&
            !a->to_version) {
            char v[64];
            if (!mig_version_normalize(cmd->words[i + 1], v, sizeof(v))) {
                admin_result_error(r, "22023", "not a version: %s", cmd->words[i + 1]);
                goto fail;
            }
            a->to_version = xstrdup(v);
            i += 2;
        } else if ((a->o.action == MIG_UP || a->o.action == MIG_DOWN) &&
                   mig_word_is(cmd, i, "dry") && mig_word_is(cmd, i + 1, "run")) {
            a->o.dry_run = true;
            i += 2;
        } else if (a->o.action == MIG_DOWN && !a->o.down_count &&
                   (a->o.down_count = (int)strtol(w, &end, 10)) > 0 && !*end) {
            i++;
        } else if ((a->o.action == MIG_REPAIR || a->o.action == MIG_BASELINE) && !a->version) {
            a->version = xstrdup(w);
            i++;
        } else {
            admin_result_error(r, "42601",
                               mig_is_db(w) || db ? "bad arguments near \"%s\""
                                                  : "no such database or bad argument: %s",
                               w);
            if (!db && !mig_is_db(w))
                snprintf(r->sqlstate, sizeof(r->sqlstate), "3D000");
            goto fail;
        }
    }
    if (a->o.action == MIG_DOWN && a->o.down_count <= 0)
        a->o.down_count = 1;
    if ((a->o.action == MIG_REPAIR || a->o.action == MIG_BASELINE) && !a->version) {
        admin_result_error(r, "42601", "MIGRATE %s needs a version",
                           a->o.action == MIG_REPAIR ? "REPAIR" : "BASELINE");
        goto fail;
    }
    if (!mig_targets(a, db, r))
        goto fail;
    if (a->n_targets != 1 && a->o.action != MIG_UP && a->o.action != MIG_VALIDATE) {
        admin_result_error(r, "42601", "name the database: %zu databases have migrations",
                           a->n_targets);
        goto fail;
    }
    mig_job_options(a, cfg);
    snprintf(name, sizeof(name), "%s%s", kind, a->o.dry_run ? " (dry run)" : "");
    id = jobs_submit(name, db, mig_job_run, a, mig_job_free, err, sizeof(err));
    if (id < 0) {
        admin_result_error(r, "57P01", "%s", err);
        return;
    }
    admin_submitted(ctx, r, id);
    return;
fail:
    mig_job_free(a);
}

/* SHOW MIGRATIONS runs the engine here, on the console session's thread. */
struct mig_show {
    struct admin_result *r;
    bool columns_sent;
};

static void mig_show_columns(void *arg, int n, const char *const *names)
{
    struct mig_show *s = arg;
    char fmt[ADMIN_MAX_COLUMNS + 1];
    if (s->columns_sent || n > ADMIN_MAX_COLUMNS)
        return;
    memset(fmt, 's', (size_t)n);
    fmt[n] = '\0';
    admin_result_columns_v(s->r, fmt, names);
    s->columns_sent = true;
}

static void mig_show_row(void *arg, const char *const *values)
{
    struct mig_show *s = arg;
    admin_result_row_text(s->r, values);
}

void admin_show_migrations(const struct admin_ctx *ctx, const struct admin_parse_cmd *cmd,
                           struct admin_result *r)
{
    struct mig_job a = {0};
    struct mig_show s = {.r = r};
    struct mig_hooks h = {.arg = &s, .columns = mig_show_columns, .row = mig_show_row};
    struct mig_options o = {.action = MIG_STATUS};
    const char *db = cmd->n_words > 1 ? cmd->words[1] : NULL;

    (void)ctx;
    if (admin_too_many_words(cmd, 2, r) || !mig_targets(&a, db, r))
        goto out;
    for (size_t i = 0; i < a.n_targets; i++) {
        struct mig_error err;
        if (!mig_run(&a.targets[i], &o, &h, &err)) {
            admin_result_reset(r);
            admin_result_error(r, err.sqlstate, "%s", err.message);
            goto out;
        }
    }
    if (!s.columns_sent) {
        static const char *const none[] = {"database", "version", "state"};
        admin_result_columns_v(r, "sss", none);
    }
out:
    for (size_t i = 0; i < a.n_targets; i++)
        mig_target_free(&a.targets[i]);
    free(a.targets);
}
